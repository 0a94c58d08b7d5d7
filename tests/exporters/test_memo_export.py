"""Export a briefing, read the files back, and check what a reader would see."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from app.library import Library
from exporters import Excerpt, Memo, MemoSection, Source, export
from exporters.dispatch import soffice
from storage.errors import KnownError
from tests import corpus


@pytest.fixture
def briefing(lib: Library, tmp_path: Path) -> int:
    pdf = corpus.make_pdf(tmp_path / "report.pdf", ["Intro page.", "Seizures of fentanyl doubled in 2022."])
    txt = corpus.write(tmp_path / "hearing.txt", "Title line\n\nFirst para.\n\nCartels launder money via shell firms.")
    pdf_id = lib.import_file(pdf).id
    txt_id = lib.import_file(txt).id
    assert pdf_id and txt_id
    lib.update_document(txt_id, title="Senate Hearing", author="US Senate", published="2021-06-01")
    a1 = lib.add_annotation(pdf_id, *lib.find_quote(pdf_id, "Seizures of fentanyl doubled"), ["Drugs/Fentanyl"])
    a2 = lib.add_annotation(txt_id, *lib.find_quote(txt_id, "launder money"), ["Finance"])
    b = lib.create_briefing(
        "Weekly Brief", subject="Fentanyl flows", to="Director", from_="Analyst A",
        date="2026-11-25", classification="UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        summary="Seizures are up; money moves through shell firms.",
    )
    lib.add_items(b.id, [a1.id], section="Supply", comment="Consistent with CBP data.")
    lib.add_items(b.id, [a2.id], section="Money")
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
    texts = [t for _, t in paras]
    assert ("Title", "Weekly Brief") in paras
    for line in ("TO:\tDirector", "FROM:\tAnalyst A", "DATE:\t2026-11-25", "SUBJECT:\tFentanyl flows"):
        assert ("Memo Header", line) in paras
    headings = [t for s, t in paras if s == "Heading 1"]
    assert headings == ["Bottom Line Up Front", "Supply", "Money", "Sources"]
    quotes = [t for s, t in paras if s == "Quote"]
    assert quotes == ["“Seizures of fentanyl doubled”", "“launder money”"]
    assert ("Commentary", "Consistent with CBP data.") in paras
    # One real footnote per excerpt, referenced from the excerpt's paragraph.
    notes = footnotes_of(d)
    assert notes == {
        "1": "Research Office, “Annual Report”, 2022-05-17, p. 2.",
        "2": "US Senate, “Senate Hearing”, 2021-06-01, para. 3.",
    }
    quote_paras = [p for p in d.paragraphs if p.style.name == "Quote"]
    refs = [[r.get(qn("w:id")) for r in p._p.iter(qn("w:footnoteReference"))] for p in quote_paras]
    assert refs == [["1"], ["2"]]
    sources = [t for s, t in paras if s == "Source Entry"]
    assert sources[0].startswith("1.\tResearch Office, “Annual Report”, 2022-05-17")
    assert sources[1].startswith("2.\tUS Senate, “Senate Hearing”, 2021-06-01")
    # Classification in the page header and footer; page number field in the footer.
    section = d.sections[0]
    assert section.header.paragraphs[0].text == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert "UNCLASSIFIED//FOR OFFICIAL USE ONLY" in [p.text for p in section.footer.paragraphs]
    assert any(f.get(qn("w:instr")) == "PAGE" for f in section.footer._element.iter(qn("w:fldSimple")))
    props = d.core_properties
    assert (props.title, props.subject, props.author) == ("Weekly Brief", "Fentanyl flows", "Analyst A")
    assert set(props.keywords.split("; ")) == {"Drugs/Fentanyl", "Finance"}
    assert "UNCLASSIFIED//FOR OFFICIAL USE ONLY" not in texts  # the page header carries it


def test_custom_template_styles_apply(lib: Library, briefing: int, tmp_path: Path) -> None:
    template = docx.Document()
    quote = template.styles["Quote"]
    quote.font.name = "Courier New"
    quote.font.size = Pt(15)
    template.add_paragraph("Sample content that must not leak into memos.")
    template.save(str(tmp_path / "house.docx"))
    out = lib.export_briefing(briefing, tmp_path / "memo.docx", tmp_path / "house.docx")
    d = docx.Document(str(out))
    style = d.styles["Quote"]
    assert (style.font.name, style.font.size) == ("Courier New", Pt(15))
    assert all("must not leak" not in p.text for p in d.paragraphs)
    # The project's default template is used when none is given.
    lib.set_default_template(tmp_path / "house.docx")
    d2 = docx.Document(str(lib.export_briefing(briefing, tmp_path / "memo2.docx")))
    assert d2.styles["Quote"].font.name == "Courier New"


def test_word_template_with_footnotes_part(tmp_path: Path) -> None:
    """A template that already has footnotes (as Word's own do) keeps one part, ours."""
    base = docx.Document()
    p = base.add_paragraph("Template text")
    corpus._add_footnote(base, p, "A template footnote")
    base.save(str(tmp_path / "t.docx"))
    memo = _memo_with("Quoted words")
    export(memo, tmp_path / "out.docx", tmp_path / "t.docx")
    d = docx.Document(str(tmp_path / "out.docx"))
    assert list(footnotes_of(d).values()) == ["Org, “Doc”, p. 3."]


def test_repeat_citations_are_short_and_local_paths_stay_out(tmp_path: Path) -> None:
    source = Source(1, "A Very Long Report Title About Border Security", "Org", "2020", "/home/me/r.pdf")
    web = Source(2, "Page", None, None, "https://example.org/page")
    memo = Memo(
        title="T",
        sections=(MemoSection("S", (Excerpt("one", source, "p. 1"), Excerpt("two", source, "p. 9"),
                                    Excerpt("three", web))),),
        sources=(source, web),
    )
    export(memo, tmp_path / "m.docx")
    d = docx.Document(str(tmp_path / "m.docx"))
    assert list(footnotes_of(d).values()) == [
        "Org, “A Very Long Report Title About Border Security”, 2020, p. 1.",
        "Org, “A Very Long Report Title…”, p. 9.",
        "“Page”.",
    ]
    entries = [p.text for p in d.paragraphs if p.style.name == "Source Entry"]
    assert entries == ["1.\tOrg, “A Very Long Report Title About Border Security”, 2020.",
                       "2.\t“Page”, https://example.org/page."]


def _memo_with(quote: str, commentary: str = "") -> Memo:
    source = Source(1, "Doc", "Org")
    return Memo(
        title="T",
        sections=(MemoSection("S", (Excerpt(quote, source, "p. 3", commentary),)),),
        sources=(source,),
    )


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


def test_markdown_and_html_carry_the_same_citations(lib: Library, briefing: int, tmp_path: Path) -> None:
    md = lib.export_briefing(briefing, tmp_path / "memo.md").read_text()
    assert "> “Seizures of fentanyl doubled”[^1]" in md
    assert "[^2]: US Senate, “Senate Hearing”, 2021-06-01, para. 3." in md
    assert "## Sources" in md and "**To:** Director" in md
    html = lib.export_briefing(briefing, tmp_path / "memo.html").read_text()
    assert '<sup id="ref1"><a href="#fn1">1</a></sup>' in html
    assert "US Senate, “Senate Hearing”, 2021-06-01, para. 3." in html
    assert "<script" not in html


def test_html_escapes_hostile_text(tmp_path: Path) -> None:
    export(_memo_with("<script>alert(1)</script>"), tmp_path / "m.html")
    assert "<script>alert" not in (tmp_path / "m.html").read_text()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_pdf_export_through_libreoffice(lib: Library, briefing: int, tmp_path: Path) -> None:
    out = lib.export_briefing(briefing, tmp_path / "memo.pdf")
    assert out.read_bytes().startswith(b"%PDF")


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(KnownError, match="needs LibreOffice"):
        export(_memo_with("x"), tmp_path / "m.pdf")
    assert not (tmp_path / "m.pdf").exists()
