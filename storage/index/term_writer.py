"""One field's terms, postings and term infos in Whoosh 3's format, for the bulk writer.

Whoosh's ``W3PostingsWriter`` takes postings one call at a time and its
``W3TermInfo`` gathers statistics block by block: slow per term in a rebuild,
where most terms have one or two postings. A rebuild has a range of
terms' postings at hand, so this writes them from whole arrays: each block's
statistics, header and data (``block_data``) come from numpy over the range at
once, leaving a deflate call a large block in Python; the block layout is
``W3PostingsWriter._write_block``'s, the term info ``W3TermInfo.to_bytes``'s
and the entries and hash tables those of the terms file's ``OrderedHashWriter``,
written a batch at a time. Tests read back every posting, block header and
statistic through Whoosh's reader.
"""

from __future__ import annotations

import pickle
import struct
from array import array
from binascii import crc32
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_ushort
from whoosh.util.numlists import GrowableArray

from storage.index.block_data import BlockValues, block_data
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
# A block's pickle from which deflating it pays. Each call to deflate has a fixed cost
# however little it is given, and inflating is paid each time a search reads the block;
# smaller blocks cost more time in rebuilds and searches than they saved in size
# (docs/BENCHMARKS.md).
COMPRESS_MIN = 1024
_BATCH = 1 << 20  # bytes of postings gathered before a write
_NO_LENGTH = 256  # above any length byte: a block's least length when none of its documents has one

# A block's header: the postings' magic (before a term's first block only), the block's
# size (pack_int), then the info W3LeafMatcher._goto unpickles: (postings, last docnum,
# greatest weight, compression, least and greatest length byte). Pickled with opcodes
# of fixed sizes (MARK, BININT1, BININT, BINFLOAT, BININT1 x3, TUPLE, STOP),
# so that every block's header of a range comes out of one numpy array.
_HEAD_FIELDS = [("magic", "u1", (4,)), ("size", ">i4"), ("mark", "u1"), ("count_op", "u1"), ("count", "u1"),
                ("last_op", "u1"), ("last", "<i4"), ("weight_op", "u1"), ("weight", ">f8"),
                ("compression_op", "u1"), ("compression", "u1"), ("short_op", "u1"), ("short", "u1"),
                ("long_op", "u1"), ("long", "u1"), ("tuple", "u1"), ("stop", "u1")]
_HEAD_OPCODES = {"mark": pickle.MARK, "count_op": pickle.BININT1, "last_op": pickle.BININT,
                 "weight_op": pickle.BINFLOAT, "compression_op": pickle.BININT1,
                 "short_op": pickle.BININT1, "long_op": pickle.BININT1, "tuple": pickle.TUPLE,
                 "stop": pickle.STOP}


