"""Placing a highlight in a newer version of its document's text.

Exact quote first (the occurrence whose surrounding text matches best), then a fuzzy
match of the quote near where it was (rapidfuzz's partial-ratio alignment), else no
place: the highlight becomes an orphan rather than land on the wrong words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

FUZZY_CUTOFF = 80.0  # partial-ratio score out of 100 below which a place is a guess
MIN_FUZZY_CHARS = 12  # shorter quotes only move by exact match


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    how: str  # exact | fuzzy


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """Characters of the old prefix/suffix that still surround this occurrence."""
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _common(before[::-1], prefix[::-1]) + _common(after, suffix)


def _common(a: str, b: str) -> int:
    """Length of the characters ``a`` and ``b`` share at their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _occurrences(text: str, quote: str) -> list[int]:
    found, pos = [], text.find(quote)
    while pos >= 0:
        found.append(pos)
        pos = text.find(quote, pos + 1)
    return found


def _word_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a fuzzy span to whole words, trim white space at its ends."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trim_to(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Drop punctuation the match took beyond the quote's own ends ("companies." for
    "companies")."""
    if quote[-1:].isalnum():
        while end > start and not text[end - 1].isalnum():
            end -= 1
    if quote[:1].isalnum():
        while start < end and not text[start].isalnum():
            start += 1
    return start, end


_WORD_START = re.compile(r"(?<!\w)\w")
_WORD_END = re.compile(r"\w(?!\w)")


def _best_edges(quote: str, text: str, start: int, end: int, *, prefix: str, suffix: str
                ) -> tuple[int, int]:
    """The alignment's window has the quote's length, not the new wording's: try the
    word boundaries a few words either side and keep the whole-word span closest to the
    quote and to its old surroundings."""
    low, high = max(0, start - 40), min(len(text), end + 40)
    starts = [m.start() + low for m in _WORD_START.finditer(text[low:high])]
    ends = [m.end() + low for m in _WORD_END.finditer(text[low:high])]
    starts = sorted(starts, key=lambda s: abs(s - start))[:5] or [start]
    ends = sorted(ends, key=lambda e: abs(e - end))[:5] or [end]
    return max(((s, e) for s in starts for e in ends if e > s),
               key=lambda se: (fuzz.ratio(quote, text[se[0]:se[1]])
                               + _context_score(text, se[0], se[1], prefix, suffix) / 2,
                               -abs(se[0] - start)),
               default=(start, end))


def place(new_text: str, quote: str, *, prefix: str, suffix: str, old_start: int,
          old_length: int) -> Placement | None:
    """Where ``quote`` (with its old context) sits in ``new_text``, or None."""
    if not quote:
        return None
    starts = _occurrences(new_text, quote)
    if starts:
        # Where the old offset lands in the new text, scaled by the change in length.
        expected = old_start * len(new_text) / max(old_length, 1)
        best = max(starts, key=lambda s: (_context_score(new_text, s, s + len(quote), prefix, suffix),
                                          -abs(s - expected)))
        return Placement(best, best + len(quote), "exact")
    if len(quote.strip()) < MIN_FUZZY_CHARS:
        return None
    # Search a window around the expected place first, then the whole text.
    margin = max(2000, 4 * len(quote))
    expected = int(old_start * len(new_text) / max(old_length, 1))
    windows = [(max(0, expected - margin), min(len(new_text), expected + len(quote) + margin))]
    if windows[0] != (0, len(new_text)):
        windows.append((0, len(new_text)))
    for low, high in windows:
        hit = fuzz.partial_ratio_alignment(quote, new_text[low:high], score_cutoff=FUZZY_CUTOFF)
        if hit is not None and hit.dest_end > hit.dest_start:
            start, end = _word_edges(new_text, low + hit.dest_start, low + hit.dest_end)
            start, end = _trim_to(quote, new_text, *_best_edges(quote, new_text, start, end,
                                                                prefix=prefix, suffix=suffix))
            if end > start:
                return Placement(start, end, "fuzzy")
    return None
