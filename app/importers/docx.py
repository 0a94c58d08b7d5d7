"""Word .docx: body paragraphs and tables in reading order, footnotes and endnotes.

We walk the XML ourselves rather than use ``Paragraph.text``, which drops text
inside ``w:ins`` (tracked insertions); tracked changes are read as accepted.
python-docx parses every part with entity resolution off.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import lxml.etree
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from app.importers.base import Extracted, Limits, TextBuilder, clean_title, fail, first_title
from app.importers.zipguard import check_zip

W_P, W_TBL, W_TR, W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
W_T, W_TAB, W_BR, W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
W_DEL, W_MOVE_FROM = qn("w:del"), qn("w:moveFrom")
W_FOOTREF, W_ENDREF = qn("w:footnoteReference"), qn("w:endnoteReference")
W_PSTYLE, W_NUMPR, W_SDT = qn("w:pStyle"), qn("w:numPr"), qn("w:sdt")
W_ID, W_VAL, W_TYPE = qn("w:id"), qn("w:val"), qn("w:type")
_HEADING = re.compile(r"^(heading|überschrift|titre|título|titulo)\s*(\d)$", re.I)
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
W_SDT_CONTENT = qn("w:sdtContent")
# mc:Fallback repeats what mc:Choice holds (a text box for older Word): read it once.
_SKIP = {W_DEL, W_MOVE_FROM, qn("w:instrText"), qn("w:delText"), f"{MC}Fallback"}


class _Notes:
    """Numbers footnote/endnote references in the order they appear."""

    def __init__(self) -> None:
        self.order: list[tuple[str, str]] = []

    def mark(self, kind: str, note_id: str) -> str:
        self.order.append((kind, note_id))
        return f"[{len(self.order)}]"


def _para_text(p: Any, notes: _Notes) -> str:
    out: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == W_T:
                out.append(child.text or "")
            elif tag == W_TAB:
                out.append("\t")
            elif tag in (W_BR, W_CR):
                out.append("\n")
            elif tag == W_FOOTREF:
                out.append(notes.mark("footnote", child.get(W_ID)))
            elif tag == W_ENDREF:
                out.append(notes.mark("endnote", child.get(W_ID)))
            elif tag == W_P:  # a paragraph inside a text box
                out.append(" ")
                walk(child)
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _style_of(p: Any, styles: dict[str, str]) -> tuple[str, int]:
    ppr = p.pPr
    style_id = None
    if ppr is not None:
        ps = ppr.find(W_PSTYLE)
        style_id = ps.get(W_VAL) if ps is not None else None
        if ppr.find(W_NUMPR) is not None:
            return "list_item", 0
    name = styles.get(style_id or "", style_id or "")
    if name.lower() == "title":
        return "heading", 1
    match = _HEADING.match(name.replace("heading", "heading ").replace("  ", " ").strip())
    if match:
        return "heading", int(match.group(2))
    if name.lower().startswith("list"):
        return "list_item", 0
    return "paragraph", 0


def _children(element: Any, tag: str) -> list[Any]:
    """Direct children with ``tag``, looking through content controls (w:sdt), which
    can wrap rows of a table or cells of a row (forms, cover pages)."""
    out = []
    for child in element:
        if child.tag == tag:
            out.append(child)
        elif child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                out.extend(_children(content, tag))
    return out


def _cell_text(tc: Any, notes: _Notes) -> str:
    """A cell's paragraphs, and a nested table's rows, once each."""
    parts = []
    for child in tc:
        if child.tag == W_P:
            text = _para_text(child, notes).strip()
        elif child.tag == W_TBL:
            rows = ([_cell_text(inner, notes) for inner in _children(tr, W_TC)]
                    for tr in _children(child, W_TR))
            text = " / ".join(" | ".join(c for c in cells if c) for cells in rows)
        elif child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            text = _cell_text(content, notes) if content is not None else ""
        else:
            continue
        if text.strip():
            parts.append(text.strip())
    return " ".join(parts)


def _blocks(body: Any, builder: TextBuilder, styles: dict[str, str], notes: _Notes) -> None:
    for child in body:
        if child.tag == W_P:
            kind, level = _style_of(child, styles)
            builder.add(kind, _para_text(child, notes), level)
        elif child.tag == W_TBL:
            start = builder.mark()
            for tr in _children(child, W_TR):
                cells = [_cell_text(tc, notes) for tc in _children(tr, W_TC)]
                if any(cells):
                    builder.add("paragraph", " | ".join(cells))
            builder.enclose("table", start)
        elif child.tag == W_SDT:  # content controls wrap ordinary blocks
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                _blocks(content, builder, styles, notes)


def _notes_part(document: Any, reltype: str, tag: str) -> dict[str, Any]:
    for rel in document.part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            root = parse_xml(rel.target_part.blob)
            return {
                n.get(W_ID): n
                for n in root.iter(qn(f"w:{tag}"))
                if n.get(W_TYPE) in (None, "normal")
            }
    return {}


_SAFE_XML = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def without_missing_parts(data: bytes) -> bytes:
    """The package with every internal relationship to a part it lacks removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = set(src.namelist())
        for info in src.infolist():
            blob = src.read(info)
            if info.filename.endswith(".rels"):
                folder = posixpath.dirname(posixpath.dirname(info.filename))
                root = lxml.etree.fromstring(blob, _SAFE_XML)
                for rel in list(root.iter(REL)):
                    target = rel.get("Target") or ""
                    if rel.get("TargetMode") == "External":
                        continue
                    name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join(folder, target))
                    if name not in names:
                        root.remove(rel)
                blob = lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, blob)
    return out.getvalue()


