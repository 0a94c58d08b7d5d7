"""The Word memo, written with named styles so a template can restyle it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

from exporters.docx_footnotes import Footnotes
from exporters.model import Memo, citations, xml_safe
from storage.errors import KnownError

# Our own styles, created when the template lacks them. name -> (type, base)
CUSTOM_STYLES = {
    "Memo Header": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Memo Label": (WD_STYLE_TYPE.CHARACTER, None),
    "Classification": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Commentary": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Source Entry": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Quote": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Title": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Heading 1": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
}


def _ensure_styles(doc: DocxDocument) -> None:
    styles = doc.styles
    names = {s.name for s in styles}
    for name, (kind, base) in CUSTOM_STYLES.items():
        if name in names:
            continue
        style: BaseStyle = styles.add_style(name, kind)
        if base and base in names:
            style.base_style = styles[base]  # type: ignore[attr-defined]
        _default_look(name, style)


def _default_look(name: str, style: BaseStyle) -> None:
    """The house look for styles we create; a template's own definitions win."""
    font = style.font  # type: ignore[attr-defined]
    if name == "Memo Label":
        font.bold = True
        return
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    if name == "Memo Header":
        fmt.space_after = Pt(2)
        fmt.tab_stops.add_tab_stop(Inches(1.1))
    elif name == "Classification":
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        font.bold = True
        font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    elif name == "Commentary":
        fmt.left_indent = Pt(18)
        fmt.space_after = Pt(10)
    elif name == "Source Entry":
        fmt.left_indent = Pt(18)
        fmt.first_line_indent = Pt(-18)
        fmt.space_after = Pt(4)
    elif name == "Quote":
        fmt.left_indent = Pt(36)
        fmt.right_indent = Pt(36)
        font.italic = True
    elif name == "Title":
        font.size = Pt(20)
        font.bold = True
    elif name == "Heading 1":
        font.size = Pt(14)
        font.bold = True
        fmt.space_before = Pt(12)


def _open(template: Path | None) -> DocxDocument:
    if template is None:
        return docx.Document()
    try:
        doc = docx.Document(str(template))
    except Exception as exc:  # python-docx raises several types for a bad package
        raise KnownError(f"{template}: not a usable Word template ({exc})") from exc
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _field(paragraph: Paragraph, instruction: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)  # private: python-docx has no field API


def _header_footer(doc: DocxDocument, memo: Memo) -> None:
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        for p in header.paragraphs:
            p.text = ""
        if memo.classification:
            head = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            head.style = doc.styles["Classification"]
            head.text = xml_safe(memo.classification)
        footer = section.footer
        footer.is_linked_to_previous = False
        for p in footer.paragraphs:
            p.text = ""
        page = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        page.alignment = WD_ALIGN_PARAGRAPH.CENTER
        page.add_run("Page ")
        _field(page, "PAGE")
        page.add_run(" of ")
        _field(page, "NUMPAGES")
        if memo.classification:
            mark = footer.add_paragraph(xml_safe(memo.classification), style="Classification")
            mark.alignment = WD_ALIGN_PARAGRAPH.CENTER


def write_docx(memo: Memo, target: Path, template: Path | None = None) -> None:
    doc = _open(template)
    _ensure_styles(doc)
    notes = Footnotes(doc)
    _header_footer(doc, memo)

    doc.add_paragraph(xml_safe(memo.title), style="Title")
    for label, value in (("TO", memo.to), ("FROM", memo.from_), ("DATE", memo.date),
                         ("SUBJECT", memo.subject)):
        if value:
            p = doc.add_paragraph(style="Memo Header")
            p.add_run(f"{label}:\t", style="Memo Label")
            p.add_run(xml_safe(value))
    if memo.summary.strip():
        doc.add_paragraph("Bottom Line Up Front", style="Heading 1")
        for para in memo.summary.strip().split("\n\n"):
            doc.add_paragraph(xml_safe(para.strip()), style="Normal")
    cites = iter(citations(memo.sections))
    for section in memo.sections:
        doc.add_paragraph(xml_safe(section.heading), style="Heading 1")
        for excerpt in section.excerpts:
            quote = doc.add_paragraph(style="Quote")
            quote.add_run(f"“{xml_safe(excerpt.quote).strip()}”")
            notes.add(quote, xml_safe(next(cites)))
            if excerpt.commentary.strip():
                doc.add_paragraph(xml_safe(excerpt.commentary.strip()), style="Commentary")
    if memo.sources:
        doc.add_paragraph("Sources", style="Heading 1")
        for source in memo.sources:
            doc.add_paragraph(f"{source.number}.\t{xml_safe(source.reference())}",
                              style="Source Entry")
    notes.save()

    props = doc.core_properties
    props.title = xml_safe(memo.title)
    props.subject = xml_safe(memo.subject)
    props.author = xml_safe(memo.from_) or "Dossier"
    props.keywords = xml_safe("; ".join(memo.keywords))
    props.comments = "Briefing memo exported by Dossier"
    props.category = xml_safe(memo.classification)
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)
    props.last_modified_by = "Dossier"
    doc.save(str(target))
