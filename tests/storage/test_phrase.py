"""Adjacent phrases give Whoosh's own hits and scores, alone and inside other queries;
through the index's word pairs they give Whoosh's hits, ranked by the pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex
from whoosh import query as wq

from storage.index.bulk import build_segments, commit_segments
from storage.index.phrase import AdjacentPhrase, adjacent_phrases
from storage.index.schema import build_schema
from tests.storage.test_bulk_writer import frequent_in, records


def whoosh_index(path: Path, count: int = 400, deleted: int = 0) -> windex.Index:
    ix = windex.create_in(str(path), build_schema())
    segments, _ = build_segments(ix, records(count, seed=5), max_postings=3000)  # several segments
    commit_segments(ix, segments)
    if deleted:
        with ix.writer() as w:
            for n in range(0, deleted * 7, 7):
                w.delete_by_term("pdoc", str(n // 3))
    return ix


def ranked(s: Any, q: wq.Query, limit: int | None) -> list[tuple[str, float]]:
    return [(r["key"], r.score) for r in s.search(q, limit=limit)]


@pytest.mark.parametrize("phrase", [["de", "la"], ["lavado", "de", "dinero"], ["mer", "mer"],
                                    ["the", "committe", "fund"], ["nosuchword", "de"], ["x", "42", "x"]])
def test_adjacent_phrase_matches_whoosh_phrase(tmp_path: Path, phrase: list[str]) -> None:
    ix = whoosh_index(tmp_path)
    with ix.searcher() as s:
        for field in ("text_en", "text_es"):
            slow = [(r["key"], r.score) for r in s.search(wq.Phrase(field, phrase), limit=None)]
            fast = [(r["key"], r.score) for r in s.search(AdjacentPhrase(field, phrase), limit=None)]
            assert fast == slow
            top = [(r["key"], r.score) for r in s.search(AdjacentPhrase(field, phrase), limit=5)]
            assert top == slow[:5]
    if phrase in (["de", "la"], ["lavado", "de", "dinero"], ["mer", "mer"]):  # these occur
        with ix.searcher() as s:
            assert any(s.search(AdjacentPhrase(f, phrase)) for f in ("text_en", "text_es")), phrase


def test_phrases_skip_deleted_passages(tmp_path: Path) -> None:
    ix = whoosh_index(tmp_path, deleted=12)
    with ix.searcher() as s:
        assert s.reader().has_deletions()
        for field in ("text_en", "text_es"):
            slow = ranked(s, wq.Phrase(field, ["de", "la"]), None)
            assert slow and ranked(s, AdjacentPhrase(field, ["de", "la"]), None) == slow
            assert ranked(s, AdjacentPhrase(field, ["de", "la"]), 3) == slow[:3]


@pytest.mark.parametrize("make", [
    lambda p: wq.And([p, wq.Term("kind", "annotation")]),
    lambda p: wq.AndMaybe(p, wq.Term("text_en", "merida")),
    lambda p: wq.AndMaybe(wq.Term("text_en", "merida"), p),
    lambda p: wq.Or([p, wq.Phrase("text_es", ["de", "la"]), wq.Phrase("note", ["de", "la"])]),
    lambda p: wq.And([p, wq.Not(wq.Term("tag", "drugs"))]),
])
def test_phrases_inside_other_queries_rank_as_whoosh_does(tmp_path: Path, make: Any) -> None:
    ix = whoosh_index(tmp_path)
    with ix.searcher() as s:
        slow = ranked(s, make(wq.Phrase("text_en", ["de", "la"])), None)
        fast_query = adjacent_phrases(make(wq.Phrase("text_en", ["de", "la"])))
        assert slow and ranked(s, fast_query, None) == slow
        for limit in (1, 4, 10):  # top hits may skip blocks that cannot make it
            assert ranked(s, fast_query, limit) == slow[:limit]


_BUILT: dict[tuple[str, int], windex.Index] = {}


@pytest.fixture(scope="module")
def pairs_indexes(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Built once per module: ``get(drop, deleted)``."""
    def get(drop: str = "", deleted: int = 0) -> windex.Index:
        if (drop, deleted) not in _BUILT:
            _BUILT[drop, deleted] = pairs_index(tmp_path_factory.mktemp("pairs"), drop, deleted)
        return _BUILT[drop, deleted]
    yield get
    _BUILT.clear()


def pairs_index(path: Path, drop: str = "", deleted: int = 0) -> windex.Index:
    """An index holding word pairs; ``drop``: a word left out of the frequent ones."""
    recs = records(400, seed=5)
    frequent = frequent_in(recs)
    for terms in frequent.values():
        terms.pop(drop, None)
    ix = windex.create_in(str(path), build_schema(frequent))
    segments, _ = build_segments(ix, recs, max_postings=30_000)  # a few segments
    commit_segments(ix, segments)
    if deleted:
        w = ix.writer()
        for n in range(0, deleted * 7, 7):
            w.delete_by_term("pdoc", str(n // 3))
        w.commit(merge=False)  # several segments, some with deletions
    return ix


def keys(s: Any, q: wq.Query, limit: int | None = None) -> list[str]:
    return [r["key"] for r in s.search(q, limit=limit)]


@pytest.mark.parametrize(("phrase", "drop"), [
    (["de", "la"], ""), (["la", "de"], ""), (["lavado", "de", "dinero"], ""),
    (["lavado", "de", "dinero"], "dinero"),  # one pair held, one checked on positions only
    (["lavado", "de", "dinero"], "lavado"), (["la", "de", "la", "de"], ""), (["merida", "nosuchword"], ""),
])
@pytest.mark.parametrize("deleted", [0, 12])
def test_phrases_through_word_pairs_find_whoosh_phrase_hits(pairs_indexes: Any, phrase: list[str], drop: str,
                                                            deleted: int) -> None:
    ix = pairs_indexes(drop, deleted)
    with ix.searcher() as s:
        for field in ("text_en", "text_es", "note"):
            query = adjacent_phrases(wq.Phrase(field, phrase), s.schema)
            expected = sorted(keys(s, wq.Phrase(field, phrase)))
            found = ranked(s, query, None)
            assert sorted(k for k, _ in found) == expected, field
            assert ranked(s, query, 5) == found[:5]
            if len(phrase) == 2 and phrase[1] != "nosuchword":  # one term of the pair field
                assert type(query) is wq.Term and query.fieldname.startswith("pairs_")
    if len(phrase) < 4 and phrase[-1] != "nosuchword":  # these occur
        with ix.searcher() as s:
            assert any(keys(s, wq.Phrase(f, phrase)) for f in ("text_en", "text_es")), phrase


def test_word_pairs_rank_rarer_pairs_higher_and_leave_other_phrases_alone(pairs_indexes: Any) -> None:
    ix = pairs_indexes(drop="merida")
    with ix.searcher() as s:
        # "merida" is not frequent: Whoosh's own hits and scores, from the positions
        q = adjacent_phrases(wq.Phrase("text_en", ["merida", "de"]), s.schema)
        assert isinstance(q, AdjacentPhrase)
        assert ranked(s, q, None) == ranked(s, wq.Phrase("text_en", ["merida", "de"]), None)
        # a sloppy phrase is not an adjacent one
        assert type(adjacent_phrases(wq.Phrase("text_es", ["de", "la"], slop=2), s.schema)) is AdjacentPhrase
        # ranked by the pair's own BM25: more occurrences in a passage of a given length rank higher
        pair = adjacent_phrases(wq.Phrase("text_es", ["de", "la"]), s.schema)
        top = s.search(pair, limit=None)
        assert len(top) > 5 and top[0].score > top[len(top) - 1].score
