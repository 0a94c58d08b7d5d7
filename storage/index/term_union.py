"""Top hits for an OR of plain terms, or an AND of such, scored a segment at a time in bulk.

Most searches are such a query: a word is an OR of the text fields, a 4-letter
prefix one term of the prefix field, a fuzzy or longer prefix an OR of its
expansions. Whoosh collects them a posting at a time through a tree of matchers,
pruning by block quality, and for a word in most passages nothing can be pruned.
Here each term's posting blocks
are read whole, every posting is scored with the term's own BM25F scorer values
(the same arithmetic in the same order), and the scores are added up in the order
Whoosh's matcher tree adds them; the top hits are Whoosh's (tests compare). An AND
of such queries and of terms of fields that are not scored (``merida funding``, a tag
or colour filter) is the documents all its parts hold, found from the rarest part,
scored as Whoosh's tree of intersections adds them up (Whoosh builds a matcher per
term and segment first). Any other query shape, weighting
or boost goes to Whoosh's own collector.
"""

from __future__ import annotations

import heapq
import operator
import struct
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence, Sized
from itertools import accumulate, compress
from math import log
from pickle import load, loads
from typing import Any, TypeVar, cast

from whoosh import query as wq
from whoosh.codec import whoosh3
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from storage.index.codec import LengthsInMemory, find
from storage.index.deflate import decompress
from storage.index.term_writer import TERM_INFO

_LENGTH = [byte_to_length(b) for b in range(256)]
_INT = struct.Struct("!i")
_FIELD = struct.Struct("!H")  # a field's number, the start of its terms' keys
_UNSEEN = object()
_ROW_MIN = 64  # postings in a block from which scoring by a table of the 256 lengths pays
NUMPY_POSTINGS = 8192  # postings of a one-term query in a segment from which numpy scores them
SKIP_RATIO = 16  # a filter term made a table when the documents asked are over 1 in this many of its own

_Scores = dict[int, float]
_Read = dict[tuple[str, Any], dict[int, float]]  # (field, term) -> docnum -> weight, as read
_Tables = dict[tuple[str, Any], tuple[dict[float, int], list[float]]]  # term -> its score table


class _NotPlain(Exception):
    """A part of the query this module does not score; Whoosh's collector does."""


class _TimeUp(Exception):
    """The time limit passed."""


def top_hits(searcher: Searcher, query: wq.Query, limit: int, only: wq.Term | None = None,
             time_limit: float | None = None) -> tuple[list[tuple[float, int]], bool] | None:
    """The ``limit`` best (score, docnum) pairs, best first and ties by docnum as
    Whoosh's top collector orders them, and whether ``time_limit`` (seconds) cut the
    search short (then: the best of the segments done in time); None if the query is
    neither an OR of plain terms nor an AND of such ORs and terms of unscored fields.

    ``only``: keep the documents holding this term (Require(query, only) in Whoosh).
    An AND (``merida funding``, ``tag:drugs merida``) is its rarest part's hits that the
    other parts hold, their scores added up as Whoosh's tree of intersections adds them.
    """
    if type(searcher.weighting) is not BM25F:
        return None
    parts = None
    if not _plain(query):
        parts = _conjuncts(searcher, query)
        if parts is None:
            return None
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    best: list[tuple[float, int]] = []
    ctx = _Context(searcher)
    try:
        single = _one_term(query) if parts is None else None
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if single is not None and only is None and not reader.has_deletions():
                # One term: its scores in lists, no dictionary of every posting.
                best = heapq.nlargest(limit, [*best, *_one_term_best(
                    leaf, single, limit=limit, offset=offset, deadline=deadline, ctx=ctx)])
                continue
            scores = _scores(leaf, query, deadline, ctx) if parts is None else _and_scores(
                leaf, parts, deadline, ctx)
            if only is not None:
                keep = _docnums(leaf, only, deadline, ctx)
                scores = {d: s for d, s in scores.items() if d in keep}
            if reader.has_deletions():
                deleted = reader.deleted_docs_set
                scores = {d: s for d, s in scores.items() if d not in deleted}
            # Keyed (score, -docnum): equal scores keep the lower docnum, as Whoosh does. Only
            # the documents scoring at least this segment's limit-th best can be among them
            # (a tuple for every posting of a common word cost more than scoring it).
            cut = heapq.nlargest(limit, scores.values())
            if cut:
                docs = compress(scores.keys(), map(cut[-1].__le__, scores.values()))  # a C loop
                best = heapq.nlargest(limit, [*best, *((scores[d], -(offset + d)) for d in docs)])
    except _NotPlain:
        return None
    except _TimeUp:
        return [(s, -d) for s, d in best], True
    return [(s, -d) for s, d in best], False


