"""Choosing the frequent words whose adjacent pairs the index holds (``PairFilter``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import cast

from whoosh.analysis import Analyzer

from storage.index.analysis import MIN_PAIR, WordCache
from storage.index.schema import PAIR_FIELDS, build_schema

MIN_SAMPLE = 100  # values of a field below which its frequencies are too rough to use
MAX_FREQUENT = 2000  # terms kept a field: the schema holds them and is written each commit


def frequent_terms(samples: Mapping[str, Iterable[str]]) -> dict[str, dict[str, float]]:
    """Each text field's terms held by at least MIN_PAIR of the sampled values, with
    that fraction: a pair needs two such words (``analysis.is_pair``)."""
    schema = build_schema()
    out: dict[str, dict[str, float]] = {}
    for field, values in samples.items():
        if field not in PAIR_FIELDS:
            raise ValueError(f"{field!r} has no pair field")
        cache = WordCache.for_analyzer(cast(Analyzer, schema[field].analyzer))
        assert cache is not None
        held: Counter[bytes] = Counter()
        count = 0
        for value in values:
            held.update({t for t in cache.sequence(value) if t is not None})
            count += 1
        if count < MIN_SAMPLE:
            continue
        out[field] = {t.decode("utf-8"): n / count for t, n in held.most_common(MAX_FREQUENT)
                      if n / count >= MIN_PAIR}
    return out
