"""Our codec (storage/index/codec.py) must not change what an index returns, how it
scores, or which terms a fuzzy walk finds; and Whoosh itself stays as released for any
other index in the process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.codec import base, whoosh3
from whoosh.filedb import filetables
from whoosh.qparser import QueryParser

from storage.index import SearchIndex
from storage.index.bulk import build_segments, commit_segments
from storage.index.codec import CACHED_LEVELS, CachedAutomata, FastTermTable, create_index, segment_writer
from storage.index.schema import build_schema
from tests.storage.test_bulk_writer import assert_same_index, records


def _written(folder: Path, ours: bool) -> Any:
    """The same records, twice committed then merged, by Whoosh's writer with our codec
    or with Whoosh's own."""
    folder.mkdir()
    ix = create_index(folder, build_schema()) if ours else windex.create_in(str(folder), build_schema())
    for start in (0, 150):
        w = segment_writer(ix) if ours else ix.writer()
        for r in records(300, seed=4)[start : start + 150]:
            w.add_document(**r)
        w.commit(merge=False)
    (segment_writer(ix) if ours else ix.writer()).commit(optimize=True)
    return ix


def test_scores_and_postings_identical_to_stock_whoosh(tmp_path: Path) -> None:
    ours, stock = _written(tmp_path / "ours", True), _written(tmp_path / "stock", False)
    with ours.reader() as a, stock.reader() as b:
        assert_same_index(a, b)
        m = a.postings("text_en", b"de")  # a frequent word: blocks of positions
        data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        import zlib
        assert (zlib.decompress(data) if m._compression else data)[:2] == b"\x80\x05"  # protocol 5
    query = QueryParser("text_en", build_schema()).parse("money OR funding OR merida~")
    with ours.searcher() as s1, stock.searcher() as s2:
        got = [(h.docnum, round(h.score, 9)) for h in s1.search(query, limit=50)]
        want = [(h.docnum, round(h.score, 9)) for h in s2.search(query, limit=50)]
        assert got == want and got


def test_search_index_results_unchanged(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "a")
    index.apply(add=records(60, seed=2))
    hits = index.search("money OR funding", limit=10, snippets=False).hits
    assert hits
    index.close()


def test_term_table_probes_and_fuzzy_walks_identical(tmp_path: Path) -> None:
    ix = create_index(tmp_path, build_schema())
    segments, _ = build_segments(ix, records(300, seed=9))
    commit_segments(ix, segments)
    with ix.reader() as reader:
        table = reader._terms._tindex  # the segment's sorted term table
        assert isinstance(table, FastTermTable)
        keys = [table.key_at(pos) for pos in (table._get_pos(table.indexbase + i * table.indexsize)
                                              for i in range(table.indexlen))]
        assert len(keys) > 500 and keys == sorted(keys)
        probes = [b"", b"\x00", b"\xff\xff", *keys, *(k + b"\x00" for k in keys), *(k[:-1] for k in keys if k)]
        for _ in range(2):  # the second time from the cache
            fixed = [table.closest_key_pos(k) for k in probes]
            plain = [filetables.OrderedHashReader.closest_key_pos(table, k) for k in probes]
            assert fixed == plain
        assert table._probe_keys and len(table._probe_keys) < 2**CACHED_LEVELS
        words = ["merda", "merida", "fundng", "cartel", "lavdo", "dinero", "x", "zzzz"]
        cases = [(w, d, p) for w in words for d in (1, 2) for p in (0, 1)]
        ours = [sorted(CachedAutomata().terms_within(reader.cursor("text_en"), w, d, p)) for w, d, p in cases * 2]
        stock = [sorted(base.Automata().terms_within(reader.cursor("text_en"), w, d, p)) for w, d, p in cases]
        assert ours == stock * 2 and "merida" in ours[0]


def test_a_writer_is_freed_without_the_garbage_collector(tmp_path: Path) -> None:
    import gc
    import weakref

    from storage.index.bulk import BulkSegmentWriter
    from storage.index.schema import with_pairs

    ix = create_index(tmp_path, build_schema())
    (tmp_path / "MAIN.tmp").mkdir()  # as when rebuild workers share it: the case that made a cycle
    gc.collect()
    gc.disable()
    try:
        for make, end in ((BulkSegmentWriter, "finish"), (segment_writer, "cancel")):
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


def stock_lookups(table: Any, key: bytes) -> tuple[Any, ...]:
    plain = filetables.HashReader
    try:
        found = plain.range_for_key(table, key)
    except KeyError:
        found = None
    return plain.get(table, key), plain.__contains__(table, key), found


def test_term_lookups_identical(tmp_path: Path) -> None:
    ix = create_index(tmp_path, build_schema())
    segments, _ = build_segments(ix, records(300, seed=10))  # terms hashed with CRC32
    commit_segments(ix, segments)
    with segment_writer(ix) as writer:  # Whoosh's own writer: MD5
        for record in records(20, seed=11):
            writer.add_document(**record)
    with ix.reader() as reader:
        tables = [leaf._terms._tindex for leaf, _ in reader.leaf_readers()]
        assert sorted(t.hashtype for t in tables) == [0, 1]
        for table in tables:
            assert hasattr(table.dbfile, "_buf")  # held in memory: the fast path
            keys = [key for key, _ in table.items()]
            assert len(keys) > 100
            probes = [b"", b"\x00", *keys, *(k + b"x" for k in keys), *(k[:-1] for k in keys[::7])]
            fixed = [lookups(table, k) for k in probes]
            assert fixed == [stock_lookups(table, k) for k in probes]
            assert [table[k] for k in keys] == [v for v, _, _ in fixed[2 : 2 + len(keys)]]
            assert sum(found for _, found, _ in fixed) >= len(keys)


def test_another_whoosh_index_in_the_process_is_stock_whoosh(tmp_path: Path) -> None:
    ours = SearchIndex(tmp_path / "ours")  # our index open and used in this process
    ours.apply(add=records(20, seed=1))
    assert ours.search("money", snippets=False).hits is not None
    stock = _written(tmp_path / "stock", False)
    with stock.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        assert type(leaf._terms._tindex) is filetables.OrderedHashReader
        assert type(leaf._perdoc) is whoosh3.W3PerDocReader
        assert type(leaf._codec) is whoosh3.W3Codec
    for cls, name in ((filetables.HashReader, "__getitem__"), (filetables.HashReader, "get"),
                      (filetables.OrderedHashReader, "closest_key_pos"),
                      (whoosh3.W3PerDocReader, "_cached_reader"), (whoosh3.W3PostingsWriter, "_write_block")):
        assert getattr(cls, name).__module__.startswith("whoosh."), (cls, name)
    assert base.Automata.levenshtein_dfa.__module__.startswith("whoosh.")
    ours.close()
