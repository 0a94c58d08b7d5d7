"""Where a hit's words are: offsets within the passage and a marked-up snippet.

We re-tokenise the one stored passage with the same analysis rather than using
Whoosh's highlighter, and keep the character offsets so the reader can mark the
exact words. The tokenizer's regex finds the words and each distinct word is
analysed once (``WordCache``): Whoosh's chain of token generators was most of what
a hit cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from typing import Any

from whoosh import query as wq
from whoosh.analysis import Analyzer

from storage.index.analysis import PREFIX_LEN, WordCache, folding, stemming

_ANALYZERS = {"en": stemming("en"), "es": stemming("es")}
_FOLDING = folding()
_CACHES = {id(analyzer): WordCache.for_analyzer(analyzer) for analyzer in (*_ANALYZERS.values(), _FOLDING)}
WINDOW = 90


def _text(t: str | bytes) -> str:
    return t.decode("utf-8") if isinstance(t, bytes) else t


Marks = tuple[tuple[int, int], ...]
Term = tuple[str, Any]  # (field, term)


@dataclass(frozen=True)
class Sought:
    """What a query looks for, to mark in a hit: words sought on their own, and phrases
    (each a field and its words in order), marked only where the words stand together."""

    words: frozenset[Term]
    phrases: tuple[tuple[str, tuple[Any, ...]], ...]

    @classmethod
    def of(cls, query: wq.Query) -> Sought:
        words: set[Term] = set()
        phrases: list[tuple[str, tuple[Any, ...]]] = []

        def walk(q: wq.Query) -> None:
            if isinstance(q, wq.Phrase):
                phrases.append((q.fieldname, tuple(q.words)))
            elif q.is_leaf():
                words.update((f, t) for f, t in q.iter_all_terms() if f in MARKED_FIELDS)
            else:
                for child in q.children():
                    walk(child)

        walk(query)
        return cls(frozenset(words), tuple(phrases))


MARKED_FIELDS = {"text_en", "text_es", "note", "pre"}


def locate(
    body: str, lang: str | None, matched: set[Term] | Sought
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet with its words between ``**`` (the CLI's form), and the words' spans in
    ``body``."""
    (text, marks), spans = locate_marks(body, lang, matched)
    return starred(text, marks), spans


def locate_marks(
    body: str, lang: str | None, matched: set[Term] | Sought
) -> tuple[tuple[str, Marks], tuple[tuple[int, int], ...]]:
    """The snippet as plain text with the spans of its marked words, and the words' spans
    in ``body``: marks by offsets never collide with ``**`` in the text itself. A phrase
    is one span, from its first word to its last."""
    sought = matched if isinstance(matched, Sought) else Sought(frozenset(matched), ())
    field = "text_es" if lang == "es" else "text_en"
    analyzer = _ANALYZERS["es" if lang == "es" else "en"]
    phrase_spans = [span for f, phrase in sought.phrases if f in (field, "note")
                    for span in _phrase_spans(analyzer, body, [_text(t).encode("utf-8") for t in phrase])]
    matched = set(sought.words)
    words = {_text(t).encode("utf-8") for f, t in matched if f in (field, "note")}
    starts = {_text(t) for f, t in matched if f == "pre"}
    spans: list[tuple[int, int]] = list(phrase_spans)
    if words:
        spans.extend(_spans(analyzer, body, words.__contains__))
    if starts:  # prefix matches: words whose folded first letters are the prefix

        def starts_with(term: bytes | None) -> bool:
            text = "" if term is None else term.decode("utf-8")
            return len(text) >= PREFIX_LEN and text[:PREFIX_LEN] in starts

        spans.extend(_spans(_FOLDING, body, starts_with))
    spans = _outermost(sorted(set(spans)))
    return _snippet(body, spans), tuple(spans)


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans without those inside another (a word of a phrase also sought alone)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a < out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
            continue
        out.append((a, b))
    return out


def _phrase_spans(analyzer: Analyzer, body: str, phrase: list[bytes]) -> list[tuple[int, int]]:
    """Where the phrase's words stand one after another (words the analyzer drops between
    them do not count), from the first word's start to the last's end."""
    if not phrase:
        return []
    cache = _CACHES.get(id(analyzer))
    if cache is None:
        tokens = [(t.text.encode("utf-8"), t.startchar, t.endchar)
                  for t in analyzer(body, chars=True, mode="index")]
    else:
        matches = list(cache.expression.finditer(body))
        terms = cache.terms_of([m.group() for m in matches])
        tokens = [(term, m.start(), m.end()) for term, m in zip(terms, matches, strict=True)
                  if term is not None]
    out = []
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if all(tokens[i + k][0] == phrase[k] for k in range(n)):
            out.append((tokens[i][1], tokens[i + n - 1][2]))
    return out


def _spans(analyzer: Analyzer, body: str, wanted: Callable[[bytes | None], bool]) -> list[tuple[int, int]]:
    """Where the words are whose term (UTF-8, as the analyzer gives it in index mode) is
    ``wanted``, in order."""
    cache = _CACHES.get(id(analyzer))
    if cache is None:  # not a chain a cache can stand for
        return [(t.startchar, t.endchar) for t in analyzer(body, chars=True, mode="index")
                if wanted(t.text.encode("utf-8"))]
    # One pass of the regex (a third of the time), then terms and choices in C loops.
    matches = list(cache.expression.finditer(body))
    chosen = compress(matches, map(wanted, cache.terms_of(list(map(re.Match.group, matches)))))
    return list(map(re.Match.span, chosen))


def _snippet(body: str, spans: list[tuple[int, int]]) -> tuple[str, Marks]:
    if not spans:
        return _collapsed(body, 0, min(len(body), WINDOW * 2), [])
    first = spans[0][0]
    lo = max(0, first - WINDOW)
    hi = min(len(body), first + WINDOW)
    while lo > 0 and not body[lo - 1].isspace() and first - lo < WINDOW + 20:
        lo -= 1
    while hi < len(body) and not body[hi].isspace() and hi - first < WINDOW + 20:
        hi += 1
    return _collapsed(body, lo, hi, [(a, b) for a, b in spans if a >= lo and b <= hi])


def _collapsed(body: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> tuple[str, Marks]:
    """``body[lo:hi]`` with runs of white space made one space, ellipses where it is cut,
    and ``spans`` moved to where their words now stand."""
    head = "… " if lo > 0 else ""
    out: list[str] = []
    where: dict[int, int] = {}  # body offset -> offset in the snippet
    for i in range(lo, hi):
        ch = body[i]
        if ch.isspace():
            if not out or out[-1] == " ":
                where[i] = len(out) + len(head)
                continue
            ch = " "
        where[i] = len(out) + len(head)
        out.append(ch)
    text = "".join(out).rstrip()
    start_cut = len(text) - len(text.lstrip())
    text = text.lstrip()
    where[hi] = len(head) + len(out)
    marks = tuple((where[a] - start_cut, min(where[b], len(head) + start_cut + len(text)) - start_cut)
                  for a, b in spans)
    return head + text + (" …" if hi < len(body) else ""), marks


def starred(text: str, marks: Marks) -> str:
    """``text`` with each marked span between ``**``."""
    out, pos = [], 0
    for a, b in marks:
        out += [text[pos:a], "**", text[a:b], "**"]
        pos = b
    out.append(text[pos:])
    return "".join(out)