class TermWriter:
    """Writes a field's terms, in order, to a ``W3FieldWriter``'s files; ``close()``
    after the last. ``lengths``: each document's field length byte (0: none)."""

    def __init__(self, fieldwriter: Any, *, level: int, limit: int, lengths: array) -> None:
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        if not isinstance(self._tindex, FastHashTables):
            raise TypeError(f"term writer needs a FastHashTables terms file, not {self._tindex!r}")
        self._field = pack_ushort(fieldwriter._fieldid)
        self._level = level
        self._limit = limit
        if limit > 255:  # a block's count is pickled in a byte (Whoosh's limit is 128)
            raise ValueError(f"posting blocks of {limit} postings: at most 255")
        self._head = _head_dtype()
        self._lengths = lengths
        self._pos = self._postfile.tell()  # where the postings gathered so far go
        self._posts: list[bytes] = []
        self._gathered = 0
        self._keys: list[bytes] = []
        self._infos: list[bytes] = []

    def add_terms(self, terms: list[bytes], starts: list[int], docs: array, freqs: array,
                  values: BlockValues) -> None:
        """Terms in order and their postings: term ``i``'s are ``starts[i]`` to
        ``starts[i + 1]`` of ``docs`` (docnums), ``freqs`` and ``values``."""
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
        heads = np.searchsorted(block_starts, term_starts[:-1])  # each term's first block
        ends = np.append(block_starts[1:], len(ids))
        low, high, total = _reduce(weights, block_starts)
        short, long, _ = _reduce(self._length_bytes(ids), block_starts, skip_zero=True)
        gaps = np.diff(ids.astype(np.int64), prepend=0)  # Whoosh's mini ids: the first, then gaps
        gaps[block_starts] = ids[block_starts]

        # Each block's data: its pickle, deflated if large.
        datas = block_data(gaps, weights, at=block_starts, to=ends, low=low, high=high, values=values)
        deflated = [k for k, data in enumerate(datas) if len(data) >= COMPRESS_MIN]
        for k in deflated:
            datas[k] = compress(datas[k])

        # Each block's header (its size, then the info W3LeafMatcher._goto unpickles), all
        # at once; a term's first block is preceded by the postings' magic.
        count = len(datas)
        data_sizes = np.fromiter(map(len, datas), dtype=np.int64, count=count)
        first = np.zeros(count, dtype=bool)
        first[heads] = True
        last = np.append(first[1:], True)
        size = self._head.itemsize
        head = np.zeros(count, dtype=self._head)
        for name, opcode in _HEAD_OPCODES.items():
            head[name] = opcode[0]
        head["magic"] = np.frombuffer(_MAGIC, dtype=np.uint8)
        head["size"] = np.where(last, -1, 1) * (size - 8 + data_sizes)  # all but magic and size
        head["count"] = ends - block_starts
        head["last"] = ids[ends - 1]
        head["weight"] = np.maximum(high, 0)
        head["compression"][deflated] = self._level  # the level: Whoosh's reader only checks it is set
        head["short"] = short
        head["long"] = long
        skip = np.where(first, 0, len(_MAGIC))
        offsets = (np.arange(count, dtype=np.int64) * size + skip).tolist()
        packed = head.tobytes()
        parts: list[bytes] = [b""] * (2 * count)
        parts[0::2] = [packed[o : (k + 1) * size] for k, o in enumerate(offsets)]
        parts[1::2] = datas
        body = b"".join(parts)

        # Each term's info (W3TermInfo.to_bytes) and where its postings are, all at once.
        sizes = np.add.reduceat(size - skip + data_sizes, heads)
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
        self._pos += len(body)
        field = self._field
        self._keys += [field + t for t in terms]
        self._infos += np.frombuffer(info.tobytes(), dtype=f"V{info.itemsize}").tolist()
        self._posts.append(body)
        self._gathered += len(body)
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
        """Writes the postings gathered, then their terms' entries."""
        self._postfile.write(b"".join(self._posts))
        self._posts = []
        self._gathered = 0
        if self._keys:
            self._tindex.add_entries(self._keys, self._infos)
            self._keys, self._infos = [], []

    def close(self) -> None:
        self._write()


