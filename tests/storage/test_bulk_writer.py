"""The bulk rebuild writer must write exactly what Whoosh's own SegmentWriter writes."""

from __future__ import annotations

import pickle
import random
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import NgramFilter
from whoosh.filedb import filetables
from whoosh.formats import Positions
from whoosh.reading import IndexReader
from whoosh.util.numeric import length_to_byte

from storage.index import bulk, deflate, term_writer, token_log
from storage.index.analysis import WordCache, folding, prefixes, stemming
from storage.index.bulk import BulkSegmentWriter, build_segments, commit_segments, length_bytes
from storage.index.pairs import frequent_terms
from storage.index.query import Parser, bound_expansions
from storage.index.schema import PAIR_FIELDS, build_schema, with_pairs
from storage.index.token_log import TokenLog, WordIds, Words

WORDS = [
    "Mérida", "MÉRIDA", "merida", "résumés", "Peña", "laundering", "laundered", "cárteles", "tráfico",
    "don't", "l’État", "ΣΑΣ", "İstanbul", "straße", "ﬁnance", "naïve", "x", "42", "snake_case", "🙂",
    "the", "of", "committee", "funding", "fentanilo", "de", "la", "lavado", "dinero", "Ño", "año",
]


def text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        word = rng.choice(WORDS)
        out.append(word + rng.choice(["", "", ",", ".", " —", "'s", "-"]))
    return " ".join(out)


