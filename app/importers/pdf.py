"""PDF: text page by page with page spans, through PDFium (pypdfium2).

Compared on real PDFs, pypdfium2 was an order of magnitude faster than pypdf and
pdfminer.six (docs/BENCHMARKS.md), with the same clean text
(no ``(cid:N)``, no ligature characters) and columns in reading order on our
two-column test page. PDFium gives lines, not paragraphs, so paragraphs are
rebuilt from line lengths and sentence ends.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium

from app.importers.base import Extracted, Limits, TextBuilder, clean_title, fail, first_title
from app.importers.child import in_child

_CID = re.compile(r"\(cid:\d+\)")
# Ligatures and Arabic/Hebrew presentation forms: fold to the letters they show.
_PRESENTATION = re.compile("[\ufb00-\ufdff\ufe70-\ufeff]+")
_LEADERS = re.compile(r"(?:\s*\.){4,}")  # table-of-contents dot leaders
_SENTENCE_END = re.compile(r"[.:!?»”\"')\]]$")
SHORT_LINE = 0.75  # of the page's longest line: a shorter line that ends a sentence ends a paragraph


# TeX's spacing accents before the letter they belong to ("instalaci´on", "Gu´ıa"), which
# poppler composes: the accent becomes the combining mark, a dotless i under it an i.
_SPACING_ACCENT = re.compile(r"(?<=\w)([´`¨ˆ˜])([A-Za-zıȷ])|(?<![\w´`¨ˆ˜])([´`¨ˆ˜])([A-Za-zıȷ])(?=\w)")
_COMBINING = {"´": "\u0301", "`": "\u0300", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303"}


def _accent(match: re.Match[str]) -> str:
    accent, letter = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    letter = {"ı": "i", "ȷ": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", letter + _COMBINING[accent])


def _fix(text: str) -> str:
    text = _CID.sub("", text)
    text = _SPACING_ACCENT.sub(_accent, text)
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _LEADERS.sub(" … ", text)


def paragraphs(page_text: str) -> list[str]:
    """Join a page's lines into paragraphs (hyphenated line ends rejoined)."""
    lines = [line.strip() for line in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    longest = max((len(line) for line in lines), default=0)
    out: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        if len(line) < SHORT_LINE * longest and _SENTENCE_END.search(line):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


EDGE_LINES = 3  # lines at the top and at the bottom of a page where running heads sit
_DIGITS = re.compile(r"\d+")


def _edge_key(line: str) -> str:
    """A running line with its page number made general ("Page 3 of 9" → "Page # of #")."""
    return _DIGITS.sub("#", " ".join(line.split())).lower()


def _edges(text: str) -> list[tuple[int, str]]:
    """(position, key) of a page's first and last few lines; position counts from the top
    (0, 1, 2) or the bottom (-1, -2, -3)."""
    lines = [line for line in text.splitlines() if line.strip()]
    top = [(i, _edge_key(line)) for i, line in enumerate(lines[:EDGE_LINES])]
    bottom = [(-1 - i, _edge_key(line)) for i, line in enumerate(reversed(lines[-EDGE_LINES:]))]
    return top + bottom


def running_lines(texts: list[str]) -> set[str]:
    """Keys of the page headers and footers: lines at the same place on most pages."""
    if len(texts) < 3:
        return set()
    seen: dict[tuple[int, str], int] = {}
    for text in texts:
        for edge in set(_edges(text)):
            seen[edge] = seen.get(edge, 0) + 1
    need = max(3, (len(texts) + 1) // 2)
    return {key for (_pos, key), count in seen.items() if count >= need and key.strip("# ")}


def without_running(text: str, running: set[str]) -> str:
    """A page's text without its running header and footer lines."""
    if not running:
        return text
    lines = text.splitlines()
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edge = set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])
    return "\n".join(line for i, line in enumerate(lines) if i not in edge or _edge_key(line) not in running)


TITLE_MAX = 100  # characters: a longer first line is a paragraph's, not a title


def _line_title(line: str | None) -> str | None:
    """The first printed line as a title, when it reads like one (a paragraph joined from
    the first lines ran on to 117 characters and more)."""
    if not line or len(line) > TITLE_MAX:
        return None
    return clean_title(line)


def read_pages(data: bytes) -> tuple[dict[str, str], list[str]] | str:
    """(metadata, each page's text), or why the PDF cannot be read. Runs in the child."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            return "encrypted PDF (password protected); remove the password first"
        return f"damaged or not a PDF ({exc})"
    texts: list[str] = []
    try:
        meta = {str(k): str(v) for k, v in document.get_metadata_dict().items()}
        for number in range(len(document)):
            page = document[number]
            try:
                texts.append(_fix(page.get_textpage().get_text_range()))
            except pdfium.PdfiumError as exc:
                return f"damaged PDF (page {number + 1}: {exc})"
    except MemoryError:
        return "too large to read in the memory allowed (a decompression bomb?)"
    finally:
        document.close()
    return meta, texts


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise fail(path, "not a PDF file (no %PDF header)")
    outcome = in_child(read_pages, data, limits.max_parser_bytes)
    if isinstance(outcome, str):
        raise fail(path, outcome)
    meta, texts = outcome
    pages = len(texts)
    first_line: str | None = None  # the first page's first line, as printed (a title)
    running = running_lines(texts)
    builder = TextBuilder()
    for number, text in enumerate(texts):
        start = builder.mark()
        if first_line is None:
            first_line = next((line.strip() for line in text.splitlines() if line.strip()), None)
        for para in paragraphs(without_running(text, running)):
            builder.add("paragraph", para)
        builder.enclose("page", start, number + 1)
    body = builder.text()
    if pages == 0:
        raise fail(path, "damaged PDF (no pages could be read)")
    if not body.strip():
        raise fail(path, "no text layer (scanned document?); run OCR on it first")
    return Extracted(
        body,
        builder.spans,
        "pdf",
        set_aside=sorted(running),
        title=clean_title(meta.get("Title")) or _line_title(first_line) or first_title(body, builder.spans),
        author=(meta.get("Author") or "").strip() or None,
        # A PDF's creation date is the day the file was made (often the day it was
        # printed), not the document's own date: kept as the file's date, and
        # ``published`` stays for the analyst.
        published=None,
        file_date=pdf_date(meta.get("CreationDate")),
    )


def pdf_date(value: str | None) -> str | None:
    """A PDF date string (``D:20220517093000+02'00'``) as an ISO date, or None."""
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", (value or "").strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        full = date(int(year), int(month or 1), int(day or 1)).isoformat()
    except ValueError:
        return None
    return full[: 4 + 3 * bool(month) + 3 * bool(day)]  # as precise as the file says
