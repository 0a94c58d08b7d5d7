"""A segment's words, field by field, turned into sorted postings with numpy.

The bulk writer used to file each value's postings term by term as it went: a
dictionary lookup and a few appends per posting in Python, about 4 µs each. Here
a value costs three appends (its term ids, its docnum and its word count) and the
postings come out of stable sorts when the segment is written, a range of terms
at a time: by term, then docnum, then position, as Whoosh stores them.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from typing import TYPE_CHECKING

from whoosh.system import pack_uint

from storage.index.analysis import MIN_PAIR, PAIR_JOIN, WordCache

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where it is used: it costs 12 MB resident in every process that
# imports the index package (the window, the command line), and only the processes
# writing a rebuild's segments need it.

DROPPED = -1  # a word the analyzer drops: it has a position but no term
_NEW = -2  # a word not seen yet
_CACHE_WORDS = 500_000


class WordIds:
    """The term id of each word of a text: each distinct word analysed once (by a
    ``WordCache``), each distinct term numbered once for the segment."""

    def __init__(self, cache: WordCache) -> None:
        self.cache = cache
        self.terms: list[bytes] = []  # by id
        self._ids: dict[str, int] = {}
        self._by_term: dict[bytes, int] = {}

    def ids(self, words: list[str]) -> list[int]:
        """The term id of each word (``DROPPED``: the analyzer drops it)."""
        out = list(map(self._ids.get, words, repeat(_NEW)))  # a C loop; new words are rare
        if _NEW in out:
            for i, found in enumerate(out):
                if found == _NEW:
                    out[i] = self._id(words[i])
        return out

    def forget_words(self) -> None:
        """Drops the word lookups (the terms stay): no more words come once a segment is
        being written, and they are some 10 MB at the writer's busiest."""
        self._ids = {}
        self._by_term = {}

    def _id(self, word: str) -> int:
        if len(self._ids) > _CACHE_WORDS:  # words, not terms: the ids stay the same
            self._ids.clear()
        key = self.cache.key(word)
        found = self._ids.get(key)
        if found is None:
            term = self.cache.analyse(key)
            if term is None:
                found = DROPPED
            else:
                found = self._by_term.get(term)
                if found is None:
                    found = self._by_term[term] = len(self.terms)
                    self.terms.append(term)
            self._ids[key] = found
        self._ids[word] = found
        return found


@dataclass
class Postings:
    """A field's postings in Whoosh's order. Term ``i`` is ``terms[i]``, with postings
    ``starts[i]`` to ``starts[i + 1]``; ``xs`` (positions fields): the position of a
    posting with one, else an index into ``encoded``, its positions as Whoosh encodes them."""

    terms: list[bytes]
    starts: list[int]
    docs: array
    freqs: array
    xs: array | None = None
    encoded: list[bytes] = field(default_factory=list)


