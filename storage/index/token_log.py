"""A segment's words, field by field, turned into sorted postings with numpy.

The bulk writer used to file each value's postings term by term as it went: a
dictionary lookup and a few appends per posting in Python. Here
a value costs one lookup of its words' numbers, logged once (``Words``, shared by
every field that indexes the value), and three appends per field (where its numbers
start, its docnum and its word count). When the segment is written, each analyzer chain analyses each
distinct word once (``WordIds``), and the postings come out of stable sorts, a
range of terms at a time: by term, then docnum, then position, as Whoosh stores them.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from storage.index.analysis import MIN_PAIR, PAIR_JOIN, WordCache
from storage.index.block_data import bytes_head_widths, int_widths, put_bytes_heads, put_ints

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where it is used: it costs memory in every process that
# imports the index package (the window, the command line), and only the processes
# writing a rebuild's segments need it.

DROPPED = -1  # a word the analyzer drops: it has a position but no term
_NEW = -2  # a word not analysed yet
ANALYSE_WORDS = 4096  # new words analysed in one list


class Words:
    """Each distinct word of a segment's values numbered once, for all the analyzer chains
    with the same tokenizer: a value is looked up once however many fields index it (a
    text field, its pair field and the prefix field), and each chain analyses a word
    when the segment is written (``WordIds``)."""

    def __init__(self) -> None:
        self.words: list[str] = []  # by number
        self._numbers: dict[str, int] = {}
        self.log = array("i")  # the numbers of every value added, one after another

    def add(self, words: list[str]) -> tuple[int, int]:
        """Logs a value's words as numbers; returns where they start in ``log``, and how many."""
        start = len(self.log)
        known = list(map(self._numbers.get, words))  # a C loop; new words are rare
        try:
            # All or nothing: a None (a new word) leaves the log as it was.
            self.log.fromlist(known)  # type: ignore[arg-type]
        except TypeError:
            self.log.fromlist(self._numbered(words, known))
        return start, len(words)

    def __len__(self) -> int:
        return len(self.words)

    def _numbered(self, words: list[str], out: list[int | None]) -> list[int]:
        """``out``, the number of each word or None for a new word, with new words numbered."""
        numbers = self._numbers
        for i, found in enumerate(out):
            if found is None:
                word = words[i]
                found = numbers.get(word)  # it may be new earlier in this value
                if found is None:
                    found = numbers[word] = len(self.words)
                    self.words.append(word)
                out[i] = found
        return out  # type: ignore[return-value]  # no None left

    def forget(self) -> None:
        """Drops the words and their lookup (the log stays): once the segment's words are
        analysed."""
        self.words = []
        self._numbers = {}


class WordIds:
    """One analyzer chain's term for each numbered word: each distinct word analysed once
    (by a ``WordCache``), each distinct term numbered once for the segment."""

    def __init__(self, cache: WordCache, words: Words) -> None:
        self.cache = cache
        self.words = words  # shared by the chains with this chain's tokenizer
        self.terms: list[bytes] = []  # by id
        self._by_term: dict[bytes, int] = {}
        self._table: np.ndarray | None = None  # term id by word number (_NEW: not analysed)

    def analyse(self, numbers: np.ndarray) -> None:
        """Finds the term of every word of ``numbers`` not analysed yet (``table``)."""
        import numpy as np

        table = self._table
        if table is None or len(table) < len(self.words):
            grown = np.full(len(self.words), _NEW, dtype=np.int32)
            if table is not None:
                grown[: len(table)] = table
            table = self._table = grown
        wanted = np.zeros(len(table), dtype=bool)
        wanted[numbers] = True
        words = self.words.words
        new = np.flatnonzero(wanted & (table == _NEW)).tolist()
        # Each distinct word is analysed, not each distinct key: a lookup of keys cost a
        # worker memory at its busiest for a few stems saved. A few thousand at a time: the
        # stemmer's loop over a list, without a list of all a segment's words.
        key = self.cache.key
        for i in range(0, len(new), ANALYSE_WORDS):
            chunk = new[i : i + ANALYSE_WORDS]
            for n, term in zip(chunk, self.cache.analyse_many([key(words[n]) for n in chunk]), strict=True):
                table[n] = self._id(term)

    @property
    def table(self) -> np.ndarray:
        """The term id of each word number analysed (``DROPPED``: the analyzer drops the word)."""
        assert self._table is not None, "analyse() first"
        return self._table

    def forget_words(self) -> None:
        """Drops the lookup of terms (the table and terms stay): once every word of a
        segment is analysed, before its postings are sorted, the busiest time."""
        self._by_term = {}

    def _id(self, term: bytes | None) -> int:
        if term is None:
            return DROPPED
        found = self._by_term.get(term)
        if found is None:
            found = self._by_term[term] = len(self.terms)
            self.terms.append(term)
        return found