def _conjuncts(searcher: Searcher, q: wq.Query) -> list[wq.Query] | None:
    """An AND's parts, if each is a plain query or a term of a field that is not scored."""
    if type(q) is not wq.And or q.boost != 1.0 or len(q.subqueries) < 2:
        return None
    for part in q.subqueries:
        if not (_plain(part) or _unscored(searcher, part)):
            return None
    return list(q.subqueries)


def _unscored(searcher: Searcher, q: wq.Query) -> bool:
    return (type(q) is wq.Term and q.boost == 1.0 and q.fieldname in searcher.schema
            and not searcher.schema[q.fieldname].scorable)


def _and_scores(leaf: Searcher, parts: list[wq.Query], deadline: float | None, ctx: _Context) -> _Scores:
    """docnum -> score in one segment for an AND of ``parts``, as Whoosh's matcher gives them.

    First the documents: the rarest part's postings are read whole, each other part's
    only in the blocks that may hold the documents all before it hold (a name's 20
    passages among a common word's 100 blocks). Then only the documents all hold
    are scored: mostly there are none.
    """
    reader = leaf.reader()
    sizes = [ctx.estimate(reader, part) for part in parts]
    if not all(sizes):
        return {}
    read: _Read = {}
    within: list[int] | None = None
    for i in sorted(range(len(parts)), key=sizes.__getitem__):
        docs: set[int] = set()
        for term in _leaves(parts[i]):
            key = (term.fieldname, term.text)
            if key not in read:  # read once: the documents asked only grow fewer
                read[key] = _term_postings(leaf, term, within, deadline, ctx)
            docs.update(read[key])
        within = sorted(docs if within is None else (d for d in within if d in docs))
        if not within:
            return {}
    held = within or []
    # A term of an unscored field scores its weight.
    found = [{d: read[_key(p)][d] for d in held} if ctx.unscored(p)
             else _scores(leaf, p, deadline, ctx, within=held, read=read) for p in parts]
    # And._matcher: a weighted tree of intersections, weight minus the estimated size,
    # the two lightest joined (first + second) and put back after equal weights. Ties
    # keep the query's order: Whoosh's matchers compare equal or neither less.
    items = [(-size, scores) for size, scores in zip(sizes, found, strict=True)]
    items.sort(key=lambda item: item[0])
    while len(items) > 1:
        (wa, a), (wb, b) = items.pop(0), items.pop(0)
        weight = wa + wb
        items.insert(bisect_right([w for w, _ in items], weight), (weight, {d: a[d] + b[d] for d in a}))
    return items[0][1]


def _key(q: wq.Query) -> tuple[str, Any]:
    term = cast(wq.Term, q)
    return term.fieldname, term.text


def _leaves(q: wq.Query) -> list[wq.Term]:
    """The terms of a plain query or a term."""
    return [q] if isinstance(q, wq.Term) and type(q) is wq.Term else [
        t for s in cast(wq.compound.CompoundQuery, q).subqueries for t in _leaves(s)]


def _term_postings(leaf: Searcher, q: wq.Term, within: list[int] | None, deadline: float | None,
                   ctx: _Context) -> dict[int, float]:
    """docnum -> the term's weight in this segment; ``within``: only at these documents."""
    if ctx.unscored(q):
        return _weights(leaf, q, within, deadline, ctx) if within is not None else _all_weights(
            leaf, q, deadline, ctx)
    m = _postings(leaf, q, ctx)
    out: dict[int, float] = {}
    if m is None:
        return out
    if within is None:
        for ids, weights in _blocks(m, deadline):
            out.update(zip(ids, weights, strict=True))
        return out
    wanted = set(within)
    for ids, weights in _blocks_within(m, within, deadline):
        out.update((d, w) for d, w in zip(ids, weights, strict=True) if d in wanted)
    return out


