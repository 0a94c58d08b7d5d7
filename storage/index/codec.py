"""Our Whoosh codec and storage: Whoosh's own classes, subclassed where we read or write
faster, so nothing of Whoosh is changed for any other index in the process.

A segment records the codec that wrote it (Whoosh pickles it into the index's table of
contents), and its readers come from that codec: segments written through ``CODEC``
are read through it. What each part does differently, all without changing what a
search returns or how it scores (tests/storage/test_codec.py compares with stock Whoosh):

1. ``LengthsPerDocReader``: a field's lengths column is read into memory once, and the
   answer "this field has no lengths column" is cached too (Whoosh asks the file system
   again for each posting of an unscored field).
2. ``FastTermTable``: binary searches of a sorted term table keep the keys of their top
   twelve levels in memory (every search probes the same first keys), and a hash lookup
   reads its slots in place in the file's buffer.
3. ``CachedAutomata``: the Levenshtein automaton of a fuzzy term is built once per query
   word, not once per segment and field.
4. ``Protocol5PostingsWriter``: posting blocks are pickled with protocol 5 (bytes as
   bytes) as rebuilds write them (``block_data``); Whoosh's reader takes any protocol.
5. ``DossierStorage``: creating a folder that exists keeps no caught ``OSError`` (and so
   no reference cycle that kept every writer alive until a full garbage collection).

docs/BENCHMARKS.md has what each saves.
"""

from __future__ import annotations

import errno
import operator
import os
import pickle
import zlib
from functools import lru_cache
from typing import Any, cast

from whoosh.codec import base, whoosh3
from whoosh.fields import Schema
from whoosh.filedb import filestore, filetables
from whoosh.index import FileIndex
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

_MISSING = object()
CACHED_LEVELS = 12


class LengthsInMemory:
    """A lengths column (one unsigned byte per document) held as bytes."""

    def __init__(self, reader: Any) -> None:
        count = reader._count
        self.data = reader._dbfile.get(reader._basepos, count) if count else b""
        self._default = reader._default

    def __getitem__(self, docnum: int) -> int:
        data = self.data
        return data[docnum] if docnum < len(data) else self._default

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class LengthsPerDocReader(whoosh3.W3PerDocReader):
    def _cached_reader(self, fieldname: str, column: Any) -> Any:
        cached = self._readers.get(fieldname, _MISSING)
        if cached is not _MISSING:
            return cached
        reader = super()._cached_reader(fieldname, column)
        if reader is not None and column is whoosh3.LENGTHS_COLUMN:
            reader = LengthsInMemory(reader)
        self._readers[fieldname] = reader
        return reader


_pointer_at = filetables._pointer.unpack_from  # a slot's hash and key position
_lengths_at = filetables._lengths.unpack_from  # an entry's key and value lengths


def find(table: Any, key: bytes) -> tuple[int, int] | None:
    """The first (value position, value length) of ``key`` in a hash file, as
    ``HashReader.ranges_for_key`` finds it, its slots read in the file's buffer."""
    if not isinstance(key, bytes):
        raise TypeError(f"Key {key!r} should be bytes")
    buf = getattr(table.dbfile, "_buf", None)
    if buf is None:  # not a file held in memory
        return next(filetables.HashReader.ranges_for_key(table, key), None)
    keyhash = table.hashfn(key)
    tablestart, numslots = table.tables[keyhash & 255]
    if not numslots:
        return None
    end = tablestart + numslots * 12
    slotpos = tablestart + ((keyhash >> 8) % numslots) * 12
    size = len(key)
    for _ in range(numslots):
        slothash, itempos = _pointer_at(buf, slotpos)
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, datalen = _lengths_at(buf, itempos)
            start = itempos + 8
            if keylen == size and buf[start : start + size] == key:
                return start + size, datalen
        slotpos += 12
        if slotpos == end:
            slotpos = tablestart
    return None


