"""The index schema: one record per passage and per annotation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from storage.index.analysis import PairFilter, folding, pairing, prefixes, stemming

# Passage text of Spanish documents goes to text_es, everything else to text_en,
# so each is stemmed by its own language; queries search both.
TEXT_FIELDS = ("text_en", "text_es", "note")
# Each text field's frequent word pairs (analysis.PairFilter), for fast phrases.
PAIR_FIELDS = {"text_en": "pairs_en", "text_es": "pairs_es", "note": "pairs_note"}
_LANGS = {"text_en": "en", "text_es": "es", "note": "en"}
SCHEMA_VERSION = "7"  # a change rebuilds existing indexes on open
Frequent = Mapping[str, Mapping[str, float]]  # text field -> term -> fraction of values holding it


class DAY(DATETIME):
    """A date indexed as 2 terms, not DATETIME's 8: values are whole days, so a range
    query enumerates at most the days present whatever the tiers."""

    def __init__(self, stored: bool = False) -> None:
        super().__init__(stored=stored)
        self.shift_step = 32


def build_schema(frequent: Frequent | None = None) -> Schema:
    """The schema; ``frequent``: each text field's frequent terms, which choose the
    word pairs indexed (none without it)."""
    frequent = frequent or {}
    pairs = {pair: TEXT(analyzer=pairing(_LANGS[field], frequent.get(field)), phrase=False)
             for field, pair in PAIR_FIELDS.items()}
    return Schema(
        key=STORED(),  # p:DOC:N or a:ID, what check() compares with the project
        ann=ID(),  # the annotation id, set on annotations only, for deleting one
        kind=ID(stored=True),
        pdoc=ID(),  # doc id, set on passages only, for deleting a document's passages
        docid=ID(),  # doc id on every record, for filtering by document
        # Ids are only read back, never searched: an indexed NUMERIC costs 8 terms a record.
        doc_id=STORED(),
        annotation_id=STORED(),
        doc=TEXT(analyzer=folding(), stored=True),  # the document title
        start=STORED(),
        end=STORED(),
        body=STORED(),
        lang=ID(stored=True),
        text_en=TEXT(analyzer=stemming("en"), phrase=True),
        text_es=TEXT(analyzer=stemming("es"), phrase=True),
        pre=TEXT(analyzer=prefixes(), phrase=False),  # words' first 4 letters, for prefix queries
        note=TEXT(analyzer=stemming("en"), stored=True),
        tag=KEYWORD(lowercase=True, commas=True),  # paths and their ancestors, for tag: queries
        tag_paths=STORED(),  # the highlight's own tag paths as the user wrote them
        color=KEYWORD(lowercase=True, stored=True),
        # Searched only: hits do not show dates, and a pickled date took 100 bytes a record.
        published=DAY(),
        created=DAY(),
        **pairs,
    )


def pair_filter(schema: Schema, field: str) -> PairFilter | None:
    """The pair filter of a text field's companion, if it has one with frequent words."""
    pair = PAIR_FIELDS.get(field)
    if pair is None or pair not in schema:
        return None
    last = cast(CompositeAnalyzer, schema[pair].analyzer).items[-1]
    return last if isinstance(last, PairFilter) and last.frequent else None


def with_pairs(record: dict[str, Any]) -> dict[str, Any]:
    """The record with each text value also given to its pair field."""
    for field, pair in PAIR_FIELDS.items():
        value = record.get(field)
        if value and pair not in record:
            record = {**record, pair: value}
    return record