def _weights(leaf: Searcher, q: wq.Term, docs: Iterable[int], deadline: float | None,
             ctx: _Context) -> dict[int, float]:
    """The term's weight in those of ``docs`` holding it, in this segment: looked up in the
    term's kept table (``_filter_table``); for a term with more postings than a table is
    kept for, one by one in its postings when ``docs`` are few (a tag is in thousands of
    highlights, the words asked with it in a few), else in a table made of them."""
    table = _filter_table(leaf, q, deadline, ctx)
    if table is not None:
        return {d: table[d] for d in docs if d in table}
    found = _filter_postings(leaf, q, deadline, ctx)
    if found is None:
        return {}
    ids, weights = found
    wanted = docs if isinstance(docs, Sized) else list(docs)
    if len(wanted) * SKIP_RATIO > len(ids):
        table = _table(ids, weights)
        return {d: table[d] for d in wanted if d in table}
    out: dict[int, float] = {}
    count = len(ids)
    for d in wanted:
        i = bisect_left(ids, d)
        if i < count and ids[i] == d:
            out[d] = weights if isinstance(weights, float) else weights[i]
    return out


_V = TypeVar("_V")


class _Kept(OrderedDict[tuple[Any, ...], _V]):
    """The values of the latest keys, the least recently used dropped; shared by threads."""

    _lock = threading.Lock()

    def take(self, key: tuple[Any, ...]) -> _V | None:
        with self._lock:
            found = self.get(key)
            if found is not None:
                self.move_to_end(key)
            return found

    def keep(self, key: tuple[Any, ...], value: _V, size: int) -> None:
        with self._lock:
            self[key] = value
            while len(self) > size:
                self.popitem(last=False)


FILTER_CACHE = 256  # filter terms' postings kept, a segment each: most searches name one of a few tags
_filters: _Kept[tuple[array, array | float]] = _Kept()
# Tables (docnum -> weight) of the latest filter terms, each up to TABLE_MAX postings: their
# memory is bounded by TABLES x TABLE_MAX postings.
TABLES = 8
TABLE_MAX = 40_000
_tables: _Kept[dict[int, float]] = _Kept()


def _filter_key(leaf: Searcher, q: wq.Term, ctx: _Context) -> tuple[Any, ...]:
    """A filter term's key in the caches: a segment is known by its index's folder and its id."""
    reader = leaf.reader()
    segment = getattr(reader, "_segment", None)
    if segment is None or ctx.folder is None:
        raise _NotPlain
    text = q.text if isinstance(q.text, bytes) else reader.schema[q.fieldname].to_bytes(q.text)
    return (ctx.folder, segment.segment_id(), q.fieldname, text)


def _filter_table(leaf: Searcher, q: wq.Term, deadline: float | None,
                  ctx: _Context) -> dict[int, float] | None:
    """A filter term's docnum -> weight table in this segment, kept for later searches,
    if it has no more than TABLE_MAX postings (None: more, or the term is absent). A
    search looks the documents its words found up in it: a bisection a document, or a
    table made each time, took a fifth of a tag filter on one 190,000-record segment."""
    key = _filter_key(leaf, q, ctx)
    table = _tables.take(key)
    if table is not None:
        return table
    found = _filter_postings(leaf, q, deadline, ctx)
    if found is None or len(found[0]) > TABLE_MAX:
        return None
    table = _table(*found)
    _tables.keep(key, table, TABLES)
    return table


def _filter_postings(leaf: Searcher, q: wq.Term, deadline: float | None,
                     ctx: _Context) -> tuple[array, array | float] | None:
    """A filter term's docnums in this segment and their weights (one float when all are
    the same, as a tag's are), kept for later searches: a tag filter read and unpickled
    every block of the tag's postings each time, a large share of a search. Segment
    files never change, so what was read stays true for the segment's life."""
    key = _filter_key(leaf, q, ctx)
    found = _filters.take(key)
    if found is not None:
        return found
    m = _postings(leaf, q, ctx)
    if m is None:
        return None
    ids, weights = array("I"), array("d")
    for block_ids, block_weights in _blocks(m, deadline):
        ids.extend(block_ids)
        weights.extend(block_weights)
    found = ids, (weights[0] if weights.count(weights[0]) == len(weights) else weights)
    _filters.keep(key, found, FILTER_CACHE)
    return found


def warm_filter(searcher: Searcher, fieldname: str, count: int) -> None:
    """Reads the postings of the field's ``count`` most frequent terms in each segment
    into the filter cache (the first search naming a tag then costs no more than later ones)."""
    reader = searcher.reader()
    if fieldname not in reader.schema:
        return
    ctx = _Context(searcher)
    for _freq, text in reader.most_frequent_terms(fieldname, count):
        for leaf, _offset in searcher.leaf_searchers():
            _filter_postings(leaf, wq.Term(fieldname, text), None, ctx)


