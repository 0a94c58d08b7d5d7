"""The Word memo, written with named styles so a template can restyle it.

A template keeps its headers and footers (letterhead, logo, footer text) on every
page type it defines; the classification marking and page numbers are added to
them. The file declares itself as ours (application name, no preview image) and as
a current Word document (no compatibility mode).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import _Footer, _Header
from docx.shared import Inches, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

from exporters.docx_footnotes import Footnotes, add_runs
from exporters.labels import labels
from exporters.model import Memo, xml_safe
from exporters.template import open_template
from resources import MEMO_TEMPLATE

# Our own styles, created when the template lacks them. name -> (type, base)
CUSTOM_STYLES = {
    "Memo Header": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Memo Label": (WD_STYLE_TYPE.CHARACTER, None),
    "Classification": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Excerpt": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Analyst Comment": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Comment Label": (WD_STYLE_TYPE.CHARACTER, None),
    "Source Entry": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Title": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
    "Heading 1": (WD_STYLE_TYPE.PARAGRAPH, "Normal"),
}
CORE_LIMIT = 255  # characters Word keeps in a core property
APP_NAME = "Dossier"
LABEL_WIDTH = Inches(1.1)


def ensure_styles(doc: DocxDocument) -> None:
    styles = doc.styles
    names = {s.name for s in styles}
    for name, (kind, base) in CUSTOM_STYLES.items():
        if name in names:
            continue
        style: BaseStyle = styles.add_style(name, kind)
        if base and base in names:
            style.base_style = styles[base]  # type: ignore[attr-defined]
        _default_look(name, style)
    normal = styles["Normal"].paragraph_format
    normal.widow_control = True
    if "Hyperlink" not in {st.style_id for st in styles}:
        # Word's built-in link style, which links' runs name: LibreOffice drops a link
        # whose style is missing from the file when it makes a PDF.
        link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.style_id = "Hyperlink"
        link.font.underline = True
        link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)


def _default_look(name: str, style: BaseStyle) -> None:
    """The house look for styles we create; a template's own definitions win."""
    font = style.font  # type: ignore[attr-defined]
    if name in ("Memo Label", "Comment Label"):
        font.bold = True
        return
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    if name == "Memo Header":  # a long value wraps beside its label, not under it
        fmt.space_after = Pt(2)
        fmt.left_indent = LABEL_WIDTH
        fmt.first_line_indent = -LABEL_WIDTH
        fmt.tab_stops.add_tab_stop(LABEL_WIDTH)
    elif name == "Classification":
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        font.bold = True
        font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    elif name == "Excerpt":  # a block quotation, kept with the comment under it
        fmt.left_indent = Inches(0.5)
        fmt.right_indent = Inches(0.5)
        fmt.space_after = Pt(4)
        fmt.keep_with_next = True
    elif name == "Analyst Comment":
        fmt.left_indent = Inches(0.5)
        fmt.space_after = Pt(12)
        fmt.keep_together = True
        font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    elif name == "Source Entry":
        fmt.left_indent = Inches(0.5)
        fmt.first_line_indent = Inches(-0.5)
        fmt.space_after = Pt(4)
        fmt.keep_together = True
    elif name == "Title":
        font.size = Pt(20)
        font.bold = True
    elif name == "Heading 1":
        font.size = Pt(14)
        font.bold = True
        fmt.space_before = Pt(12)
        fmt.keep_with_next = True


def _field(paragraph: Paragraph, instruction: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)  # private: python-docx has no field API


def _has_page_number(part: _Header | _Footer) -> bool:
    """Whether the footer already shows a page number (a PAGE field, simple or complex)."""
    element = part._element  # private: the footer's XML, to look for a PAGE field
    instructions = [f.get(qn("w:instr")) or "" for f in element.iter(qn("w:fldSimple"))]
    instructions += [t.text or "" for t in element.iter(qn("w:instrText"))]
    return any(re.search(r"\bPAGE\b", i) for i in instructions)


def _at_top(part: _Header | _Footer, paragraph: Paragraph) -> None:
    element = part._element  # private: python-docx adds paragraphs only at the end
    element.remove(paragraph._p)
    element.insert(0, paragraph._p)


def _marking(part: _Header | _Footer, memo: Memo, top: bool) -> None:
    if not memo.classification:
        return
    p = part.add_paragraph(xml_safe(memo.classification), style="Classification")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER  # never the template's alignment
    if top:
        _at_top(part, p)


def _page_number(footer: _Footer, memo: Memo) -> None:
    if _has_page_number(footer):
        return
    words = labels(memo.language)
    page = footer.add_paragraph()
    page.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page.add_run(f"{words['page']} ")
    _field(page, "PAGE")
    page.add_run(f" {words['of']} ")
    _field(page, "NUMPAGES")


