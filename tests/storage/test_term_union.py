"""Top hits for an OR of plain terms, or an AND of such ORs, scored in bulk, are Whoosh's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

from storage.index import SearchIndex, term_union
from storage.index.phrase import adjacent_phrases
from storage.index.query import bound_expansions
from storage.index.term_union import top_hits
from tests.storage.test_bulk_writer import records

# Words, 4-letter prefixes, longer prefixes and fuzzy terms (ORs of their expansions), OR.
QUERIES = ["merida", "the", "Méri*", "merid*", "lavdo~1/1", "fundng~", "Peña OR año", "de OR la OR lavado",
           "note:dinero", "pre:meri", "text_es:de", "text_en:the",  # these four: one term
           "tag:drugs merida", "de tag:drugs", "color:red lavdo~1/1", "tag:drugs/fentanyl Peña OR año",  # filtered
           # ANDs: of two words, of three (a tree of intersections, its order Whoosh's), of a
           # word and expansions, and with two filters
           "merida dinero", "de la año", "merida lavado the committee", "Peña fundng~", "merid* lavado",
           "tag:drugs color:red merida"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Big bulk-written segments, then small ones from single edits, then deletions."""
    ix = SearchIndex(tmp_path_factory.mktemp("ix"))
    recs = records(900, seed=31)
    ix.apply(add=recs[:600])  # bulk writer
    for n in range(600, 900, 60):
        ix.apply(add=recs[n : n + 60])  # Whoosh's writer: small segments
    ix.apply(delete_docs=[3, 50, 210], delete_annotations=[int(r["ann"]) for r in recs[::97] if "ann" in r])
    yield ix
    ix.close()


def whoosh_ranking(searcher: Any, query: wq.Query) -> list[tuple[float, int]]:
    found = [(hit.score, hit.docnum) for hit in searcher.search(query, limit=None)]
    return sorted(found, key=lambda sd: (-sd[0], sd[1]))


