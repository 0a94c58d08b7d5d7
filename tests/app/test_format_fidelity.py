"""Format fidelity (issue 19, item 4) on files the tests write: HTML through trafilatura's
structured output, legacy encodings, and a warning for text that looks garbled."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.importers import Limits, extract_file
from app.importers.encoding import decode
from app.library import Library

SPHINX = """<!DOCTYPE html><html><head><title>os — Miscellaneous operating system interfaces</title>
</head><body><nav><a href="/">Home</a> » <a href="/lib">Library</a></nav>
<div class="body" role="main"><section id="os">
<h1>os — Miscellaneous operating system interfaces<a class="headerlink" href="#os">¶</a></h1>
<p>This module provides a portable way of using operating system dependent functionality.</p>
<dl class="py function"><dt id="os.posix_fallocate"><span class="pre">os.</span><span class="pre">posix_fallocate</span>(<em>fd</em>, <em>offset</em>, <em>len</em>)<a class="headerlink" href="#x">¶</a></dt>
<dd><p>Ensures that enough disk space is allocated for the file specified by <em>fd</em>.</p></dd></dl>
<h2>Options<a class="headerlink" href="#opt">¶</a></h2>
<dl><dt><code>-v</code></dt><dd>Print more output while the command runs, one line per step.</dd>
<dt><code>-q</code></dt><dd>Print nothing but errors to the terminal.</dd></dl>
<p>First paragraph of the closing part, on its own.</p>
<p>Second paragraph of the closing part, with *stars* and under_scores kept as written.</p>
</section></div><footer>Copyright 2001-2024</footer></body></html>"""


def _extract(path: Path):  # type: ignore[no-untyped-def]
    return extract_file(path, path.read_bytes(), Limits())


def test_html_keeps_the_page_s_blocks_without_markdown_escapes(tmp_path: Path) -> None:
    page = tmp_path / "os.html"
    page.write_text(SPHINX, encoding="utf-8")
    result = _extract(page)
    assert "os.posix_fallocate(fd, offset, len)" in result.text  # no \\_ and no *fd*
    assert "¶" not in result.text and "\\" not in result.text
    assert "under_scores" in result.text and "*stars*" in result.text
    blocks = [result.text[s.start:s.end] for s in result.spans]
    assert "-v" in blocks and "Print more output while the command runs, one line per step." in blocks
    assert "Options" in blocks  # the heading, without its anchor mark
    assert "First paragraph of the closing part, on its own." in blocks  # paragraphs as the page has them
    assert result.spans[0].kind == "heading"


def test_html_title_loses_its_anchor_mark(lib: Library, tmp_path: Path) -> None:
    page = tmp_path / "os.html"
    page.write_text(SPHINX.replace("<title>os — Miscellaneous operating system interfaces</title>", ""),
                    encoding="utf-8")
    doc = lib.document(lib.import_file(page).id or 0)
    assert not doc.title.endswith("¶")


RUSSIAN = ("Привет, мир! Это проверка кодировки для русского текста. Москва, Санкт-Петербург и "
           "Новосибирск - большие города России.\n") * 3
POLISH = "Zażółć gęślą jaźń. Łódź i Kraków to piękne miasta w Polsce, a Wrocław też.\n" * 3
GREEK = "Καλημέρα κόσμε, αυτή είναι μια δοκιμή της κωδικοποίησης για ελληνικό κείμενο.\n" * 3
CHINESE = "这是一个用于测试中文编码检测的句子，我们希望它能够被正确识别。北京和上海是中国的大城市。\n" * 3
JAPANESE = "これは日本語のエンコーディング検出をテストするための文章です。東京と大阪は大きな都市です。\n" * 3
SPANISH = "La Secretaría informó que el niño comió. ¿Qué más? ¡Nada! Señor Muñoz, año nuevo.\n" * 3


@pytest.mark.parametrize(("text", "encoding"), [
    (RUSSIAN, "cp1251"), (RUSSIAN, "koi8_r"), (POLISH, "cp1250"), (GREEK, "cp1253"),
    (CHINESE, "gbk"), (JAPANESE, "shift_jis"), (SPANISH, "cp1252"), (SPANISH, "latin-1"),
    (RUSSIAN, "utf-16-le"), (RUSSIAN, "utf-16-be"), (CHINESE, "utf-16-le"), (SPANISH, "utf-16-le"),
])
def test_legacy_encodings(text: str, encoding: str) -> None:
    decoded, _name = decode(text.encode(encoding))
    assert decoded == text


def test_mostly_utf8_with_latin1_lines() -> None:
    data = ("Línea en UTF-8: canción.\n".encode() + "Línea en Latin-1: canción.\n".encode("latin-1")) * 3
    decoded, name = decode(data)
    assert decoded.count("canción") == 6 and "\ufffd" not in decoded and name == "utf-8+cp1252"


def test_garbled_text_is_imported_with_a_warning(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "garbled.txt"
    path.write_text("La SecretarÃ­a informÃ³ que el niÃ±o comiÃ³ â€œbienâ€\x9d, seÃ±or.\n" * 5, encoding="utf-8")
    result = lib.import_file(path)
    assert result.status == "imported" and result.warning is not None and "garbled" in result.warning
    clean = tmp_path / "clean.txt"
    clean.write_text(SPANISH, encoding="utf-8")
    assert lib.import_file(clean).warning is None


# -- Word: content controls, alternate content, nested tables, a missing image ------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _docx_with_body(tmp_path: Path, body_xml: str, name: str = "form.docx") -> Path:
    """A real .docx (python-docx's default template) whose body is ``body_xml``."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("sectPr"):
            body.remove(child)
    fragment = parse_xml(f'<w:body xmlns:w="{W}" xmlns:mc="{MC}">{body_xml}</w:body>')
    for child in list(fragment):
        body.insert(len(body) - 1, child)
    path = tmp_path / name
    document.save(str(path))
    return path


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(inner: str) -> str:
    return f"<w:tc>{inner}</w:tc>"


def _sdt(inner: str) -> str:
    return f"<w:sdt><w:sdtPr/><w:sdtContent>{inner}</w:sdtContent></w:sdt>"


def test_docx_content_controls_nested_tables_and_alternate_content(tmp_path: Path) -> None:
    nested = f"<w:tbl><w:tr>{_tc(_p('Inner A'))}{_tc(_p('Inner B'))}</w:tr></w:tbl>"
    body = (
        _p("Cover page")
        + "<w:tbl>"
        + f"<w:tr>{_tc(_p('Name'))}{_sdt(_tc(_p('Jane Analyst')))}</w:tr>"  # cell-level control
        + _sdt(f"<w:tr>{_tc(_p('Office'))}{_tc(_p('Border Desk'))}</w:tr>")  # row-level control
        + f"<w:tr>{_tc(_p('Nested') + nested + _p(''))}</w:tr>"
        + "</w:tbl>"
        + "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:t>Boxed text</w:t></mc:Choice>"
        + "<mc:Fallback><w:t>Boxed text</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    result = _extract(_docx_with_body(tmp_path, body))
    assert "Name | Jane Analyst" in result.text
    assert "Office | Border Desk" in result.text
    assert result.text.count("Inner A") == 1 and "Nested Inner A | Inner B" in result.text
    assert result.text.count("Boxed text") == 1


def test_docx_with_a_missing_image_part_is_read(tmp_path: Path) -> None:
    import zipfile

    path = _docx_with_body(tmp_path, _p("Text beside a picture that was lost."), "pic.docx")
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/image" '
                                    b'Target="media/image1.png"/></Relationships>')
            dst.writestr(info, data)
    result = _extract(broken)
    assert "Text beside a picture that was lost." in result.text


def test_pdf_running_headers_and_footers_stay_out_of_paragraphs(tmp_path: Path) -> None:
    from tests import corpus

    pages = [f"Border Finance Review - Committee Print\n\nBody text of page {n} says something new about "
             f"the {word} route, as the witness explained.\n\nPage {n} of 4"
             for n, word in enumerate(["northern", "southern", "eastern", "western"], 1)]
    result = _extract(corpus.make_pdf(tmp_path / "print.pdf", pages))
    assert "Committee Print" not in result.text and "of 4" not in result.text
    for word in ("northern", "southern", "eastern", "western"):
        assert f"the {word} route" in result.text
    assert any("committee print" in line for line in result.set_aside)
    two = _extract(corpus.make_pdf(tmp_path / "two.pdf", pages[:2]))
    assert "Committee Print" in two.text  # two pages are too few to call a line a running head
