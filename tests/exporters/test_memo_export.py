"""Export a briefing, read the files back, and check what a reader would see (issue 20)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from app.library import Library
from exporters import Excerpt, Memo, MemoSection, export
from exporters.atomic import safe_file_name
from exporters.dispatch import soffice
from exporters.rich import Run
from storage.errors import KnownError
from tests import corpus

CLASSIFICATION = "UNCLASSIFIED//FOR OFFICIAL USE ONLY"


@pytest.fixture
def briefing(lib: Library, tmp_path: Path) -> int:
    pdf = corpus.make_pdf(tmp_path / "report.pdf", ["Intro page.", "Seizures of fentanyl doubled in 2022."])
    txt = corpus.write(tmp_path / "hearing.txt",
                       "Title line\n\nFirst para.\n\nCartels launder money via shell firms.\n\n"
                       '"We know the routes," Perez said, and the committee agreed.')
    pdf_id = lib.import_file(pdf).id
    txt_id = lib.import_file(txt).id
    assert pdf_id and txt_id
    lib.update_document(pdf_id, published="2022-05-17")  # the analyst gives the report's date
    lib.update_document(txt_id, title="Senate Hearing on Border Finance", author="US Senate",
                        published="2021-06-01", source="https://senate.example.gov/hearing")
    a1 = lib.add_annotation(pdf_id, *lib.find_quote(pdf_id, "Seizures of fentanyl doubled in 2022."),
                            ["Drugs/Fentanyl"])
    a2 = lib.add_annotation(txt_id, *lib.find_quote(txt_id, "launder money"), ["Finance"])
    a3 = lib.add_annotation(txt_id, *lib.find_quote(txt_id, '"We know the routes," Perez said'), ["Quotes"])
    b = lib.create_briefing(
        "Weekly Brief", subject="Fentanyl flows", to="Director", from_="Analyst A",
        date="2026-11-25", classification=CLASSIFICATION,
        summary="Seizures are up; money moves through shell firms.",
    )
    lib.add_items(b.id, [a1.id], section="Supply", comment="Consistent with CBP data.")
    lib.add_items(b.id, [a2.id, a3.id, a3.id, a1.id, a2.id], section="Money")
    return b.id


def footnotes_of(document: docx.document.Document) -> dict[str, str]:
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            root = parse_xml(rel.target_part.blob)
            return {
                n.get(qn("w:id")): "".join(t.text or "" for t in n.iter(qn("w:t"))).strip()
                for n in root.iter(qn("w:footnote"))
                if n.get(qn("w:type")) is None
            }
    return {}


def test_docx_memo_reads_back(lib: Library, briefing: int, tmp_path: Path) -> None:
    out = lib.export_briefing(briefing, tmp_path / "memo.docx")
    d = docx.Document(str(out))
    paras = [(p.style.name, p.text) for p in d.paragraphs]
    assert ("Title", "Weekly Brief") in paras
    for line in ("TO:\tDirector", "FROM:\tAnalyst A", "DATE:\t2026-11-25", "SUBJECT:\tFentanyl flows"):
        assert ("Memo Header", line) in paras
    headings = [t for s, t in paras if s == "Heading 1"]
    assert headings == ["Bottom Line Up Front", "Supply", "Money", "Sources"]
    quotes = [t for s, t in paras if s == "Excerpt"]
    assert quotes[:3] == ["“Seizures of fentanyl doubled in 2022.”", "“…launder money…”",
                          "“‘We know the routes,’ Perez said…”"]  # nested quotes, ellipses
    assert ("Analyst Comment", "Comment: Consistent with CBP data.") in paras
    excerpt_style = d.styles["Excerpt"]
    assert not excerpt_style.font.italic  # one signal: the marks, not italics too
    assert excerpt_style.paragraph_format.left_indent > 0
    assert excerpt_style.paragraph_format.keep_with_next  # kept with its comment
    # Chicago notes: full first, short after; the same source again after another, short.
    notes = footnotes_of(d)
    assert notes["1"] == "Research Office, Annual Report (2022), 2."
    assert notes["2"] == ("US Senate, “Senate Hearing on Border Finance,” Testimony, June 1, 2021, para. 2, "
                          "https://senate.example.gov/hearing.")  # testimony: a speech, its title quoted
    assert notes["3"] == "US Senate, “Senate Hearing on Border Finance,” para. 3."
    # Chicago's 18th edition gives the short form where earlier editions said "Ibid.";
    # the title line is not a paragraph.
    assert notes["4"] == "US Senate, “Senate Hearing on Border Finance,” para. 3."
    assert notes["5"] == "Research Office, Annual Report, 2."  # again after another: short
    quote_paras = [p for p in d.paragraphs if p.style.name == "Excerpt"]
    refs = [[r.get(qn("w:id")) for r in p._p.iter(qn("w:footnoteReference"))] for p in quote_paras]
    assert refs == [[str(n)] for n in range(1, 7)]
    sources = [t for s, t in paras if s == "Source Entry"]
    assert sources == ["Research Office. Annual Report. 2022.",
                       "US Senate. “Senate Hearing on Border Finance.” Testimony. June 1, 2021. "
                       "https://senate.example.gov/hearing."]  # alphabetical, in the style
    section = d.sections[0]
    assert section.header.paragraphs[0].text == CLASSIFICATION
    assert CLASSIFICATION in [p.text for p in section.footer.paragraphs]
    assert any(f.get(qn("w:instr")) == "PAGE" for f in section.footer._element.iter(qn("w:fldSimple")))
    assert CLASSIFICATION not in [t for _, t in paras]  # the page header carries it


def test_web_addresses_are_links(lib: Library, briefing: int, tmp_path: Path) -> None:
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    body_links = [r.target_ref for r in d.part.rels.values() if r.reltype == RT.HYPERLINK]
    assert body_links == ["https://senate.example.gov/hearing"]
    notes_part = next(r.target_part for r in d.part.rels.values() if r.reltype == RT.FOOTNOTES)
    assert [r.target_ref for r in notes_part.rels.values() if r.reltype == RT.HYPERLINK] == [
        "https://senate.example.gov/hearing"]
    html = lib.export_briefing(briefing, tmp_path / "memo.html").read_text()
    assert '<a href="https://senate.example.gov/hearing">' in html


def test_fifty_tags_and_a_long_subject_do_not_crash(lib: Library, briefing: int, tmp_path: Path) -> None:
    doc = lib.annotations()[0]
    for n in range(50):
        ann = lib.add_annotation(doc.doc_id, doc.start, doc.end, [f"Region {n:02d}/Subtopic {n}"])
        lib.add_items(briefing, [ann.id], section="More")
    lib.update_briefing(briefing, subject="S" * 1000, title="T" * 600)
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    props = d.core_properties
    assert len(props.keywords) <= 255 and len(props.subject) <= 255 and len(props.title) <= 255
    assert props.keywords.startswith("Drugs/Fentanyl; Finance; Quotes; Region 00/Subtopic 0")
    assert all(k.strip() for k in props.keywords.split("; "))  # whole tags only
    again = docx.Document(str(lib.export_briefing(briefing, tmp_path / "again.docx")))
    assert again.core_properties.keywords == props.keywords  # a stable order


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def _letterhead_template(tmp_path: Path) -> Path:
    """A template as Word makes them: a letterhead with a logo on the first page, other
    headers and footers, even pages different, a right-aligned Classification style."""
    t = docx.Document()
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png())
    section = t.sections[0]
    section.different_first_page_header_footer = True
    t.settings.odd_and_even_pages_header_footer = True
    first = section.first_page_header.paragraphs[0]
    first.text = "ACME AGENCY — Office of Analysis"
    first.add_run().add_picture(str(logo))
    section.first_page_footer.paragraphs[0].text = "1 Main Street, Capital City"
    section.header.paragraphs[0].text = "ACME AGENCY"
    section.footer.paragraphs[0].text = "ACME internal"
    section.even_page_header.paragraphs[0].text = "ACME AGENCY (even)"
    classification = t.styles.add_style("Classification", 1)
    classification.paragraph_format.alignment = 2  # right: the marking must still be centred
    t.add_paragraph("Sample body text that must not leak into memos.")
    path = tmp_path / "house.docx"
    t.save(str(path))
    return path


def test_a_templates_letterhead_logo_and_footers_are_kept_and_marked(
        lib: Library, briefing: int, tmp_path: Path) -> None:
    template = _letterhead_template(tmp_path)
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx", template)))
    section = d.sections[0]
    parts = {
        "first header": section.first_page_header, "first footer": section.first_page_footer,
        "header": section.header, "footer": section.footer,
        "even header": section.even_page_header, "even footer": section.even_page_footer,
    }
    texts = {k: [p.text for p in v.paragraphs] for k, v in parts.items()}
    assert "ACME AGENCY — Office of Analysis" in texts["first header"]
    assert "1 Main Street, Capital City" in texts["first footer"]
    assert "ACME AGENCY" in texts["header"] and "ACME internal" in texts["footer"]
    assert "ACME AGENCY (even)" in texts["even header"]
    for name, part in parts.items():
        assert CLASSIFICATION in texts[name], name  # the marking on every page type
        marking = next(p for p in part.paragraphs if p.text == CLASSIFICATION)
        assert marking.alignment == 1, name  # centred, whatever the template's style says
        if "header" in name:
            assert part.paragraphs[0].text == CLASSIFICATION, name
        else:
            fields = [f.get(qn("w:instr")) for f in part._element.iter(qn("w:fldSimple"))]
            assert "PAGE" in fields, name  # page numbers where the template had none
    logo = [r for r in section.first_page_header.part.rels.values() if r.reltype == RT.IMAGE]
    assert len(logo) == 1 and logo[0].target_part.blob == _png()
    assert all("must not leak" not in p.text for p in d.paragraphs)


def test_dotx_templates_are_accepted(lib: Library, briefing: int, tmp_path: Path) -> None:
    source = _letterhead_template(tmp_path)
    dotx = tmp_path / "house.dotx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dotx, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            dst.writestr(info, data)
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx", dotx)))
    assert "ACME AGENCY" in [p.text for p in d.sections[0].header.paragraphs]


def test_built_in_footnote_styles_and_current_word(lib: Library, briefing: int, tmp_path: Path) -> None:
    template = docx.Document()
    style = template.styles.add_style("footnote text", 1)
    style.style_id = "FootnoteText"
    style.font.size = Pt(8)
    template.save(str(tmp_path / "word-made.docx"))
    out = lib.export_briefing(briefing, tmp_path / "memo.docx", tmp_path / "word-made.docx")
    d = docx.Document(str(out))
    ids = [s.style_id for s in d.styles]
    assert ids.count("FootnoteText") == 1 and ids.count("FootnoteReference") == 1
    assert d.styles["footnote text"].font.size == Pt(8)
    with zipfile.ZipFile(out) as z:
        settings = z.read("word/settings.xml").decode()
        app = z.read("docProps/app.xml").decode()
        names = z.namelist()
    assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings)
    assert "<Application>Dossier</Application>" in app and "Macintosh" not in app
    assert not any("thumbnail" in n for n in names)


def test_layout_rules(lib: Library, briefing: int, tmp_path: Path) -> None:
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    header = d.styles["Memo Header"].paragraph_format
    assert header.first_line_indent < 0 and header.left_indent == -header.first_line_indent
    assert d.styles["Normal"].paragraph_format.widow_control
    entries = [p for p in d.paragraphs if p.style.name == "Source Entry"]
    assert entries[-2].paragraph_format.keep_with_next  # the last source never alone
    assert d.styles["Analyst Comment"].paragraph_format.left_indent > 0


def test_right_to_left_quotes_are_marked(tmp_path: Path) -> None:
    memo = _memo_with("قال المتحدث إن الشحنات تضاعفت")
    memo = Memo(title="T", sections=(MemoSection("S", (Excerpt("“قال المتحدث”", (Run("Org."),),
                                                               rtl=True),)),))
    export(memo, tmp_path / "m.docx")
    d = docx.Document(str(tmp_path / "m.docx"))
    quote = next(p for p in d.paragraphs if p.style.name == "Excerpt")
    assert quote._p.pPr.find(qn("w:bidi")) is not None


def test_spanish_memo_labels_and_marks(lib: Library, briefing: int, tmp_path: Path) -> None:
    lib.update_briefing(briefing, language="es", portion_marking="(U)")
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    paras = [(p.style.name, p.text) for p in d.paragraphs]
    assert ("Memo Header", "PARA:\tDirector") in paras
    assert next(t for s, t in paras if s == "Heading 1") == "(U) Conclusión principal"
    assert ("Excerpt", "(U) «Seizures of fentanyl doubled in 2022.»") in paras
    assert ("Excerpt", "(U) «“We know the routes,” Perez said…»") in paras
    footer = " ".join(p.text for p in d.sections[0].footer.paragraphs)
    assert "Página" in footer and " de " in footer
    assert "Fuentes" in [t for s, t in paras if s == "Heading 1"]


def test_apa_cites_in_the_text(lib: Library, briefing: int, tmp_path: Path) -> None:
    out = lib.export_briefing(briefing, tmp_path / "memo.docx", style="apa")
    d = docx.Document(str(out))
    assert footnotes_of(d) == {}
    quotes = [p.text for p in d.paragraphs if p.style.name == "Excerpt"]
    assert quotes[0] == "“Seizures of fentanyl doubled in 2022.” (Research Office, 2022, p. 2)"
    md = lib.export_briefing(briefing, tmp_path / "memo.md", style="apa").read_text()
    assert "(Research Office, 2022, p. 2)" in md


def test_trimmed_quotes_and_the_integrity_check(lib: Library, briefing: int, tmp_path: Path) -> None:
    b = lib.briefing(briefing)
    item = b.sections[1].items[1]  # the Perez quote
    trimmed = lib.trim_item(item.id, '"We know […] routes," Perez said')
    assert trimmed.quote.startswith('"We know […]')
    with pytest.raises(KnownError, match="not in the highlighted text"):
        lib.trim_item(item.id, "We know the cartels")
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    assert "“‘We know […] routes,’ Perez said…”" in [p.text for p in d.paragraphs]
    # The highlight changes under the trim (a newer version of the source): export stops.
    import sqlite3
    con = sqlite3.connect(lib.path)
    con.execute("UPDATE briefing_items SET quote = 'We know the cartels' WHERE id = ?", (item.id,))
    con.commit()
    con.close()
    with pytest.raises(KnownError, match=f"briefing item {item.id}: “We know the cartels”"):
        lib.export_briefing(briefing, tmp_path / "memo2.docx")
    assert not (tmp_path / "memo2.docx").exists()
    lib.trim_item(item.id, None)
    assert lib.briefing(briefing).sections[1].items[1].trimmed is None


def _memo_with(quote: str, commentary: str = "") -> Memo:
    return Memo(title="T", sections=(MemoSection("S", (Excerpt(f"“{quote}”", (Run("Org, Doc, 3."),),
                                                               commentary),)),))


def test_unwritable_text_is_cleaned(tmp_path: Path) -> None:
    memo = _memo_with("bad \x00\x07 text \ud800 here", commentary="ok\x1b")
    export(memo, tmp_path / "m.docx")
    d = docx.Document(str(tmp_path / "m.docx"))
    assert "“bad  text  here”" in [p.text for p in d.paragraphs]


def test_failed_export_leaves_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "memo.docx"
    target.write_bytes(b"previous memo")
    with pytest.raises(KnownError, match="not a usable Word template"):
        export(_memo_with("x"), target, corpus.write(tmp_path / "bad.docx", b"junk"))
    assert target.read_bytes() == b"previous memo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.docx", "memo.docx"]
    with pytest.raises(KnownError, match="unknown export format"):
        export(_memo_with("x"), tmp_path / "memo.odt")
    with pytest.raises(KnownError, match="does not exist"):
        export(_memo_with("x"), tmp_path / "nope" / "memo.docx")


def test_files_get_ordinary_modes_and_protected_files_are_kept(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = export(_memo_with("x"), tmp_path / "memo.docx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # colleagues can read it
    out.chmod(0o444)
    before = out.read_bytes()
    with pytest.raises(KnownError, match="read-only"):
        export(_memo_with("y"), out)
    assert out.read_bytes() == before
    export(_memo_with("y"), out, force=True)
    assert out.read_bytes() != before
    out.chmod(0o644)
    for lock in ("~$memo.docx", ".~lock.memo.docx#"):
        (tmp_path / lock).write_text("someone")
        with pytest.raises(KnownError, match="open in a word processor"):
            export(_memo_with("z"), out)
        (tmp_path / lock).unlink()
    assert safe_file_name('Q3: "Who paid?" <draft>/v2') == "Q3- -Who paid-- -draft--v2.docx"
    assert safe_file_name("CON") == "memo CON.docx"
    assert safe_file_name("...") == "memo.docx"


def test_markdown_and_html_carry_the_same_citations(lib: Library, briefing: int, tmp_path: Path) -> None:
    d = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    first_note = footnotes_of(d)["2"]
    md = lib.export_briefing(briefing, tmp_path / "memo.md").read_text()
    assert "> “Seizures of fentanyl doubled in 2022.”[^1]" in md
    note = "US Senate, “Senate Hearing on Border Finance,” Testimony, June 1, 2021, para. 2"
    assert f"[^2]: {note}" in md
    assert "## Sources" in md and "**To:** Director" in md
    html = lib.export_briefing(briefing, tmp_path / "memo.html").read_text()
    assert '<sup id="ref1"><a href="#fn1">1</a></sup>' in html
    assert note in html
    assert first_note.startswith(note)
    assert "<script" not in html


def test_html_escapes_hostile_text(tmp_path: Path) -> None:
    export(_memo_with("<script>alert(1)</script>"), tmp_path / "m.html")
    assert "<script>alert" not in (tmp_path / "m.html").read_text()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_pdf_export_is_tagged_with_bookmarks_and_links(lib: Library, briefing: int, tmp_path: Path) -> None:
    out = lib.export_briefing(briefing, tmp_path / "memo.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(str(out))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    assert [o.title for o in reader.outline if not isinstance(o, list)][:2] == ["Bottom Line Up Front", "Supply"]
    # Footnote references link within the file; web addresses open in a browser.
    actions = [a.get_object().get("/A") for p in reader.pages for a in p.get("/Annots") or []]
    uris = [a.get_object().get("/URI") for a in actions if a is not None]
    assert "https://senate.example.gov/hearing" in uris


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(KnownError, match="needs LibreOffice"):
        export(_memo_with("x"), tmp_path / "m.pdf")
    assert not (tmp_path / "m.pdf").exists()


def test_resources_hold_the_default_template_and_the_window_stylesheet(lib: Library, briefing: int,
                                                                       tmp_path: Path) -> None:
    from resources import MEMO_TEMPLATE, STYLESHEET

    shipped = docx.Document(str(MEMO_TEMPLATE))
    assert {"Excerpt", "Classification"} <= {s.name for s in shipped.styles}
    memo = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo.docx")))
    assert memo.core_properties.title == "Weekly Brief"  # the template's own title does not leak
    assert memo.core_properties.author != "Dossier memo template"
    assert "QLabel#readerHeader" in STYLESHEET.read_text(encoding="utf-8")