@pytest.mark.parametrize("by_numpy", [False, True])  # one-term queries scored by numpy from the first posting
@pytest.mark.parametrize("text", QUERIES)
def test_top_hits_equal_whoosh_ranking(index: Any, text: str, by_numpy: bool,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if by_numpy:
        monkeypatch.setattr(term_union, "NUMPY_POSTINGS", 1)
    searcher = index._searcher_now()
    assert len(searcher.leaf_searchers()) > 3
    query, _ = index._parser.parse(text)
    query = adjacent_phrases(bound_expansions(query, searcher))
    expected = whoosh_ranking(searcher, query)
    assert expected, text
    for limit in (1, 5, 20, 1000):
        got = top_hits(searcher, query, limit)
        assert got == (expected[:limit], False), (text, limit)
    for kind in ("passage", "annotation"):
        only = wq.Term("kind", kind)
        filtered = whoosh_ranking(searcher, wq.Require(query, only))
        assert top_hits(searcher, query, 10, only) == (filtered[:10], False), (text, kind)


@pytest.mark.parametrize("text", ['"de la"', "merida^2", "published:2016", "tag:drugs", "tag:drugs^2 merida",
                                  "merida (dinero OR lavado^2)", '"de la" merida'])
def test_other_query_shapes_are_left_to_whoosh(index: Any, text: str) -> None:
    searcher = index._searcher_now()
    query, _ = index._parser.parse(text)
    assert top_hits(searcher, adjacent_phrases(bound_expansions(query, searcher)), 10) is None
    assert index.search(text, limit=10).hits or text in ("published:2016", "tag:drugs^2 merida")


def test_search_results_carry_the_bulk_scores(index: Any) -> None:
    searcher = index._searcher_now()
    query, _ = index._parser.parse("merida")
    expected = whoosh_ranking(searcher, query)[:7]
    hits = index.search("merida", limit=7).hits
    assert [h.score for h in hits] == [round(s, 4) for s, _ in expected]
    assert [searcher.stored_fields(d)["doc_id"] for _, d in expected] == [h.doc_id for h in hits]


def test_segments_over_5000_documents_add_up_as_whoosh_does(tmp_path: Path) -> None:
    """Whoosh joins an OR's terms as a weighted tree of unions in segments of more than
    5,000 documents and as an array in smaller ones; both orders of adding must hold."""
    import random

    from whoosh import index as windex

    from storage.index.bulk import build_segments, commit_segments
    from storage.index.schema import build_schema

    rng = random.Random(5)
    words = ["merida", "meridian", "merit", "mérida", "funding", "fund", "lavado", "dinero", "the", "de"]
    recs = []
    for n in range(5200):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        recs.append({"key": f"p:{n}:0", "kind": "passage", "pdoc": str(n), "doc_id": n, "start": 0,
                     "end": len(body), "body": body, "lang": "en", "text_en": body, "pre": body})
    ix = windex.create_in(str(tmp_path), build_schema())
    segments, _ = build_segments(ix, recs)
    commit_segments(ix, segments)
    with ix.searcher() as searcher:
        assert searcher.doc_count_all() > 5000
        for q in (wq.Or([wq.Term("text_en", w) for w in ("merida", "merit", "fund", "de")]),
                  wq.Or([wq.Term("pre", "meri"), wq.Term("text_en", "the"), wq.Term("text_en", "dinero")])):
            expected = whoosh_ranking(searcher, q)
            assert len(expected) > 1000
            assert top_hits(searcher, q, 50) == (expected[:50], False)
            assert top_hits(searcher, q, 50, time_limit=0.0) == ([], True)  # out of time at once


def test_a_kind_filter_leaves_scores_as_they_are_on_both_paths(index: Any) -> None:
    plain = [h for h in index.search("merida", limit=5000).hits if h.kind == "passage"]
    fast = index.search("merida", limit=50, kind="passage").hits  # bulk path
    slow = index.search('merida "de la"', limit=500, kind="passage").hits  # Whoosh's collector
    assert fast and fast == plain[:50]
    slow_plain = [h for h in index.search('merida "de la"', limit=5000).hits if h.kind == "passage"]
    assert slow and slow == slow_plain[: len(slow)]  # same scores: no constant added


@pytest.mark.parametrize("skip", [0, 10**9])  # the tag's postings read whole; only the blocks asked for
def test_a_tag_filter_adds_the_tags_weight_as_whoosh_does(tmp_path: Path, skip: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(term_union, "SKIP_RATIO", skip)
    recs = records(2400, seed=41)
    for n, r in enumerate(recs):  # a tag term twice in some documents: weight 2
        r["tag"] = ("drugs,drugs", "drugs", "")[n % 3]
        if n % 97 == 0:  # a rare word: few of the tag's blocks hold it
            r["text_en"] = r["body"] = f"{r['body']} quokka"
    ix = SearchIndex(tmp_path / "ix")
    ix.apply(add=recs)
    searcher = ix._searcher_now()
    # quokka: in few documents, so an AND reads few of the other words' blocks
    for text in ("tag:drugs merida", "lavado tag:drugs", "tag:drugs quokka", "quokka merida",
                 "lavado quokka tag:drugs"):
        query, _ = ix._parser.parse(text)
        query = adjacent_phrases(bound_expansions(query, searcher))
        expected = whoosh_ranking(searcher, query)
        assert len(expected) > 10
        assert top_hits(searcher, query, 50) == (expected[:50], False), text
    ix.close()


def test_warm_reads_the_frequent_tags_so_a_tag_filter_reads_no_postings(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    recs = records(900, seed=43)
    for n, r in enumerate(recs):
        r["tag"] = ("drugs,drugs/fentanyl", "finance", "drugs")[n % 3]
    ix = SearchIndex(tmp_path / "ix")
    ix.apply(add=recs[:600])
    ix.apply(add=recs[600:])  # two segments
    expected = ix.search("tag:drugs merida", limit=50).hits
    term_union._filters.clear()
    ix.warm()
    warmed = {(key[2], key[3]) for key in term_union._filters}
    assert warmed == {("tag", b"drugs"), ("tag", b"drugs/fentanyl"), ("tag", b"finance")}

    real = term_union._postings

    def postings(leaf: Any, q: wq.Term, ctx: Any) -> Any:
        assert q.fieldname != "tag", "read the tag's postings again"
        return real(leaf, q, ctx)

    monkeypatch.setattr(term_union, "_postings", postings)
    assert ix.search("tag:drugs merida", limit=50).hits == expected
    assert len(expected) > 10
    ix.finish_rebuild()  # marked complete: not rebuilt when opened again
    ix.close()
    # Kept by the index's folder and the segments' ids: opened again, still kept.
    ix = SearchIndex(tmp_path / "ix")
    assert ix.search("tag:drugs merida", limit=50).hits == expected
    ix.close()


def test_the_filter_cache_keeps_the_latest_terms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(term_union, "FILTER_CACHE", 2)
    recs = records(300, seed=44)
    for n, r in enumerate(recs):
        r["tag"] = ("alpha", "beta", "gamma")[n % 3]
    ix = SearchIndex(tmp_path / "ix")
    ix.apply(add=recs)
    term_union._filters.clear()
    for tag in ("alpha", "beta", "gamma"):
        assert ix.search(f"tag:{tag} merida", limit=5).hits
    assert [key[3] for key in term_union._filters] == [b"beta", b"gamma"]
    ix.close()


def test_an_and_reads_only_the_posting_blocks_that_may_hold_its_documents(index: Any) -> None:
    searcher = index._searcher_now()
    leaf = max((leaf for leaf, _ in searcher.leaf_searchers()), key=lambda s: s.doc_count_all())
    ctx = term_union._Context(searcher)
    term = wq.Term("text_en", "the")
    blocks = list(term_union._blocks(term_union._postings(leaf, term, ctx), None))
    assert len(blocks) > 2
    # Every other block's last document: a block ends at the last docnum its header names.
    wanted = [ids[-1] for ids, _ in blocks[::2]]
    read = list(term_union._blocks_within(term_union._postings(leaf, term, ctx), wanted, None))
    assert [ids for ids, _ in read] == [ids for ids, _ in blocks[::2]]


def test_warm_opens_each_segments_stored_records(index: Any) -> None:
    index.warm()
    leaves = [leaf.reader() for leaf, _ in index._searcher_now().leaf_searchers()]
    assert len(leaves) > 3
    assert all("_stored" in reader._perdoc._readers for reader in leaves)  # Whoosh's cache of open columns


def test_a_filter_terms_table_is_kept_up_to_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recs = records(300, seed=45)
    for n, r in enumerate(recs):
        r["tag"] = ("alpha", "beta")[n % 2]
    ix = SearchIndex(tmp_path / "ix")
    ix.apply(add=recs)
    expected = ix.search("tag:alpha merida", limit=50).hits
    term_union._tables.clear()
    assert ix.search("tag:alpha merida", limit=50).hits == expected
    assert [key[2:] for key in term_union._tables] == [("tag", b"alpha")]
    term_union._tables.clear()
    monkeypatch.setattr(term_union, "TABLE_MAX", 100)  # alpha is in 150 records: looked up as before
    assert ix.search("tag:alpha merida", limit=50).hits == expected
    assert not term_union._tables
    ix.close()
