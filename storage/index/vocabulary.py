"""Each field's terms across all segments, as one sorted list in memory.

A fuzzy term expands by walking a Levenshtein automaton over a term list, and a
prefix by reading a stretch of it. Whoosh does that in each segment's on-disk
term table, a Python binary search per step, once per segment and text field: most
of a fuzzy query's time. One walk of one in-memory list per field gives the same
words (tests compare) for a few MB of memory (docs/BENCHMARKS.md).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from whoosh import query as wq
from whoosh.reading import IndexReader

from storage.index.codec import AUTOMATA


@dataclass(frozen=True)
class _Terms:
    segments: frozenset[str]
    terms: list[str]
    frequency: dict[str, int]  # documents holding the term in all the segments, deleted ones too


class _Cursor:
    """What ``find_matches`` walks: the first term at or after a key."""

    def __init__(self, terms: list[str]) -> None:
        self._terms = terms
        self._i = 0

    def text(self) -> str | None:
        return self._terms[self._i] if self._i < len(self._terms) else None

    def find(self, key: str) -> None:
        self._i = bisect_left(self._terms, key, self._i)


class Vocabulary:
    """The sorted terms of the fields asked about, kept in step with the reader's
    segments. Reading a large segment's terms takes tens of milliseconds, so they
    are added one segment at a time (``grow``, from a background thread); a search
    uses the list only once it covers every segment, and adds small new segments
    (a highlight's) itself. A merge, which replaces segments, starts the list again."""

    INLINE_DOCS = 2000  # documents in new segments a search may read the terms of itself

    def __init__(self) -> None:
        self._fields: dict[str, _Terms] = {}

    def terms(self, reader: IndexReader, fieldname: str, build: bool = True) -> list[str] | None:
        """The field's terms in all the reader's segments, sorted; None if not a reader of
        segments (an empty index) or, unless ``build``, if that means reading more than
        INLINE_DOCS documents' worth of segments."""
        leaves = _leaves(reader)
        if leaves is None:
            return None
        now = frozenset(leaves)
        known = self._fields.get(fieldname)
        if known is not None and known.segments == now:
            return known.terms
        if known is None or not known.segments <= now:
            known = _Terms(frozenset(), [], {})
        new = now - known.segments
        if not build and sum(leaves[seg].doc_count_all() for seg in new) > self.INLINE_DOCS:
            return None
        return self._add(reader, fieldname, known, {seg: leaves[seg] for seg in new}).terms

    def grow(self, reader: IndexReader, fieldname: str) -> bool:
        """Add one more segment's terms to the field's list; True once it is complete."""
        leaves = _leaves(reader)
        if leaves is None:
            return True
        known = self._fields.get(fieldname)
        if known is None or not known.segments <= leaves.keys():
            known = _Terms(frozenset(), [], {})
        missing = sorted(leaves.keys() - known.segments)
        if missing:
            self._add(reader, fieldname, known, {missing[0]: leaves[missing[0]]})
        return len(missing) <= 1

    def _add(self, reader: IndexReader, fieldname: str, known: _Terms, leaves: dict[str, Any]) -> _Terms:
        field = reader.schema[fieldname]
        frequency = dict(known.frequency)
        for leaf in leaves.values():
            for btext, info in leaf.iter_field(fieldname):
                word = field.from_bytes(btext)
                frequency[word] = frequency.get(word, 0) + info.doc_frequency()
        found = self._fields[fieldname] = _Terms(known.segments | leaves.keys(), sorted(frequency), frequency)
        return found

    def frequency(self, fieldname: str) -> dict[str, int]:
        """Each term's document frequency, as of the last ``terms`` or ``expand`` of the field
        (the reader's ``doc_frequency`` asks every segment's term table, for each of a
        short prefix's hundreds of expansions)."""
        return self._fields[fieldname].frequency

    def expand(self, q: wq.Query, reader: IndexReader, count: int, build: bool = True) -> list[str] | None:
        """At most ``count`` expansions of a fuzzy or prefix term, in term order (None:
        another kind of term, or no complete list for this reader; see ``terms``)."""
        if not isinstance(q, wq.FuzzyTerm | wq.Prefix) or type(q) not in (wq.FuzzyTerm, wq.Prefix) \
                or q.fieldname not in reader.schema:
            return None
        terms = self.terms(reader, q.fieldname, build)
        if terms is None:
            return None
        if isinstance(q, wq.FuzzyTerm):
            dfa = AUTOMATA.levenshtein_dfa(q.text, q.maxdist, q.prefixlength)  # built once a word
            return list(islice(AUTOMATA.find_matches(dfa, _Cursor(terms)), count))
        return list(islice(_starting(terms, q.text), count))


def _leaves(reader: IndexReader) -> dict[str, Any] | None:
    """The reader's segment readers by segment id (None: some reader has no segment)."""
    out: dict[str, Any] = {}
    for leaf, _base in reader.leaf_readers():
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        if segment is None:
            return None
        out[segment.segment_id()] = leaf
    return out


def _starting(terms: list[str], prefix: str) -> Iterator[str]:
    for i in range(bisect_left(terms, prefix), len(terms)):
        if not terms[i].startswith(prefix):
            return
        yield terms[i]
