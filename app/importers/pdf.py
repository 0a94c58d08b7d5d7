"""PDF: text page by page with page spans (pdfminer.six layout analysis).

pdfminer.six was chosen over pypdf and pypdfium2 because its layout analysis
groups text boxes into columns, so two-column pages read column by column even
when the content stream interleaves them (see tests/app/test_import_pdf.py).
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTTextContainer
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.psparser import PSException

from app.importers.base import Extracted, Limits, TextBuilder, fail, first_title

_CID = re.compile(r"\(cid:\d+\)")
# Ligatures and Arabic/Hebrew presentation forms: fold to the letters they show.
_PRESENTATION = re.compile("[\ufb00-\ufdff\ufe70-\ufeff]+")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_LEADERS = re.compile(r"(?:\s*\.){4,}")  # table-of-contents dot leaders
_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?")


def _fix(text: str) -> str:
    text = _CID.sub("", text)
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _LEADERS.sub(" … ", text)
    return _HYPHEN_BREAK.sub(r"\1\2", text)


def _decode_meta(value: object) -> str | None:
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            text = value[2:].decode("utf-16-be", "replace")
        else:
            text = value.decode("latin-1")
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = text.strip().strip("\x00")
    return text or None


def _pdf_date(value: str | None) -> str | None:
    match = _PDF_DATE.match(value or "")
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _metadata(data: bytes, path: Path) -> dict[str, str | None]:
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise fail(path, "encrypted PDF (password protected); remove the password first") from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise fail(path, f"damaged or not a PDF ({exc or type(exc).__name__})") from exc
    info = doc.info[0] if doc.info else {}
    return {
        "title": _decode_meta(info.get("Title")),
        "author": _decode_meta(info.get("Author")),
        "published": _pdf_date(_decode_meta(info.get("CreationDate"))),
    }


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise fail(path, "not a PDF file (no %PDF header)")
    meta = _metadata(data, path)
    builder = TextBuilder()
    pages = 0
    try:
        for number, page in enumerate(
            extract_pages(io.BytesIO(data), laparams=LAParams(boxes_flow=0.5)), 1
        ):
            pages = number
            start = builder.mark()
            for element in page:
                if isinstance(element, LTTextContainer):
                    block = _fix(element.get_text())
                    builder.add("paragraph", " ".join(block.split("\n")).strip())
            builder.enclose("page", start, number)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise fail(path, "encrypted PDF (password protected); remove the password first") from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise fail(path, f"damaged PDF ({exc or type(exc).__name__})") from exc
    text = builder.text()
    if pages == 0:
        raise fail(path, "damaged PDF (no pages could be read)")
    if not text.strip():
        raise fail(path, "no text layer (scanned document?); run OCR on it first")
    return Extracted(
        text,
        builder.spans,
        "pdf",
        title=meta["title"] or first_title(text, builder.spans),
        author=meta["author"],
        published=meta["published"],
    )
