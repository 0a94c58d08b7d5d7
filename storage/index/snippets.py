"""Where a hit's words are: offsets within the passage and a marked-up snippet.

We re-tokenise the one stored passage with the same analyzer (cheap for a
paragraph) rather than using Whoosh's highlighter, and keep the character
offsets so the reader can mark the exact words.
"""

from __future__ import annotations

from storage.index.analysis import PREFIX_LEN, folding, stemming

_ANALYZERS = {"en": stemming("en"), "es": stemming("es")}
_FOLDING = folding()
WINDOW = 90


def _text(t: str | bytes) -> str:
    return t.decode("utf-8") if isinstance(t, bytes) else t


def locate(
    body: str, lang: str | None, matched: set[tuple[str, bytes]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    field = "text_es" if lang == "es" else "text_en"
    words = {_text(t) for f, t in matched if f in (field, "note")}
    starts = {_text(t) for f, t in matched if f == "pre"}
    spans: list[tuple[int, int]] = []
    if words:
        analyzer = _ANALYZERS["es" if lang == "es" else "en"]
        for token in analyzer(body, chars=True, mode="index"):
            if token.text in words:
                spans.append((token.startchar, token.endchar))
    if starts:  # prefix matches: words whose folded first letters are the prefix
        for token in _FOLDING(body, chars=True, mode="index"):
            if token.text[:PREFIX_LEN] in starts and len(token.text) >= PREFIX_LEN:
                spans.append((token.startchar, token.endchar))
        spans = sorted(set(spans))
    return _snippet(body, spans), tuple(spans)


def _snippet(body: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return _trim(body, 0, min(len(body), WINDOW * 2))
    first = spans[0][0]
    lo = max(0, first - WINDOW)
    hi = min(len(body), first + WINDOW)
    while lo > 0 and not body[lo - 1].isspace() and first - lo < WINDOW + 20:
        lo -= 1
    while hi < len(body) and not body[hi].isspace() and hi - first < WINDOW + 20:
        hi += 1
    out: list[str] = []
    pos = lo
    for a, b in spans:
        if a < lo or b > hi:
            continue
        out.append(body[pos:a])
        out.append(f"**{body[a:b]}**")
        pos = b
    out.append(body[pos:hi])
    return _trim("".join(out), 0, None, lo > 0, hi < len(body))


def _trim(text: str, lo: int, hi: int | None, head: bool = False, tail: bool = False) -> str:
    text = " ".join(text[lo:hi].split())
    return ("… " if head else "") + text + (" …" if tail else "")
