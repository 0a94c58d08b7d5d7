"""One field's terms, postings and term infos in Whoosh 3's format, for the bulk writer.

Whoosh's ``W3PostingsWriter`` takes postings one call at a time and its
``W3TermInfo`` gathers statistics block by block: about 90 µs a term in a
rebuild, where most terms have one or two postings. A rebuild has a range of
terms' postings at hand, so this writes the same bytes from whole arrays: each
block's statistics come from numpy over the range at once, leaving two pickles
a block in Python; the block layout is ``W3PostingsWriter._write_block``'s
(with ``whoosh_fixes``'s protocol-5 data), the term info ``W3TermInfo.to_bytes``'s
and the entries those of the terms file's ``OrderedHashWriter``, written a batch
at a time. Tests read back every posting, block header and statistic through
Whoosh's reader.
"""

from __future__ import annotations

import pickle
import struct
from array import array
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_ushort

from storage.index.deflate import compress

if TYPE_CHECKING:
    import numpy as np

# W3TermInfo._struct (not inlined, then the statistics), then the postings' offset and size.
_INFO_FIELDS = [("inlined", "u1"), ("weight", ">f4"), ("docs", ">u4"), ("minlength", "u1"),
                ("maxlength", "u1"), ("maxweight", ">f4"), ("minid", ">u4"), ("maxid", ">u4"),
                ("offset", ">i8"), ("length", ">i4")]
ENTRY = filetables._lengths  # an OrderedHashWriter entry's key and value lengths
# A term's info as written here (W3TermInfo's fields, then its postings' offset and length).
TERM_INFO = struct.Struct("!BfIBBfIIqi")
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC  # each term's postings start with it
# A block's pickle from which deflating it pays. Each call to deflate costs about 10 µs
# however little it is given, and inflating 3.5 us each time a search reads the block;
# on the benchmark, blocks of 64 to 255 bytes (a third of those deflated) took 3% of a
# rebuild's time to save 4% of the index, and those of 256 to 1023 bytes (a rare word's
# one block) cost 4% of writing a segment and a tenth of a two-word search to save 8%.
COMPRESS_MIN = 1024
_BATCH = 1 << 20  # bytes of postings gathered before a write
_NO_LENGTH = 256  # above any length byte: a block's least length when none of its documents has one

# The values of postings a to b of a range, as Whoosh stores a block's values.
BlockValues = Callable[[int, int], Any]


