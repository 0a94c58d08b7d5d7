"""Plain text: encoding detection, paragraphs from blank lines; a web page saved as text
has its furniture set aside and its stated date, author and address read."""

from __future__ import annotations

import re
from pathlib import Path

from app.importers.base import Extracted, Limits, TextBuilder, first_title
from app.importers.encoding import decode, suspicious
from app.importers.textmeta import find_meta, is_byline
from app.importers.webtext import split_capture

_BLANK = re.compile(r"\n[ \t]*\n+")


def line_per_paragraph(text: str) -> bool:
    """A text with (almost) no blank lines has a paragraph per line, as a page copied
    from the browser does."""
    lines = sum(1 for line in text.split("\n") if line.strip())
    return lines >= 8 and len(_BLANK.findall(text)) * 10 < lines


def blocks(text: str, per_line: bool) -> list[str]:
    if per_line:
        return [line for line in text.split("\n") if line.strip()]
    return _BLANK.split(text)


def looks_like_title(block: str) -> bool:
    """A first block that names the text rather than starting it: one short line, no
    closing full stop."""
    block = block.strip()
    return "\n" not in block and 2 <= len(block.split()) <= 20 and not block.endswith((".", ":", ";", ","))


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    text, _encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    capture = split_capture(text)
    content = "\n".join(capture.lines) if capture else text
    headline = capture.headline if capture else None
    builder = TextBuilder()
    # The title line, bylines and date lines are not body paragraphs: a citation's
    # "para. N" counts only what a reader counts.
    parts = [b for b in blocks(content, line_per_paragraph(text)) if b.strip()]
    for number, block in enumerate(parts):
        stripped = block.strip()
        titled = headline is None and number == 0 and len(parts) >= 3 and looks_like_title(stripped)
        if stripped == headline or titled:
            builder.add("heading", block, 1)
        elif number < 12 and is_byline(stripped):
            builder.add("byline", block)
        else:
            builder.add("paragraph", block)
    body = builder.text()
    meta = find_meta(text.split("\n"))
    return Extracted(body, builder.spans, "txt", title=headline or first_title(body, builder.spans),
                     author=meta.author, published=meta.published, source=meta.source,
                     set_aside=capture.set_aside if capture else [], warning=suspicious(body))