@dataclass
class Postings:
    """A field's postings in Whoosh's order. Term ``i`` is ``terms[i]``, with postings
    ``starts[i]`` to ``starts[i + 1]``; ``xs`` (positions fields): the position of a
    posting with one, else an index into ``encoded``, its positions as Whoosh encodes
    them, pickled as a block's item (``block_data.value_item``)."""

    terms: list[bytes]
    starts: list[int]
    docs: array
    freqs: array
    xs: array | None = None
    encoded: list[bytes] = field(default_factory=list)


@dataclass
class TokenLog:
    """Every value of one text field in a segment, one value per docnum: where its word
    numbers are in ``source.log`` (a value indexed by several fields is logged once)."""

    source: Words
    starts: array = field(default_factory=lambda: array("I"))
    docs: array = field(default_factory=lambda: array("I"))
    counts: array = field(default_factory=lambda: array("I"))

    def add(self, docnum: int, start: int, count: int) -> None:
        self.starts.append(start)
        self.docs.append(docnum)
        self.counts.append(count)

    def numbers(self) -> np.ndarray:
        """The word numbers of the values, in order."""
        import numpy as np

        counts = np.frombuffer(self.counts, dtype=np.uint32).astype(np.int64)
        ends = np.cumsum(counts)
        # A word's place in the source log: its place here, plus how far its value was
        # shifted by the values other fields logged in between (never negative). In
        # int32 and in place: a segment's field has about a million words.
        shift = np.frombuffer(self.starts, dtype=np.uint32).astype(np.int64) - (ends - counts)
        at = np.repeat(shift.astype(np.int32), counts)
        at += np.arange(len(at), dtype=np.int32)
        return np.frombuffer(self.source.log, dtype=np.int32)[at]

    def _words(self, table: np.ndarray,
               positions: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Each kept word's term id (by ``table``, from word numbers), docnum and position
        (Whoosh's: dropped words count). The log is emptied: its memory goes as the
        arrays returned are dropped."""
        import numpy as np

        ids = table[self.numbers()]
        counts = np.frombuffer(self.counts, dtype=np.uint32)
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), counts)
        pos = None
        if positions:
            firsts = np.cumsum(counts, dtype=np.int64) - counts  # each value's first word
            pos = np.arange(len(ids), dtype=np.int32) - np.repeat(firsts.astype(np.int32), counts)
        self.starts, self.docs, self.counts = array("I"), array("I"), array("I")
        if DROPPED not in ids:
            return ids, docs, pos
        keep = ids != DROPPED
        return ids[keep], docs[keep], None if pos is None else pos[keep]

    def lengths(self, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each value's docnum and length: the number of its words the analyzer keeps
        (``table``: the term id of each word number)."""
        import numpy as np

        counts = np.frombuffer(self.counts, dtype=np.uint32).astype(np.int64)
        kept = np.concatenate([[0], np.cumsum(table[self.numbers()] != DROPPED)])
        ends = np.cumsum(counts)
        return np.frombuffer(self.docs, dtype=np.uint32).astype(np.int64), kept[ends] - kept[ends - counts]

    def postings(self, table: np.ndarray, terms: list[bytes], positions: bool) -> Iterator[Postings]:
        """The postings, with positions if ``positions`` (else counts only), a range of
        terms at a time; ``table``: the term id of each word number. Empties the log."""
        return _postings(*self._words(table, positions), terms)

    def pairs(self, table: np.ndarray, terms: list[bytes],
              frequent: dict[bytes, float]) -> tuple[Iterator[Postings], np.ndarray, np.ndarray]:
        """The word pairs ``analysis.PairFilter`` makes of these values (counts only), and
        each value's number of pairs: (postings, docnums, counts)."""
        import numpy as np

        ids, docs, _pos = self._words(table, positions=False)
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


# Words sorted at a time: numpy's temporaries grow with it, and a range's blocks and term
# entries are built at once; a larger chunk raised a worker's peak memory.
CHUNK_WORDS = 1 << 16
RADIX_TERMS = 1 << 16  # terms in a range from which its words' ranks no longer fit in 16 bits


def _postings(ids: np.ndarray, docs: np.ndarray, pos: np.ndarray | None,
              terms: list[bytes]) -> Iterator[Postings]:
    """Postings of words given in docnum and position order, as term ids into ``terms``.

    Words are sorted a range of terms at a time, each range about CHUNK_WORDS words,
    and each range's postings are given to be written before the next is made:
    sorting all a segment's words of one field in one go, and holding all its
    postings, took much more memory."""
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
            yield _sorted_postings(ranks, docs, pos, terms=by_rank, ranks_from=lo, ranks_to=hi)
        else:
            at = np.flatnonzero((ranks >= lo) & (ranks < hi))  # in word order: docnums stay sorted
            yield _sorted_postings(ranks[at], docs[at], None if pos is None else pos[at], terms=by_rank,
                                   ranks_from=lo, ranks_to=hi)


def _sorted_postings(ranks: np.ndarray, docs: np.ndarray, pos: np.ndarray | None, *,
                     terms: list[bytes], ranks_from: int, ranks_to: int) -> Postings:
    """The postings of some words, sorted by term (stably: docnum and position order
    kept); ``terms`` by rank, the words' ranks from ``ranks_from`` to before ``ranks_to``."""
    import numpy as np

    if ranks_to - ranks_from <= RADIX_TERMS:
        # numpy sorts 16-bit ints stably by radix: 4 times as fast as 32-bit ones.
        by_term = np.argsort((ranks - ranks_from).astype(np.uint16), kind="stable")
    else:
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
        docs=uints(docs[heads]),
        freqs=uints(freqs),
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
        out.xs = uints(xs)
    return out


def _run_starts(*columns: np.ndarray) -> np.ndarray:
    """Where each run of equal rows begins (a mask), in rows sorted by ``columns``."""
    import numpy as np

    starts = np.zeros(len(columns[0]), dtype=bool)
    starts[:1] = True
    for column in columns:
        starts[1:] |= column[1:] != column[:-1]
    return starts


# Positions.encode's pickle of a posting's position gaps, written out: protocol 2, an
# empty list, a mark, each gap as BININT1, BININT2 or BININT, then APPENDS and STOP.
_GAPS_HEAD = b"\x80\x02]("
_GAPS_TAIL = b"e."


def _encode_positions(gaps: np.ndarray, sizes: np.ndarray) -> list[bytes]:
    """``Positions.encode`` of postings whose position gaps follow one another in
    ``gaps`` (``sizes[i]`` a posting, each over one), pickled as a block's items
    (``block_data.value_item``): the item's opcode and length, the count
    (``pack_uint``), then the gaps' pickle, all built at once with numpy. The pickle
    is written without the memo Python's adds (Whoosh's reader unpickles any):
    pickling a list a posting was a visible share of a rebuild."""
    import numpy as np

    if not len(sizes):
        return []
    values = gaps.astype(np.int64)
    width = int_widths(values)
    counts = sizes.astype(np.int64)
    firsts = np.cumsum(counts) - counts  # each posting's first gap
    before = np.cumsum(width) - width  # the bytes of the gaps before each gap
    items = before[firsts + counts - 1] + width[firsts + counts - 1] - before[firsts]
    head, tail = np.frombuffer(_GAPS_HEAD, dtype=np.uint8), np.frombuffer(_GAPS_TAIL, dtype=np.uint8)
    encoded = 4 + len(head) + items + len(tail)  # Positions.encode's length
    lengths = bytes_head_widths(encoded) + encoded
    ends = np.cumsum(lengths)
    starts = ends - lengths
    out = np.zeros(int(ends[-1]), dtype=np.uint8)
    put_bytes_heads(out, starts, encoded)
    at0 = ends - encoded  # where each encoding starts
    out[at0[:, None] + np.arange(4)] = counts.astype(">u4").view(np.uint8).reshape(-1, 4)
    out[at0[:, None] + 4 + np.arange(len(head))] = head
    out[ends[:, None] - len(tail) + np.arange(len(tail))] = tail
    # Each gap: its opcode, then its bytes (little-endian), after its posting's gaps before it.
    at = np.repeat(at0 + 4 + len(head) - before[firsts], counts) + before
    put_ints(out, at, values, width)
    data = out.tobytes()
    return [data[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def uints(values: np.ndarray) -> array:
    import numpy as np

    out = array("I")
    out.frombytes(np.ascontiguousarray(values, dtype=np.uint32).view(np.uint8).data)
    return out
