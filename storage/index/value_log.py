"""A segment's values of one keyword-like field (ids, kinds, tags, colours, days), turned
into sorted postings with numpy.

These fields take a whole value or a few terms a record, and their values repeat:
the kind, the language, a highlight's tags, a document's day. Filing each record's
terms as it came cost a Python call a field, eight fields a record. Here a record costs a
lookup of its value and two appends; each distinct value is analysed once, and its
terms are spread over the records holding it when the segment is written.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.index.token_log import Postings, uints

if TYPE_CHECKING:
    import numpy as np

Items = list[tuple[bytes, int]]  # a value's terms and their counts


@dataclass
class ValueLog:
    """One field's values, a record at a time. ``analyse`` gives a value's terms as
    ``(term, count)`` pairs (``Field.index`` without weights or values)."""

    analyse: Callable[[Any], Iterable[tuple[bytes, int]]]
    items: list[Items] = field(default_factory=list)  # by value id
    _ids: dict[Any, int] = field(default_factory=dict)
    docs: array = field(default_factory=lambda: array("I"))
    values: array = field(default_factory=lambda: array("I"))  # each record's value id

    def add(self, docnum: int, value: Any) -> int:
        """Logs a record's value; returns how many terms it has."""
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self.items)
            self.items.append(list(self.analyse(value)))
        self.docs.append(docnum)
        self.values.append(found)
        return len(self.items[found])

    def postings(self) -> Postings:
        """Every term's postings, in term then docnum order, as one range of terms."""
        import numpy as np

        terms = sorted({term for items in self.items for term, _count in items})
        rank = {term: i for i, term in enumerate(terms)}
        # Each value's terms, one after another: value v's are ptr[v] to ptr[v + 1].
        ptr = np.zeros(len(self.items) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(items) for items in self.items])
        ranks = np.array([rank[term] for items in self.items for term, _count in items], dtype=np.int64)
        counts = np.array([count for items in self.items for _term, count in items], dtype=np.uint32)
        values = np.frombuffer(self.values, dtype=np.uint32)
        sizes = ptr[values + 1] - ptr[values]
        at = _spread(ptr[values], sizes)  # each posting's place in ranks and counts
        by_term = np.argsort(ranks[at], kind="stable")  # docnums stay in order within a term
        at = at[by_term]
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), sizes)[by_term]
        posting_ranks = ranks[at]
        heads = np.flatnonzero(np.diff(posting_ranks, prepend=-1))
        return Postings(terms=[terms[r] for r in posting_ranks[heads].tolist()],
                        starts=[*heads.tolist(), len(at)], docs=uints(docs), freqs=uints(counts[at]))


@dataclass
class WholeLog:
    """A field whose value is its one term, counted once (Whoosh's ``ID``): ids such as
    a highlight's, different in most records, so not looked up."""

    terms: list[bytes] = field(default_factory=list)
    docs: array = field(default_factory=lambda: array("I"))

    def add(self, docnum: int, value: str) -> int:
        self.terms.append(value.encode("utf-8"))
        self.docs.append(docnum)
        return 1

    def postings(self) -> Postings:
        terms = self.terms
        order = sorted(range(len(terms)), key=terms.__getitem__)  # stable: docnums stay in order
        out = Postings(terms=[], starts=[], docs=array("I", map(self.docs.__getitem__, order)),
                       freqs=array("I", [1]) * len(order))
        for i, k in enumerate(order):
            if not out.terms or terms[k] != out.terms[-1]:
                out.terms.append(terms[k])
                out.starts.append(i)
        out.starts.append(len(order))
        return out


def _spread(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``starts[i]``, ``starts[i] + 1``, … ``sizes[i]`` of each, one run after another."""
    import numpy as np

    firsts = np.cumsum(sizes) - sizes
    return np.repeat(starts - firsts, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
