"""One field's terms, postings and term infos in Whoosh 3's format, for the bulk writer.

Whoosh's ``W3PostingsWriter`` takes postings one call at a time and its
``W3TermInfo`` gathers statistics block by block: about 90 µs a term in a
rebuild, where most terms have one or two postings. A rebuild has each term's
postings at hand, so this writes the same bytes from whole arrays: the block
layout of ``W3PostingsWriter._write_block`` (with ``whoosh_fixes``'s protocol-5
data), the term info of ``W3TermInfo.to_bytes`` and the entries of the terms
file's ``OrderedHashWriter``, written a batch at a time. Tests read back every
posting and statistic through Whoosh's reader.
"""

from __future__ import annotations

import operator
import pickle
import struct
import zlib
from array import array
from collections.abc import Callable
from typing import Any

from whoosh.codec import whoosh3
from whoosh.system import pack_int, pack_long, pack_ushort

_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo._struct: not inlined, then the statistics
_ENTRY = struct.Struct("!ii")  # an OrderedHashWriter entry's key and value lengths
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC  # each term's postings start with it
COMPRESS_MIN = 8  # postings in a block worth compressing; most rare words have one or two
_BATCH = 1 << 20  # bytes of postings gathered before a write

# A block's values as Whoosh stores them, from its frequencies and value indexes.
BlockValues = Callable[[array, "array | None"], Any]


def length_bytes(lengths: array, ids: array) -> tuple[int, int]:
    """The least and greatest field length byte of the documents ``ids``, leaving out
    documents without one (0), as Whoosh's block statistics count them (0, 0 if none)."""
    if not lengths:
        return 0, 0
    size = len(lengths)
    found = list(map(lengths.__getitem__, ids)) if ids[-1] < size else \
        [lengths[d] if d < size else 0 for d in ids]
    low = min(found)
    if low == 0:  # documents without this field (never so for a text field's own terms)
        found = [n for n in found if n]
        if not found:
            return 0, 0
        low = min(found)
    return low, max(found)


class TermWriter:
    """Writes a field's terms, in order, to a ``W3FieldWriter``'s files; ``close()``
    after the last. ``lengths``: each document's field length byte (0: none)."""

    def __init__(self, fieldwriter: Any, *, level: int, limit: int, lengths: array,
                 values: BlockValues) -> None:
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        self._field = pack_ushort(fieldwriter._fieldid)
        self._level = level
        self._limit = limit
        self._lengths = lengths
        self.values = values  # may change between terms
        self._pos = self._postfile.tell()  # where the postings gathered so far go
        self._posts: list[bytes] = []
        self._gathered = 0
        self._entries: list[tuple[bytes, bytes]] = []

    def add(self, tbytes: bytes, docs: array, freqs: array, xs: array | None) -> None:
        """A term and its postings: docnums, frequencies and (for some formats) the
        index of each posting's value."""
        count = len(docs)
        limit = self._limit
        if count <= limit:
            block, weight, minlength, maxlength, maxweight = self._block(docs, freqs, xs, True)
            body = _MAGIC + block
        else:
            parts = [_MAGIC]
            weight = maxlength = 0
            minlength = 256
            maxweight = 0.0
            for lo in range(0, count, limit):
                hi = min(lo + limit, count)
                block, w, low, high, top = self._block(
                    docs[lo:hi], freqs[lo:hi], None if xs is None else xs[lo:hi], hi == count)
                parts.append(block)
                weight += w
                if low:
                    minlength = min(minlength, low)
                maxlength = max(maxlength, high)
                maxweight = max(maxweight, top)
            body = b"".join(parts)
            minlength = 0 if minlength == 256 else minlength
        start = self._pos
        self._pos += len(body)
        self._posts.append(body)
        self._gathered += len(body)
        info = _TERMINFO.pack(0, weight, count, minlength, maxlength, maxweight, docs[0], docs[-1])
        self._entries.append((self._field + tbytes, info + pack_long(start) + pack_int(len(body))))
        if self._gathered >= _BATCH:
            self._write()

    def _block(self, ids: array, freqs: array, xs: array | None,
               last: bool) -> tuple[bytes, int, int, int, float]:
        """One block's bytes, and its weight, length bytes and greatest weight."""
        n = len(ids)
        low, high = min(freqs), max(freqs)
        top = float(high) if high > 0 else 0.0
        minlength, maxlength = length_bytes(self._lengths, ids)
        mini_ids = (ids[0],) if n == 1 else (ids[0], *map(operator.sub, ids[1:], ids[:-1]))
        mini_weights = None if low == high == 1 else float(low) if low == high else tuple(array("f", freqs))
        data = pickle.dumps((mini_ids, mini_weights, self.values(freqs, xs)), 5)
        comp = self._level if n >= COMPRESS_MIN else 0
        if comp:
            data = zlib.compress(data, comp)
        info = pickle.dumps((n, ids[-1], top, comp, minlength, maxlength), 2)
        size = len(info) + len(data)
        return pack_int(-size if last else size) + info + data, sum(freqs), minlength, maxlength, top

    def _write(self) -> None:
        """Writes the postings gathered, then their terms' entries as
        ``OrderedHashWriter.add`` would have, one after another."""
        self._postfile.write(b"".join(self._posts))
        self._posts = []
        self._gathered = 0
        tindex = self._tindex
        if not self._entries:
            return
        if self._entries[0][0] <= tindex.lastkey:
            raise ValueError(f"terms out of order: {tindex.lastkey!r}, {self._entries[0][0]!r}")
        dbfile = tindex.dbfile
        pos = dbfile.tell()
        hashfn = tindex.hashfn
        buckets = tindex.buckets
        index = tindex.index.append
        out: list[bytes] = []
        for key, value in self._entries:
            index(pos)
            h = hashfn(key)
            buckets[h & 255].append((h, pos))
            out += (_ENTRY.pack(len(key), len(value)), key, value)
            pos += 8 + len(key) + len(value)
        dbfile.write(b"".join(out))
        tindex.lastkey = self._entries[-1][0]
        self._entries = []

    def close(self) -> None:
        self._write()