class FastHashTables(OrderedHashWriter):
    """The terms file's writer: entries added a batch at a time (``add_entries``), their
    hashes and positions kept in arrays, and the 256 hash tables written at once
    (``write_hash_tables``). Whoosh's ``add`` wrote an entry, hashed its key and filed the
    hash in a list of tuples a call at a time."""

    lastkey: bytes

    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self._start()

    @classmethod
    def adopt(cls, tindex: OrderedHashWriter) -> None:
        """Makes a writer with nothing added yet one of these. (By its class: a function set
        on the writer that called back into it made a cycle that held each segment's
        hashes until a full garbage collection.)"""
        if len(tindex.index) or any(tindex.buckets):
            raise ValueError("terms file writer already holds entries")
        tindex.__class__ = cls
        cast(FastHashTables, tindex)._start()

    def _start(self) -> None:
        self._hashes = array("I")  # each entry's key hash, in the order added
        self._positions = array("q")  # and where it starts

    def add(self, key: bytes, value: bytes) -> None:
        self.add_entries([key], [value])

    def add_entries(self, keys: list[bytes], values: list[bytes]) -> None:
        """Writes entries (keys in order, after those written before), as
        ``OrderedHashWriter.add`` writes each: key and value lengths, key, value."""
        import numpy as np

        if not keys:
            return
        if keys[0] <= self.lastkey:
            raise ValueError(f"terms out of order: {self.lastkey!r}, {keys[0]!r}")
        count = len(keys)
        lengths = np.empty(count, dtype=[("key", ">i4"), ("value", ">i4")])  # ENTRY, packed
        lengths["key"] = key_sizes = np.fromiter(map(len, keys), dtype=np.int64, count=count)
        lengths["value"] = value_sizes = np.fromiter(map(len, values), dtype=np.int64, count=count)
        parts: list[bytes] = [b""] * (3 * count)
        parts[0::3] = np.frombuffer(lengths.tobytes(), dtype="V8").tolist()
        parts[1::3] = keys
        parts[2::3] = values
        sizes = ENTRY.size + key_sizes + value_sizes
        self._positions.frombytes((self.dbfile.tell() + np.cumsum(sizes) - sizes).tobytes())
        self.dbfile.write(b"".join(parts))
        # crc_hash is crc32, masked as Python 2 needed.
        self._hashes.extend(map(crc32 if self.hashfn is filetables.crc_hash else self.hashfn, keys))
        self.lastkey = keys[-1]

    def _write_hashes(self) -> None:
        write_hash_tables(self)

    def _write_extras(self) -> None:
        # The positions array as GrowableArray would have grown it: the smallest type of
        # H, i, I and q that holds the greatest.
        top = max(self._positions, default=0)
        typecode = "H" if top < 1 << 16 else "i" if top < 1 << 31 else "I" if top < 1 << 32 else "q"
        self.index = GrowableArray(typecode)
        self.index.array = array(typecode, self._positions)
        super()._write_extras()


def write_hash_tables(tindex: FastHashTables) -> None:
    """``HashWriter._write_hashes``: 256 hash tables, table ``h & 255`` holding each hash
    ``h`` in twice as many slots as it has entries, linearly probed from slot
    ``(h >> 8) % slots``. Whoosh filed entries in the order added; here, in the order of
    their first slots, all at once: an entry goes in the first free slot from its own,
    so every slot from there to it is full and a reader probing finds it the same way."""
    import numpy as np

    hashes = np.frombuffer(tindex._hashes, dtype=np.uint32).astype(np.int64)
    positions = np.frombuffer(tindex._positions, dtype=np.int64)
    count = len(hashes)
    table = hashes & 255
    slots = 2 * np.bincount(table, minlength=256)
    bases = np.cumsum(slots) - slots  # each table's first slot, counted over all tables
    home = (hashes >> 8) % np.maximum(slots, 1)[table]
    order = np.lexsort((home, table))  # stable: entries with the same slot in the order added
    table, home = table[order], bases[table[order]] + home[order]
    # Entry j of this order goes to max(its slot, the last one's + 1), that is, j plus the
    # running greatest of (slot - j); each table's own, by lifting it above the ones before.
    rank = np.arange(count, dtype=np.int64)
    lift = table * (4 * (int(slots.sum()) + count + 1))
    slot = rank + np.maximum.accumulate(home - rank + lift) - lift
    ends = (bases + slots)[table]
    if count and (slot >= ends).any():  # past the table's end (rare, half the slots are free):
        for t in np.unique(table[slot >= ends]).tolist():  # to its first free slots, in order
            mine = np.flatnonzero(table == t)
            past = mine[slot[mine] >= ends[mine]]
            taken = set(slot[mine].tolist())
            free = (s for s in range(int(bases[t]), int(bases[t] + slots[t])) if s not in taken)
            for i in past.tolist():
                slot[i] = next(free)
    out = np.zeros(int(slots.sum()), dtype=[("hash", ">u4"), ("position", ">i8")])  # _pointer
    out["hash"][slot] = hashes[order]
    out["position"][slot] = positions[order]
    start = tindex.dbfile.tell()
    tindex.directory.extend(zip((start + out.itemsize * bases).tolist(), slots.tolist(), strict=True))
    tindex.dbfile.write(out.tobytes())


@cache
def _head_dtype() -> Any:
    """A block header's layout (``_HEAD_FIELDS``)."""
    import numpy as np

    return np.dtype(_HEAD_FIELDS)


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
