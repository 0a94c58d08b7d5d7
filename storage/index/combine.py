"""Combining an index's segments into one, meant for idle time in a child process.

Every segment costs each search a term lookup per word and field: on the
benchmark, a rebuild's 8 segments made two-word searches 1.7x slower than one
segment. A rebuild cannot write fewer (a worker's memory bounds a segment to
about 23,000 records), and Whoosh's merge pushes every posting through its pool
(208 s for the benchmark's index, ten times the rebuild). Each segment's terms
file holds its terms in order, so one pass over all the segments' terms in step
yields the combined terms in order: a term's posting blocks are read back from
each segment, their docnums moved up by the documents before that segment
(deleted ones dropped), and written again by ``TermWriter``; stored records and
length bytes are copied as they are. Only the final commit takes the index's
lock; deletions made while the segment was being written are carried into it.
"""

from __future__ import annotations

import heapq
import mmap
import pickle
import struct
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby
from operator import itemgetter
from typing import Any

from whoosh import columns
from whoosh import index as windex
from whoosh.codec import whoosh3
from whoosh.codec.base import Segment
from whoosh.filedb import filetables
from whoosh.filedb.compound import SubFile
from whoosh.filedb.structfile import StructFile
from whoosh.util.numeric import byte_to_length

from storage.index.bulk import BulkSegmentWriter
from storage.index.deflate import decompress
from storage.index.term_writer import TermWriter

# Postings gathered before a range of terms is written: bounds the memory a combine
# takes beyond the segments' own files (a posting's docnum, count and value).
BATCH_POSTINGS = 1 << 20
_INFO = struct.Struct("!BfIBBfIIqi")  # W3TermInfo's fields, then its postings' offset and length
_LENGTH = struct.Struct("!i")
_ENTRY = struct.Struct("!ii")  # a terms file entry's key and value lengths
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_RAW = columns.VarBytesColumn()  # the stored records' column read without unpickling or inflating


class _Files:
    """A source segment's files, read in place from its memory map: a ``SegmentReader``
    copies its terms and postings into memory (the whole index, combining them all)."""

    def __init__(self, storage: Any, segment: Segment) -> None:
        if not segment.is_compound():
            raise ValueError(f"segment {segment.segment_id()} is not a compound file")
        self._segment = segment
        self._compound = segment.open_compound_file(storage)
        self._map = self._compound._source
        if self._map is None:
            raise ValueError(f"segment {segment.segment_id()} cannot be memory-mapped")
        self.view = memoryview(self._map)
        start, length = self._range(whoosh3.W3Codec.TERMS_EXT)
        self.terms = filetables.OrderedHashReader(self._file(start, length), length)
        self.terms_start = start
        self.fieldmap: dict[str, int] = self.terms.extras["fieldmap"]
        self.postings_start = self._range(whoosh3.W3Codec.POSTS_EXT)[0]

    def _range(self, ext: str) -> tuple[int, int]:
        return self._compound.range(self._segment.make_filename(ext))  # type: ignore[no-any-return]

    def _file(self, start: int, length: int) -> StructFile:
        return StructFile(SubFile(self._map, start, length))

    def column(self, name: str, column: Any) -> Any:
        """A per-document column's reader (None: the segment has none)."""
        filename = whoosh3.W3Codec.column_filename(self._segment, name)
        if not self._compound.file_exists(filename):
            return None
        start, length = self._compound.range(filename)
        return column.reader(self._file(start, length), 0, length, self._segment.doc_count_all())

    def header(self, position: int) -> tuple[Any, int]:
        """The pickled block header at ``position`` of the postings, and where it ends."""
        self._map.seek(self.postings_start + position)
        header = pickle.load(self._map)
        return header, self._map.tell() - self.postings_start

    def forget(self) -> None:
        """Drops the pages read so far from this process's memory (they stay in the
        system's file cache): each field's postings are read once."""
        if hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        self.view.release()
        self._compound.close()


@dataclass
class _Source:
    """A segment being combined: where its kept documents go in the new one."""

    segment: Segment
    files: _Files
    base: int  # the new docnum of its first kept document
    kept: list[int] | None  # old docnum -> new docnum (-1: deleted); None: none deleted, base + docnum


