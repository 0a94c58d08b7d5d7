"""Seven narrow fixes to whoosh-reloaded 2.7.5, applied on import.

1. ``W3PerDocReader._cached_reader`` caches a field's lengths reader but not the
   answer "this field has no lengths column", so every posting of an unscored
   field (ID, KEYWORD) asks the file system again: 195,000 ``stat`` calls and
   17% of a rebuild's time on a 300-document corpus.
2. Scoring a document reads its field length, and the lengths column reader does
   a ``seek`` and a one-byte ``read`` each time: 40% of scoring a common word
   over 130,000 passages. A segment's lengths (one byte a document) are read into
   memory once instead.

3. Fuzzy and wildcard terms walk a segment's sorted term table with binary searches
   that read each probed key from the file: 16 or so probes a step, 37 ms of a fuzzy
   query's expansion over 6 segments. The first probes of every search are the same
   few keys, so a table keeps the keys of its top 12 levels (4,095 at most) in memory.
4. The same fuzzy term builds the same Levenshtein automaton for every segment and
   field (18 times a query on 6 segments, about 6 ms); the last 128 are kept. An
   automaton only fills a cache of its own as it is used, so sharing one is safe.

5. A posting block is pickled with protocol 2, which writes each position value as a
   call of ``codecs.encode``: unpickling a block of 128 took 100 us against 7 us for
   its ids and weights alone, most of a phrase check on frequent words. Whoosh's
   writer (commits, merges) pickles blocks with protocol 5 instead (bytes as bytes;
   Whoosh's reader takes any protocol), as rebuilds write them (``block_data``).

6. ``FileStorage.create`` keeps the ``OSError`` of a folder that already exists in a
   local, so the error, its traceback and the calling frames form a cycle. Each
   ``SegmentWriter`` creates its temporary folder that way, so every writer (with all
   it holds: a bulk segment's logs, 20 MB) lived on until a full garbage collection;
   a rebuild worker grew by that much a segment.

7. A term lookup in a segment's hash table went through two generators and copied
   each slot it probed out of the file's buffer: 5 to 10 us, and a two-word search
   looks up 48 terms (3 fields, 8 segments) before reading a posting. The slots are
   read in place instead (about 2 us).

A segment's files never change once written, so 1 to 4 and 7 are safe;
tests/storage/test_whoosh_fixes.py checks hits, scores, term walks and postings are unchanged.
"""

from __future__ import annotations

import errno
import operator
import os
import pickle
import zlib
from functools import lru_cache
from typing import Any

from whoosh.codec import base, whoosh3
from whoosh.filedb import filestore, filetables
from whoosh.util.numeric import length_to_byte

_MISSING = object()
_original = whoosh3.W3PerDocReader._cached_reader


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


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    cached = self._readers.get(fieldname, _MISSING)
    if cached is not _MISSING:
        return cached
    reader = _original(self, fieldname, column)
    if reader is not None and column is whoosh3.LENGTHS_COLUMN:
        reader = LengthsInMemory(reader)
    self._readers[fieldname] = reader
    return reader


_CACHED_LEVELS = 12
_original_closest = filetables.OrderedHashReader.closest_key_pos


def _closest_key_pos(self: Any, key: bytes) -> int | None:
    """OrderedHashReader.closest_key_pos, the keys of the first probes kept in memory."""
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
        midkey = cache.get(mid) if level < _CACHED_LEVELS else None
        if midkey is None:
            midkey = key_at(get_pos(indexbase + mid * indexsize))
            if level < _CACHED_LEVELS:
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


_original_dfa = base.Automata.levenshtein_dfa
_cached_dfa = staticmethod(lru_cache(maxsize=128)(_original_dfa))


_original_write_block = whoosh3.W3PostingsWriter._write_block


def _write_block(self: Any, last: bool = False) -> None:
    """W3PostingsWriter._write_block with the block's data pickled with protocol 5; ids are
    delta-coded and weights minified as Whoosh does, in C loops."""
    if not self._blockcount:
        self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
    self._terminfo.add_block(self)
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


_original_create = filestore.FileStorage.create


def _create(self: Any) -> Any:
    """``FileStorage.create``: the folder made if missing, without catching an error."""
    path = os.path.abspath(self.folder)
    os.makedirs(path, exist_ok=True)
    if not os.path.isdir(path):
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", path)
    return self


_original_ranges = filetables.HashReader.ranges_for_key
_original_getitem = filetables.HashReader.__getitem__
_original_contains = filetables.HashReader.__contains__
_original_get = filetables.HashReader.get
_original_range = filetables.HashReader.range_for_key
_pointer_at = filetables._pointer.unpack_from  # a slot's hash and key position
_lengths_at = filetables._lengths.unpack_from  # an entry's key and value lengths


def find(self: Any, key: bytes) -> tuple[int, int] | None:
    """The first (value position, value length) of ``key`` in a hash file, as
    ``HashReader.ranges_for_key`` finds it, its slots read in the file's buffer."""
    if not isinstance(key, bytes):
        raise TypeError(f"Key {key!r} should be bytes")
    buf = getattr(self.dbfile, "_buf", None)
    if buf is None:  # not a file held in memory
        return next(_original_ranges(self, key), None)
    keyhash = self.hashfn(key)
    tablestart, numslots = self.tables[keyhash & 255]
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


def _getitem(self: Any, key: bytes) -> bytes:
    found = find(self, key)
    if found is None:
        raise KeyError(key)
    value: bytes = self.dbfile.get(*found)
    return value


def _range_for_key(self: Any, key: bytes) -> tuple[int, int]:
    found = find(self, key)
    if found is None:
        raise KeyError(key)
    return found


def _contains(self: Any, key: bytes) -> bool:
    return find(self, key) is not None


def _get(self: Any, key: bytes, default: Any = None) -> Any:
    found = find(self, key)
    return default if found is None else self.dbfile.get(*found)


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    filetables.OrderedHashReader.closest_key_pos = _closest_key_pos
    base.Automata.levenshtein_dfa = _cached_dfa
    whoosh3.W3PostingsWriter._write_block = _write_block
    filestore.FileStorage.create = _create
    filetables.HashReader.__getitem__ = _getitem
    filetables.HashReader.__contains__ = _contains
    filetables.HashReader.get = _get
    filetables.HashReader.range_for_key = _range_for_key


def revert() -> None:
    whoosh3.W3PerDocReader._cached_reader = _original
    filetables.OrderedHashReader.closest_key_pos = _original_closest
    base.Automata.levenshtein_dfa = staticmethod(_original_dfa)
    whoosh3.W3PostingsWriter._write_block = _original_write_block
    filestore.FileStorage.create = _original_create
    filetables.HashReader.__getitem__ = _original_getitem
    filetables.HashReader.__contains__ = _original_contains
    filetables.HashReader.get = _original_get
    filetables.HashReader.range_for_key = _original_range


apply()
