"""A faster writer for full rebuilds: Whoosh's own segment files, built in memory.

Whoosh's ``SegmentWriter`` sends every value through a chain of token
generators, pushes each posting through an external-sort pool, and reads each
posting's field length back from disk while writing; in pure Python that held
a rebuild to about 0.4 MB/s here. A rebuild knows more than an edit does:
records arrive in docnum order, so each term's postings are already sorted; the
same words recur, so each word is analysed once (``WordCache``); and whole
blocks can be handed to Whoosh's own postings writer. The files are Whoosh's
own: tests compare every term, posting, length and stored field with what
``SegmentWriter`` writes for the same records.

It leans on ``SegmentWriter`` internals, so ``pyproject.toml`` pins whoosh-reloaded.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from whoosh import index as windex
from whoosh.codec.base import Segment
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from storage.index.analysis import WordCache

# A segment is written out once it holds this many postings. Every segment costs
# each query (on the 53 MB benchmark, 6 segments made term queries 3x slower than one;
# a Whoosh merge of them took 208 s, longer than the rebuild), while postings held in
# memory cost about 58 bytes each (a worker: 66 MB, plus about 230 MB at this bound).
MAX_POSTINGS = 4_000_000
COMPRESS_MIN = 8  # postings in a block worth compressing; most rare words have one or two
_CACHED_FIELDS = {"doc", "tag", "color", "lang", "kind", "published", "created"}

_Postings = tuple[array, array, list[bytes]]  # docnums, weights, encoded values
_POSITIONS = Positions()  # its encode() is the one every plain TEXT field uses


class BulkSegmentWriter(SegmentWriter):
    """Writes one new segment from records added in order; no index lock taken.

    ``finish()`` returns the segment; ``commit_segments`` makes segments live.
    """

    def __init__(self, ix: windex.Index) -> None:
        super().__init__(ix, _lk=False, limitmb=1)  # the pool stays unused
        self._terms: dict[str, dict[bytes, _Postings]] = {}
        self._lengths: dict[str, dict[int, int]] = {}  # scorable field -> docnum -> stored length
        self._fast: dict[str, WordCache] = {}
        self._counts_only: dict[str, bool] = {}  # Frequency format: no positions stored
        self._items_cache: dict[tuple[str, Any], list[tuple[bytes, int, float, bytes]]] = {}
        self._single: dict[int, bytes] = {}  # the encoding of a one-position posting, by position
        self._counts: dict[int, bytes] = {}  # the encoding of a count, by count
        self.postings = 0
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector or field.column_type is not None:
                raise ValueError(f"bulk writer cannot write field {name!r} (spelling, vectors or columns)")
            # TEXT fields only: their lengths count tokens (KEYWORD fields store none).
            if (isinstance(field, TEXT) and field.scorable and field.format.field_boost == 1.0
                    and type(field.format) in (Positions, Frequency)):
                cache = WordCache.for_analyzer(field.analyzer)
                if cache is not None:
                    self._fast[name] = cache
                    self._counts_only[name] = type(field.format) is Frequency

    def add_document(self, **fields: Any) -> None:
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            if name.startswith("_"):
                raise ValueError(f"bulk writer does not support {name!r} (boosts, custom stored values)")
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                terms = self._terms.get(name)
                if terms is None:
                    terms = self._terms[name] = {}
                fast = self._fast.get(name)
                if fast is not None:
                    length = self._add_text(terms, fast, value, docnum, self._counts_only[name])
                else:
                    length = self._add_items(terms, self._items(name, field, value), docnum, field.scorable)
                if length:
                    # What SegmentWriter reads back for block statistics: the length as stored.
                    lengths = self._lengths.setdefault(name, {})
                    lengths[docnum] = byte_to_length(length_to_byte(length))
            perdoc.add_field(name, field, value if field.stored else None, length)
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_text(self, terms: dict[bytes, _Postings], fast: WordCache, text: str, docnum: int,
                  counts_only: bool) -> int:
        """Postings of one text value; returns its length in tokens."""
        length = 0
        single = self._counts if counts_only else self._single
        found = fast.positions(text)
        self.postings += len(found)
        for term, poses in found.items():
            freq = len(poses)
            length += freq
            if counts_only:  # Frequency.word_values' value: the count
                vbytes = single.get(freq)
                if vbytes is None:
                    vbytes = single[freq] = pack_uint(freq)
            elif freq == 1:
                pos = poses[0]
                vbytes = single.get(pos)
                if vbytes is None:
                    vbytes = single[pos] = _POSITIONS.encode(poses)
            else:
                vbytes = _POSITIONS.encode(poses)
            postings = terms.get(term)
            if postings is None:
                postings = terms[term] = (array("I"), array("f"), [])
            postings[0].append(docnum)
            postings[1].append(freq)
            postings[2].append(vbytes)
        return length

    def _add_items(self, terms: dict[bytes, _Postings], items: Sequence[tuple[bytes, int, float, bytes]],
                   docnum: int, scorable: bool) -> int:
        length = 0
        for tbytes, freq, weight, vbytes in items:
            if scorable:
                length += freq
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = (array("I"), array("f"), [])
            postings[0].append(docnum)
            postings[1].append(weight)
            postings[2].append(vbytes)
        self.postings += len(items)
        return length

    def _items(self, name: str, field: Any, value: Any) -> Sequence[tuple[bytes, int, float, bytes]]:
        if name not in _CACHED_FIELDS:
            return list(field.index(value))
        key = (name, value)
        items = self._items_cache.get(key)
        if items is None:
            if len(self._items_cache) > 50_000:
                self._items_cache.clear()
            items = self._items_cache[key] = list(field.index(value))
        return items

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for name in sorted(self._terms):
            terms = self._terms[name]
            fieldwriter.start_field(name, self.schema[name])
            postwriter = fieldwriter._postwriter
            limit = postwriter._blocklimit
            level = postwriter._compression
            lengths = self._lengths.get(name, {})
            for tbytes in sorted(terms):
                ids, weights, values = terms[tbytes]
                fieldwriter.start_term(tbytes)
                count = len(ids)
                for lo in range(0, count, limit):
                    hi = min(lo + limit, count)
                    # Each block records its own compression: skip it where it saves little.
                    postwriter._compression = level if hi - lo >= COMPRESS_MIN else 0
                    _fill_block(postwriter, ids[lo:hi], weights[lo:hi], values[lo:hi], lengths)
                    if hi < count:  # the last block stays buffered for finish_term
                        postwriter._write_block()
                fieldwriter.finish_term()
            fieldwriter.finish_field()
            del self._terms[name]  # give the memory back as we go
        self.fieldwriter.close()

    def _finish(self) -> None:
        # Every writer of an index shares its temp folder (MAIN.tmp) and SegmentWriter
        # deletes it here, under the feet of bulk writers in other processes: leave it
        # to the writer in commit_segments, which runs once they are all done.
        self.is_closed = True

    def finish(self) -> Segment | None:
        """Write the segment's files and return it (None if nothing was added)."""
        if not self._added:
            self.cancel()
            return None
        segment = self._finalize_segment()
        self._finish()
        return segment