@dataclass
class TokenLog:
    """Every value of one text field in a segment: term ids, one value per docnum."""

    ids: array = field(default_factory=lambda: array("i"))
    docs: array = field(default_factory=lambda: array("I"))
    counts: array = field(default_factory=lambda: array("I"))

    def add(self, docnum: int, ids: list[int]) -> None:
        self.ids.extend(ids)
        self.docs.append(docnum)
        self.counts.append(len(ids))

    def _words(self, positions: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Each kept word's term id, docnum and position (Whoosh's: dropped words count).
        The log is emptied: its memory goes as the arrays returned are dropped."""
        import numpy as np

        ids = np.frombuffer(self.ids, dtype=np.int32)
        counts = np.frombuffer(self.counts, dtype=np.uint32)
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), counts)
        pos = None
        if positions:
            firsts = np.cumsum(counts, dtype=np.int64) - counts  # each value's first word
            pos = np.arange(len(ids), dtype=np.int32) - np.repeat(firsts.astype(np.int32), counts)
        self.ids, self.docs, self.counts = array("i"), array("I"), array("I")
        if DROPPED not in ids:
            return ids, docs, pos
        keep = ids != DROPPED
        return ids[keep], docs[keep], None if pos is None else pos[keep]

    def postings(self, terms: list[bytes], positions: bool) -> Iterator[Postings]:
        """The postings, with positions if ``positions`` (else counts only), a range of
        terms at a time; empties the log."""
        return _postings(*self._words(positions), terms)

    def pairs(self, terms: list[bytes],
              frequent: dict[bytes, float]) -> tuple[Iterator[Postings], np.ndarray, np.ndarray]:
        """The word pairs ``analysis.PairFilter`` makes of these values (counts only), and
        each value's number of pairs: (postings, docnums, counts)."""
        import numpy as np

        ids, docs, _pos = self._words(positions=False)
        weight = np.array([frequent.get(t, 0.0) for t in terms] or [0.0])
        # Only words with a weight can pair; a value's last word and the next value's
        # first are not adjacent. Then the filter's rule, is_pair, on the same doubles.
        frequent_word = (weight > 0)[ids]
        at = np.flatnonzero(frequent_word[:-1] & frequent_word[1:] & (docs[:-1] == docs[1:]))
        del frequent_word
        product = weight[ids[at]]
        product *= weight[ids[at + 1]]
        at = at[product >= MIN_PAIR]
        del product
        first, second, pair_docs = ids[at], ids[at + 1], docs[at + 1]
        del ids, docs, at
        size = max(1, len(terms))
        keys = first.astype(np.int64) * size + second
        del first, second
        # np.unique(keys, return_inverse=True) without its copies (twice the memory).
        order = np.argsort(keys)
        keys = keys[order]
        head = _run_starts(keys)
        unique = keys[head]
        del keys
        which = np.empty(len(order), dtype=np.int32)
        which[order] = np.cumsum(head, dtype=np.int32) - 1
        del order, head
        join = PAIR_JOIN.encode()
        names = [terms[k // size] + join + terms[k % size] for k in unique.tolist()]
        firsts = np.flatnonzero(_run_starts(pair_docs))  # pairs come in docnum order
        value_docs, value_pairs = pair_docs[firsts], np.diff(firsts, append=len(pair_docs))
        return _postings(which, pair_docs, None, names), value_docs, value_pairs


CHUNK_WORDS = 1 << 17  # words sorted at a time: numpy's temporaries take about 40 bytes a word


def _postings(ids: np.ndarray, docs: np.ndarray, pos: np.ndarray | None,
              terms: list[bytes]) -> Iterator[Postings]:
    """Postings of words given in docnum and position order, as term ids into ``terms``.

    Words are sorted a range of terms at a time, each range about CHUNK_WORDS words,
    and each range's postings are given to be written before the next is made:
    sorting a segment's 750,000 words of one field in one go, and holding all its
    postings, took 40 MB more."""
    import numpy as np

    chunk = CHUNK_WORDS
    order = sorted(range(len(terms)), key=terms.__getitem__)
    rank = np.empty(max(1, len(terms)), dtype=np.int32)
    rank[order] = np.arange(len(terms), dtype=np.int32)
    ranks = rank[ids]
    del ids, rank
    if len(ranks) > chunk:
        words_to = np.cumsum(np.bincount(ranks, minlength=len(terms)))  # words up to each term
        cuts = np.searchsorted(words_to, np.arange(chunk, len(ranks), chunk), side="right")
        bounds = [0, *sorted(set(cuts.tolist())), len(terms)]
    else:
        bounds = [0, len(terms)]
    by_rank = [terms[i] for i in order]
    for lo, hi in pairwise(bounds):
        if len(bounds) == 2:
            yield _sorted_postings(ranks, docs, pos, terms=by_rank)
        else:
            at = np.flatnonzero((ranks >= lo) & (ranks < hi))  # in word order: docnums stay sorted
            yield _sorted_postings(ranks[at], docs[at], None if pos is None else pos[at], terms=by_rank)


def _sorted_postings(ranks: np.ndarray, docs: np.ndarray, pos: np.ndarray | None, *,
                     terms: list[bytes]) -> Postings:
    """The postings of some words, sorted by term (stably: docnum and position order
    kept); ``terms`` by rank."""
    import numpy as np

    by_term = np.argsort(ranks, kind="stable")
    ranks = ranks[by_term]
    docs = docs[by_term]
    if pos is not None:
        pos = pos[by_term]
    del by_term
    count = len(ranks)
    heads = np.flatnonzero(_run_starts(ranks, docs))  # each posting's first word
    posting_ranks = ranks[heads]
    del ranks
    freqs = np.diff(heads, append=count)
    term_heads = np.flatnonzero(np.diff(posting_ranks, prepend=-1))
    out = Postings(
        terms=[terms[r] for r in posting_ranks[term_heads].tolist()],
        starts=[*term_heads.tolist(), len(heads)],
        docs=_uints(docs[heads]),
        freqs=_uints(freqs),
    )
    del docs, posting_ranks, term_heads
    if pos is not None:
        several = freqs > 1
        # Positions.encode of each posting with several: the first position, then gaps.
        gaps = np.diff(pos, prepend=0)
        gaps[heads] = pos[heads]
        gaps = gaps[np.repeat(several, freqs)]
        xs = pos[heads]
        xs[several] = np.arange(np.count_nonzero(several))
        out.encoded = _encode_positions(gaps, freqs[several])
        out.xs = _uints(xs)
    return out


def _run_starts(*columns: np.ndarray) -> np.ndarray:
    """Where each run of equal rows begins (a mask), in rows sorted by ``columns``."""
    import numpy as np

    starts = np.zeros(len(columns[0]), dtype=bool)
    starts[:1] = True
    for column in columns:
        starts[1:] |= column[1:] != column[:-1]
    return starts


def _encode_positions(gaps: np.ndarray, sizes: np.ndarray, chunk: int = 65536) -> list[bytes]:
    """``Positions.encode`` of postings whose gaps follow one another in ``gaps``,
    a chunk of postings at a time (as Python ints they take 36 bytes each)."""
    import numpy as np

    out = []
    ends = np.cumsum(sizes)
    for lo in range(0, len(sizes), chunk):
        start = int(ends[lo - 1]) if lo else 0
        part = gaps[start : int(ends[min(lo + chunk, len(sizes)) - 1])].tolist() if len(sizes) else []
        at = 0
        for size in sizes[lo : lo + chunk].tolist():
            out.append(pack_uint(size) + pickle.dumps(part[at : at + size], 2))
            at += size
    return out


def _uints(values: np.ndarray) -> array:
    import numpy as np

    out = array("I")
    out.frombytes(np.ascontiguousarray(values, dtype=np.uint32).view(np.uint8).data)
    return out
