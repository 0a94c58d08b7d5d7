"""The data of a range's posting blocks, pickled for all of them at once with numpy.

``W3PostingsWriter._write_block`` pickles each block's ``(ids, weights, values)``:
its docnum gaps, its weights (None when all are 1, one float when all are equal,
else each as a 4-byte float) and its values (None for Existence, Frequency's counts
joined, or Positions' bytes a posting). Pickling a block at a time took an eighth
of a rebuild; here the pickles' bytes are laid out with fixed opcodes (BININT1,
BININT2 or BININT a gap, BINFLOAT a weight, SHORT_BINBYTES or BINBYTES a value),
without a memo, which Whoosh's reader, ``pickle.loads``, takes as it would Python's.
A value of a positions posting comes already pickled as an item (``value_item``),
so a block's are copied in as one run.
"""

from __future__ import annotations

import pickle
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_HEAD = pickle.PROTO + b"\x03" + pickle.MARK  # protocol 3 (SHORT_BINBYTES), the ids' mark
_IDS_END = pickle.TUPLE
_END = pickle.TUPLE3 + pickle.STOP


@dataclass(frozen=True)
class BlockValues:
    """A range's posting values: ``kind`` "none" (Existence), "counts" (Frequency: each
    posting's weight as ``pack_uint``, joined in a block) or "items" (``items``, each
    posting's value pickled by ``value_item``, a block's in a tuple)."""

    kind: str
    items: Sequence[bytes] = ()


def value_item(value: bytes) -> bytes:
    """A bytes value pickled as an item (SHORT_BINBYTES or BINBYTES, then the bytes)."""
    size = len(value)
    if size < 256:
        return pickle.SHORT_BINBYTES + bytes((size,)) + value
    return pickle.BINBYTES + size.to_bytes(4, "little") + value


def counts_bytes(freqs: array) -> bytes:
    """Counts as Frequency stores a block's values: ``pack_uint`` of each, joined."""
    out = array("I", freqs)
    if sys.byteorder == "little":
        out.byteswap()
    return out.tobytes()


# Postings pickled at a time: numpy's temporaries take about 100 bytes a posting (a
# combine gives a million at once).
GROUP_POSTINGS = 1 << 16


def block_data(gaps: np.ndarray, freqs: np.ndarray, *, at: np.ndarray, to: np.ndarray,
               low: np.ndarray, high: np.ndarray, values: BlockValues) -> list[bytes]:
    """Each block's pickle: block ``k`` holds postings ``at[k]`` to ``to[k]`` (one block
    after another), with docnum ``gaps`` (a block's first: its docnum), weights
    ``freqs`` (ints, from ``low[k]`` to ``high[k]`` in block ``k``) and ``values``."""
    import numpy as np

    out: list[bytes] = []
    first = 0
    while first < len(at):
        # Blocks up to GROUP_POSTINGS postings on (at least one).
        last = max(first + 1, int(np.searchsorted(to, at[first] + GROUP_POSTINGS, side="right")))
        a, b = int(at[first]), int(to[last - 1])
        items = values.items[a:b] if values.kind == "items" else ()
        out += _group_data(gaps[a:b], freqs[a:b], at=at[first:last] - a, to=to[first:last] - a,
                           low=low[first:last], high=high[first:last], values=BlockValues(values.kind, items))
        first = last
    return out


