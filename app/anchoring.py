"""W3C Web Annotation TextQuote/TextPosition selectors over a document's text.

The quote, prefix and suffix are stored so a highlight could be re-anchored if a text
were ever re-extracted; today a document's text never changes after import.
"""

from __future__ import annotations

import unicodedata

from app.errors import InvalidInput, NotFoundError

CONTEXT = 32  # characters of prefix and suffix kept with each quote


def selectors(text: str, start: int, end: int) -> tuple[str, str, str]:
    """Return (quote, prefix, suffix) for a span, validating it."""
    if not (0 <= start < end <= len(text)):
        raise InvalidInput(f"span {start}:{end} is outside the text (0:{len(text)}) or empty")
    return text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def find_occurrence(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the N-th (1-based) exact occurrence of ``quote`` in ``text``."""
    quote = unicodedata.normalize("NFC", quote)
    if not quote:
        raise InvalidInput("the quote is empty")
    if occurrence < 1:
        raise InvalidInput("--occurrence counts from 1")
    pos = -1
    for _ in range(occurrence):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            break
    if pos < 0:
        total = text.count(quote)
        if total == 0:
            raise NotFoundError(f"quote not found in the document: {quote[:60]!r}")
        raise NotFoundError(f"the quote occurs {total} time(s), not {occurrence}: {quote[:60]!r}")
    return pos, pos + len(quote)

