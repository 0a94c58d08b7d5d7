"""Adjacent phrases give Whoosh's own hits and scores, alone and inside other queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex
from whoosh import query as wq

from storage.index.bulk import build_segments, commit_segments
from storage.index.phrase import AdjacentPhrase, adjacent_phrases
from storage.index.schema import build_schema
from tests.storage.test_bulk_writer import records


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
