"""Documents the tests write themselves, one helper per format and nasty case."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SPANISH = (
    "Declaración conjunta sobre el tráfico de fentanilo\n\n"
    "¿Cómo trafican los cárteles? El señor Peña explicó la situación en Mérida.\n\n"
    "Los carteles lavan dinero a través de empresas fachada.\n"
)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    make_docx().save(buffer)
    return buffer.getvalue()


def make_docx() -> docx.document.Document:
    """Headings, a list, a table, a footnote, a comment and a tracked insertion."""
    d = docx.Document()
    d.core_properties.title = "Joint Statement on Security"
    d.core_properties.author = "Ministry of Foreign Affairs"
    d.add_heading("Joint Statement on Security", level=1)
    p = d.add_paragraph("The delegations met in Mérida.")
    d.add_paragraph("First commitment", style="List Bullet")
    d.add_heading("Commitments", level=2)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Country"
    table.cell(0, 1).text = "Pledge"
    table.cell(1, 0).text = "México"
    table.cell(1, 1).text = "50 million"
    tracked = d.add_paragraph("Funding will ")
    tracked._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="Ana" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:t>increase</w:t></w:r></w:ins>"
        )
    )
    tracked._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="Ana" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:delText>decrease</w:delText></w:r></w:del>"
        )
    )
    tracked.add_run(" next year.")
    d.add_comment(p.runs, text="Check the venue", author="Reviewer")
    _add_footnote(d, p, "Source: press office transcript.")
    return d


def _add_footnote(d: docx.document.Document, paragraph: object, text: str) -> None:
    from exporters.docx_footnotes import Footnotes
    from exporters.rich import Run

    notes = Footnotes(d)
    notes.add(paragraph, (Run(text),))  # type: ignore[arg-type]
    notes.save()


def make_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "Border Security Briefing"
    for n in range(1, 4):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Slide title {n}"
        slide.placeholders[1].text = f"Bullet text on slide {n}"
        slide.notes_slide.notes_text_frame.text = f"Speaker note {n}"
    table_slide = deck.slides.add_slide(deck.slide_layouts[5])
    table_slide.shapes.title.text = "Seizures"
    shape = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1))
    shape.table.cell(0, 0).text = "Year"
    shape.table.cell(0, 1).text = "Kilograms"
    shape.table.cell(1, 0).text = "2023"
    shape.table.cell(1, 1).text = "12,000"
    deck.save(str(path))
    return path


def make_pdf(path: Path, pages: list[str], title: str | None = "Annual Report",
             two_columns: bool = False, password: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if DEJAVU.exists():
        pdf.add_font("DejaVu", "", str(DEJAVU))
        font = "DejaVu"
    else:
        font = "Helvetica"
    if title:
        pdf.set_title(title)
        pdf.set_author("Research Office")
        pdf.set_creation_date(datetime(2022, 5, 17, tzinfo=UTC))
    for text in pages:
        pdf.add_page()
        pdf.set_font(font, size=11)
        if two_columns:
            left, right = text.split("||")
            left_lines, right_lines = left.split("\n"), right.split("\n")
            # Interleave the columns in the content stream: row by row.
            for i in range(max(len(left_lines), len(right_lines))):
                y = 30 + i * 7
                if i < len(left_lines):
                    pdf.text(15, y, left_lines[i])
                if i < len(right_lines):
                    pdf.text(115, y, right_lines[i])
        else:
            pdf.multi_cell(0, 7, text)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.output(str(path))
    return path


def make_image_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path
