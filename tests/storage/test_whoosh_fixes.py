"""The fixes in whoosh_fixes must not change what the index returns, how it scores, or
which terms a fuzzy walk finds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.index import SearchIndex, whoosh_fixes

RECORDS = [
    {"key": f"p:{i}:0", "kind": "passage", "pdoc": str(i), "doc_id": i, "doc": f"Doc {i}", "start": 0,
     "end": 10, "body": text, "lang": "en", "text_en": text, "tag": "drugs,drugs/fentanyl" if i % 2 else "", "tag_paths": ["Drugs/Fentanyl"] if i % 2 else []}
    for i, text in enumerate([
        "funding for the initiative rose", "cartels launder money through shell firms",
        "money money money laundering again", "seizures of fentanyl at the border",
        "the committee heard about funding and money",
    ])
]


@contextmanager
def whoosh_unfixed() -> Iterator[None]:
    """Whoosh as released, for the length of the block."""
    whoosh_fixes.revert()
    try:
        yield
    finally:
        whoosh_fixes.apply()


def results(folder: Path) -> list[tuple[int, float]]:
    index = SearchIndex(folder)
    index.apply(add=RECORDS)
    index.apply(add=[dict(RECORDS[0], key="p:9:0", doc_id=9, pdoc="9")])
    hits = index.search("money OR funding tag:drugs", limit=10, snippets=False).hits
    index.close()
    return [(h.doc_id, h.score) for h in hits]


def test_scores_identical_with_and_without_the_fix(tmp_path: Path) -> None:
    with_fix = results(tmp_path / "a")
    with whoosh_unfixed():
        without = results(tmp_path / "b")
    assert with_fix == without and with_fix


def test_term_table_searches_identical_with_and_without_the_fix(tmp_path: Path) -> None:
    from whoosh import index as windex

    from storage.index.bulk import build_segments, commit_segments
    from storage.index.schema import build_schema
    from tests.storage.test_bulk_writer import records

    ix = windex.create_in(str(tmp_path), build_schema())
    segments, _ = build_segments(ix, records(300, seed=9))
    commit_segments(ix, segments)
    with ix.reader() as reader:
        table = reader._terms._tindex  # the segment's sorted term table
        keys = [table.key_at(pos) for pos in (table._get_pos(table.indexbase + i * table.indexsize)
                                              for i in range(table.indexlen))]
        assert len(keys) > 500 and keys == sorted(keys)
        probes = [b"", b"\x00", b"\xff\xff", *keys, *(k + b"\x00" for k in keys), *(k[:-1] for k in keys if k)]
        for _ in range(2):  # the second time from the cache
            fixed = [table.closest_key_pos(k) for k in probes]
            plain = [whoosh_fixes._original_closest(table, k) for k in probes]
            assert fixed == plain
        assert table._probe_keys and len(table._probe_keys) < 2**whoosh_fixes._CACHED_LEVELS
        words = ["merda", "merida", "fundng", "cartel", "lavdo", "dinero", "x", "zzzz"]
        cases = [(w, d, p) for w in words for d in (1, 2) for p in (0, 1)]
        fixed_walks = [sorted(reader.terms_within("text_en", w, d, p)) for w, d, p in cases * 2]
        with whoosh_unfixed():
            plain_walks = [sorted(reader.terms_within("text_en", w, d, p)) for w, d, p in cases * 2]
        assert fixed_walks == plain_walks and "merida" in fixed_walks[0]


def test_blocks_written_by_whoosh_with_protocol_5_read_back_the_same(tmp_path: Path) -> None:
    import zlib

    from whoosh import index as windex

    from storage.index.schema import build_schema
    from tests.storage.test_bulk_writer import assert_same_index, records

    def written(folder: Path) -> Any:
        folder.mkdir()
        ix = windex.create_in(str(folder), build_schema())
        for start in (0, 150):  # two commits, then a merge of them: all Whoosh's own writer
            w = ix.writer()
            for r in records(300, seed=4)[start : start + 150]:
                w.add_document(**r)
            w.commit(merge=False)
        ix.writer().commit(optimize=True)
        return ix

    fixed = written(tmp_path / "fixed")
    with whoosh_unfixed():
        plain = written(tmp_path / "plain")
    with fixed.reader() as a, plain.reader() as b:
        assert_same_index(a, b)
        m = a.postings("text_en", b"de")  # a frequent word: blocks of positions
        data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        assert (zlib.decompress(data) if m._compression else data)[:2] == b"\x80\x05"


def test_a_writer_is_freed_without_the_garbage_collector(tmp_path: Path) -> None:
    import gc
    import weakref

    from whoosh import index as windex

    from storage.index.bulk import BulkSegmentWriter
    from storage.index.schema import build_schema, with_pairs
    from tests.storage.test_bulk_writer import records

    ix = windex.create_in(str(tmp_path), build_schema())
    (tmp_path / "MAIN.tmp").mkdir()  # as when rebuild workers share it: the case that made a cycle
    gc.collect()
    gc.disable()
    try:
        for make, end in ((BulkSegmentWriter, "finish"), (lambda ix: ix.writer(), "cancel")):
            writer = make(ix)
            for record in records(5):
                writer.add_document(**with_pairs(record))
            alive = [weakref.ref(writer), weakref.ref(writer.fieldwriter._tindex)]
            getattr(writer, end)()
            del writer
            assert [ref() for ref in alive] == [None, None], end
    finally:
        gc.enable()


def lookups(table: Any, key: bytes) -> tuple[Any, ...]:
    """What a hash table answers about a key: its value, whether it holds it, its range."""
    try:
        found = table.range_for_key(key)
    except KeyError:
        found = None
    return table.get(key), key in table, found


def test_term_lookups_identical_with_and_without_the_fix(tmp_path: Path) -> None:
    from whoosh import index as windex

    from storage.index.bulk import build_segments, commit_segments
    from storage.index.schema import build_schema
    from tests.storage.test_bulk_writer import records

    ix = windex.create_in(str(tmp_path), build_schema())
    segments, _ = build_segments(ix, records(300, seed=10))  # terms hashed with CRC32
    commit_segments(ix, segments)
    with ix.writer() as writer:  # Whoosh's own writer: MD5
        for record in records(20, seed=11):
            writer.add_document(**record)
    with ix.reader() as reader:
        tables = [leaf._terms._tindex for leaf, _ in reader.leaf_readers()]
        assert sorted(t.hashtype for t in tables) == [0, 1]
        for table in tables:
            assert hasattr(table.dbfile, "_buf")  # held in memory: the fixed path
            keys = [key for key, _ in table.items()]
            assert len(keys) > 100
            probes = [b"", b"\x00", *keys, *(k + b"x" for k in keys), *(k[:-1] for k in keys[::7])]
            fixed = [lookups(table, k) for k in probes]
            with whoosh_unfixed():
                plain = [lookups(table, k) for k in probes]
                assert [table[k] for k in keys] == [v for v, _, _ in fixed[2 : 2 + len(keys)]]
            assert fixed == plain
            assert sum(found for _, found, _ in fixed) >= len(keys)
