"""Plain text: encoding detection, paragraphs from blank lines."""

from __future__ import annotations

import re
from pathlib import Path

from app.importers.base import Extracted, Limits, TextBuilder, first_title
from app.importers.encoding import decode

_BLANK = re.compile(r"\n[ \t]*\n+")


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    text, _encoding = decode(data)
    builder = TextBuilder()
    for block in _BLANK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        builder.add("paragraph", block)
    body = builder.text()
    return Extracted(body, builder.spans, "txt", title=first_title(body, builder.spans))