class FastTermTable(filetables.OrderedHashReader):
    """A segment's sorted term table: top probe keys cached, lookups read in place."""

    _probe_keys: dict[int, bytes]

    def closest_key_pos(self, key: bytes) -> int | None:
        if not isinstance(key, bytes):
            raise TypeError(f"Key {key!r} should be bytes")
        cache = self.__dict__.get("_probe_keys")
        if cache is None:
            cache = self._probe_keys = {}
        indexbase = self.indexbase
        indexsize = self.indexsize
        key_at = self.key_at
        get_pos = self._get_pos
        lo, hi, level = 0, self.indexlen, 0
        while lo < hi:
            mid = (lo + hi) // 2
            midkey = cache.get(mid) if level < CACHED_LEVELS else None
            if midkey is None:
                midkey = key_at(get_pos(indexbase + mid * indexsize))
                if level < CACHED_LEVELS:
                    cache[mid] = midkey
            if midkey < key:
                lo = mid + 1
            else:
                hi = mid
            level += 1
        if lo == self.indexlen:
            return None
        pos: int = get_pos(indexbase + lo * indexsize)
        return pos

    def __getitem__(self, key: bytes) -> bytes:
        found = find(self, key)
        if found is None:
            raise KeyError(key)
        value: bytes = self.dbfile.get(*found)
        return value

    def range_for_key(self, key: bytes) -> tuple[int, int]:
        found = find(self, key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and find(self, key) is not None

    def get(self, key: bytes, default: Any = None) -> Any:
        found = find(self, key)
        return default if found is None else self.dbfile.get(*found)


class FastTermsReader(whoosh3.W3TermsReader):
    def __init__(self, codec: Any, dbfile: Any, length: int, postfile: Any) -> None:
        super().__init__(codec, dbfile, length, postfile)
        self._tindex = FastTermTable(dbfile, length)


class CachedAutomata(base.Automata):
    levenshtein_dfa = staticmethod(lru_cache(maxsize=128)(base.Automata.levenshtein_dfa))


class Protocol5PostingsWriter(whoosh3.W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        """Whoosh's block, its data pickled with protocol 5; ids delta-coded and weights
        minified as Whoosh does, in C loops."""
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        terminfo = self._terminfo
        assert terminfo is not None  # a block is written only inside a term
        terminfo.add_block(self)
        ids = self._ids
        mini_ids = tuple(ids) if self._byteids else (ids[0], *map(operator.sub, ids[1:], ids[:-1]))
        weights = self._weights
        low, high = min(weights), max(weights)
        mini_weights = None if low == high == 1.0 else weights[0] if low == high else tuple(weights)
        databytes = pickle.dumps((mini_ids, mini_weights, self._mini_values()), 5)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class DossierCodec(whoosh3.W3Codec):
    """Whoosh's W3 codec (the same files) with our readers and block writer."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return Protocol5PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression, inlinelimit=self._inlinelimit)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return LengthsPerDocReader(storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return FastTermsReader(self, tifile, tilen, postfile)

    def automata(self, storage: Any = None, segment: Any = None) -> base.Automata:
        return AUTOMATA


AUTOMATA = CachedAutomata()
CODEC = DossierCodec()


class DossierStorage(filestore.FileStorage):
    """A folder of index files whose ``create`` keeps no caught error (see 5 above), for
    its temporary folders too."""

    def create(self) -> DossierStorage:
        path = os.path.abspath(self.folder)
        os.makedirs(path, exist_ok=True)
        if not os.path.isdir(path):
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", path)
        return self

    def temp_storage(self, name: str | None = None) -> DossierStorage:
        name = name or f"{random_name()}.tmp"
        return DossierStorage(os.path.join(self.folder, name)).create()


def open_index(folder: str | os.PathLike[str]) -> FileIndex:
    """An existing index, read and written through our storage and codec."""
    return cast(FileIndex, DossierStorage(str(folder)).open_index())


def create_index(folder: str | os.PathLike[str], schema: Schema) -> FileIndex:
    return cast(FileIndex, DossierStorage(str(folder)).create().create_index(schema))


def segment_writer(ix: FileIndex, **options: Any) -> SegmentWriter:
    """Whoosh's writer, writing segments with our codec."""
    return cast(SegmentWriter, ix.writer(codec=CODEC, **options))
