"""Fuzzy and prefix terms expanded in the in-memory term lists find what the segments' own
term tables find, and the lists follow commits and merges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

from storage.index import SearchIndex, query
from storage.index.query import _candidates, bound_expansions
from storage.index.vocabulary import Vocabulary
from tests.storage.test_bulk_writer import records

TERMS = [wq.FuzzyTerm("text_en", "lavdo", maxdist=1, prefixlength=1), wq.FuzzyTerm("text_es", "fundng"),
         wq.FuzzyTerm("text_en", "mrida", maxdist=2, prefixlength=0), wq.FuzzyTerm("note", "dinro"),
         wq.Prefix("text_en", "la"), wq.Prefix("text_es", "mer"), wq.Prefix("text_en", "zz")]


def several_segments(folder: Path) -> SearchIndex:
    ix = SearchIndex(folder)
    recs = records(500, seed=11)
    ix.apply(add=recs[:300])  # one bulk-written segment
    for n in range(300, 500, 50):
        ix.apply(add=recs[n : n + 50])  # and small ones
    return ix


def per_segment(ix: SearchIndex, q: Any) -> set[str]:
    s = ix._searcher_now()
    return {w.decode() if isinstance(w, bytes) else w for w in _candidates(q, s.reader(), 10**6)}


@pytest.mark.parametrize("term", TERMS, ids=str)
def test_expansions_from_the_list_are_the_segments_own(tmp_path: Path, term: Any) -> None:
    ix = several_segments(tmp_path / "ix")
    try:
        reader = ix._searcher_now().reader()
        assert len(reader.leaf_readers()) >= 4
        found = Vocabulary().expand(term, reader, 10**6)
        assert found is not None and set(found) == per_segment(ix, term)
        assert found == sorted(found)
        if term.text != "zz":
            assert found
    finally:
        ix.close()


def test_the_list_follows_commits_and_merges(tmp_path: Path) -> None:
    ix = several_segments(tmp_path / "ix")
    voc = Vocabulary()
    voc.INLINE_DOCS = 100  # the bulk-written segment is "large", a highlight's is not
    try:
        reader = ix._searcher_now().reader()
        assert voc.terms(reader, "text_en", build=False) is None  # too much to read during a search
        steps = 1
        while not voc.grow(reader, "text_en"):  # a segment a step
            steps += 1
        assert steps == len(reader.leaf_readers())
        assert voc.terms(reader, "text_en", build=False) == sorted(_all_terms(reader, "text_en"))
        assert voc.frequency("text_en") == {w: reader.doc_frequency("text_en", w) for w in _all_terms(reader, "text_en")}

        # a highlight's small segment: a search adds its terms itself
        ix.apply(add=[{**records(1, seed=2)[0], "key": "p:9999:0", "pdoc": "9999",
                       "text_en": "quokka", "body": "quokka"}])
        reader = ix._searcher_now().reader()
        now = voc.terms(reader, "text_en", build=False)
        assert now is not None and "quokka" in now
        assert voc.expand(wq.FuzzyTerm("text_en", "quoka"), reader, 10, build=False) == ["quokka"]

        # a merge replaces segments: the list starts again and ends up the same
        ix.whoosh.writer().commit(optimize=True)
        ix._stale = True
        reader = ix._searcher_now().reader()
        assert len(reader.leaf_readers()) == 1
        assert voc.grow(reader, "text_en")
        assert voc.terms(reader, "text_en", build=False) == now
        assert voc.frequency("text_en") == {w: reader.doc_frequency("text_en", w) for w in now}
    finally:
        ix.close()


def _words(q: Any) -> list[tuple[str, str]]:
    return [(f, t.decode() if isinstance(t, bytes) else t) for f, t in q.iter_all_terms()]


def _all_terms(reader: Any, field: str) -> set[str]:
    return {t.decode() for f, t in reader.all_terms() if f == field}


def test_a_warm_index_expands_from_the_list_with_the_same_hits(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ix = several_segments(tmp_path / "ix")
    try:
        queries = [("lavdo~1", 24), ("Méri*", 24), ("fundng~2", 24), ("note:dinro~", 24),
                   ("la*", 2), ("fundng~2", 2), ("de*", 1)]  # 1, 2: the most frequent expansions only
        cold = {(q, n): [(h.doc_id, h.start, h.score) for h in ix.search(q, limit=50, expansions=n).hits]
                for q, n in queries}
        assert all(cold.values())
        s = ix._searcher_now()
        terms = [(wq.FuzzyTerm("text_en", "lavdo"), 24), (wq.Prefix("text_es", "la"), 2),
                 (wq.Prefix("text_es", "la"), 4), (wq.Prefix("text_en", "la"), 1)]
        plain = [_words(bound_expansions(t, s, n)) for t, n in terms]
        ix.warm()
        # the same expansions, the most frequent first, from the list's own frequencies
        assert [_words(bound_expansions(t, s, n, ix._vocabulary)) for t, n in terms] == plain
        walked: list[Any] = []
        monkeypatch.setattr(query, "_candidates", lambda *a: walked.append(a) or [])
        for (q, n), hits in cold.items():
            assert [(h.doc_id, h.start, h.score) for h in ix.search(q, limit=50, expansions=n).hits] == hits, q
        assert walked == []  # no segment-by-segment walk once warm
    finally:
        ix.close()
