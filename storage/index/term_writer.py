"""One term's postings and term info in Whoosh 3's format, for the bulk writer.

Whoosh's ``W3PostingsWriter`` takes postings one call at a time and its
``W3TermInfo`` gathers statistics block by block: about 90 µs a term in a
rebuild, where most terms have one or two postings. A rebuild has each term's
postings at hand, so this writes the same bytes from whole arrays: the block
layout of ``W3PostingsWriter._write_block`` (with ``whoosh_fixes``'s protocol-5
data) and the term info of ``W3TermInfo.to_bytes``. Tests read back every
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
from whoosh.util.numeric import length_to_byte

_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo._struct: not inlined, then the statistics
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC  # each term's postings start with it
COMPRESS_MIN = 8  # postings in a block worth compressing; most rare words have one or two

# A block's values as Whoosh stores them, from its frequencies and held indexes.
BlockValues = Callable[[array, "array | None"], Any]


def length_range(lengths: array, ids: array) -> tuple[int | None, int]:
    """The shortest and longest stored field length of the documents ``ids``, skipping
    documents without one, as Whoosh's block statistics count them."""
    if not lengths:
        return None, 0
    size = len(lengths)
    found = list(map(lengths.__getitem__, ids)) if ids[-1] < size else \
        [lengths[d] if d < size else 0 for d in ids]
    low = min(found)
    if low == 0:  # documents without this field (never so for a text field's own terms)
        found = [n for n in found if n]
        if not found:
            return None, 0
        low = min(found)
    return low, max(found)


class TermWriter:
    """Writes a field's terms, in order, to a ``W3FieldWriter``'s files."""

    def __init__(self, fieldwriter: Any, *, level: int, limit: int, lengths: array,
                 stride: int, values: BlockValues) -> None:
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        self._field = pack_ushort(fieldwriter._fieldid)
        self._level = level
        self._limit = limit
        self._lengths = lengths
        self._stride = stride
        self._values = values

    def add(self, tbytes: bytes, flat: array) -> None:
        """A term and its postings, a flat array of (docnum, freq[, x]) per ``stride``."""
        stride = self._stride
        count = len(flat) // stride
        limit = self._limit
        lengths = self._lengths
        parts = [_MAGIC]
        weight = 0
        minlength: int | None = None
        maxlength = 0
        maxweight: float = 0
        for lo in range(0, count, limit):
            hi = min(lo + limit, count)
            a, b = lo * stride, hi * stride
            ids = flat[a:b:stride]
            freqs = flat[a + 1 : b : stride]
            xs = flat[a + 2 : b : stride] if stride == 3 else None
            low, high = min(freqs), max(freqs)
            n = hi - lo
            weight += sum(freqs)
            top = float(high) if high > 0 else 0
            maxweight = max(maxweight, top)
            blockmin, blockmax = length_range(lengths, ids)
            if blockmin is not None:
                minlength = blockmin if minlength is None else min(minlength, blockmin)
            maxlength = max(maxlength, blockmax)
            mini_ids = (ids[0], *map(operator.sub, ids[1:], ids[:-1]))
            mini_weights = None if low == high == 1 else float(low) if low == high else \
                tuple(array("f", freqs))
            data = pickle.dumps((mini_ids, mini_weights, self._values(freqs, xs)), 5)
            comp = self._level if n >= COMPRESS_MIN else 0
            if comp:
                data = zlib.compress(data, comp)
            info = pickle.dumps((n, ids[-1], top, comp, length_to_byte(blockmin),
                                 length_to_byte(blockmax)), 2)
            size = len(info) + len(data)
            parts += (pack_int(size if hi < count else -size), info, data)
        postfile = self._postfile
        start = postfile.tell()
        body = b"".join(parts)
        postfile.write(body)
        terminfo = _TERMINFO.pack(0, weight, count, 0 if minlength is None else length_to_byte(minlength),
                                  length_to_byte(maxlength), maxweight, flat[0], flat[(count - 1) * stride])
        self._tindex.add(self._field + tbytes, terminfo + pack_long(start) + pack_int(len(body)))
