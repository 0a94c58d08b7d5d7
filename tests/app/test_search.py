"""Search over a corpus the test writes: analysis, fields, bad queries, index repair."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from app.library import Library
from app.paths import index_folder
from app.query_text import as_you_type
from storage.errors import KnownError
from storage.index import query
from storage.index.vocabulary import Vocabulary
from tests import corpus

EN = (
    "Hearing on the Mérida Initiative\n\n"
    "Funding for the Mérida programmes rose sharply after the cartels were found laundering money.\n\n"
    "Mr Peña testified that résumés of border officers were reviewed.\n\n"
    "Running the new scanners costs 5 million dollars a year.\n"
)
ES = corpus.SPANISH


@pytest.fixture
def docs(lib: Library, tmp_path: Path) -> dict[str, int]:
    en = lib.import_file(corpus.write(tmp_path / "hearing.txt", EN))
    es = lib.import_file(corpus.write(tmp_path / "declaracion.txt", ES))
    assert en.id and es.id
    lib.update_document(en.id, published="2021-06-01")
    lib.update_document(es.id, published="2023-02-10")
    return {"en": en.id, "es": es.id}


def kinds(lib: Library, query: str, kind: str | None = None) -> list[tuple[str, int]]:
    return [(h.kind, h.doc_id) for h in lib.search(query, kind=kind)]


def test_language_detected(lib: Library, docs: dict[str, int]) -> None:
    assert lib.document(docs["en"]).language == "en"
    assert lib.document(docs["es"]).language == "es"


@pytest.mark.parametrize(
    ("query", "doc"),
    [
        ("Merida", "en"),          # accent folding
        ("MÉRIDA", "en"),
        ("resumes", "en"),
        ("laundered", "en"),       # English stemming
        ("run", "en"),
        ("tráfico", "es"),          # Spanish stemming
        ("trafico", "es"),
        ("carteles", "es"),
        ("lavar", "es"),
        ('"laundering money"', "en"),  # phrase
        ("launde*", "en"),          # prefix
        ("Meridda~", "en"),         # fuzzy
        ("scannrs~1/1", "en"),
    ],
)
def test_analysis(lib: Library, docs: dict[str, int], query: str, doc: str) -> None:
    outcome = lib.find(query, kind="passage")
    hits = outcome.hits
    assert hits, query
    assert hits[0].doc_id == docs[doc]
    assert not outcome.literal


def test_cross_language_term_finds_both(lib: Library, docs: dict[str, int]) -> None:
    assert {d for _, d in kinds(lib, "Mérida", "passage")} == set(docs.values())
    assert {d for _, d in kinds(lib, "Pena", "passage")} == set(docs.values())


def test_boolean_operators(lib: Library, docs: dict[str, int]) -> None:
    assert {d for _, d in kinds(lib, "Mérida AND cartels", "passage")} == {docs["en"]}
    assert {d for _, d in kinds(lib, "Mérida NOT cartels", "passage")} == {docs["es"]}
    assert {d for _, d in kinds(lib, "scanners OR fachada", "passage")} == set(docs.values())


def test_phrase_is_ordered(lib: Library, docs: dict[str, int]) -> None:
    assert lib.search('"money laundering"') == []


def test_hit_offsets_point_at_matched_text(lib: Library, docs: dict[str, int]) -> None:
    hits = lib.search("laundered OR Merida", kind="passage")
    assert len(hits) == 2
    for hit in hits:
        text = lib.document_text(hit.doc_id)
        assert text[hit.start : hit.end].lower() in {"laundering", "mérida"}
        for start, end in hit.matches:
            assert text[start:end].lower() in {"laundering", "mérida"}
        assert "**" in hit.snippet


def test_fields_tag_note_color_kind_doc(lib: Library, docs: dict[str, int]) -> None:
    en = docs["en"]
    s, e = lib.find_quote(en, "laundering money")
    a1 = lib.add_annotation(en, s, e, ["Drugs/Fentanyl"], note="follow the banks", color="red")
    s, e = lib.find_quote(en, "résumés")
    a2 = lib.add_annotation(en, s, e, ["Drugs"], color="purple")
    s, e = lib.find_quote(docs["es"], "cárteles")
    a3 = lib.add_annotation(docs["es"], s, e, ["Crime"])

    def ids(q: str) -> set[int | None]:
        return {h.annotation_id for h in lib.search(q, kind="annotation")}

    assert ids("tag:Drugs") == {a1.id, a2.id}           # hierarchical
    assert ids("tag:Drugs/Fentanyl") == {a1.id}
    assert ids("note:banks") == {a1.id}
    assert ids("color:red") == {a1.id}
    assert ids("colour:purple") == {a2.id}
    assert ids("kind:annotation cartel") == {a3.id}
    assert ids("doc:hearing") == {a1.id, a2.id}
    assert ids("tag:crime OR tag:drugs/fentanyl") == {a1.id, a3.id}
    annotation_hit = lib.search("tag:Drugs/Fentanyl")[0]
    assert annotation_hit.tags == ("Drugs/Fentanyl",)  # full paths as written, not index keys
    assert annotation_hit.to_json()["annotation_id"] == a1.id


def test_date_ranges(lib: Library, docs: dict[str, int]) -> None:
    assert {d for _, d in kinds(lib, "published:[2021-01-01 TO 2021-12-31]", "passage")} == {docs["en"]}
    assert {d for _, d in kinds(lib, "published:[2022 TO 2024]", "passage")} == {docs["es"]}
    lib.add_annotation(docs["en"], 0, 7)
    assert len(lib.search("created:>2020", kind="annotation")) == 1
    assert lib.search("created:<2000", kind="annotation") == []


@pytest.mark.parametrize("query", ['"unbalanced', "(open", "close)", "Mérida)(", "tag:(", ":::", "x" * 900])
def test_bad_queries_fall_back_or_explain(lib: Library, docs: dict[str, int], query: str) -> None:
    try:
        lib.search(query)
    except KnownError as exc:
        assert str(exc)
    else:
        pass  # a literal search that found nothing or something is fine


def test_empty_and_too_long_queries_explain(lib: Library, docs: dict[str, int]) -> None:
    with pytest.raises(KnownError, match="empty"):
        lib.search("   ")
    with pytest.raises(KnownError, match="empty"):
        lib.search("tag:")
    with pytest.raises(KnownError, match="too long"):
        lib.search("word " * 400)
    with pytest.raises(KnownError, match="too short"):
        lib.search("m*")
    outcome = lib.find('"laundering money')
    assert outcome.literal and outcome.hits


def test_new_highlight_searchable_and_deleted_gone(lib: Library, docs: dict[str, int]) -> None:
    ann = lib.add_annotation(docs["en"], 0, 7, note="zebra")
    assert [h.annotation_id for h in lib.search("note:zebra")] == [ann.id]
    lib.delete_annotation(ann.id)
    assert lib.search("note:zebra") == []
    lib.delete_document(docs["es"])
    assert lib.search("fachada") == []


# -- repair ---------------------------------------------------------------------------

def test_db_committed_but_index_not(project_path: Path, tmp_path: Path) -> None:
    with Library.open(project_path) as lib:
        doc = lib.import_file(corpus.write(tmp_path / "a.txt", EN)).id
        assert doc is not None
    # Simulate a crash after the database commit, before the index commit.
    con = sqlite3.connect(project_path)
    con.execute(
        "INSERT INTO annotations (uuid, document_id, start, \"end\", quote, prefix, suffix, color, "
        "note, created_at, updated_at) VALUES ('u', ?, 0, 7, 'Hearing', '', ' on', NULL, 'ghost', "
        "'2024-01-01', '2024-01-01')",
        (doc,),
    )
    con.execute("INSERT INTO index_outbox (kind, object_id) VALUES ('annotation', last_insert_rowid())")
    con.commit()
    con.close()
    with Library.open(project_path) as lib:
        assert lib.index_message and "caught up" in lib.index_message
        assert len(lib.search("note:ghost")) == 1
        assert lib.check() == []


def test_index_folder_deleted(project_path: Path, tmp_path: Path) -> None:
    with Library.open(project_path) as lib:
        lib.import_file(corpus.write(tmp_path / "a.txt", EN))
        folder = index_folder(lib.uuid)
    shutil.rmtree(folder)
    with Library.open(project_path) as lib:
        assert lib.index_message and "missing" in lib.index_message
        assert lib.search("Merida")
        assert lib.check() == []


def test_corrupt_segment_is_rebuilt(project_path: Path, tmp_path: Path) -> None:
    with Library.open(project_path) as lib:
        lib.import_file(corpus.write(tmp_path / "a.txt", EN))
        folder = index_folder(lib.uuid)
    for seg in folder.glob("*.seg"):
        seg.write_bytes(b"\x00garbage" * 10)
    for toc in folder.glob("_MAIN_*.toc"):
        toc.write_bytes(toc.read_bytes()[:20])
    with Library.open(project_path) as lib:
        assert lib.index_message and "rebuilding" in lib.index_message
        assert lib.search("Merida")
        assert lib.check() == []


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_segment_file_cut_short_or_missing_is_rebuilt(project_path: Path, tmp_path: Path, damage: str) -> None:
    """Only the segment file is hurt; the table of contents still names it."""
    with Library.open(project_path) as lib:
        lib.import_file(corpus.write(tmp_path / "a.txt", EN))
        folder = index_folder(lib.uuid)
    segments = list(folder.glob("*.seg"))
    assert segments
    for seg in segments:
        if damage == "truncate":
            seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])
        else:
            seg.unlink()
    with Library.open(project_path) as lib:
        assert lib.index_message and "damaged" in lib.index_message
        assert lib.search("Merida")
        assert lib.check() == []


def test_check_reports_stale_index(project_path: Path, tmp_path: Path) -> None:
    with Library.open(project_path) as lib:
        doc = lib.import_file(corpus.write(tmp_path / "a.txt", EN)).id
        assert doc is not None
        lib.add_annotation(doc, 0, 7)
        # Write to the database behind the index's back (no outbox row).
        con = sqlite3.connect(project_path)
        con.execute("DELETE FROM annotations")
        con.commit()
        con.close()
        problems = lib.check()
        assert any("deleted annotation(s) still indexed" in p for p in problems)
        lib.reindex()
        assert lib.check() == []


def test_background_writer(project_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library.open(project_path, background_index=True)
    try:
        doc = lib.import_file(corpus.write(tmp_path / "a.txt", EN)).id
        assert doc is not None
        lib.add_annotation(doc, 0, 7, note="quokka")
        assert lib.wait_for_index(5)
        assert len(lib.search("note:quokka")) == 1
        # the writer also keeps the term lists fuzzy and prefix terms expand in
        monkeypatch.setattr(Vocabulary, "INLINE_DOCS", 0)  # no reading of terms during a search
        walked: list[object] = []
        monkeypatch.setattr(query, "_candidates", lambda *a: walked.append(a) or [])
        lib.add_annotation(doc, 8, 12, note="wallaby")
        assert lib.wait_for_index(5)
        assert [h.note for h in lib.search("note:walaby~1")] == ["wallaby"]
        assert [h.note for h in lib.search("note:quok*")] == ["quokka"]
        assert walked == []
        lib.reindex(procs=1)  # a new index: the writer reads its term lists too, unasked
        deadline = time.monotonic() + 5
        while True:
            walked.clear()
            notes = [h.note for h in lib.search("note:walaby~1")]
            if not walked or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert walked == [] and notes == ["wallaby"]
    finally:
        lib.close()


def test_typing_search_keeps_filters_and_ranking(lib: Library, docs: dict[str, int]) -> None:
    """A time-budgeted keystroke search answers like a full one when it finishes in time."""
    start, end = lib.find_quote(docs["en"], "Mérida")
    lib.add_annotation(docs["en"], start, end, ["Places"])
    for kind in (None, "passage", "annotation"):
        full = lib.search("(merida OR merida*)", kind=kind)
        outcome = lib.find("(merida OR merida*)", kind=kind, typing=True)
        typed = outcome.hits
        assert [(h.kind, h.doc_id) for h in typed] == [(h.kind, h.doc_id) for h in full]
        assert all(kind is None or h.kind == kind for h in typed)
        assert not outcome.partial


def test_idle_merge_runs_in_a_child_process(project_path: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's writer never merges inline; after a quiet spell a child process does."""
    import app.indexing
    import storage.index.search_index

    monkeypatch.setattr(storage.index.search_index, "MERGE_AFTER", 3)
    monkeypatch.setattr(app.indexing, "IDLE_MERGE_S", 0.3)
    lib = Library.open(project_path, background_index=True)
    try:
        doc = lib.import_file(corpus.write(tmp_path / "a.txt", EN)).id
        assert doc is not None
        for n in range(6):  # one commit each: one small segment each
            lib.add_annotation(doc, n, n + 5, note=f"wombat{n}")
            assert lib.wait_for_index(5)
        index = lib._index
        assert index.segment_count() > 3  # nothing merged while edits kept coming
        deadline = time.monotonic() + 20
        while index.segment_count() > 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert index.segment_count() <= 3
        assert len(lib.search("note:wombat*", limit=50)) == 6
        assert lib.check() == [] and not lib.index_errors
    finally:
        lib.close()