def _is_strict(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"purl.oclc.org/ooxml" in archive.read("_rels/.rels")
    except (KeyError, zipfile.BadZipFile):
        return False


def _header_footer_text(document: Any) -> bool:
    """Whether any page header or footer of the document holds text."""
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if not part.is_linked_to_previous and "".join(
                    t.text or "" for t in part._element.iter(qn("w:t"))).strip():  # private: the part's XML
                return True
    return False


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    check_zip(data, path, limits, "docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError as exc:
        raise fail(path, "not a Word document (no main document part)") from exc
    except ValueError as exc:
        # python-docx says "file '...' is not a Word file, content type is ..."
        if "macroEnabled" in str(exc) or "template" in str(exc):
            raise fail(
                path, "a macro-enabled document or template (.docm/.dotx); save it as .docx"
            ) from exc
        raise fail(path, f"not a Word document ({exc})") from exc
    except KeyError as exc:
        if b"purl.oclc.org/ooxml" in data[:200_000] or _is_strict(data):
            raise fail(path, "Strict Open XML Word document, which Dossier cannot read yet; "
                       "save it as a standard .docx") from exc
        # A part named by a relationship is missing (an image, usually): read without it.
        try:
            document = docx.Document(io.BytesIO(without_missing_parts(data)))
        except (KeyError, ValueError, PackageNotFoundError) as again:
            raise fail(path, f"damaged Word document (missing part {exc})") from again
    styles: dict[str, str] = {}
    try:
        for style in document.styles:
            if style.style_id:
                styles[style.style_id] = style.name or style.style_id
    except (KeyError, ValueError):
        pass
    builder = TextBuilder()
    notes = _Notes()
    _blocks(document.element.body, builder, styles, notes)
    fallback_title = first_title(builder.text(), builder.spans)
    if notes.order:
        footnotes = _notes_part(document, RT.FOOTNOTES, "footnote")
        endnotes = _notes_part(document, RT.ENDNOTES, "endnote")
        builder.add("heading", "Notes", 2)
        for number, (kind, note_id) in enumerate(notes.order, 1):
            note = (footnotes if kind == "footnote" else endnotes).get(note_id)
            if note is not None:
                text = " ".join(_para_text(p, _Notes()).strip() for p in note.iter(W_P))
                builder.add("paragraph", f"[{number}] {text.strip()}")
    text = builder.text()
    if not text.strip() and _header_footer_text(document):
        raise fail(path, "no text in the body: its only text is in the page headers or footers")
    props = document.core_properties
    created = props.created.date().isoformat() if props.created else None
    return Extracted(
        text,
        builder.spans,
        "docx",
        title=clean_title(props.title) or fallback_title,
        author=(props.author or "").strip() or None,
        published=created,
    )
