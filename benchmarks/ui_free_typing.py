"""Search-as-you-type, as the window runs it (prefix on the word being typed, every
keystroke time-budgeted), without Qt."""

from __future__ import annotations

import contextlib
import time

from app.errors import KnownError
from app.library import Library
from app.query_text import as_you_type
from benchmarks.corpus import percentiles


def typing_latencies(lib: Library, phrases: list[str]) -> dict[str, float]:
    samples = []
    for phrase in phrases:
        for i in range(1, len(phrase) + 1):
            query = as_you_type(phrase[:i])
            if not query:
                continue
            start = time.perf_counter()
            with contextlib.suppress(KnownError):  # "too short to expand" is an answer too
                lib.search(query, limit=20, typing=True)
            samples.append((time.perf_counter() - start) * 1000)
    return {**percentiles(samples), "keystrokes": len(samples)}
