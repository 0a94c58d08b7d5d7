"""Exact phrases with a cheaper check than Whoosh's.

Whoosh runs a phrase as ``SpanNear2``: for every passage holding all the words
it turns each position into a ``Span`` object, then bisects and sorts them.
Phrases of common words ("de la", "the committee") visit tens of thousands of
passages, and that object churn was most of their time. An adjacency
phrase (slop 1) only needs: is there a position p of the first word with p+1
of the second, p+2 of the third, and so on. This matcher wraps the same
intersection of the same term matchers, so hits and scores are unchanged
(tests compare them with Whoosh's).

Where the index holds pairs of frequent words (``analysis.PairFilter``), a phrase
whose adjacent words include such a pair is found through the pairs instead: a
two-word phrase is the one pair term, a longer one the passages holding all its
pairs, checked against the words' positions. Its score is then the pairs' BM25.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import IntersectionMatcher
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.searching import Searcher
from whoosh.util import make_binary_tree

from storage.index.analysis import PAIR_JOIN, is_pair
from storage.index.schema import PAIR_FIELDS, pair_filter


class AdjacentPhrase(wq.Phrase):
    """A ``Phrase`` whose matcher checks adjacency on plain position sets."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        if self.slop != 1 or len(self.words) < 2:
            return super().matcher(searcher, context)
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own error message
        reader = searcher.reader()
        pairs = _pairs(searcher.schema, fieldname, self.words)
        terms = []
        for word in self.words:
            try:
                tbytes = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, tbytes) not in reader:
                return matching.NullMatcher()  # a word that never occurs: no phrase
            terms.append(wq.Term(fieldname, tbytes))
        if pairs:
            pair_terms = [wq.Term(PAIR_FIELDS[fieldname], p) for p in pairs]
            if any((t.fieldname, t.text) not in reader for t in pair_terms):
                return matching.NullMatcher()
            m: Any = _PairsMatcher([t.matcher(searcher, context) for t in pair_terms],
                                   [t.matcher(searcher, context) for t in terms])
        else:
            m = _AdjacentMatcher([t.matcher(searcher, context) for t in terms])
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class _AdjacentMatcher(SpanWrappingMatcher):
    def __init__(self, ms: list[Any]) -> None:
        self.ms = ms
        # The same tree as SpanNear2's, so scores add up in the same order.
        super().__init__(make_binary_tree(IntersectionMatcher, ms))

    def copy(self) -> _AdjacentMatcher:
        return self.__class__([m.copy() for m in self.ms])

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else matching.NullMatcher()

    def _get_spans(self) -> list[Span]:
        starts = set(self.ms[0].value_as("positions"))
        for offset, m in enumerate(self.ms[1:], 1):
            starts = {p - offset for p in m.value_as("positions")} & starts
            if not starts:
                return []
        last = len(self.ms) - 1
        return [Span(p, p + last) for p in sorted(starts)]


class _PairsMatcher(_AdjacentMatcher):
    """The passages holding all of a phrase's indexed pairs, kept where its words are
    adjacent: only those passages' positions are read."""

    def __init__(self, pairs: list[Any], words: list[Any]) -> None:
        self.pairs = pairs
        self.ms = words
        SpanWrappingMatcher.__init__(self, make_binary_tree(IntersectionMatcher, pairs))

    def copy(self) -> _PairsMatcher:
        return self.__class__([m.copy() for m in self.pairs], [m.copy() for m in self.ms])

    def supports_block_quality(self) -> bool:
        return False  # a block's best pair score says nothing of which passages pass the check

    def _get_spans(self) -> list[Span]:
        doc = self.child.id()
        for m in self.ms:
            if m.is_active() and m.id() < doc:
                m.skip_to(doc)
            if not m.is_active() or m.id() != doc:
                return []
        return super()._get_spans()


def _pairs(schema: Any, fieldname: str, words: list[str]) -> list[str]:
    """The indexed pairs among a phrase's adjacent words."""
    found = pair_filter(schema, fieldname)
    if found is None:
        return []
    freq = found.frequent
    return [a + PAIR_JOIN + b for a, b in pairwise(words)
            if is_pair(freq.get(a, 0.0), freq.get(b, 0.0))]


def adjacent_phrases(query: wq.Query, schema: Any = None) -> wq.Query:
    """The query with every ``Phrase`` replaced by an ``AdjacentPhrase``, or by the pair
    term of a two-word phrase whose pair ``schema``'s index holds."""
    if type(query) is wq.Phrase:
        if schema is not None and query.slop == 1 and len(query.words) == 2:
            pair = _pairs(schema, query.fieldname, query.words)
            if pair:
                return wq.Term(PAIR_FIELDS[query.fieldname], pair[0], boost=query.boost)
        return AdjacentPhrase(query.fieldname, query.words, slop=query.slop, boost=query.boost,
                              char_ranges=query.char_ranges)
    if query.is_leaf():
        return query
    return query.apply(lambda q: adjacent_phrases(q, schema))