class _CombinedWriter(BulkSegmentWriter):
    """Writes one segment from whole segments: ``add_sources`` copies their documents'
    records and lengths, ``finish()`` writes the combined terms."""

    def __init__(self, ix: windex.Index) -> None:
        super().__init__(ix)
        self._sources: list[_Source] = []

    def add_sources(self, segments: Sequence[Segment]) -> list[_Source]:
        perdoc = self.perdocwriter
        for segment in segments:
            files = _Files(self.storage, segment)
            count = segment.doc_count_all()
            deleted = segment.deleted_docs() if segment.has_deletions() else ()
            kept: list[int] | None = None
            if deleted:
                gone = set(deleted)
                kept, n = [], self.docnum
                for old in range(count):
                    kept.append(-1 if old in gone else n)
                    n += old not in gone
            source = _Source(segment, files, self.docnum, kept)
            self._sources.append(source)
            stored = files.column("_stored", _RAW)
            for old in range(count):
                if kept is not None and kept[old] < 0:
                    continue
                perdoc.start_doc(self.docnum)
                record = stored[old] if stored is not None else None
                if record:
                    self._add_stored(self.docnum, record)
                perdoc.finish_doc()
                self.docnum += 1
            self._add_lengths(source, count)
            files.forget()
        self._added = self.docnum > 0
        return self._sources

    def _add_lengths(self, source: _Source, count: int) -> None:
        """The source's length byte of each kept document, after those of the sources before."""
        for name, total in source.segment._fieldlengths.items():
            column = source.files.column(whoosh3._lenfield(name), whoosh3.LENGTHS_COLUMN)
            if column is None:
                continue
            data = bytes(column)
            data = data[:count].ljust(count, b"\0")
            if source.kept is not None:  # a deleted document's length leaves the total too
                total -= sum(byte_to_length(data[d]) for d in range(count) if source.kept[d] < 0 and data[d])
                data = bytes(data[d] for d in range(count) if source.kept[d] >= 0)
            lengths = self._lengths.setdefault(name, array("B"))
            lengths.extend(bytes(source.base - len(lengths)))  # sources before without the field
            lengths.frombytes(data)
            self._totals[name] = self._totals.get(name, 0) + total

    def _flush_segment(self) -> None:
        fieldwriter = self.fieldwriter
        names = sorted({name for s in self._sources for name in s.files.fieldmap})
        for name in names:
            if name not in self.schema:
                continue
            field = self.schema[name]
            fieldwriter.start_field(name, field)
            postwriter = fieldwriter._postwriter
            out = TermWriter(fieldwriter, level=postwriter._compression, limit=postwriter._blocklimit,
                             lengths=self._lengths.get(name, array("B")))
            size = field.format.fixed_value_size()
            for batch in _combined_terms(self._sources, name, size):
                out.add_terms(*batch)
            out.close()
            fieldwriter.finish_field()
            for source in self._sources:
                source.files.forget()
        for source in self._sources:
            source.files.close()
        self._write_lengths()
        self.perdocwriter.close()
        self.fieldwriter.close()


def _combined_terms(sources: list[_Source], name: str, size: int | None) -> Iterator[tuple[Any, ...]]:
    """A field's terms over all sources, in order, a batch at a time, as
    ``TermWriter.add_terms`` takes them. ``size``: the field's fixed value size
    (None: values of any size, kept a posting at a time; 0: no values)."""
    streams = [_field_terms(i, s, name) for i, s in enumerate(sources)]
    terms: list[bytes] = []
    starts = [0]
    docs: array = array("I")
    freqs: array = array("I")
    values: list[bytes] = []  # size None: a value a posting; else joined bytes
    joined = bytearray()
    for term, parts in groupby(heapq.merge(*streams), key=itemgetter(0)):
        before = len(docs)
        for _term, i, info in parts:
            _read_postings(sources[i], info, docs, freqs, values, joined)
        if len(docs) == before:  # all its documents deleted
            continue
        terms.append(term)
        starts.append(len(docs))
        if len(docs) >= BATCH_POSTINGS:
            yield _batch(terms, starts, docs, freqs, values, joined, size)
            terms, starts, docs, freqs, values, joined = [], [0], array("I"), array("I"), [], bytearray()
    if terms:
        yield _batch(terms, starts, docs, freqs, values, joined, size)


def _batch(terms: list[bytes], starts: list[int], docs: array, freqs: array, values: list[bytes],
           joined: bytearray, size: int | None) -> tuple[Any, ...]:
    if size is None:
        each = tuple(values)
        return terms, starts, docs, freqs, lambda a, b: each[a:b]
    if size == 0:
        return terms, starts, docs, freqs, lambda a, b: None
    data = bytes(joined)
    return terms, starts, docs, freqs, lambda a, b: data[size * a : size * b]


