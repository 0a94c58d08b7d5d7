"""Each format and nasty case gives the right text or a clear error naming the file."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import docx
import pytest

from app.domain import Span
from app.errors import ImportFailed
from app.importers import Limits, extract_file, read_file
from app.library import Library
from tests import corpus


def extract(path: Path, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    limits = limits or Limits()
    return extract_file(path, read_file(path, limits), limits)


def spans_of(result, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [result.text[s.start : s.end] for s in result.spans if s.kind == kind]


# -- plain text -------------------------------------------------------------------

def test_utf16_with_bom(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "u16.txt", codecs.BOM_UTF16_LE + "Año nuevo 😀\r\nlínea".encode("utf-16-le"))
    assert extract(p).text == "Año nuevo 😀\nlínea"
    p = corpus.write(tmp_path / "u16be.txt", codecs.BOM_UTF16_BE + "Señal".encode("utf-16-be"))
    assert extract(p).text == "Señal"


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "bom.txt", codecs.BOM_UTF8 + b"One\r\n\r\nTwo\r\n")
    result = extract(p)
    assert result.text == "One\n\nTwo"
    assert spans_of(result, "paragraph") == ["One", "Two"]


def test_real_latin1_spanish_is_not_read_as_cp1250(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "es.txt", corpus.SPANISH.encode("latin-1"))
    result = extract(p)
    assert "¿Cómo trafican los cárteles? El señor Peña" in result.text
    assert "ń" not in result.text and "ż" not in result.text
    assert result.language == "es"


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    text = "The minister said “we will act” – and didn’t… Niño’s case costs 5 €."
    p = corpus.write(tmp_path / "quotes.txt", text.encode("cp1252"))
    assert extract(p).text == text


def test_combining_accents_are_nfc(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "nfd.txt", "Me\u0301rida and Pen\u0303a")
    text = extract(p).text
    assert text == "Mérida and Peña" and len(text) == 15


def test_emoji_and_rtl_text_kept(tmp_path: Path) -> None:
    source = "Report 🚀 on 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.\n\nبيان مشترك حول الأمن\n\nהצהרה משותפת"
    p = corpus.write(tmp_path / "mixed.txt", source)
    assert extract(p).text == source


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.pdf", "empty.docx", "empty.html"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    p = corpus.write(tmp_path / name, b"")
    with pytest.raises(ImportFailed, match=rf"{name}: empty file"):
        extract(p)


@pytest.mark.parametrize("name", ["garbage.pdf", "garbage.docx", "garbage.pptx"])
def test_binary_garbage_renamed(tmp_path: Path, name: str) -> None:
    p = corpus.write(tmp_path / name, bytes(range(256)) * 40)
    with pytest.raises(ImportFailed, match=rf"{name}: not a"):
        extract(p)


def test_binary_garbage_txt_never_crashes(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "garbage.txt", bytes(range(256)) * 40)
    result = extract(p)  # decodes as *something*; controls are removed
    assert "\x00" not in result.text


def test_unsupported_and_refused_formats(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="unsupported format .xyz"):
        extract(corpus.write(tmp_path / "a.xyz", "x"))
    with pytest.raises(ImportFailed, match=r"macro-enabled.*\.docm"):
        extract(corpus.write(tmp_path / "a.docm", "x"))
    with pytest.raises(ImportFailed, match=r"template \(\.dotx\)"):
        extract(corpus.write(tmp_path / "a.dotx", "x"))


def test_file_size_cap(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "big.txt", "x" * 3000)
    with pytest.raises(ImportFailed, match="over the 0 MB cap"):
        extract(p, Limits(max_file_bytes=2000))


def test_zip_bomb_cap(tmp_path: Path) -> None:
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/filler.xml", b"\x00" * (3 * 1024 * 1024))
    with pytest.raises(ImportFailed, match="decompresses to over 1 MB, the cap"):
        extract(p, Limits(max_unzipped_bytes=1024 * 1024))
    # One XML part has a much lower cap than the whole archive.
    with pytest.raises(ImportFailed, match="part word/filler.xml decompresses to over 2 MB"):
        extract(p, Limits(max_xml_part_bytes=2 * 1024 * 1024))


def test_password_protected_office_file(tmp_path: Path) -> None:
    p = corpus.write(tmp_path / "locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ImportFailed, match="password-protected"):
        extract(p)


# -- Markdown -----------------------------------------------------------------------

def test_markdown_without_markup(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Deck\nmarp: true\n---\n# Border *security*\n\nCosts rose to \\$5 **million** "
        "per [year](http://example.org).\n\n- first item\n- second `item`\n\n---\n\n## Slide two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    result = extract(corpus.write(tmp_path / "deck.md", md))
    assert result.title == "Deck"
    assert "Costs rose to $5 million per year." in result.text
    for junk in ("**", "\\$", "](", "# "):
        assert junk not in result.text
    assert spans_of(result, "heading") == ["Border security", "Slide two"]
    assert spans_of(result, "list_item") == ["first item", "second item"]
    assert "1 | 2" in result.text
    assert [s.extra for s in result.spans if s.kind == "slide"] == [1, 2]


# -- HTML ---------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head>
<title>Joint Statement | State Department</title>
<meta property="og:title" content="Joint Statement on Fentanyl">
<meta name="author" content="Office of the Spokesperson">
<meta property="og:site_name" content="U.S. Department of State">
<meta property="article:published_time" content="2023-11-15">
<link rel="stylesheet" href="http://evil.example/style.css">
<script>document.write('tracking')</script><style>body{color:red}</style>
</head><body>
<div class="usa-banner">An official website of the United States government</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<main><article>
<h1>Joint Statement on Fentanyl</h1>
<p>The two governments agreed to expand cooperation against synthetic drug trafficking,
including precursor chemical controls and joint investigations of money laundering.</p>
<p>Officials from both countries will meet again in Mérida next spring to review progress on
the commitments in this statement and to publish shared seizure data.</p>
<iframe src="http://evil.example/frame"></iframe><img src="http://evil.example/pixel.png">
<h2>Next steps</h2>
<p>A working group will report within ninety days on the status of extradition requests and
on new measures to disrupt the financial networks that support trafficking organisations.</p>
</article></main>
<div class="share">Share this page: Facebook Twitter Email</div>
<footer>Privacy Policy | Accessibility | Contact us</footer>
</body></html>"""


