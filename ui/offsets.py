"""Code points (the core's offsets) <-> UTF-16 code units (Qt's positions).

Only characters outside the Basic Multilingual Plane (emoji, 𝔘, ...) differ:
each is one code point but two UTF-16 units.
"""

from __future__ import annotations

from bisect import bisect_left


class OffsetMap:
    def __init__(self, text: str) -> None:
        astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._astral = astral  # code-point indices of astral characters
        self._starts = [cp + n for n, cp in enumerate(astral)]  # their UTF-16 positions
        self.length = len(text)

    def to_qt(self, cp: int) -> int:
        return cp + bisect_left(self._astral, cp)

    def from_qt(self, pos: int) -> int:
        # Astral characters that end at or before ``pos`` each add one extra unit.
        return min(self.length, pos - bisect_left(self._starts, pos - 1))
