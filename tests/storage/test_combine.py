"""Combining segments must give the segment Whoosh writes for the same records at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex

from storage.index import combine
from storage.index.bulk import build_segments, commit_segments
from storage.index.merge import ChildMerge
from storage.index.query import Parser
from storage.index.schema import build_schema, with_pairs
from storage.index.search_index import SearchIndex
from tests.storage.test_bulk_writer import assert_same_index, frequent_in, postings, records

QUERIES = ("merida", "laundered", "tráfico", '"de la"', "tag:drugs", "note:dinero", "pre:laun",
           "published:[2016 TO 2018]", "created:>2026-06-01", "color:red", "merida dinero")


def whoosh_index(folder: Path, recs: list[dict[str, Any]], frequent: Any) -> windex.Index:
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema(frequent))
    writer = ix.writer()
    for r in recs:
        writer.add_document(**with_pairs(r))
    writer.commit()
    return ix


def segmented_index(folder: Path, recs: list[dict[str, Any]], frequent: Any) -> windex.Index:
    """The records in several bulk segments, then the last 30 in one of Whoosh's writer."""
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema(frequent))
    segments, _count = build_segments(ix, recs[:-30], max_postings=900)
    commit_segments(ix, segments)
    writer = ix.writer()
    for r in recs[-30:]:
        writer.add_document(**with_pairs(r))
    writer.commit(merge=False)
    assert len(ix._segments()) >= 4
    return ix


def hits(ix: windex.Index, schema_ix: windex.Index) -> list[list[tuple[str, float]]]:
    with ix.searcher() as s:
        return [[(r["key"], round(r.score, 5)) for r in s.search(Parser(schema_ix.schema).parse(q)[0], limit=None)]
                for q in QUERIES]


def test_combined_segment_equals_whooshs_segment_of_the_same_records(tmp_path: Path) -> None:
    recs = records(300)
    frequent = frequent_in(recs)
    std = whoosh_index(tmp_path / "std", recs, frequent)
    ix = segmented_index(tmp_path / "ix", recs, frequent)
    before = hits(ix, std)

    assert combine.combine_all(tmp_path / "ix")

    ix = windex.open_dir(str(tmp_path / "ix"))
    assert len(ix._segments()) == 1
    with std.reader() as a, ix.reader() as b:
        assert_same_index(a, b)  # every term, posting, block header, statistic, record and length
    assert hits(ix, std) == before
    assert not (tmp_path / "ix" / combine.SCRATCH).exists()
    assert not combine.combine_all(tmp_path / "ix")  # one segment: nothing to do


def test_deleted_documents_are_left_out(tmp_path: Path) -> None:
    recs = records(300)
    frequent = frequent_in(recs)
    gone = {r["key"] for r in recs if r["kind"] == "annotation" and int(r["ann"]) % 2 == 0}
    std = whoosh_index(tmp_path / "std", [r for r in recs if r["key"] not in gone], frequent)
    ix = segmented_index(tmp_path / "ix", recs, frequent)
    writer = ix.writer()
    for r in recs:
        if r["key"] in gone:
            writer.delete_by_term("ann", r["ann"])
    writer.commit(merge=False)

    assert combine.combine_all(tmp_path / "ix")

    ix = windex.open_dir(str(tmp_path / "ix"))
    (segment,) = ix._segments()
    assert not segment.has_deletions()
    with std.reader() as a, ix.reader() as b:
        assert b.doc_count_all() == a.doc_count_all() == len(recs) - len(gone)
        assert list(a.all_terms()) == list(b.all_terms())  # terms only deleted documents held are gone
        for field, term in a.all_terms():
            assert postings(a, field, term) == postings(b, field, term), (field, term)
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())
        for field in ("text_en", "text_es", "note"):
            for doc in range(a.doc_count_all()):
                assert a.doc_field_length(doc, field) == b.doc_field_length(doc, field)
            # Totals lose each deleted document's length as its length byte rounds it.
            assert b.field_length(field) == pytest.approx(a.field_length(field), rel=0.02)
    for mine, whooshs in zip(hits(ix, std), hits(std, std), strict=True):
        assert dict(mine).keys() == dict(whooshs).keys()
        assert list(dict(mine).values()) == pytest.approx(list(dict(whooshs).values()), rel=0.03)


