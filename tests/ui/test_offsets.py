"""Code points <-> UTF-16 positions, checked against Python's own encoding."""

from __future__ import annotations

import random

from ui.offsets import OffsetMap


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_round_trip_on_mixed_text() -> None:
    rng = random.Random(7)
    alphabet = ["a", "é", "ñ", "🚀", "𝔘", "\u0301", "中", " ", "\n", "😀"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        offsets = OffsetMap(text)
        for cp in range(len(text) + 1):
            qt = offsets.to_qt(cp)
            assert qt == utf16_len(text[:cp])
            assert offsets.from_qt(qt) == cp