def test_idle_combine_makes_one_segment_while_edits_go_on(project_path: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Large segments are combined into one by a child process; the window's writer goes
    on committing meanwhile and nothing it wrote is lost."""
    import app.indexing
    import storage.index.search_index

    monkeypatch.setattr(storage.index.search_index, "COMBINE_MIN", 1)  # every segment is large
    monkeypatch.setattr(app.indexing, "IDLE_MERGE_S", 0.3)
    lib = Library.open(project_path, background_index=True)
    try:
        doc = lib.import_file(corpus.write(tmp_path / "a.txt", EN)).id
        assert doc is not None
        for n in range(4):
            lib.add_annotation(doc, n, n + 5, note=f"numbat{n}")
            assert lib.wait_for_index(5)
        index = lib._index
        deadline = time.monotonic() + 30
        added = False
        while index.segment_count() > 1 and time.monotonic() < deadline:
            if lib._indexer.merging and not added:  # an edit while the child combines
                lib.add_annotation(doc, 10, 15, note="numbat4")
                added = True
            time.sleep(0.05)
        deadline = time.monotonic() + 30
        while (index.segment_count() > 1 or lib._indexer.merging) and time.monotonic() < deadline:
            time.sleep(0.05)  # the edit's own segment, combined in turn
        assert index.segment_count() == 1
        assert added  # the child ran long enough to be seen
        assert len(lib.search("note:numbat*", limit=50)) == 5
        assert lib.check() == [] and not lib.index_errors
    finally:
        lib.close()


def test_four_letter_prefix_is_one_term(lib: Library, docs: dict[str, int]) -> None:
    """A 4-letter prefix reads the prefix field; longer and shorter ones expand words."""
    start, end = lib.find_quote(docs["es"], "cárteles")
    lib.add_annotation(docs["es"], start, end, ["Crime"])
    hits = lib.search("Méri*", kind="passage")
    assert {h.doc_id for h in hits} == set(docs.values())
    for hit in hits:
        text = lib.document_text(hit.doc_id)
        assert text[hit.start : hit.end] == "Mérida"  # offsets on the word, accents and all
        assert "**Mérida**" in hit.snippet
    assert {h.doc_id for h in lib.search("laun*", kind="passage")} == {docs["en"]}
    assert [h.annotation_id for h in lib.search("cart*", kind="annotation")]  # "cárteles", folded
    assert lib.search("Mér*", kind="passage")  # 3 letters: expansion, as before
    assert {h.doc_id for h in lib.search("Merid*", kind="passage")} == set(docs.values())


def test_searches_after_edits_see_additions_and_deletions_at_once(project_path: Path, tmp_path: Path) -> None:
    """Each commit reopens the searcher keeping unchanged segments' readers; one whose
    segment gained deletions must be replaced, not kept (Whoosh's refresh() keeps it)."""
    with Library.open(project_path) as lib:
        doc = lib.import_file(corpus.write(tmp_path / "a.txt", EN)).id
        assert doc is not None
        s, e = lib.find_quote(doc, "Mérida")
        first = lib.add_annotation(doc, s, e, note="quokka one")
        assert len(lib.search("note:quokka")) == 1  # the searcher is open now
        second = lib.add_annotation(doc, s, e, note="quokka two")
        assert {h.annotation_id for h in lib.search("note:quokka")} == {first.id, second.id}
        lib.update_annotation(second.id, note="wombat")  # a deletion in an older segment, and an addition
        assert {h.annotation_id for h in lib.search("note:quokka")} == {first.id}
        assert {h.annotation_id for h in lib.search("note:wombat")} == {second.id}
        snap = lib.delete_annotation(first.id)
        assert lib.search("note:quokka") == []
        lib.restore_annotation(snap)
        assert len(lib.search("note:quokka")) == 1
        assert lib.check() == []


def test_a_prefix_matches_as_typed_and_through_the_typed_words_stem(lib: Library, docs: dict[str, int],
                                                                     tmp_path: Path) -> None:
    """Whoosh stemmed a prefix itself: the Spanish "lavado*" became "lav*", every word from lav…"""
    flowers = lib.import_file(corpus.write(tmp_path / "flores.txt", "Los campos de lavanda florecen en verano.\n"))
    assert flowers.id
    lib.update_document(flowers.id, language="es")
    assert {h.doc_id for h in lib.search("lavado*", kind="passage")} == {docs["es"]}  # "lavan", stem "lav"
    assert {h.doc_id for h in lib.search("lavan*", kind="passage")} == {docs["es"], flowers.id}
    assert {h.doc_id for h in lib.search("Merid*", kind="passage")} == {docs["en"], docs["es"]}
    # A word being typed whose stem is shorter than what is typed matches no term ("fundi" is
    # on its way to "funding", indexed as "fund"): then it is searched by the stems it starts
    # with, not by every word of its first four letters ("fundamental"), unless there are none.
    rights = lib.import_file(corpus.write(tmp_path / "rights.txt", "Fundamental rights were discussed.\n"))
    assert rights.id
    assert {h.doc_id for h in lib.search("fund*", kind="passage")} == {docs["en"], rights.id}
    assert {h.doc_id for h in lib.search("fundi*", kind="passage")} == {docs["en"]}
    hits = lib.search(as_you_type("fundin"), kind="passage")
    assert {h.doc_id for h in hits} == {docs["en"]}
    assert all(h.snippet.count("**") >= 2 for h in hits)  # the typed word's stem marked in each
    assert {h.doc_id for h in lib.search("fundam*", kind="passage")} == {rights.id}  # as typed: no retry
    # "discussed" is indexed as "discuss", and "disc" is no stem: its first four letters.
    assert {h.doc_id for h in lib.search("discx*", kind="passage")} == {rights.id}
    assert not lib.search("zqxwv*")


def test_a_phrase_hit_spans_the_phrase_and_marks_only_its_occurrences(lib: Library, tmp_path: Path) -> None:
    source = tmp_path / "cartel.txt"
    source.write_text("Report\n\nThe Sinoloa Cartel moved money; another cartel and Sinoloa farmers did not. "
                      "Later the Sinoloa Cartel bought ships.\n", encoding="utf-8")
    doc = lib.import_file(source).id
    assert doc is not None
    text = lib.document_text(doc)
    [hit] = lib.search('"Sinoloa Cartel"', kind="passage")
    assert text[hit.start:hit.end] == "Sinoloa Cartel"
    assert [text[a:b] for a, b in hit.matches] == ["Sinoloa Cartel", "Sinoloa Cartel"]
    [mixed] = lib.search('"Sinoloa Cartel" farmers', kind="passage")
    assert [text[a:b] for a, b in mixed.matches] == ["Sinoloa Cartel", "farmers", "Sinoloa Cartel"]
