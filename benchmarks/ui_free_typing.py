"""Search-as-you-type, as the window runs it (prefix on the word being typed), without Qt."""

from __future__ import annotations

import contextlib
import re
import time

from app.errors import KnownError
from app.library import Library
from benchmarks.corpus import percentiles

_LAST_WORD = re.compile(r"(?:^|\s)(\w{4,})$")


def as_you_type(text: str) -> str:
    # Mirrors ui.search_panel.as_you_type (kept Qt-free here so benchmarks run headless).
    stripped = text.strip()
    match = _LAST_WORD.search(stripped)
    if not match or text.endswith(" "):
        return stripped
    word = match.group(1)
    return f"{stripped[: match.start(1)]}({word} OR {word}*)"


def typing_latencies(lib: Library, phrases: list[str]) -> dict[str, float]:
    samples = []
    for phrase in phrases:
        for i in range(1, len(phrase) + 1):
            query = as_you_type(phrase[:i])
            if not query:
                continue
            start = time.perf_counter()
            with contextlib.suppress(KnownError):  # "too short to expand" is an answer too
                lib.search(query, limit=20, typing=query != phrase[:i].strip())
            samples.append((time.perf_counter() - start) * 1000)
    return {**percentiles(samples), "keystrokes": len(samples)}
