"""Exact phrases with a cheaper check than Whoosh's.

Whoosh runs a phrase as ``SpanNear2``: for every passage holding all the words
it turns each position into a ``Span`` object, then bisects and sorts them.
Phrases of common words ("de la", "the committee") visit tens of thousands of
passages, and that object churn was most of their p95 of 400 ms. An adjacency
phrase (slop 1) only needs: is there a position p of the first word with p+1
of the second, p+2 of the third, and so on. This matcher wraps the same
intersection of the same term matchers, so hits and scores are unchanged
(tests compare them with Whoosh's).
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import IntersectionMatcher
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.searching import Searcher
from whoosh.util import make_binary_tree


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
        terms = []
        for word in self.words:
            try:
                tbytes = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, tbytes) not in reader:
                return matching.NullMatcher()  # a word that never occurs: no phrase
            terms.append(wq.Term(fieldname, tbytes))
        m: Any = _AdjacentMatcher([t.matcher(searcher, context) for t in terms])
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


def adjacent_phrases(query: wq.Query) -> wq.Query:
    """The query with every ``Phrase`` replaced by an ``AdjacentPhrase``."""
    if type(query) is wq.Phrase:
        return AdjacentPhrase(query.fieldname, query.words, slop=query.slop, boost=query.boost,
                              char_ranges=query.char_ranges)
    if query.is_leaf():
        return query
    return query.apply(adjacent_phrases)
