"""Turning what is in the search box into a query (Qt-free: the window and benchmarks share it)."""

from __future__ import annotations

import re

_LAST_WORD = re.compile(r"(?:^|\s)(\w{4,})$")


def as_you_type(text: str) -> str:
    """While a word is still being typed, also match what it may become."""
    stripped = text.strip()
    match = _LAST_WORD.search(stripped)
    if not match or text.endswith(" ") or '"' in stripped or ":" in match.group(1):
        return stripped
    word = match.group(1)
    return f"{stripped[: match.start(1)]}({word} OR {word}*)"