def _group_data(gaps: np.ndarray, freqs: np.ndarray, *, at: np.ndarray, to: np.ndarray,
                low: np.ndarray, high: np.ndarray, values: BlockValues) -> list[bytes]:
    """``block_data`` of blocks whose postings start at 0."""
    import numpy as np

    count = len(at)
    if not count:
        return []
    at, to = at.astype(np.int64), to.astype(np.int64)
    sizes = to - at
    gaps = gaps.astype(np.int64)
    # Bytes of each part of a block, then where each block starts.
    gap_width = int_widths(gaps)
    gap_bytes = _run_sums(gap_width, at, to)
    same = low == high
    weights = np.where(same & (low == 1), 0, np.where(same, 1, 2))  # None, one float, each
    weight_bytes = np.choose(weights, [1, 9, 2 + 9 * sizes])
    if values.kind == "none":
        value_bytes = np.ones(count, dtype=np.int64)
    elif values.kind == "counts":
        value_bytes = bytes_head_widths(4 * sizes) + 4 * sizes
    elif values.kind == "items":
        if len(values.items) != len(gaps):
            raise ValueError(f"{len(values.items)} values for {len(gaps)} postings")
        item_bytes = np.fromiter(map(len, values.items), dtype=np.int64, count=len(values.items))
        value_bytes = 2 + _run_sums(item_bytes, at, to)  # mark, items, tuple
    else:
        raise ValueError(f"unknown values {values.kind!r}")
    lengths = len(_HEAD) + gap_bytes + len(_IDS_END) + weight_bytes + value_bytes + len(_END)
    starts = np.cumsum(lengths) - lengths
    out = np.zeros(int(lengths.sum()), dtype=np.uint8)
    _put(out, starts, _HEAD)

    # The ids: each gap after the gaps before it in its block.
    width_before = np.cumsum(gap_width) - gap_width
    gap_at = np.repeat(starts + len(_HEAD) - width_before[at], sizes) + width_before
    put_ints(out, gap_at, gaps, gap_width)
    ids_end = starts + len(_HEAD) + gap_bytes
    _put(out, ids_end, _IDS_END)

    # The weights; varying ones each a BINFLOAT of a 4-byte float, as Whoosh keeps them.
    w0 = ids_end + len(_IDS_END)
    _put(out, w0[weights == 0], pickle.NONE)
    one = weights == 1
    _put(out, w0[one], pickle.BINFLOAT)
    out[w0[one, None] + 1 + np.arange(8)] = low[one].astype(">f8").view(np.uint8).reshape(-1, 8)
    each = weights == 2
    if each.any():
        _put(out, w0[each], pickle.MARK)
        floats = np.empty(len(gaps), dtype=[("op", "u1"), ("value", ">f8")])
        floats["op"] = pickle.BINFLOAT[0]
        floats["value"] = freqs.astype(np.float32)
        _copy_runs(out, w0[each] + 1, floats.tobytes(), 9 * at[each], 9 * sizes[each])
        _put(out, (w0 + 1 + 9 * sizes)[each], pickle.TUPLE)

    # The values.
    v0 = w0 + weight_bytes
    if values.kind == "none":
        _put(out, v0, pickle.NONE)
    elif values.kind == "counts":
        data = 4 * sizes
        put_bytes_heads(out, v0, data)
        _copy_runs(out, v0 + bytes_head_widths(data), freqs.astype(">u4").tobytes(), 4 * at, data)
    else:
        _put(out, v0, pickle.MARK)
        before = np.concatenate([[0], np.cumsum(item_bytes)])
        _copy_runs(out, v0 + 1, b"".join(values.items), before[at], before[to] - before[at])
        _put(out, v0 + value_bytes - 1, pickle.TUPLE)
    _put(out, starts + lengths - len(_END), _END)
    whole = out.tobytes()
    return [whole[a:b] for a, b in zip(starts.tolist(), (starts + lengths).tolist(), strict=True)]


def _copy_runs(out: np.ndarray, at: np.ndarray, source: bytes, source_at: np.ndarray,
               lengths: np.ndarray) -> None:
    """``source[source_at[k]:][:lengths[k]]`` to ``out`` at ``at[k]``, for each ``k``: a
    slice copy a run (numpy's byte-by-byte indexing took longer)."""
    into, read = out.data, memoryview(source)
    for a, s, n in zip(at.tolist(), source_at.tolist(), lengths.tolist(), strict=True):
        into[a : a + n] = read[s : s + n]


def _run_sums(values: np.ndarray, at: np.ndarray, to: np.ndarray) -> np.ndarray:
    """The sum of ``values[at[k]:to[k]]`` for each ``k`` (runs one after another)."""
    import numpy as np

    before = np.concatenate([[0], np.cumsum(values)])
    return before[to] - before[at]


def _put(out: np.ndarray, at: np.ndarray, data: bytes) -> None:
    """``data`` at each of ``at``."""
    import numpy as np

    if len(data) == 1:
        out[at] = data[0]
    else:
        out[at[:, None] + np.arange(len(data))] = np.frombuffer(data, dtype=np.uint8)


def int_widths(values: np.ndarray) -> np.ndarray:
    """The bytes each non-negative int takes pickled: BININT1, BININT2 or BININT with its
    opcode (2, 3 or 5)."""
    import numpy as np

    return np.where(values < 1 << 8, 2, np.where(values < 1 << 16, 3, 5))


def put_ints(out: np.ndarray, at: np.ndarray, values: np.ndarray, width: np.ndarray) -> None:
    """Each non-negative int pickled at its place (``width``, from ``int_widths``): its
    opcode, then its bytes, little-endian."""
    import numpy as np

    out[at] = np.array([0, 0, *pickle.BININT1, *pickle.BININT2, 0, *pickle.BININT], dtype=np.uint8)[width]
    little = values.astype("<u4").view(np.uint8).reshape(-1, 4)
    for byte in range(4):
        has = width > byte + 1
        out[at[has] + 1 + byte] = little[has, byte]


def bytes_head_widths(sizes: np.ndarray) -> np.ndarray:
    """The bytes the head of a pickled bytes value of each size takes: SHORT_BINBYTES and
    a byte of length (2), else BINBYTES and four (5)."""
    import numpy as np

    return np.where(sizes < 256, 2, 5)


def put_bytes_heads(out: np.ndarray, at: np.ndarray, sizes: np.ndarray) -> None:
    """The head of a pickled bytes value of each size at its place (``bytes_head_widths``)."""
    import numpy as np

    short = sizes < 256
    out[at[short]] = pickle.SHORT_BINBYTES[0]
    out[at[short] + 1] = sizes[short]
    out[at[~short]] = pickle.BINBYTES[0]
    out[at[~short, None] + 1 + np.arange(4)] = sizes[~short].astype("<u4").view(np.uint8).reshape(-1, 4)
