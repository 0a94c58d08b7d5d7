"""Posting blocks' data, pickled for a range at once, must unpickle to what Whoosh pickles."""

from __future__ import annotations

import pickle
import random
from array import array
from typing import Any

import numpy as np
import pytest

from storage.index.block_data import BlockValues, block_data, counts_bytes, value_item


def whooshs(gaps: list[int], freqs: list[int], values: Any) -> tuple[Any, ...]:
    """What W3PostingsWriter._write_block pickles for a block: its ids, weights, values."""
    if all(f == 1 for f in freqs):
        weights: Any = None
    elif len(set(freqs)) == 1:
        weights = float(freqs[0])
    else:
        weights = tuple(array("f", freqs))
    return tuple(gaps), weights, values


@pytest.mark.parametrize("group", [1 << 16, 100])  # postings pickled at a time (100: many groups)
@pytest.mark.parametrize("kind", ["none", "counts", "items"])
def test_blocks_unpickle_to_whooshs_ids_weights_and_values(kind: str, group: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.index import block_data as module

    monkeypatch.setattr(module, "GROUP_POSTINGS", group)
    rng = random.Random(kind)
    sizes = [rng.choice([1, 1, 2, 5, 63, 64, 128]) for _ in range(300)]
    total = sum(sizes)
    gaps = [rng.choice([0, 1, 7, 255, 256, 65_535, 65_536, 2**31 - 1]) for _ in range(total)]
    shape = [rng.choice(["ones", "same", "mixed"]) for _ in sizes]
    freqs: list[int] = []
    for size, how in zip(sizes, shape, strict=True):
        same = rng.randint(2, 300)
        freqs += [1 if how == "ones" else same if how == "same" else rng.choice([1, 2, 3, 70_000, 2**24 + 1])
                  for _ in range(size)]
    raw = [rng.randbytes(rng.choice([0, 1, 13, 255, 256, 300])) for _ in range(total)]
    values = BlockValues(kind, [value_item(v) for v in raw] if kind == "items" else ())
    counts = np.array(sizes, dtype=np.int64)
    to = np.cumsum(counts)
    at = to - counts
    f = np.array(freqs, dtype=np.uint32)
    low = np.minimum.reduceat(f, at)
    high = np.maximum.reduceat(f, at)
    datas = block_data(np.array(gaps), f, at=at, to=to, low=low, high=high, values=values)
    assert len(datas) == len(sizes)
    for k, (a, b) in enumerate(zip(at.tolist(), to.tolist(), strict=True)):
        block_values = (None if kind == "none" else counts_bytes(array("I", freqs[a:b])) if kind == "counts"
                        else tuple(raw[a:b]))
        assert pickle.loads(datas[k]) == whooshs(gaps[a:b], freqs[a:b], block_values), k
    assert {"ones", "same", "mixed"} <= set(shape)


def test_no_blocks_no_data() -> None:
    empty = np.array([], dtype=np.int64)
    assert block_data(empty, empty, at=empty, to=empty, low=empty, high=empty, values=BlockValues("none")) == []


def test_a_value_item_unpickles_to_the_value() -> None:
    for size in (0, 255, 256, 70_000):
        value = bytes(range(256)) * (size // 256) + bytes(size % 256)
        assert pickle.loads(value_item(value) + pickle.STOP) == value