def _one_term_best(leaf: Searcher, q: wq.Term, *, limit: int, offset: int, deadline: float | None,
                   ctx: _Context) -> Iterable[tuple[float, int]]:
    """A one-term query's candidates in a segment, keyed (score, -docnum): the postings
    scoring at least its ``limit``-th best."""
    m = _postings(leaf, q, ctx)
    if m is None:
        return []
    ids: list[int] = []
    weights: list[float] = []
    for block_ids, block_weights in _blocks(m, deadline):
        ids.extend(block_ids)
        weights.extend(block_weights)
    if len(ids) >= NUMPY_POSTINGS:
        return _numpy_best(leaf, q, ctx.scorer(q), ids, weights, limit=limit, offset=offset)
    found = list(_scored(leaf, q, ids, weights, ctx=ctx))
    cut = heapq.nlargest(limit, found)
    if not cut:
        return []
    chosen = compress(range(len(ids)), map(cut[-1].__le__, found))
    return [(found[i], -(offset + ids[i])) for i in chosen]


def _numpy_best(leaf: Searcher, q: wq.Term, scorer: tuple[float, float, float, float], ids: list[int],
                weights: list[float], *,
                limit: int, offset: int) -> list[tuple[float, int]]:
    """``_one_term_best`` for a term in many documents, scored and cut by numpy: the
    same arithmetic as ``scoring.bm25``, element by element (IEEE doubles: the same
    scores), faster than lists for a term in most passages."""
    import numpy as np  # imported by the first such search, not by every process

    stored = _lengths(leaf, q.fieldname)
    if stored is None:
        raise _NotPlain
    docs = np.array(ids, dtype=np.int64)
    w = np.array(weights, dtype=np.float64)
    length = np.array(_LENGTH, dtype=np.float64)[np.frombuffer(stored, dtype=np.uint8)[docs]]
    idf, avgfl, b, k1 = scorer
    scores = idf * ((w * (k1 + 1)) / (w + k1 * ((1 - b) + b * length / avgfl)))
    if len(scores) > limit:
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = np.flatnonzero(scores >= cut)
        docs, scores = docs[keep], scores[keep]
    return list(zip(scores.tolist(), (-(offset + d) for d in docs.tolist()), strict=True))


def _plain(q: wq.Query) -> bool:
    if type(q) is wq.Term:
        return q.boost == 1.0
    if type(q) is wq.Or:
        return q.boost == 1.0 and not q.scale and not q.minmatch and all(_plain(s) for s in q.subqueries)
    return False


def _scores(leaf: Searcher, q: wq.Query, deadline: float | None, ctx: _Context, *,
            within: list[int] | None = None, read: _Read | None = None) -> _Scores:
    """docnum -> score in one segment, as Whoosh's matcher for ``q`` would give them;
    ``within``: only at these documents (ascending), whose postings are in ``read``."""
    if type(q) is wq.Term:
        if within is not None and read is not None:
            postings = read[(q.fieldname, q.text)]
            ids = [d for d in within if d in postings]
            return dict(zip(ids, _scored(leaf, q, ids, [postings[d] for d in ids], ctx=ctx), strict=True))
        return _term_scores(leaf, q, deadline, ctx)
    subs = cast(wq.compound.CompoundQuery, q).subqueries
    if not subs:
        return {}
    if len(subs) == 1:
        return _scores(leaf, subs[0], deadline, ctx, within=within, read=read)
    parts = [_scores(leaf, s, deadline, ctx, within=within, read=read) for s in subs]
    # Or._matcher's choice: a tree of unions, or (small segments, many terms) an array
    # that adds the terms' scores in query order.
    if len(subs) < wq.Or.TOO_MANY_CLAUSES and (len(subs) == 2 or leaf.doc_count_all() > 5000):
        reader = leaf.reader()
        return _weighted_union([(ctx.estimate(reader, s), p) for s, p in zip(subs, parts, strict=True)])
    out: _Scores = {}
    for part in parts:
        for d, s in part.items():
            out[d] = out.get(d, 0.0) + s
    return out