class TermWriter:
    """Writes a field's terms, in order, to a ``W3FieldWriter``'s files; ``close()``
    after the last. ``lengths``: each document's field length byte (0: none)."""

    def __init__(self, fieldwriter: Any, *, level: int, limit: int, lengths: array) -> None:
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        self._field = pack_ushort(fieldwriter._fieldid)
        self._level = level
        self._limit = limit
        self._lengths = lengths
        self._pos = self._postfile.tell()  # where the postings gathered so far go
        self._posts: list[bytes] = []
        self._gathered = 0
        self._entries: list[tuple[bytes, bytes]] = []

    def add_terms(self, terms: list[bytes], starts: list[int], docs: array, freqs: array,
                  values: BlockValues) -> None:
        """Terms in order and their postings: term ``i``'s are ``starts[i]`` to
        ``starts[i + 1]`` of ``docs`` (docnums) and ``freqs``; ``values(a, b)``, the
        values of postings ``a`` to ``b`` as a block stores them."""
        import numpy as np

        if not terms:
            return
        ids = np.frombuffer(docs, dtype=np.uint32)
        weights = np.frombuffer(freqs, dtype=np.uint32)
        term_starts = np.asarray(starts, dtype=np.int64)
        # Blocks: a term's postings, limit at a time.
        counts = np.diff(term_starts)
        cuts = [np.arange(term_starts[i] + self._limit, term_starts[i + 1], self._limit)
                for i in np.flatnonzero(counts > self._limit).tolist()]
        block_starts = np.sort(np.concatenate([term_starts[:-1], *cuts])) if cuts else term_starts[:-1]
        term_blocks = np.searchsorted(block_starts, term_starts).tolist()
        ends = np.append(block_starts[1:], len(ids))
        low, high, total = _reduce(weights, block_starts)
        short, long, _ = _reduce(self._length_bytes(ids), block_starts, skip_zero=True)
        gaps = np.diff(ids.astype(np.int64), prepend=0)  # Whoosh's mini ids: the first, then gaps
        gaps[block_starts] = ids[block_starts]

        at, to = block_starts.tolist(), ends.tolist()
        lows, highs = low.tolist(), high.tolist()
        shorts, longs, lasts = short.tolist(), long.tolist(), ids[ends - 1].tolist()
        gap_list = gaps.tolist()
        # Ints, not floats: small ints are shared, a float is 24 bytes (3 MB a range).
        freq_list = freqs.tolist() if any(a != b for a, b in zip(lows, highs, strict=True)) else []
        dumps, level = pickle.dumps, self._level

        def block(k: int, last: bool) -> bytes:
            a, b = at[k], to[k]
            n = b - a
            lo, hi = lows[k], highs[k]
            mini = None if lo == hi == 1 else float(lo) if lo == hi else tuple(array("f", freq_list[a:b]))
            data = dumps((tuple(gap_list[a:b]), mini, values(a, b)), 5)
            comp = level if len(data) >= COMPRESS_MIN else 0
            if comp:  # the header keeps Whoosh's level: its reader only checks that it is set
                data = compress(data)
            info = dumps((n, lasts[k], float(hi) if hi > 0 else 0.0, comp, shorts[k], longs[k]), 2)
            size = len(info) + len(data)
            return pack_int(-size if last else size) + info + data

        bodies = [_MAGIC + block(first, True) if end - first == 1
                  else b"".join([_MAGIC, *(block(k, k == end - 1) for k in range(first, end))])
                  for first, end in pairwise(term_blocks)]
        # Each term's info (W3TermInfo.to_bytes) and where its postings are, all at once.
        heads = np.asarray(term_blocks[:-1], dtype=np.int64)  # each term's first block
        sizes = np.fromiter(map(len, bodies), dtype=np.int64, count=len(bodies))
        info = np.zeros(len(terms), dtype=_info_dtype())
        info["weight"] = np.add.reduceat(total, heads)
        info["docs"] = counts
        info["minlength"] = _reduce(short, heads, skip_zero=True)[0]
        info["maxlength"] = np.maximum.reduceat(long, heads)
        info["maxweight"] = np.maximum.reduceat(high, heads)
        info["minid"] = ids[term_starts[:-1]]
        info["maxid"] = ids[term_starts[1:] - 1]
        info["offset"] = self._pos + np.cumsum(sizes) - sizes
        info["length"] = sizes
        gathered = int(sizes.sum())
        self._pos += gathered
        packed, size = info.tobytes(), info.itemsize
        field = self._field
        self._entries += zip([field + t for t in terms],
                             [packed[k : k + size] for k in range(0, len(packed), size)], strict=True)
        self._posts += bodies
        self._gathered += gathered
        if self._gathered >= _BATCH:
            self._write()

    def _length_bytes(self, ids: np.ndarray) -> np.ndarray:
        """Each posting's document length byte (0: the document has none)."""
        import numpy as np

        lengths = np.frombuffer(self._lengths, dtype=np.uint8)
        top = int(ids.max())
        if top >= len(lengths):
            lengths = np.concatenate([lengths, np.zeros(top + 1 - len(lengths), dtype=np.uint8)])
        return lengths[ids]

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
            out += (ENTRY.pack(len(key), len(value)), key, value)
            pos += 8 + len(key) + len(value)
        dbfile.write(b"".join(out))
        tindex.lastkey = self._entries[-1][0]
        self._entries = []

    def close(self) -> None:
        self._write()


class FastHashTables(OrderedHashWriter):
    """The terms file's writer, with its hash tables written by ``write_hash_tables``. (A
    segment's writer becomes one by its class: a function set on the writer that called
    back into it made a cycle that held each segment's 8 MB of hashes until a full
    garbage collection.)"""

    def _write_hashes(self) -> None:
        write_hash_tables(self)


def write_hash_tables(tindex: Any) -> None:
    """``HashWriter._write_hashes`` (the terms file's 256 hash tables, then their
    directory), a table a write: Whoosh wrote each slot with a call of its own, about
    150,000 a segment. Slots are filled in the same order, so the bytes are the same."""
    dbfile = tindex.dbfile
    for entries in tindex.buckets:
        slots = 2 * len(entries)
        tindex.directory.append((dbfile.tell(), slots))
        hashes = [0] * slots
        positions = [0] * slots  # 0: an empty slot (no key starts at 0, where the header is)
        for hashval, position in entries:
            slot = (hashval >> 8) % slots
            while positions[slot]:
                slot = (slot + 1) % slots
            hashes[slot] = hashval
            positions[slot] = position
        flat = [n for pair in zip(hashes, positions, strict=True) for n in pair]
        dbfile.write(struct.pack("!" + "Iq" * slots, *flat))


@cache
def _info_dtype() -> Any:
    """A term's info and postings offset and size, packed (35 bytes) as ``struct`` writes them."""
    import numpy as np

    return np.dtype(_INFO_FIELDS)


def _reduce(values: np.ndarray, starts: np.ndarray,
            skip_zero: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The least, greatest and sum of each run of ``values`` from one of ``starts`` to the
    next; ``skip_zero``: the least leaves out zeros (0 if all are), as Whoosh's block
    statistics leave out documents without a length."""
    import numpy as np

    wide = values.astype(np.int64)
    least = np.minimum.reduceat(np.where(wide == 0, _NO_LENGTH, wide) if skip_zero else wide, starts)
    if skip_zero:
        least[least == _NO_LENGTH] = 0
    return least, np.maximum.reduceat(wide, starts), np.add.reduceat(wide, starts)
