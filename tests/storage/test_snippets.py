"""Snippets mark exactly the words the analyzer turns into the matched terms."""

from __future__ import annotations

import random

import pytest

from storage.index.analysis import PREFIX_LEN, folding, stemming
from storage.index.snippets import locate
from tests.storage.test_bulk_writer import WORDS, text


def analyzer_spans(body: str, lang: str, matched: set[tuple[str, bytes]]) -> list[tuple[int, int]]:
    """The spans by Whoosh's own token chain, which ``locate`` must agree with."""
    field = "text_es" if lang == "es" else "text_en"
    words = {t.decode() for f, t in matched if f in (field, "note")}
    starts = {t.decode() for f, t in matched if f == "pre"}
    spans = [(t.startchar, t.endchar) for t in stemming(lang)(body, chars=True, mode="index") if t.text in words]
    if starts:
        spans += [(t.startchar, t.endchar) for t in folding()(body, chars=True, mode="index")
                  if len(t.text) >= PREFIX_LEN and t.text[:PREFIX_LEN] in starts]
        spans = sorted(set(spans))
    return spans


@pytest.mark.parametrize("lang", ["en", "es"])
def test_locate_marks_the_words_the_analyzer_matches(lang: str) -> None:
    rng = random.Random(lang)
    found = 0
    for _ in range(300):
        body = text(rng, rng.randint(0, 60))
        chosen = rng.sample(WORDS, 3)
        field = rng.choice([f"text_{lang}", "note", "text_es" if lang == "en" else "text_en"])
        matched = {(field, t.text.encode()) for w in chosen for t in stemming(lang)(w, mode="query")}
        if rng.random() < 0.3:  # a prefix search's term
            matched |= {("pre", t.text[:PREFIX_LEN].encode()) for t in folding()(rng.choice(WORDS))}
        snippet, spans = locate(body, lang, matched)
        expected = analyzer_spans(body, lang, matched)
        assert list(spans) == expected, (body, matched)
        if spans:  # the snippet shows the first match, marked
            a, b = spans[0]
            assert f"**{body[a:b]}**" in snippet
        found += bool(spans)
    assert found > 100
