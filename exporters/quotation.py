"""Quotations by the style guides' rules: marks by language, nested quotes one level
down, an ellipsis where an excerpt starts or ends mid-sentence, and the check that a
trimmed excerpt still says only what its source says."""

from __future__ import annotations

import re
from dataclasses import dataclass

NBSP = "\u00a0"
# Outer and inner marks by memo language (French sets its guillemets off with spaces).
MARKS = {
    "en": ("“", "”", "‘", "’"),
    "es": ("«", "»", "“", "”"),
    "fr": (f"«{NBSP}", f"{NBSP}»", "“", "”"),
}
ELLIPSIS = "…"
_SENTENCE_END = set(".!?…:;")
_CLOSERS = set("\"”»’')]")
_DOUBLE_OPEN = set("“«„")
_DOUBLE_CLOSE = set("”»")
_INSERTION = re.compile(r"\[[^\]]*\]")
_OMISSION = re.compile(r"…|\.\.\.")


def marks(language: str) -> tuple[str, str, str, str]:
    return MARKS.get(language, MARKS["en"])


def _nested(text: str, language: str) -> str:
    """The text's own double quotes become the inner marks; straight ones are curled
    first (opening after a space or at the start)."""
    _o, _c, inner_open, inner_close = marks(language)
    out = []
    for i, ch in enumerate(text):
        if ch == '"':
            ch = "“" if i == 0 or text[i - 1].isspace() or text[i - 1] in "([" else "”"
        if ch in _DOUBLE_OPEN:
            ch = inner_open
        elif ch in _DOUBLE_CLOSE:
            ch = inner_close
        out.append(ch)
    return "".join(out)


def starts_mid_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return bool(before) and before[-1] != "\n" and before[-1] not in _SENTENCE_END


def ends_mid_sentence(text: str, start: int, end: int) -> bool:
    quote = text[start:end].rstrip()
    tail = quote.rstrip("".join(_CLOSERS))
    if tail[-1:] in _SENTENCE_END:
        return False
    after = text[end:].lstrip(" \t")
    return bool(after) and after[0] != "\n"


def excerpt(quote: str, language: str = "en", *, starts_mid: bool = False,
            ends_mid: bool = False) -> str:
    """The excerpt as a memo prints it: in the language's marks, its own quotes nested,
    with an ellipsis where it begins or ends inside a sentence."""
    open_, close, _i, _c = marks(language)
    body = _nested(" ".join(quote.split()), language)
    if starts_mid and not body.startswith(ELLIPSIS):
        body = ELLIPSIS + body
    if ends_mid and not body.endswith(ELLIPSIS):
        body = body.rstrip(",;:") + ELLIPSIS
    return f"{open_}{body}{close}"


@dataclass(frozen=True)
class _Fragment:
    text: str
    open_left: bool  # an insertion touches it on the left: it may start inside a word
    open_right: bool


def _fragments(trimmed: str) -> list[_Fragment]:
    pieces = re.split(r"(\[[^\]]*\]|…|\.\.\.)", trimmed)
    out = []
    for n, piece in enumerate(pieces):
        if n % 2 or not piece.strip():
            continue
        left = n > 0 and pieces[n - 1].startswith("[") and not piece[:1].isspace()
        right = n + 1 < len(pieces) and pieces[n + 1].startswith("[") and not piece[-1:].isspace()
        out.append(_Fragment(" ".join(piece.split()), left, right))
    return out


def check_trim(trimmed: str, original: str) -> str | None:
    """Why ``trimmed`` misquotes ``original`` (None: every fragment outside brackets is
    in the original, whole words, in order)."""
    fragments = _fragments(trimmed)
    if not fragments:
        return "the trimmed quote keeps none of the highlighted words"
    source = " ".join(original.split())
    at = 0
    for frag in fragments:
        pattern = ("" if frag.open_left else r"(?<!\w)") + re.escape(frag.text) + \
                  ("" if frag.open_right else r"(?!\w)")
        found = re.compile(pattern).search(source, at)
        if found is None:
            where = " after the words before it" if re.search(pattern, source) else ""
            return f"“{frag.text}” is not in the highlighted text{where}"
        at = found.end()
    return None


def has_trim_marks(text: str) -> bool:
    return bool(_INSERTION.search(text) or _OMISSION.search(text))


def right_to_left(text: str) -> bool:
    """Mostly Hebrew, Arabic or another right-to-left script."""
    rtl = sum(1 for ch in text if "\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc")
    letters = sum(1 for ch in text if ch.isalpha())
    return letters > 0 and rtl * 2 > letters
