"""Combining an index's segments into one, meant for idle time in a child process.

Every segment costs each search a term lookup per word and field: on the
benchmark, a rebuild's 8 segments made two-word searches 1.7x slower than one
segment. A rebuild cannot write fewer (a worker's memory bounds a segment to
a number of records), and Whoosh's merge pushes every posting through its pool
(many times as long as the rebuild; docs/ARCHITECTURE.md). Each segment's terms
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
import os
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, cast

from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.codec.base import Segment
from whoosh.filedb import filetables
from whoosh.filedb.compound import SubFile
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from storage.index.block_data import BlockValues, counts_bytes, value_item
from storage.index.bulk import BulkSegmentWriter
from storage.index.codec import create_index, open_index, segment_writer
from storage.index.folder import IndexLock, empty
from storage.index.term_union import posting_blocks
from storage.index.term_writer import ENTRY, TERM_INFO, TermWriter

# Postings gathered before a range of terms is written: bounds the memory a combine
# takes beyond the segments' own files (a posting's docnum, count and value).
BATCH_POSTINGS = 1 << 20
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
        return self._compound.range(self._segment.make_filename(ext))

    def _file(self, start: int, length: int) -> StructFile:
        return StructFile(cast(BinaryIO, SubFile(self._map, start, length)))

    def column(self, name: str, column: Any) -> Any:
        """A per-document column's reader (None: the segment has none)."""
        filename = whoosh3.W3Codec.column_filename(self._segment, name)
        if not self._compound.file_exists(filename):
            return None
        start, length = self._compound.range(filename)
        return column.reader(self._file(start, length), 0, length, self._segment.doc_count_all())

    def postings(self, offset: int) -> Iterator[tuple[list[int], Sequence[float], Any]]:
        """The blocks of the postings at ``offset`` of the postings file."""
        return posting_blocks(self._map, self.view, self.postings_start + offset)

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

    def __init__(self, ix: FileIndex, sources: Any) -> None:
        super().__init__(ix)
        self._source_storage = sources  # where the segments to combine are
        self._sources: list[_Source] = []

    def add_sources(self, segments: Sequence[Segment]) -> list[_Source]:
        perdoc = self.perdocwriter
        for segment in segments:
            files = _Files(self._source_storage, segment)
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
        # Set by W3FieldWriter on the segment, not declared by the class.
        for name, total in vars(source.segment)["_fieldlengths"].items():
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


class _Batch:
    """Terms and their postings gathered for ``TermWriter.add_terms``."""

    def __init__(self, size: int | None) -> None:
        self.size = size  # the field's fixed value size (None: any, a value a posting; 0: none)
        self.terms: list[bytes] = []
        self.starts = [0]
        self.docs = array("I")
        self.freqs = array("I")
        self.values: list[bytes] = []  # size None: each pickled as a block's item (value_item)
        self.joined = bytearray()  # size > 0: the values joined

    def add(self, source: _Source, ids: list[int], weights: Sequence[float], vals: Any) -> None:
        """A block's postings, their docnums made the combined segment's."""
        if source.kept is None:
            base = source.base
            self.docs.extend([d + base for d in ids])
            self.freqs.extend([int(w) for w in weights])
            if isinstance(vals, (bytes, bytearray, memoryview)):
                self.joined += vals
            elif vals is not None:
                self.values.extend(map(value_item, vals))
            return
        kept = source.kept
        keep = [k for k in range(len(ids)) if kept[ids[k]] >= 0]
        self.docs.extend([kept[ids[k]] for k in keep])
        self.freqs.extend([int(weights[k]) for k in keep])
        if isinstance(vals, (bytes, bytearray, memoryview)):
            size = len(vals) // len(ids)
            for k in keep:
                self.joined += vals[size * k : size * (k + 1)]
        elif vals is not None:
            self.values.extend([value_item(vals[k]) for k in keep])

    def arguments(self) -> tuple[Any, ...]:
        """``TermWriter.add_terms``'s arguments."""
        values: BlockValues
        if self.size is None:
            values = BlockValues("items", self.values)
        elif self.size == 0:
            values = BlockValues("none")
        elif self.size == 4 and bytes(self.joined) == counts_bytes(self.freqs):  # Frequency's
            values = BlockValues("counts")
        else:
            raise ValueError(f"combine cannot write values of {self.size} bytes other than counts")
        return self.terms, self.starts, self.docs, self.freqs, values


def _combined_terms(sources: list[_Source], name: str, size: int | None) -> Iterator[tuple[Any, ...]]:
    """A field's terms over all sources, in order, a batch at a time, as
    ``TermWriter.add_terms`` takes them."""
    streams = [_field_terms(i, s, name) for i, s in enumerate(sources)]
    batch = _Batch(size)
    for term, parts in groupby(heapq.merge(*streams), key=itemgetter(0)):
        before = len(batch.docs)
        for _term, i, info in parts:
            _read_postings(sources[i], info, batch)
        if len(batch.docs) == before:  # all its documents deleted
            continue
        batch.terms.append(term)
        batch.starts.append(len(batch.docs))
        if len(batch.docs) >= BATCH_POSTINGS:
            yield batch.arguments()
            batch = _Batch(size)
    if batch.terms:
        yield batch.arguments()