def _weighted_union(items: list[tuple[int, _Scores]]) -> _Scores:
    """Whoosh's make_weighted_tree of UnionMatchers: the two lightest parts joined
    (first + second) and put back after parts of equal weight, until one is left."""
    items.sort(key=lambda item: item[0])
    while len(items) > 1:
        (wa, a), (wb, b) = items.pop(0), items.pop(0)
        # Float addition commutes: copy the larger part, add the smaller in C where the
        # parts do not meet.
        small, big = (a, b) if len(a) < len(b) else (b, a)
        joined = dict(big)
        joined.update(small)
        for d in small.keys() & big.keys():
            joined[d] = big[d] + small[d]
        weight = wa + wb
        items.insert(bisect_right([w for w, _ in items], weight), (weight, joined))
    return items[0][1]


def _term_scores(leaf: Searcher, q: wq.Term, deadline: float | None, ctx: _Context) -> _Scores:
    m = _postings(leaf, q, ctx)
    out: _Scores = {}
    if m is not None:
        for ids, weights in _blocks(m, deadline):
            out.update(zip(ids, _scored(leaf, q, ids, weights, ctx=ctx), strict=True))
    return out


def _scored(leaf: Searcher, q: wq.Term, ids: list[int], weights: Sequence[float], *,
            ctx: _Context) -> Iterable[float]:
    """The scores of some of a term's postings."""
    idf, avgfl, b, k1 = ctx.scorer(q)
    lengths = _lengths(leaf, q.fieldname)
    if lengths is None:
        raise _NotPlain

    def bm25(w: float, length: float) -> float:  # scoring.bm25, the same operations
        return idf * ((w * (k1 + 1)) / (w + k1 * ((1 - b) + b * length / avgfl)))

    # With the length Whoosh reads (every posting has one).
    if len(ids) < _ROW_MIN:
        return [bm25(w, _LENGTH[lengths[d]]) for d, w in zip(ids, weights, strict=True)]
    # Scores for each weight seen and each length byte, one row of 256 after another:
    # a posting's score is table[row[weight] + its length byte], looked up in C loops.
    # One table a term for all segments: idf and average length are the whole index's.
    row, table = ctx.tables.setdefault((q.fieldname, q.text), ({}, []))
    for w in set(weights):
        if w not in row:
            row[w] = len(table)
            table.extend(bm25(w, n) for n in _LENGTH)
    cells = map(operator.add, map(row.__getitem__, weights), map(lengths.__getitem__, ids))
    return map(table.__getitem__, cells)


def _one_term(q: wq.Query) -> wq.Term | None:
    """The query's only term, if it has one (an OR of one term scores as the term)."""
    while type(q) is wq.Or and len(q.subqueries) == 1:
        q = q.subqueries[0]
    return q if type(q) is wq.Term else None


def _all_weights(leaf: Searcher, q: wq.Term, deadline: float | None, ctx: _Context) -> dict[int, float]:
    """docnum -> the term's weight, for a term of a field that is not scored."""
    table = _filter_table(leaf, q, deadline, ctx)
    if table is not None:
        return dict(table)  # the caller's to change
    found = _filter_postings(leaf, q, deadline, ctx)
    if found is None:
        return {}
    return _table(*found)


def _table(ids: array, weights: array | float) -> dict[int, float]:
    """docnum -> weight, from a filter term's kept postings."""
    return dict.fromkeys(ids, weights) if isinstance(weights, float) else dict(zip(ids, weights, strict=True))


def _docnums(leaf: Searcher, q: wq.Term, deadline: float | None, ctx: _Context) -> set[int]:
    m = _postings(leaf, q, ctx)
    out: set[int] = set()
    if m is not None:
        for ids, _weights in _blocks(m, deadline):
            out.update(ids)
    return out