def records(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for n in range(count):
        lang = rng.choice(["en", "es"])
        body = text(rng, rng.randint(0, 400))
        record: dict[str, Any] = {
            "key": f"p:{n}:0", "kind": "passage", "pdoc": str(n // 3), "docid": str(n // 3), "doc_id": n // 3,
            "doc": f"Report {n // 3} on Mérida", "start": 0, "end": len(body), "body": body, "lang": lang,
            f"text_{lang}": body, "pre": body, "tag": "drugs,drugs/fentanyl" if n % 4 == 0 else "",
            "published": datetime(2015 + n % 9, 1 + n % 12, 1 + n % 28),
        }
        if n % 3 == 0:  # an annotation
            record.update(key=f"a:{n}", ann=str(n), kind="annotation", annotation_id=n,
                          note=text(rng, rng.randint(0, 12)), color=rng.choice(["red", "yellow"]),
                          tag_paths=["Drugs/Fentanyl"], created=datetime(2026, 1 + n % 12, 2))
        out.append(record)
    return out


def postings(reader: IndexReader, field: str, term: bytes) -> list[tuple[Any, ...]]:
    """Each posting (its positions, in a positions field, else its value as stored), and
    at each block's first the block's header as the matcher read it (its size, last
    docnum, greatest weight and length bounds)."""
    m = reader.postings(field, term)
    out: list[tuple[Any, ...]] = []
    while m.is_active():
        if m._i == 0:
            out.append((m._blocklength, m._maxid, m._maxweight, m._minlength, m._maxlength))
        # Positions as decoded: their pickles are built without Python's memo.
        out.append((m.id(), m.weight(), m.value_as("positions") if m.supports("positions") else m.value()))
        m.next()
    return out


def term_stats(reader: IndexReader, field: str, term: bytes) -> tuple[Any, ...]:
    ti = reader.term_info(field, term)
    return (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(),
            ti.min_id(), ti.max_id())


def assert_same_index(a: IndexReader, b: IndexReader) -> None:
    terms = list(a.all_terms())
    assert terms == list(b.all_terms())
    assert len(terms) > 200
    for field, term in terms:
        assert postings(a, field, term) == postings(b, field, term), (field, term)
        assert term_stats(a, field, term) == term_stats(b, field, term), (field, term)
    assert list(a.all_stored_fields()) == list(b.all_stored_fields())
    for field in ("text_en", "text_es", "note", "doc", "pre", *PAIR_FIELDS.values()):
        assert a.field_length(field) == b.field_length(field)
        for doc in range(a.doc_count_all()):
            assert a.doc_field_length(doc, field) == b.doc_field_length(doc, field)


def unpickled_item(item: bytes) -> bytes:
    """A value pickled as a block's item (block_data.value_item), unpickled."""
    value = pickle.loads(item + pickle.STOP)
    assert isinstance(value, bytes)
    return value


def frequent_in(recs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return frequent_terms({f: [r[f] for r in recs if r.get(f)] for f in PAIR_FIELDS})


@pytest.mark.parametrize(("max_postings", "chunk", "radix"),
                         [(10**9, None, True), (700, None, True), (10**9, 97, True), (10**9, None, False)])
def test_bulk_index_equals_whoosh_segment_writer(tmp_path: Path, max_postings: int, chunk: int | None,
                                                 radix: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if chunk:  # postings sorted a few terms at a time
        monkeypatch.setattr(token_log, "CHUNK_WORDS", chunk)
    if not radix:  # as when a range holds more terms than 16 bits number
        monkeypatch.setattr(token_log, "RADIX_TERMS", 0)
    recs = records(300)
    frequent = frequent_in(recs)
    assert frequent["text_en"] and frequent["text_es"]  # so that there are pairs to compare
    (tmp_path / "std").mkdir()
    (tmp_path / "bulk").mkdir()
    std = windex.create_in(str(tmp_path / "std"), build_schema(frequent))
    writer = std.writer()
    for r in recs:
        writer.add_document(**with_pairs(r))
    writer.commit()

    bulk = windex.create_in(str(tmp_path / "bulk"), build_schema(frequent))
    segments, count = build_segments(bulk, recs, max_postings=max_postings)
    commit_segments(bulk, segments)
    assert count == len(recs)
    assert (len(segments) > 1) == (max_postings < 10**9)  # several segments when flushing early

    with std.searcher() as s1, windex.open_dir(str(tmp_path / "bulk")).searcher() as s2:
        for leaf, _offset in s2.reader().leaf_readers():
            assert leaf._terms._tindex.hashtype == 1  # CRC32, which the reader takes from the header
        if len(segments) == 1:
            assert_same_index(s1.reader(), s2.reader())
            assert any(f == "pairs_es" for f, _t in s2.reader().all_terms())
        for q in ("merida", "laundered", "tráfico", '"de la"', "tag:drugs", "note:dinero", "pre:laun",
                  "published:[2016 TO 2018]", "created:>2026-06-01", "color:red"):
            query, literal = Parser(std.schema).parse(q)
            assert not literal
            h1 = [(r["key"], round(r.score, 5)) for r in s1.search(query, limit=None)]
            h2 = [(r["key"], round(r.score, 5)) for r in s2.search(query, limit=None)]
            assert h1 and sorted(h1) == sorted(h2), q


def test_without_frequent_words_the_bulk_index_has_no_pairs_as_whoosh_has_none(tmp_path: Path) -> None:
    recs = records(240, seed=8)  # an index not rebuilt yet: its schema names no frequent words
    (tmp_path / "std").mkdir()
    (tmp_path / "bulk").mkdir()
    std = windex.create_in(str(tmp_path / "std"), build_schema())
    writer = std.writer()
    for r in recs:
        writer.add_document(**with_pairs(r))
    writer.commit()
    bulk = windex.create_in(str(tmp_path / "bulk"), build_schema())
    segments, _ = build_segments(bulk, recs)
    commit_segments(bulk, segments)
    with std.searcher() as s1, windex.open_dir(str(tmp_path / "bulk")).searcher() as s2:
        assert_same_index(s1.reader(), s2.reader())
        assert not any(f in PAIR_FIELDS.values() for f, _t in s2.reader().all_terms())


@pytest.mark.parametrize("chunk", [None, 50])
@pytest.mark.parametrize("analyzer", [stemming("en"), stemming("es"), prefixes()])
def test_word_log_gives_the_analyzers_terms_positions_and_lengths(analyzer: Any, chunk: int | None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if chunk:
        monkeypatch.setattr(token_log, "CHUNK_WORDS", chunk)
        monkeypatch.setattr(token_log, "ANALYSE_WORDS", 7)  # new words analysed 7 at a time
    cache = WordCache.for_analyzer(analyzer)
    assert cache is not None
    chain = WordIds(cache, Words())
    log = TokenLog(chain.words)
    rng = random.Random(11)
    expected: dict[tuple[bytes, int], list[int]] = {}  # (term, docnum) -> positions
    expected_lengths: dict[int, int] = {}
    for docnum in range(200):
        sample = text(rng, rng.randint(0, 60))
        log.add(docnum, *chain.words.add(cache.words(sample)))
        tokens = [(t.text, t.pos) for t in analyzer(sample, positions=True, mode="index")]
        expected_lengths[docnum] = len(tokens)
        for term, pos in tokens:
            expected.setdefault((term.encode("utf-8"), docnum), []).append(pos)
    chain.analyse(log.numbers())
    chain.forget_words()
    table = chain.table
    docs, lengths = log.lengths(table)
    assert dict(zip(docs.tolist(), lengths.tolist(), strict=True)) == expected_lengths
    got: dict[tuple[bytes, int], list[int]] = {}
    terms: list[bytes] = []
    for found in log.postings(table, chain.terms, positions=True):
        assert found.xs is not None
        terms += found.terms
        for i, term in enumerate(found.terms):
            for p in range(found.starts[i], found.starts[i + 1]):
                freq, x = found.freqs[p], found.xs[p]
                value = unpickled_item(found.encoded[x]) if freq > 1 else Positions().encode([x])
                got[term, found.docs[p]] = Positions().decode_positions(value)
    assert got == expected
    assert terms == sorted(set(terms))


def test_length_bytes_are_whooshs() -> None:
    counts = np.arange(0, 120_000)
    assert length_bytes(counts).tolist() == [length_to_byte(n) for n in range(120_000)]


def test_tokens_are_words_joined_by_single_apostrophes() -> None:
    import re

    from storage.index.analysis import TOKEN

    token = re.compile(TOKEN)
    assert token.findall("Don't l’État's 'quoted' rock'n'roll it''s a'’b x' _y_ 42") == [
        "Don't", "l’État's", "quoted", "rock'n'roll", "it", "s", "a", "b", "x", "_y_", "42"]
    # The possessive expression finds what the plain one, which steps back, finds.
    plain = re.compile(r"\w+(?:['’]\w+)*")
    rng = random.Random(9)
    for _ in range(20000):
        text = "".join(rng.choices("ab'’ é1_-.Ñ\u00a0", k=rng.randint(1, 25)))
        assert token.findall(text) == plain.findall(text), text


def test_word_cache_refuses_chains_it_cannot_reproduce() -> None:
    from whoosh.analysis import StandardAnalyzer

    assert WordCache.for_analyzer(StandardAnalyzer()) is None  # a stop filter drops tokens
    assert WordCache.for_analyzer(folding()) is not None


def test_four_letter_prefix_reads_the_prefix_field(tmp_path: Path) -> None:
    ix = windex.create_in(str(tmp_path), build_schema())
    segments, _ = build_segments(ix, records(50))
    commit_segments(ix, segments)
    with ix.searcher() as s:
        query, _ = Parser(ix.schema).parse("Méri* OR Merid*")
        terms = {(f, t.decode() if isinstance(t, bytes) else t) for f, t in bound_expansions(query, s).iter_all_terms()}
        assert ("pre", "meri") in terms  # the 4-letter prefix: one term
        assert ("text_en", "merida") in terms  # the 5-letter one: expanded words, as before
        assert not any(f in ("text_en", "text_es") and t == "meri" for f, t in terms)
        assert len(s.search(wq.Term("pre", "meri"), limit=None)) == len(s.search(query, limit=None))


def test_large_batches_take_the_bulk_path_with_deletions_in_the_same_commit(tmp_path: Path) -> None:
    from storage.index import SearchIndex
    from storage.index import search_index as si

    recs = records(600, seed=13)
    index = SearchIndex(tmp_path / "ix")
    index.apply(add=recs[:400])  # >= BULK_MIN: bulk writer
    assert index.doc_count() == 400
    gone_doc = recs[0]["pdoc"]
    gone_ann = next(r for r in recs[:400] if r["kind"] == "annotation")["ann"]
    gone = {r["key"] for r in recs[:400] if r.get("pdoc") == gone_doc or r.get("ann") == gone_ann}
    assert len(recs[400:]) >= si.BULK_MIN
    index.apply(delete_docs=[int(gone_doc)], delete_annotations=[int(gone_ann)], add=recs[400:])
    keys = set(index.keys())
    assert keys == {r["key"] for r in recs} - gone
    assert index.search("merida", limit=1000).hits
    index.close()


def test_segments_come_out_about_equal_when_the_text_size_is_known(tmp_path: Path) -> None:
    recs = records(600, seed=17)
    chars = sum(len(r.get("body") or "") + len(r.get("note") or "") for r in recs)
    ix = windex.create_in(str(tmp_path), build_schema())
    counter = BulkSegmentWriter(ix)
    for r in recs:
        counter.add_document(**with_pairs(r))
    counter.cancel()
    limit = int(counter.postings * 0.4)  # two full segments and a rest of half their size
    full, _ = build_segments(ix, recs, max_postings=limit)
    sizes = [s.doc_count_all() for s in full]
    assert len(sizes) == 3 and sizes[-1] < 0.6 * sizes[0]  # full ones, then a small rest
    even, count = build_segments(ix, recs, max_postings=limit, expected_chars=chars)
    sizes = [s.doc_count_all() for s in even]
    assert count == len(recs) and len(sizes) == 3
    assert max(sizes) < 1.25 * min(sizes)


def test_a_segment_is_written_once_it_holds_max_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MAX_WORDS", 100)  # distinct words: their lookup bounds memory
    recs = records(40)
    for n, r in enumerate(recs):  # ten new words a record
        r["body"] = r["pre"] = r[f"text_{r['lang']}"] = " ".join(f"word{n}x{k}" for k in range(10))
    ix = windex.create_in(str(tmp_path), build_schema())
    segments, count = build_segments(ix, recs)
    assert count == len(recs) and 3 <= len(segments) <= 5
    commit_segments(ix, segments)
    with ix.searcher() as s:
        assert s.doc_count() == len(recs)
        for n in (0, 17, 39):
            found = s.search(wq.Or([wq.Term(f, f"word{n}x9") for f in ("text_en", "text_es")]))
            assert [hit["key"] for hit in found] == [recs[n]["key"]]


def test_a_commit_keeps_the_readers_of_unchanged_segments(tmp_path: Path) -> None:
    from storage.index import SearchIndex

    recs = records(300, seed=21)
    index = SearchIndex(tmp_path / "ix")
    index.apply(add=recs[:250])
    assert index.search("merida").hits

    def readers() -> list[Any]:
        return [r for r, _ in index._searcher_now().reader().leaf_readers()]

    before = readers()
    index.apply(add=recs[250:260])  # a new small segment
    after = readers()
    assert len(after) == len(before) + 1 and after[0] is before[0]
    gone = next(r for r in recs[:250] if r["kind"] == "annotation")
    index.apply(delete_annotations=[int(gone["ann"])])  # a deletion in the first segment
    assert readers()[0] is not before[0]
    assert gone["key"] not in set(index.keys())
    index.close()


def test_deflate_is_isal_and_zlib_reads_what_it_writes() -> None:
    data = " ".join(records(5)[4]["body"] for _ in range(20)).encode()
    packed = deflate.compress(data)
    assert zlib.decompress(packed) == data  # Whoosh's readers use zlib
    assert deflate.decompress(zlib.compress(data, 3)) == data  # and its writers
    assert len(packed) < len(data) / 3
    assert deflate.compress.func.__module__.startswith("isal")  # type: ignore[attr-defined]


@pytest.mark.parametrize("hashtype", [0, 1])  # MD5 (Whoosh's default), CRC32 (the bulk writer's)
def test_hash_tables_find_every_key_as_whooshs_do(tmp_path: Path, hashtype: int) -> None:
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter, _pointer

    rng = random.Random(5)
    # Enough keys that entries collide and probe past the end of their tables.
    keys = sorted({"".join(rng.choices("abcdéfgh", k=rng.randint(1, 9))).encode() for _ in range(5000)})
    absent = [k + b"!" for k in keys[::7]]
    store = FileStorage(str(tmp_path))
    read = []
    for name, writer in (("whoosh", OrderedHashWriter), ("ours", term_writer.FastHashTables)):
        tindex = writer(store.create_file(name))
        if hashtype:  # as the bulk writer names CRC32 in its terms files' header
            tindex.dbfile.seek(4)
            tindex.dbfile.write_byte(hashtype)
            tindex.dbfile.seek(13)
            tindex.hashtype, tindex.hashfn = hashtype, filetables.crc_hash
        if name == "ours":
            tindex.add_entries(keys[:3000], [k[::-1] for k in keys[:3000]])
            for key in keys[3000:]:
                tindex.add(key, key[::-1])
        else:
            for key in keys:
                tindex.add(key, key[::-1])
        tindex.close()
        reader = OrderedHashReader.open(store, name)
        read.append(([reader[k] for k in keys], [k in reader for k in absent], list(reader.keys()),
                     reader.closest_key(b"ab"), (tmp_path / name).stat().st_size))
        # Entries past the end of their table went on from its start (so the test probes that).
        wrapped = 0
        for start, slots in reader.tables:
            for slot in range(slots):
                keyhash, position = _pointer.unpack(reader.dbfile.get(start + 12 * slot, 12))
                wrapped += bool(position) and slot < (keyhash >> 8) % slots
        assert wrapped
        reader.close()
    assert read[0] == read[1]
    assert read[1][0] == [k[::-1] for k in keys] and not any(read[1][1])
    assert len(keys) > 2000


def test_fields_it_cannot_write_as_whoosh_would_are_refused(tmp_path: Path) -> None:
    from whoosh.fields import KEYWORD, Schema

    ix = windex.create_in(str(tmp_path), Schema(key=KEYWORD(scorable=True)))  # lengths a record
    with pytest.raises(ValueError, match="'key'"):
        BulkSegmentWriter(ix)


@pytest.mark.parametrize("cap", [10**9, 40])  # the cache emptied when it holds over `cap` words
@pytest.mark.parametrize("analyzer", [stemming("en"), stemming("es"), prefixes(), folding()])
def test_word_cache_terms_are_the_analyzers(analyzer: Any, cap: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.index import analysis

    monkeypatch.setattr(analysis, "_CACHE_WORDS", cap)
    cache = WordCache.for_analyzer(analyzer)
    assert cache is not None
    rng = random.Random(12)
    dropped = 0
    for _ in range(100):
        sample = text(rng, rng.randint(0, 40))
        words = cache.words(sample)
        expected = [next((t.text.encode() for t in analyzer(w, mode="index")), None) for w in words]
        assert cache.terms_of(words) == expected, sample
        assert cache.analyse_many([cache.key(w) for w in words]) == expected
        dropped += expected.count(None)
    assert (dropped > 0) == (type(analyzer.items[-1]) is NgramFilter)  # the prefix chain drops short words


def test_posting_blocks_are_deflated_from_compress_min(tmp_path: Path) -> None:
    from storage.index import term_union

    ix = windex.create_in(str(tmp_path), build_schema())
    segments, _ = build_segments(ix, records(300, seed=13))
    commit_segments(ix, segments)
    with ix.searcher() as searcher:
        reader = searcher.leaf_searchers()[0][0].reader()
        postfile = reader._terms._postfile
        seen: list[tuple[int, bool]] = []  # (the block's pickle size, deflated)
        for (_field, _term), info in reader._terms.items():
            m = term_union._Postings(postfile.file, postfile._buf, info._offset)
            while True:
                data = bytes(m._buf[m._dataoffset : m._nextoffset])
                seen.append((len(deflate.decompress(data) if m._compression else data), bool(m._compression)))
                if m._lastblock:
                    break
                m._goto(m._nextoffset)
    assert all((size >= term_writer.COMPRESS_MIN) == deflated for size, deflated in seen)
    assert {deflated for _, deflated in seen} == {True, False}


def test_records_are_deflated_from_record_min_and_read_back_by_zlib() -> None:
    import pickle

    small = pickle.dumps({"key": "a:1", "note": "short"}, 5)
    large = pickle.dumps({"key": "p:1:0", "body": "the committee heard about funding " * 40}, 5)
    assert len(small) < deflate.RECORD_MIN <= len(large)
    for data in (small, large):
        assert zlib.decompress(deflate.compress_record(data)) == data  # what Whoosh's reader calls
    assert small in deflate.compress_record(small)  # zlib's stored blocks: the bytes as they are
    assert len(deflate.compress_record(large)) < len(large) / 4


@pytest.mark.parametrize("size", [0, 1, 399, 16_000, 65_535, 70_000])
def test_a_stored_stream_is_zlibs_level_0(size: int) -> None:
    data = random.Random(size).randbytes(size)
    assert zlib.decompress(deflate.stored_stream(data)) == data
    if size < deflate.RECORD_MIN:  # the records it is used for: zlib's very bytes
        assert deflate.stored_stream(data) == zlib.compress(data, 0)


def test_positions_are_encoded_as_whooshs_decode_them() -> None:
    rng = random.Random(4)
    postings = [sorted(rng.sample(range(rng.choice([3000, 70_000, 5_000_000])), rng.choice([2, 3, 40, 1200])))
                for _ in range(400)]
    gaps = np.concatenate([np.diff(p, prepend=0) for p in postings]).astype(np.int32)
    sizes = np.array([len(p) for p in postings])
    encoded = [unpickled_item(e) for e in token_log._encode_positions(gaps, sizes)]
    assert [Positions().decode_positions(e) for e in encoded] == postings
    assert [Positions().decode_frequency(e) for e in encoded] == [len(p) for p in postings]
    assert max(gaps) >= 1 << 16 and min(gaps) < 1 << 8  # one-, two- and four-byte gaps
    assert token_log._encode_positions(gaps[:0], sizes[:0]) == []


def test_words_are_translated_as_str_translate_does() -> None:
    from whoosh.support.charset import accent_map

    from storage.index import analysis

    words = ["HELLO", "Tipping", "héllo", "plain", "42", "snake_case", "ÑOÑO", "ﬁnance", ""]
    translate = analysis._batch_step(analysis.CharsetFilter(accent_map), str)
    assert translate([*words, None]) == [*(w.translate(accent_map) for w in words), None]
    assert translate(["HELLO"]) == ["hELLO"]  # the map changes an ASCII capital or two