def test_html_main_content_and_metadata(tmp_path: Path) -> None:
    result = extract(corpus.write(tmp_path / "statement.html", HTML))
    assert "expand cooperation against synthetic drug trafficking" in result.text
    assert "meet again in Mérida" in result.text
    for junk in ("official website", "tracking", "color:red", "Privacy Policy", "Share this page"):
        assert junk not in result.text
    assert result.title == "Joint Statement on Fentanyl"
    assert result.author == "Office of the Spokesperson"
    assert result.published == "2023-11-15"
    assert "Next steps" in spans_of(result, "heading")


@pytest.mark.parametrize("stated", ["U.S. Customs and Border Protection", "Ministerio de Salud y Protección Social"])
def test_an_organisation_that_is_the_author_keeps_its_name(tmp_path: Path, stated: str) -> None:
    page = HTML.replace("Office of the Spokesperson", stated)
    assert extract(corpus.write(tmp_path / "seizure.html", page)).author == stated


# -- DOCX ---------------------------------------------------------------------------

def test_docx_structure_tables_footnotes_tracked_changes(tmp_path: Path) -> None:
    p = tmp_path / "statement.docx"
    corpus.make_docx().save(str(p))
    result = extract(p)
    assert result.title == "Joint Statement on Security"
    assert result.author == "Ministry of Foreign Affairs"
    assert result.published is not None
    text = result.text
    assert "The delegations met in Mérida.[1]" in text
    assert "Country | Pledge\n\nMéxico | 50 million" in text
    assert "Funding will increase next year." in text and "decrease" not in text
    assert "[1] Source: press office transcript." in text
    assert "Check the venue" not in text  # reviewers' comments are not the document's text
    assert spans_of(result, "heading")[:2] == ["Joint Statement on Security", "Commitments"]
    assert spans_of(result, "list_item") == ["First commitment"]
    order = [text.index(s) for s in ("Joint Statement", "delegations", "First commitment",
                                     "Commitments", "Country", "Funding will")]
    assert order == sorted(order)


