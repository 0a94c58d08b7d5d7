"""Structured search filters (issue 23, item 1): documents by id, tags with their
children, kind, dates and colours, in the façade, the CLI and the window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import run
from app.domain import SearchQuery
from app.library import Library


@pytest.fixture
def two_reports(lib: Library, tmp_path: Path) -> tuple[int, int]:
    a, b = tmp_path / "report.txt", tmp_path / "annex.txt"
    a.write_text("Report\n\nCartels moved money through shell firms in the north.\n")
    b.write_text("Report annex\n\nCartels moved cash across the southern border.\n")
    ra, rb = lib.import_file(a).id, lib.import_file(b).id
    assert ra and rb
    lib.update_document(ra, title="Report", published="2014-04-02")
    lib.update_document(rb, title="Report annex", published="2020-01-15")
    lib.add_annotation(ra, *lib.find_quote(ra, "shell firms"), ["Finance/Shell companies"], color="red")
    lib.add_annotation(rb, *lib.find_quote(rb, "southern border"), ["Places/Border"])
    assert lib.wait_for_index()
    return ra, rb


def test_a_document_is_its_id_not_a_title_others_contain(lib: Library, two_reports: tuple[int, int]) -> None:
    report, annex = two_reports
    hits = lib.search(SearchQuery("cartels", doc_ids=(report,)))
    assert hits and {h.doc_id for h in hits} == {report}
    both = lib.search(SearchQuery("cartels", doc_ids=(report, annex)))
    assert {h.doc_id for h in both} == {report, annex}


def test_tags_kind_dates_and_colours(lib: Library, two_reports: tuple[int, int]) -> None:
    report, annex = two_reports
    by_parent = lib.search(SearchQuery("", tags=("Finance",)))  # no words: the tag's highlights
    assert [(h.kind, h.doc_id) for h in by_parent] == [("annotation", report)]
    assert lib.search(SearchQuery("cartels", tags=("Finance",), kind="passage")) == []
    assert {h.doc_id for h in lib.search(SearchQuery("cartels", since="2015"))} == {annex}
    assert {h.doc_id for h in lib.search(SearchQuery("cartels", until="2014-04"))} == {report}
    assert [h.doc_id for h in lib.search(SearchQuery("", colors=("red",)))] == [report]
    passages = lib.search(SearchQuery("cartels", kind="passage"))
    assert passages and all(h.kind == "passage" for h in passages)


def test_the_command_line_filters(two_reports: tuple[int, int], lib: Library,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    report, _annex = two_reports
    project = str(lib.path)
    lib.close()
    assert run(["--project", project, "--json", "search", "cartels", "--doc", str(report)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and {h["doc_id"] for h in hits} == {report}
    assert run(["--project", project, "--json", "search", "--tag", "Places", "--kind", "annotation"]) == 0
    assert [h["tags"] for h in json.loads(capsys.readouterr().out)] == [["Places/Border"]]
    assert run(["--project", project, "--json", "search", "cartels", "--from", "April 1, 2014",
                "--to", "2014-12-31"]) == 0
    assert {h["doc_id"] for h in json.loads(capsys.readouterr().out)} == {report}
    assert run(["--project", project, "search"]) == 1
    assert "give words to search for, or a filter" in capsys.readouterr().err
    assert run(["--project", project, "search", "cartels", "--from", "soon"]) == 1
    assert "not a date" in capsys.readouterr().err


def test_the_core_hit_has_the_index_hit_s_fields_in_order() -> None:
    """``SearchHit._make`` converts the index's hits by position."""
    from app.domain import SearchHit
    from storage.index import IndexHit

    assert SearchHit._fields == IndexHit._fields