def _fill_block(postwriter: Any, ids: array, weights: array, values: list[bytes],
                lengths: dict[int, int]) -> None:
    """Load one block into Whoosh's postings writer as ``add_posting`` would have."""
    postwriter._ids = ids
    postwriter._weights = weights
    postwriter._values = [v for v in values if v]
    top = max(weights)
    postwriter._maxweight = top if top > 0 else 0
    found = [n for n in map(lengths.get, ids) if n]
    postwriter._minlength = min(found) if found else None
    postwriter._maxlength = max(found) if found else 0


def build_segments(ix: windex.Index, records: Iterable[dict[str, Any]],
                   max_postings: int = MAX_POSTINGS) -> tuple[list[Segment], int]:
    """Write records into new segments (not yet live); returns them and the record count."""
    segments: list[Segment] = []
    count = 0
    writer = BulkSegmentWriter(ix)
    try:
        for record in records:
            writer.add_document(**record)
            count += 1
            if writer.postings >= max_postings:
                segment = writer.finish()
                if segment is not None:
                    segments.append(segment)
                writer = BulkSegmentWriter(ix)
    except BaseException:
        writer.cancel()
        raise
    segment = writer.finish()
    if segment is not None:
        segments.append(segment)
    return segments, count


def commit_segments(ix: windex.Index, segments: list[Segment], writer: SegmentWriter | None = None,
                    merge: bool = False) -> None:
    """Make segments written by ``BulkSegmentWriter`` (here or in other processes) live.

    ``writer``: an open writer whose own deletions and additions go in the same
    commit (SegmentWriter.commit, with the new segments appended to its list).
    """
    writer = writer or ix.writer(timeout=30)
    try:
        final = writer._merge_segments(None, None, merge)
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final + segments)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
