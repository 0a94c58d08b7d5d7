"""Real Word footnotes, which python-docx has no API for.

We add (or reuse) the ``word/footnotes.xml`` part with the separator
footnotes Word expects (ids -1 and 0), Word's built-in footnote styles (found by
their style ids, created only if missing), and a ``w:footnotePr`` in the settings;
each excerpt then gets a ``w:footnoteReference``. A note's web addresses are links.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from exporters.model import xml_safe
from exporters.rich import Rich, Run

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_EMPTY = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)
# Word's built-in styles: (style id, built-in name).
TEXT_STYLE = ("FootnoteText", "footnote text")
REF_STYLE = ("FootnoteReference", "footnote reference")


def add_runs(part: Part, paragraph: Any, runs: Rich) -> None:
    """Append ``runs`` to a ``w:p`` of ``part``: italics and bold as run properties, web
    addresses as hyperlinks related from ``part`` (the document or the footnotes)."""
    for r in runs:
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        if r.url:
            style = OxmlElement("w:rStyle")
            style.set(qn("w:val"), "Hyperlink")
            rpr.append(style)
            color = OxmlElement("w:color")
            color.set(qn("w:val"), "0563C1")
            rpr.append(color)
            underline = OxmlElement("w:u")
            underline.set(qn("w:val"), "single")
            rpr.append(underline)
        for flag, tag in ((r.bold, "w:b"), (r.italic, "w:i"), (r.small_caps, "w:smallCaps")):
            if flag:
                rpr.append(OxmlElement(tag))
        if len(rpr):
            run.append(rpr)
        t = OxmlElement("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = xml_safe(r.text)
        run.append(t)
        if r.url:
            link = OxmlElement("w:hyperlink")
            link.set(qn("r:id"), part.relate_to(r.url, RT.HYPERLINK, is_external=True))
            link.append(run)
            paragraph.append(link)
        else:
            paragraph.append(run)


class Footnotes:
    def __init__(self, document: DocxDocument) -> None:
        self._doc = document
        self._part = self._find_or_create_part()
        self._root = parse_xml(self._part.blob)
        for note in list(self._root.findall(qn("w:footnote"))):
            if note.get(qn("w:type")) not in ("separator", "continuationSeparator"):
                self._root.remove(note)  # a template's sample footnotes are not ours
        self._next = 1
        self._text_style, self._ref_style = self._ensure_styles()
        self._ensure_settings()

    def _find_or_create_part(self) -> Part:
        doc_part = self._doc.part
        for rel in doc_part.rels.values():
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                part: Part = rel.target_part
                return part
        part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE, parse_xml(_EMPTY),
                       doc_part.package)
        doc_part.relate_to(part, RT.FOOTNOTES)
        return part

    def _ensure_styles(self) -> tuple[str, str]:
        styles = self._doc.styles
        ids = {s.style_id for s in styles}
        if TEXT_STYLE[0] not in ids:
            style = styles.add_style(TEXT_STYLE[1], WD_STYLE_TYPE.PARAGRAPH)
            style.style_id = TEXT_STYLE[0]
            style.base_style = styles["Normal"]
            style.font.size = Pt(9)
            style.paragraph_format.space_after = Pt(0)
        if REF_STYLE[0] not in ids:
            ref = styles.add_style(REF_STYLE[1], WD_STYLE_TYPE.CHARACTER)
            ref.style_id = REF_STYLE[0]
            ref.font.superscript = True
        return TEXT_STYLE[0], REF_STYLE[0]

    def _ensure_settings(self) -> None:
        settings = self._doc.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            pr = parse_xml(
                f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
                "</w:footnotePr>"
            )
            # Schema order: footnotePr comes before endnotePr/compat/rsids etc.
            anchor = None
            for tag in ("w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
                        "w:themeFontLang", "w:clrSchemeMapping", "w:shapeDefaults",
                        "w:decimalSymbol", "w:listSeparator"):
                try:
                    anchor = settings.find(qn(tag))
                except KeyError:
                    anchor = None
                if anchor is not None:
                    break
            if anchor is not None:
                anchor.addprevious(pr)
            else:
                settings.append(pr)

    def _ref_run(self, mark: Any) -> Any:
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        style = OxmlElement("w:rStyle")
        style.set(qn("w:val"), self._ref_style)
        rpr.append(style)
        run.append(rpr)
        run.append(mark)
        return run

    def add(self, paragraph: Paragraph, text: Rich) -> int:
        """Append a footnote reference to ``paragraph`` with ``text`` as the note."""
        note_id = self._next
        self._next += 1
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(note_id))
        paragraph._p.append(self._ref_run(ref))  # private: no public API for this

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(note_id))
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), self._text_style)
        ppr.append(pstyle)
        p.append(ppr)
        p.append(self._ref_run(OxmlElement("w:footnoteRef")))
        add_runs(self._part, p, (Run(" "), *text))
        note.append(p)
        self._root.append(note)
        return note_id

    def save(self) -> None:
        """Write the part's XML back (a generic Part keeps bytes, an XmlPart an element)."""
        if isinstance(self._part, XmlPart):
            self._part._element = self._root
        else:
            self._part._blob = serialize_part_xml(self._root)