def _header_footer(doc: DocxDocument, memo: Memo) -> None:
    """The marking atop every header and at the foot of every footer the document has
    (default, first page, even pages), and a page number where a footer has none."""
    even = doc.settings.odd_and_even_pages_header_footer
    for n, section in enumerate(doc.sections):
        pairs = [(section.header, section.footer)]
        if section.different_first_page_header_footer:
            pairs.append((section.first_page_header, section.first_page_footer))
        if even:
            pairs.append((section.even_page_header, section.even_page_footer))
        for header, footer in pairs:
            if n > 0 and header.is_linked_to_previous and footer.is_linked_to_previous:
                continue  # shows the previous section's, already marked
            _marking(header, memo, top=True)
            _page_number(footer, memo)
            _marking(footer, memo, top=False)


def _body(doc: DocxDocument, memo: Memo, notes: Footnotes) -> None:
    words = labels(memo.language)
    doc.add_paragraph(xml_safe(memo.title), style="Title")
    for key, value in (("to", memo.to), ("from", memo.from_), ("date", memo.date),
                       ("subject", memo.subject)):
        if value:
            p = doc.add_paragraph(style="Memo Header")
            p.add_run(f"{words[key]}:\t", style="Memo Label")
            p.add_run(xml_safe(value))
    if memo.summary.strip():
        doc.add_paragraph(memo.portion(words["summary"]), style="Heading 1")
        for para in memo.summary.strip().split("\n\n"):
            doc.add_paragraph(memo.portion(xml_safe(para.strip())), style="Normal")
    for section in memo.sections:
        doc.add_paragraph(memo.portion(xml_safe(section.heading)), style="Heading 1")
        for excerpt in section.excerpts:
            quote = doc.add_paragraph(style="Excerpt")
            run = quote.add_run(memo.portion(xml_safe(excerpt.quote)))
            if excerpt.rtl:
                _right_to_left(quote, run)
            if memo.note_style:
                notes.add(quote, excerpt.citation)
            else:
                quote.add_run(" ")
                add_runs(doc.part, quote._p, excerpt.citation)
            if excerpt.commentary.strip():
                comment = doc.add_paragraph(style="Analyst Comment")
                comment.add_run(f"{words['comment']}: ", style="Comment Label")
                comment.add_run(memo.portion(xml_safe(excerpt.commentary.strip())))
            else:
                quote.paragraph_format.keep_with_next = False
    if memo.bibliography:
        doc.add_paragraph(words["sources"], style="Heading 1")
        entries = [doc.add_paragraph(style="Source Entry") for _ in memo.bibliography]
        for p, entry in zip(entries, memo.bibliography, strict=True):
            add_runs(doc.part, p._p, entry)
        if len(entries) > 1:  # the last entry never alone at the top of a page
            entries[-2].paragraph_format.keep_with_next = True


def _right_to_left(paragraph: Paragraph, run: object) -> None:
    ppr = paragraph._p.get_or_add_pPr()  # private: python-docx has no bidi API
    ppr.append(OxmlElement("w:bidi"))
    rpr = run._r.get_or_add_rPr()  # type: ignore[attr-defined]
    rpr.append(OxmlElement("w:rtl"))


def _fit(text: str, limit: int = CORE_LIMIT) -> str:
    text = xml_safe(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _keywords(tags: list[str], limit: int = CORE_LIMIT) -> str:
    """As many tags as fit, in the memo's order, whole."""
    kept: list[str] = []
    for tag in tags:
        candidate = "; ".join([*kept, xml_safe(tag)])
        if len(candidate) > limit:
            break
        kept.append(xml_safe(tag))
    return "; ".join(kept)


def _properties(doc: DocxDocument, memo: Memo) -> None:
    props = doc.core_properties
    props.title = _fit(memo.title)
    props.subject = _fit(memo.subject)
    props.author = _fit(memo.from_) or APP_NAME
    props.keywords = _keywords(memo.keywords)
    props.comments = "Briefing memo exported by Dossier"
    props.category = _fit(memo.classification)
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)
    props.last_modified_by = APP_NAME
    props.revision = 1


def mark_current_word(doc: DocxDocument) -> None:
    """No compatibility mode; our name as the application; no stale preview image."""
    settings = doc.settings.element
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        settings.append(compat)
    mode = next((c for c in compat.findall(qn("w:compatSetting"))
                 if c.get(qn("w:name")) == "compatibilityMode"), None)
    if mode is None:
        mode = parse_xml(f'<w:compatSetting {nsdecls("w")} w:name="compatibilityMode" '
                         'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>')
        compat.append(mode)
    mode.set(qn("w:val"), "15")
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = _app_xml(part.blob)  # private: a plain part keeps its bytes


def _app_xml(blob: bytes) -> bytes:
    text = blob.decode("utf-8", "replace")
    text = re.sub(r"<Application>[^<]*</Application>", f"<Application>{APP_NAME}</Application>", text)
    text = re.sub(r"<(Template|Company|Manager)>[^<]*</\1>", "", text)
    return text.encode("utf-8")


def write_docx(memo: Memo, target: Path, template: Path | None = None) -> None:
    # Without the organisation's template, Dossier's own (resources/templates).
    doc = open_template(template if template is not None else MEMO_TEMPLATE)
    ensure_styles(doc)
    notes = Footnotes(doc)
    _header_footer(doc, memo)
    _body(doc, memo, notes)
    notes.save()
    _properties(doc, memo)
    mark_current_word(doc)
    doc.save(str(target))