# -- PowerPoint ---------------------------------------------------------------------

def test_pptx_slides_titles_notes_tables(tmp_path: Path) -> None:
    result = extract(corpus.make_pptx(tmp_path / "deck.pptx"))
    assert result.title == "Border Security Briefing"
    slides = [s for s in result.spans if s.kind == "slide"]
    assert [s.extra for s in slides] == [1, 2, 3, 4]
    second = result.text[slides[1].start : slides[1].end]
    assert second.startswith("Slide title 2")
    assert "Bullet text on slide 2" in second and "Speaker notes: Speaker note 2" in second
    assert "Year | Kilograms\n\n2023 | 12,000" in result.text
    assert spans_of(result, "heading")[0] == "Slide title 1"


# -- PDF ----------------------------------------------------------------------------

def test_pdf_pages_and_metadata(tmp_path: Path) -> None:
    p = corpus.make_pdf(tmp_path / "report.pdf", ["First page about Mérida.", "Second page: office ﬁnances."])
    result = extract(p)
    # The creation date (2022-05-17) is the file's, not the document's: no publication date.
    assert (result.title, result.author, result.published) == ("Annual Report", "Research Office", None)
    assert result.file_date == "2022-05-17"  # kept as the file's own date
    pages = [s for s in result.spans if s.kind == "page"]
    assert [s.extra for s in pages] == [1, 2]
    assert result.text[pages[0].start : pages[0].end] == "First page about Mérida."
    second = result.text[pages[1].start : pages[1].end]
    assert second == "Second page: office finances."  # ligature folded, no (cid:N)
    assert "(cid:" not in result.text


def test_pdf_two_columns_read_column_by_column(tmp_path: Path) -> None:
    left = "Left column one\nLeft column two\nLeft column three"
    right = "Right column one\nRight column two\nRight column three"
    result = extract(corpus.make_pdf(tmp_path / "cols.pdf", [f"{left}||{right}"]))
    text = result.text
    assert text.index("Left column three") < text.index("Right column one")


def test_encrypted_pdf(tmp_path: Path) -> None:
    p = corpus.make_pdf(tmp_path / "secret.pdf", ["classified"], password="hunter2")
    with pytest.raises(ImportFailed, match=r"secret\.pdf: encrypted PDF"):
        extract(p)


def test_image_only_pdf(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"scan\.pdf: no text layer \(scanned document\?\)"):
        extract(corpus.make_image_pdf(tmp_path / "scan.pdf"))