def _field_terms(index: int, source: _Source, name: str) -> Iterator[tuple[bytes, int, bytes]]:
    """A source's terms of a field, in order: (term, source index, term info bytes)."""
    files = source.files
    fieldid = files.fieldmap.get(name)
    if fieldid is None:
        return
    prefix = struct.pack("!H", fieldid)
    position = files.terms.closest_key_pos(prefix)
    if position is None:
        return
    view, base, end = files.view, files.terms_start, files.terms.endofdata
    while position < end:  # the entries, one after another (OrderedHashWriter)
        keylen, datalen = _ENTRY.unpack_from(view, base + position)
        at = base + position + _ENTRY.size
        key = bytes(view[at : at + keylen])
        if key[:2] != prefix:
            return
        yield key[2:], index, bytes(view[at + keylen : at + keylen + datalen])
        position += _ENTRY.size + keylen + datalen


def _read_postings(source: _Source, info: bytes, docs: array, freqs: array,
                   values: list[bytes], joined: bytearray) -> None:
    """Appends a source's postings of a term, their docnums made the combined segment's."""
    if info[0]:  # postings inlined in the term info (Whoosh's writer, a term with one posting)
        ids, weights, vals = whoosh3.W3TermInfo.from_bytes(info).inlined_postings()
        _append(source, list(ids), weights, vals, docs, freqs, values, joined)
        return
    offset = _INFO.unpack_from(info)[8]
    files = source.files
    base = files.postings_start
    buf = files.view
    if buf[base + offset : base + offset + 4] != _MAGIC:
        raise ValueError(f"postings at {offset} of segment {source.segment.segment_id()} have no header")
    position = offset + 4
    while True:
        (length,) = _LENGTH.unpack_from(buf, base + position)
        end = position + 4 + abs(length)
        header, start = files.header(position + 4)
        data: Any = buf[base + start : base + end]
        if header[3]:  # compressed
            data = decompress(data)
        gaps, weights, vals = pickle.loads(data)
        count = len(gaps)
        if weights is None:
            weights = (1,) * count
        elif isinstance(weights, float):
            weights = (weights,) * count
        _append(source, list(accumulate(gaps)), weights, vals, docs, freqs, values, joined)
        if length < 0:  # the last block's length is written negative
            return
        position = end


def _append(source: _Source, ids: list[int], weights: Sequence[float], vals: Any, docs: array,
            freqs: array, values: list[bytes], joined: bytearray) -> None:
    count = len(ids)
    if source.kept is None:
        base = source.base
        docs.extend([d + base for d in ids])
        freqs.extend([int(w) for w in weights])
        if isinstance(vals, (bytes, bytearray, memoryview)):
            joined += vals
        elif vals is not None:
            values.extend(vals)
        return
    kept = source.kept
    keep = [k for k in range(count) if kept[ids[k]] >= 0]
    docs.extend([kept[ids[k]] for k in keep])
    freqs.extend([int(weights[k]) for k in keep])
    if isinstance(vals, (bytes, bytearray, memoryview)):
        size = len(vals) // count if count else 0
        for k in keep:
            joined += vals[size * k : size * (k + 1)]
    elif vals is not None:
        values.extend([vals[k] for k in keep])


def combine(ix: windex.Index, segments: Sequence[Segment]) -> tuple[Segment, list[_Source]]:
    """Write ``segments`` as one new segment (not yet live); returns it and where each
    source's documents went, for ``replace``."""
    writer = _CombinedWriter(ix)
    try:
        sources = writer.add_sources(segments)
        combined = writer.finish()
    except BaseException:
        writer.cancel()
        raise
    if combined is None:
        raise ValueError("no documents to combine")
    return combined, sources


def replace(ix: windex.Index, combined: Segment, sources: list[_Source]) -> bool:
    """Make ``combined`` live in place of its sources, with the deletions made in them
    since it was written; False (and nothing changed) if a source is gone meanwhile,
    as after a rebuild."""
    writer = ix.writer(timeout=30)
    try:
        current = {s.segment_id(): s for s in writer.segments}
        ids = {s.segment.segment_id() for s in sources}
        if not ids <= current.keys():
            writer.cancel()  # the next commit deletes the unused segment's file
            return False
        for source in sources:
            now = current[source.segment.segment_id()]
            before = set(source.segment.deleted_docs()) if source.segment.has_deletions() else set()
            for old in sorted(set(now.deleted_docs()) - before) if now.has_deletions() else ():
                new = source.base + old if source.kept is None else source.kept[old]
                combined.delete_document(new)
        final = [combined] + [s for s in writer.segments if s.segment_id() not in ids]
        writer._close_segment()
        writer._commit_toc(final)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
    return True