class _Context:
    """One search's lookups, each made once: a term's BM25F constants (its idf and
    average length are the whole index's) and its term info in each segment. Through ``Term.matcher``
    each term and segment looked the term up four to six times, and the index-wide
    statistics once per segment: two fifths of a fuzzy query's time."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        # The index's folder (None: not an index of files, whose filter postings are not kept).
        self.folder: str | None = getattr(getattr(getattr(searcher, "_ix", None), "storage", None),
                                          "folder", None)
        self.tables: _Tables = {}
        self._schema = searcher.schema  # every segment reader's too
        self._bytes: dict[tuple[str, Any], bytes | None] = {}  # None: not a field of the schema
        self._unscored: dict[str, bool] = {}
        self._scorers: dict[tuple[str, Any], tuple[float, float, float, float]] = {}
        self._infos: dict[tuple[int, str, Any], Any] = {}
        self._files: dict[int, tuple[Any, memoryview, dict[str, int], Any, memoryview]] = {}

    def scorer(self, q: wq.Term) -> tuple[float, float, float, float]:
        """The term's BM25F constants, as ``BM25F.scorer`` gives them to ``BM25FScorer``:
        idf, average field length, B and K1 (the idf is cached by the searcher)."""
        key = (q.fieldname, q.text)
        found = self._scorers.get(key)
        if found is None:
            searcher, weighting = self._searcher, self._searcher.weighting
            if not searcher.schema[q.fieldname].scorable:
                raise _NotPlain
            found = self._scorers[key] = (
                self._idf(q), searcher.avg_field_length(q.fieldname) or 1,
                weighting._field_B.get(q.fieldname, weighting.B), weighting.K1)
        return found

    def _idf(self, q: wq.Term) -> float:
        """``WeightingModel.idf``, its document frequency from the term infos this search
        reads in every segment anyway (Whoosh looked each up again, once per segment)."""
        found = 0
        for leaf, _offset in self._searcher.leaf_searchers():
            reader = leaf.reader()
            info = self.info(reader, q)
            found += 0 if info is None else info[0]
        return log(self._searcher.doc_count_all() / (found + 1)) + 1

    def unscored(self, q: wq.Query) -> bool:
        """Whether ``q`` is a term of a field that is not scored (it scores its weight)."""
        if type(q) is not wq.Term or q.boost != 1.0:
            return False
        found = self._unscored.get(q.fieldname)
        if found is None:
            found = self._unscored[q.fieldname] = _unscored(self._searcher, q)
        return found

    def term_bytes(self, q: wq.Term) -> bytes | None:
        """The term as its field indexes it (None: not a field of the schema)."""
        key = (q.fieldname, q.text)
        found = self._bytes.get(key, _UNSEEN)
        if found is _UNSEEN:
            schema = self._schema
            if q.fieldname not in schema:
                found = None
            else:
                found = q.text if isinstance(q.text, bytes) else schema[q.fieldname].to_bytes(q.text)
            self._bytes[key] = found
        return found  # type: ignore[return-value]

    def files(self, reader: Any) -> tuple[Any, memoryview, dict[str, int], Any, memoryview]:
        """A segment's term table, its buffer and field numbers, and its postings file and
        buffer (both held in memory by Whoosh)."""
        found = self._files.get(id(reader))
        if found is None:
            terms: Any = getattr(reader, "_terms", None)
            if not isinstance(terms, whoosh3.W3TermsReader):  # not a segment of Whoosh 3's format
                raise _NotPlain
            tindex, postfile = terms._tindex, terms._postfile
            tbuf, pbuf = getattr(tindex.dbfile, "_buf", None), getattr(postfile, "_buf", None)
            if tbuf is None or pbuf is None:
                raise _NotPlain
            found = self._files[id(reader)] = (tindex, tbuf, terms._fieldmap, postfile.file, pbuf)
        return found

    def info(self, reader: Any, q: wq.Term) -> tuple[int, int] | None:
        """The term's document frequency and postings' offset in a segment (None: not there)."""
        key = (id(reader), q.fieldname, q.text)
        found = self._infos.get(key, _UNSEEN)
        if found is _UNSEEN:
            tindex, buf, fields, _file, _postings = self.files(reader)
            text = self.term_bytes(q)
            # W3TermsReader.term_info read in the table's buffer: no exception when the term
            # is missing (a third of a search's lookups: most words are in no note), no
            # W3TermInfo made.
            at = None if text is None else find(tindex, _FIELD.pack(fields.get(q.fieldname, 65535)) + text)
            if at is None:
                found = None
            elif at[1] == TERM_INFO.size and buf[at[0]] == 0:  # postings not inlined in the info
                info = TERM_INFO.unpack_from(buf, at[0])
                found = (info[2], info[8])
            else:
                raise _NotPlain
            self._infos[key] = found
        return found

    def estimate(self, reader: Any, q: wq.Query) -> int:
        """``q.estimate_size(reader)``, from the term infos already read."""
        if type(q) is wq.Term:
            info = self.info(reader, q)
            return 0 if info is None else info[0]
        if type(q) is wq.Or:  # CompoundQuery.estimate_size
            return min(sum(self.estimate(reader, s) for s in q.subqueries), reader.doc_count())
        return int(q.estimate_size(reader))


def _postings(leaf: Searcher, q: wq.Term, ctx: _Context) -> _Postings | None:
    """The term's postings in this segment, at their first block (None: absent).
    Deletions are the caller's to apply."""
    reader = leaf.reader()
    info = ctx.info(reader, q)
    if info is None:
        return None
    _tindex, _tbuf, _fields, file, buf = ctx.files(reader)
    return _Postings(file, buf, info[1])