def combined_apart(tmp_path: Path, recs: list[dict[str, Any]]) -> tuple[windex.Index, Any, Any, Path]:
    """An index of several segments, and their combined segment written (not yet live)
    as ``combine_all`` writes it."""
    ix = segmented_index(tmp_path / "ix", recs, frequent_in(recs))
    scratch = tmp_path / "ix" / combine.SCRATCH
    scratch.mkdir()
    target = windex.create_in(str(scratch), ix.schema)
    combined, sources = combine._combine(target, ix.storage, ix._segments())
    target.close()
    return ix, combined, sources, scratch


def test_edits_made_while_combining_are_kept(tmp_path: Path) -> None:
    """The window commits while the child writes: its additions stay, its deletions in
    the combined segments are carried into the new one, and no commit deletes the new
    segment's file (Whoosh deletes segments' files no table of contents names)."""
    recs = records(200)
    ix, combined, sources, scratch = combined_apart(tmp_path, recs)

    deleted = next(r for r in recs if r["kind"] == "annotation")
    writer = ix.writer()
    writer.delete_by_term("ann", deleted["ann"])
    writer.add_document(**with_pairs({**recs[1], "key": "p:new:0", "text_en": "quokka", "body": "quokka"}))
    writer.commit(merge=False)

    assert combine._replace(ix, combined, sources, scratch)
    ix = windex.open_dir(str(tmp_path / "ix"))
    assert len(ix._segments()) == 2  # the combined one and the window's new one
    with ix.searcher() as s:
        keys = {r["key"] for r in s.search(Parser(ix.schema).parse("kind:annotation")[0], limit=None)}
        assert deleted["key"] not in keys
        assert len(keys) == sum(r["kind"] == "annotation" for r in recs) - 1
        assert [r["key"] for r in s.search(Parser(ix.schema).parse("quokka")[0])] == ["p:new:0"]
        assert s.doc_count() == len(recs)


def test_a_rebuild_meanwhile_leaves_the_new_index_alone(tmp_path: Path) -> None:
    recs = records(120)
    ix, combined, sources, scratch = combined_apart(tmp_path, recs)
    writer = ix.writer()  # a rebuild: every segment replaced
    writer.add_document(**with_pairs(recs[0]))
    writer.commit(mergetype=lambda w, segments: [])

    assert not combine._replace(ix, combined, sources, scratch)
    assert windex.open_dir(str(tmp_path / "ix")).doc_count_all() == 1


def test_one_combine_at_a_time(tmp_path: Path) -> None:
    """Two windows on one project: the second combine leaves the first's scratch folder alone."""
    recs = records(120)
    ix = segmented_index(tmp_path / "ix", recs, frequent_in(recs))
    count = len(ix._segments())
    held = ix.storage.lock(combine.LOCK)
    assert held.acquire(blocking=False)
    try:
        assert not combine.combine_all(tmp_path / "ix")
        assert len(windex.open_dir(str(tmp_path / "ix"))._segments()) == count
    finally:
        held.release()
    assert combine.combine_all(tmp_path / "ix")
    assert len(windex.open_dir(str(tmp_path / "ix"))._segments()) == 1


def test_combining_runs_in_a_child_process(tmp_path: Path) -> None:
    recs = records(150)
    ix = segmented_index(tmp_path / "ix", recs, frequent_in(recs))
    ix.close()
    child = ChildMerge(tmp_path / "ix", combine=True)
    while not child.done():
        pass
    assert child.failure() is None
    child.stop()
    assert len(windex.open_dir(str(tmp_path / "ix"))._segments()) == 1

    child = ChildMerge(tmp_path / "nowhere", combine=True)
    while not child.done():
        pass
    failure = child.failure()
    child.stop()
    assert failure is not None and "index merge failed" in failure and "nowhere" in failure


def test_two_large_segments_are_due_to_be_combined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.index.search_index as si

    index = SearchIndex(tmp_path / "ix")
    index.reset()
    recs = records(120)
    index.apply(add=recs[:60])  # one segment of 60
    index.finish_rebuild()
    monkeypatch.setattr(si, "COMBINE_MIN", 50)
    assert not index.combine_due and not index.merge_due
    index.apply(add=recs[60:])
    assert index.combine_due and index.merge_due
    monkeypatch.setattr(si, "COMBINE_MIN", 61)
    assert not index.combine_due
