"""Query parsing: plain words take a short path that must give the parser's own query."""

from __future__ import annotations

import random

import pytest

from storage.index.query import Parser
from storage.index.schema import build_schema
from tests.storage.test_bulk_writer import WORDS

# Stop words, digits, joined words, one letter, operators in any case, upper case.
PLAIN = [*WORDS, "a", "and", "AND", "or", "Not", "to", "x1", "snake_case", "MÉRIDA", "Funding", "carteles",
         "trafican", "laundered", "1984", "_"]
# Mostly none; dates (the date plugin's), an unindexed field, a field the schema lacks, a capital.
FIELDS = [*[""] * 12, "tag:", "color:", "kind:", "doc:", "note:", "lang:", "ann:", "pre:", "text_es:",
          "pairs_en:", "published:", "created:", "key:", "nothere:", "Tag:"]


@pytest.mark.parametrize("seed", range(8))
def test_plain_words_give_the_parsers_own_query(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_schema()
    fast, slow = Parser(schema), Parser(schema)
    monkeypatch.setattr(slow, "_words", lambda text: None)  # always through Whoosh's parser
    rng = random.Random(seed)
    short = 0
    for _ in range(150):
        words = [rng.choice(FIELDS) + rng.choice(PLAIN) for _ in range(rng.randint(1, 4))]
        text = rng.choice([" ", "  ", "\t", " \n "]).join(words)
        assert fast.parse(text) == slow.parse(text), text
        short += fast._words(text) is not None
    assert short > 25  # many took the short path


def test_words_with_syntax_go_to_the_parser() -> None:
    parser = Parser(build_schema())
    for text in ("merida AND funding", "merida OR funding", "merida NOT funding", "merida fund*", '"de la"',
                 "tag:drugs/fentanyl merida", "published:2016 merida", "key:x merida", "merida^2", "merida~", "l’État", "(merida)"):
        assert parser._words(text) is None, text
    assert parser._words("merida funding") is not None
    assert parser._words("tag:drugs merida color:red") is not None