def test_truncated_pdf(tmp_path: Path) -> None:
    whole = corpus.make_pdf(tmp_path / "whole.pdf", ["Some text here"] * 3).read_bytes()
    p = corpus.write(tmp_path / "cut.pdf", whole[: len(whole) // 3])
    try:
        result = extract(p)
    except ImportFailed as exc:
        assert str(exc).startswith(str(p))
    else:  # pdfminer may recover the readable pages: that is fine too
        assert "Some text" in result.text


# -- through the Library: failures leave the project as it was ----------------------

def test_failed_imports_leave_project_unchanged(lib: Library, tmp_path: Path, text_doc: int) -> None:
    before = (len(lib.documents()), lib.check())
    bad = [
        corpus.write(tmp_path / "bad" / "empty.txt", b""),
        corpus.write(tmp_path / "bad" / "junk.pdf", b"%PDF-1.4 junk"),
        corpus.write(tmp_path / "bad" / "junk.docx", b"PK\x03\x04broken"),
        corpus.make_image_pdf(tmp_path / "bad" / "scan.pdf"),
    ]
    results = lib.import_many(bad)
    assert [r.status for r in results] == ["error"] * 4
    assert all(r.error and r.error.startswith(str(p)) for r, p in zip(results, bad, strict=True))
    assert (len(lib.documents()), lib.check()) == before


def test_bulk_import_folder_goes_past_bad_files(lib: Library, tmp_path: Path) -> None:
    root = tmp_path / "sources"
    corpus.write(root / "a.txt", "Alpha text")
    corpus.write(root / "sub" / "b.md", "# Beta\n\ntext")
    corpus.write(root / "sub" / "bad.pdf", b"not a pdf")
    corpus.write(root / "ignored.xyz", "skip me")
    flat = lib.import_many([root])
    assert [r.status for r in flat] == ["imported"]
    deep = lib.import_many([root], recursive=True)
    assert sorted(r.status for r in deep) == ["duplicate", "error", "imported"]
    assert len(lib.documents()) == 2


def test_bulk_import_can_be_cancelled(lib: Library, tmp_path: Path) -> None:
    files = [corpus.write(tmp_path / f"{i}.txt", f"document number {i}") for i in range(5)]
    results = lib.import_many(files, progress=lambda done, total, path: done < 2)
    assert len(results) == 2 and len(lib.documents()) == 2


def test_structure_spans_stored(lib: Library, tmp_path: Path) -> None:
    p = tmp_path / "s.docx"
    corpus.make_docx().save(str(p))
    doc_id = lib.import_file(p).id
    assert doc_id is not None
    spans = lib.document_structure(doc_id)
    assert Span("heading", 0, len("Joint Statement on Security"), 1) in spans


def test_markdown_soft_breaks_are_spaces(tmp_path: Path) -> None:
    result = extract(corpus.write(tmp_path / "soft.md", "A line broken\nin the source.\n\nNext  \nhard break"))
    assert result.text == "A line broken in the source.\n\nNext\nhard break"


def test_pdf_toc_dot_leaders_are_collapsed(tmp_path: Path) -> None:
    p = corpus.make_pdf(tmp_path / "toc.pdf", ["1.1 Introduction . . . . . . . . . . . . 5"])
    assert ". . . ." not in extract(p).text


@pytest.mark.skipif(not corpus.DEJAVU.exists(), reason="needs the DejaVu font to write Arabic")
def test_pdf_arabic_is_stored_in_logical_order_without_presentation_forms(tmp_path: Path) -> None:
    # "سلام" as a PDF producer lays it out: shaped presentation-form glyphs, placed right to left
    # (so left to right on the page they read م ا ل س).
    visual = "\ufee1\ufe8e\ufee0\ufeb3"
    result = extract(corpus.make_pdf(tmp_path / "ar.pdf", [f"Peace {visual} here"], title=None))
    assert "سلام" in result.text
    assert not any("\ufb50" <= ch <= "\ufeff" for ch in result.text)


def test_tex_spacing_accents_are_composed(lib: Library, tmp_path: Path) -> None:
    """Spanish PDFs made with TeX put the accent before its letter (issue 19)."""
    pdf = corpus.make_pdf(tmp_path / "guia.pdf", ["Gu´ıa de instalaci´on\nLa se˜nal y el ping¨uino."],
                          title="Gu´ıa de instalaci´on")
    result = lib.import_file(pdf)
    assert result.id is not None
    text = lib.document_text(result.id)
    assert "Guía de instalación" in text and "señal" in text and "pingüino" in text
    assert lib.search("instalación", kind="passage")


@pytest.mark.parametrize("title", ["Microsoft Word - Document1", "Binder1.pdf", "dvips.dvi", "Untitled"])
def test_tool_default_titles_give_way_to_the_documents_own(lib: Library, tmp_path: Path, title: str) -> None:
    pdf = corpus.make_pdf(tmp_path / "r.pdf", ["Seizures at the Northern Ports\nThe count doubled."], title=title)
    result = lib.import_file(pdf)
    assert (result.title or "").startswith("Seizures at the Northern Ports")


def test_titles_lose_pilcrows_and_control_characters(lib: Library, tmp_path: Path) -> None:
    d = docx.Document()
    d.core_properties.title = "Press release:\tfentanyl  seizures¶"
    d.add_paragraph("Body text.")
    d.save(str(tmp_path / "pr.docx"))
    assert lib.import_file(tmp_path / "pr.docx").title == "Press release: fentanyl seizures"


def test_pdf_titles_lose_control_characters(lib: Library, tmp_path: Path) -> None:
    pdf = corpus.make_pdf(tmp_path / "c.pdf", ["Body."], title="Annual\x07 report on\x07ports")
    assert lib.import_file(pdf).title == "Annual report on ports"


def test_a_pdf_saved_as_txt_is_read_as_a_pdf(lib: Library, tmp_path: Path) -> None:
    """The bytes say what a file is before its name does (issue 19): no garbage text, and
    the same bytes under their right name are the same document."""
    pdf = corpus.make_pdf(tmp_path / "real.pdf", ["Seizures at the northern ports doubled."])
    disguised = tmp_path / "saved-as.txt"
    disguised.write_bytes(pdf.read_bytes())
    result = lib.import_file(disguised)
    assert result.status == "imported" and result.id is not None
    assert lib.document(result.id).format == "pdf"
    assert "Seizures at the northern ports doubled." in lib.document_text(result.id)
    assert lib.import_file(pdf).status == "duplicate"


@pytest.mark.parametrize(("magic", "said"), [(b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "program"),
                                             (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image"),
                                             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old binary")])
def test_programs_images_and_old_office_files_named_as_such(lib: Library, tmp_path: Path, magic: bytes,
                                                           said: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(magic)
    result = lib.import_file(path)
    assert result.status == "error" and said in (result.error or "")
    assert lib.documents() == []


def test_a_txt_that_is_markdown_has_no_markup_in_its_text(lib: Library, tmp_path: Path) -> None:
    """Exported slide decks and notes (issue 19): no ** or \\$ in the text, the snippets or
    memo quotations; the file keeps its .txt label."""
    path = tmp_path / "deck.txt"
    path.write_text("# Quarterly seizures\n\n- **Fentanyl** seizures rose to \\$5 million\n"
                    "- See [the report](https://example.gov/r)\n", encoding="utf-8")
    result = lib.import_file(path)
    assert result.id is not None and result.title == "Quarterly seizures"
    text = lib.document_text(result.id)
    assert "**" not in text and "\\$" not in text and "$5 million" in text and "Fentanyl seizures" in text
    assert lib.document(result.id).format == "txt"
    [hit] = lib.search("fentanyl", kind="passage")
    assert "**" not in hit.snippet_text


def test_prose_with_a_list_stays_plain_text(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Notes from the call\n\n- ports\n- money\n\nNothing else of note.\n", encoding="utf-8")
    result = lib.import_file(path)
    assert result.id is not None
    assert "- ports" in lib.document_text(result.id)


def test_header_only_documents_say_where_their_text_is(lib: Library, tmp_path: Path) -> None:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Ministry of Ports — weekly notice"
    d.save(str(tmp_path / "letterhead.docx"))
    result = lib.import_file(tmp_path / "letterhead.docx")
    assert result.status == "error" and "only text is in the page headers or footers" in (result.error or "")


def test_a_pdf_title_is_its_first_line_not_a_run_on_paragraph(lib: Library, tmp_path: Path) -> None:
    """Without a metadata title, a PDF's title is its first printed line (issue 19)."""
    pdf = corpus.make_pdf(tmp_path / "untitled.pdf",
                          ["Annual Report on Ports\nThe ministry inspected every container terminal in the north "
                           "and found that seizures doubled while staffing stayed flat over the year."],
                          title=None)
    assert lib.import_file(pdf).title == "Annual Report on Ports"