def _field_terms(index: int, source: _Source, name: str) -> Iterator[tuple[bytes, int, bytes]]:
    """A source's terms of a field, in order: (term, source index, term info bytes)."""
    files = source.files
    fieldid = files.fieldmap.get(name)
    if fieldid is None:
        return
    prefix = pack_ushort(fieldid)
    position = files.terms.closest_key_pos(prefix)
    if position is None:
        return
    view, base, end = files.view, files.terms_start, files.terms.endofdata
    while position < end:  # the entries, one after another (OrderedHashWriter)
        keylen, datalen = ENTRY.unpack_from(view, base + position)
        at = base + position + ENTRY.size
        key = bytes(view[at : at + keylen])
        if key[:2] != prefix:
            return
        yield key[2:], index, bytes(view[at + keylen : at + keylen + datalen])
        position += ENTRY.size + keylen + datalen


def _read_postings(source: _Source, info: bytes, batch: _Batch) -> None:
    """Adds a source's postings of a term to the batch."""
    if info[0]:  # Whoosh 3 inlines fewer postings than its inlinelimit, 1 for this index: none
        raise ValueError(f"segment {source.segment.segment_id()} has postings inlined in a term's info")
    try:
        for ids, weights, values in source.files.postings(TERM_INFO.unpack_from(info)[8]):
            batch.add(source, ids, weights, values)
    except ValueError as exc:
        raise ValueError(f"segment {source.segment.segment_id()}: {exc}") from exc


SCRATCH = "combining"  # the index folder's subfolder the combined segment is written in
SWAP_WAIT_S = 30.0  # for the window's or a command's index write to end
LOCK = "COMBINE_LOCK"  # held while combining (not a name Whoosh's clean-up deletes: not MAIN_*)


def combine_all(folder: Path) -> bool:
    """Combine all the segments of the index in ``folder`` into one; False if there was
    nothing to combine or the index changed under it (a rebuild), so nothing changed.

    The segment is written in a folder of its own, while the window goes on committing:
    Whoosh deletes files of segments no table of contents names (``clean_files``) and
    each writer's temporary folder at each commit. Only the swap takes the index's lock.
    """
    ix = open_index(folder)
    # One combine at a time (two windows on one project): the scratch folder is emptied first.
    lock = ix.storage.lock(LOCK)
    if not lock.acquire(blocking=False):
        ix.close()
        return False
    try:
        segments = ix._segments()  # private, but the only way to ask
        if len(segments) < 2:
            return False
        scratch = folder / SCRATCH
        _clear(scratch)
        scratch.mkdir()
        target = create_index(scratch, ix.schema)
        try:
            combined, sources = _combine(target, ix.storage, segments)
            return _replace(ix, combined, sources, scratch)
        finally:
            target.close()
            _clear(scratch)
    finally:
        lock.release()
        ix.close()


def _clear(scratch: Path) -> None:
    """Empty and remove the scratch folder, file by file of the names written there."""
    if scratch.is_symlink() or (scratch.exists() and not scratch.is_dir()):
        scratch.unlink()
    elif scratch.is_dir() and not empty(scratch, temporary=True):
        scratch.rmdir()


def _combine(target: FileIndex, storage: Any,
             segments: Sequence[Segment]) -> tuple[Segment, list[_Source]]:
    """Write ``segments`` (files in ``storage``) as one new segment of ``target``; returns
    it and where each source's documents went."""
    writer = _CombinedWriter(target, storage)
    try:
        sources = writer.add_sources(segments)
        combined = writer.finish()
    except BaseException:
        writer.cancel()
        raise
    if combined is None:
        raise ValueError("no documents to combine")
    return combined, sources


def _replace(ix: FileIndex, combined: Segment, sources: list[_Source], scratch: Path) -> bool:
    """Make ``combined`` (its file in ``scratch``) live in place of its sources, with the
    deletions made in them since it was written; False (nothing changed) if a source is
    gone meanwhile."""
    with IndexLock(Path(cast(FileStorage, ix.storage).folder)).held(SWAP_WAIT_S):
        return _swap(ix, combined, sources, scratch)


def _swap(ix: FileIndex, combined: Segment, sources: list[_Source], scratch: Path) -> bool:
    writer = segment_writer(ix, timeout=30)
    try:
        current = {s.segment_id(): s for s in writer.segments}
        ids = {s.segment.segment_id() for s in sources}
        if not ids <= current.keys():
            writer.cancel()
            return False
        for source in sources:
            now = current[source.segment.segment_id()]
            before = set(source.segment.deleted_docs()) if source.segment.has_deletions() else set()
            for old in sorted(set(now.deleted_docs()) - before) if now.has_deletions() else ():
                new = source.base + old if source.kept is None else source.kept[old]
                combined.delete_document(new)
        name = combined.make_filename(combined.COMPOUND_EXT)
        os.replace(scratch / name, Path(cast(FileStorage, ix.storage).folder) / name)
        final = [combined] + [s for s in writer.segments if s.segment_id() not in ids]
        writer._close_segment()
        writer._commit_toc(final)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
    return True