class _Postings:
    """A term's posting blocks in a segment, each block's header read as Whoosh's
    ``W3LeafMatcher._goto`` reads it, without a matcher made around them (half of
    what reading a rare word's postings in a segment cost)."""

    __slots__ = ("_buf", "_compression", "_dataoffset", "_file", "_lastblock", "_maxid", "_nextoffset")

    def __init__(self, file: Any, buf: memoryview, offset: int) -> None:
        if buf[offset : offset + 4] != whoosh3.WHOOSH3_HEADER_MAGIC:
            raise _NotPlain
        self._file = file  # the postings file's reader of ``buf``, for pickled headers
        self._buf = buf
        self._goto(offset + 4)

    def _goto(self, position: int) -> None:
        (length,) = _INT.unpack_from(self._buf, position)
        self._lastblock = length < 0  # the last block's length is written negative
        self._nextoffset = position + 4 + abs(length)
        self._file.seek(position + 4)
        _count, self._maxid, _weight, self._compression, _low, _high = load(self._file)
        self._dataoffset = self._file.tell()


def _blocks(m: _Postings, deadline: float | None) -> Iterator[tuple[list[int], Sequence[float]]]:
    """Each block's docnums and weights, read whole (Whoosh's block format, whoosh3)."""
    while True:
        if deadline is not None and time.perf_counter() > deadline:
            raise _TimeUp
        yield _block(m)
        if m._lastblock:
            return
        m._goto(m._nextoffset)


def _blocks_within(m: _Postings, docs: list[int],
                   deadline: float | None) -> Iterator[tuple[list[int], Sequence[float]]]:
    """The docnums and weights of the blocks that may hold some of ``docs`` (ascending):
    a block's header gives its last docnum, so the others are passed unread."""
    i, count = 0, len(docs)
    while i < count:
        if deadline is not None and time.perf_counter() > deadline:
            raise _TimeUp
        last = m._maxid
        if docs[i] <= last:
            yield _block(m)
            i = bisect_right(docs, last, i)
        if m._lastblock:
            return
        m._goto(m._nextoffset)


def _block(m: _Postings) -> tuple[list[int], Sequence[float]]:
    """The docnums and weights of the block ``m`` is at."""
    ids, weights, _values = _block_whole(m)
    return ids, weights


def _block_whole(m: _Postings) -> tuple[list[int], Sequence[float], Any]:
    """The docnums, weights and values of the block ``m`` is at, as Whoosh stored them."""
    data: bytes | memoryview = m._buf[m._dataoffset : m._nextoffset]
    if m._compression:
        data = decompress(data)  # type: ignore[arg-type]  # any buffer, as zlib's
    ids, weights, values = loads(data)
    ids = list(accumulate(ids))  # delta-coded
    if weights is None:
        weights = (1.0,) * len(ids)
    elif isinstance(weights, float):
        weights = (weights,) * len(ids)
    return ids, weights, values


def posting_blocks(file: Any, buf: memoryview,
                   offset: int) -> Iterator[tuple[list[int], Sequence[float], Any]]:
    """Each block of a term's postings at ``offset`` of ``buf``, whole: its docnums, weights
    and values (``file`` reads ``buf``, for the pickled block headers)."""
    if buf[offset : offset + 4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no postings at {offset}")
    m = _Postings(file, buf, offset)
    while True:
        yield _block_whole(m)
        if m._lastblock:
            return
        m._goto(m._nextoffset)


def _lengths(leaf: Searcher, fieldname: str) -> bytes | None:
    """The segment's field lengths, one byte a document, if held in memory."""
    perdoc = getattr(leaf.reader(), "_perdoc", None)
    if perdoc is None:
        return None
    column: Any = perdoc._cached_reader(f"_{fieldname}_len", whoosh3.LENGTHS_COLUMN)
    return column.data if isinstance(column, LengthsInMemory) else None
