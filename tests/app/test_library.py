"""The façade's edits: constraints, cascades, tag operations, restore for undo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from app.errors import InvalidInput, NotFoundError
from app.library import Library


def test_same_bytes_twice_is_a_duplicate(lib: Library, tmp_path: Path, text_doc: int) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes((tmp_path / "testimony.txt").read_bytes())
    result = lib.import_file(copy)
    assert (result.status, result.id) == ("duplicate", text_doc)
    assert len(lib.documents()) == 1


def test_database_refuses_duplicate_sha256(lib: Library, project_path: Path, text_doc: int) -> None:
    con = sqlite3.connect(project_path)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute(
            "INSERT INTO documents (uuid, title, format, imported_at, sha256, original, text, "
            "structure, char_count) SELECT 'x', title, format, imported_at, sha256, original, "
            "text, structure, char_count FROM documents WHERE id=?",
            (text_doc,),
        )
    con.close()


def test_highlight_stores_quote_prefix_suffix(lib: Library, text_doc: int) -> None:
    start, end = lib.find_quote(text_doc, "laundering money")
    ann = lib.add_annotation(text_doc, start, end, ["Finance/Laundering"], note="n", color="blue")
    text = lib.document_text(text_doc)
    assert ann.quote == text[start:end] == "laundering money"
    assert text[:start].endswith(ann.prefix) and text[end:].startswith(ann.suffix)
    assert ann.tags == ("Finance/Laundering",)
    assert ann.color == "blue"


def test_nth_occurrence_and_missing_quote(lib: Library, text_doc: int) -> None:
    first = lib.find_quote(text_doc, "Mérida", 1)
    second = lib.find_quote(text_doc, "Mérida", 2)
    assert second[0] > first[0]
    with pytest.raises(NotFoundError, match="occurs 2 time"):
        lib.find_quote(text_doc, "Mérida", 3)
    with pytest.raises(NotFoundError, match="not found"):
        lib.find_quote(text_doc, "Atlantis")


def test_bad_span_and_colour_are_refused(lib: Library, text_doc: int) -> None:
    with pytest.raises(InvalidInput):
        lib.add_annotation(text_doc, 10, 10)
    with pytest.raises(InvalidInput):
        lib.add_annotation(text_doc, 0, 10**6)
    with pytest.raises(InvalidInput, match="colour"):
        lib.add_annotation(text_doc, 0, 5, color="chartreuse-ish")
    assert lib.annotations() == []


def test_tag_names_unique_under_one_parent(lib: Library) -> None:
    lib.create_tag("Drugs/Fentanyl")
    lib.create_tag("Finance/Fentanyl")  # same name, other parent: fine
    with lib._project.transaction() as s, pytest.raises(IntegrityError):
        from storage.models import Tag

        parent = s.query(Tag).filter_by(name="Drugs").one()
        s.add(Tag(name="fentanyl", parent_id=parent.id, color="red", description=""))
        s.flush()
    with lib._project.transaction() as s, pytest.raises(IntegrityError):
        from storage.models import Tag

        s.add(Tag(name="DRUGS", parent_id=None, color="red", description=""))
        s.flush()
    assert sorted(t.path for t in lib.tags()) == ["Drugs", "Drugs/Fentanyl", "Finance", "Finance/Fentanyl"]


def test_deleting_a_document_removes_annotations_and_briefing_items(
    lib: Library, text_doc: int
) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["A"])
    brief = lib.create_briefing("Weekly")
    lib.add_items(brief.id, [ann.id], section="One")
    snap = lib.delete_document(text_doc)
    assert lib.documents() == [] and lib.annotations() == []
    assert lib.briefing(brief.id).sections[0].items == ()
    # Undo puts everything back with the same ids.
    lib.restore_document(snap)
    assert [a.id for a in lib.annotations()] == [ann.id]
    assert lib.briefing(brief.id).sections[0].items[0].annotation.id == ann.id
    assert lib.check() == []


def test_merging_tags_keeps_every_annotation(lib: Library, text_doc: int) -> None:
    a1 = lib.add_annotation(text_doc, 0, 9, ["Drugs/Opioids"])
    a2 = lib.add_annotation(text_doc, 10, 20, ["Narcotics", "Drugs/Opioids"])
    a3 = lib.add_annotation(text_doc, 21, 30, ["Narcotics/Heroin"])
    before = lib.tag_state()
    lib.merge_tags("Narcotics", "Drugs")
    tags = {a.id: a.tags for a in lib.annotations()}
    assert tags[a1.id] == ("Drugs/Opioids",)
    assert tags[a2.id] == ("Drugs", "Drugs/Opioids")
    assert tags[a3.id] == ("Drugs/Heroin",)
    assert "Narcotics" not in {t.path for t in lib.tags()}
    assert len(lib.search("tag:drugs/heroin", kind="annotation")) == 1
    lib.restore_tag_state(before)
    assert {a.id: a.tags for a in lib.annotations()}[a3.id] == ("Narcotics/Heroin",)
    assert len(lib.search("tag:narcotics", kind="annotation")) == 2


def test_rename_and_reparent_tag(lib: Library, text_doc: int) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["Drugs/Fentanyl"])
    lib.rename_tag("Drugs/Fentanyl", "Opioids/Synthetic")
    assert lib.annotation(ann.id).tags == ("Opioids/Synthetic",)
    lib.reparent_tag("Opioids/Synthetic", None)
    assert lib.annotation(ann.id).tags == ("Synthetic",)
    with pytest.raises(InvalidInput, match="merge"):
        lib.rename_tag("Synthetic", "Drugs")
    lib.create_tag("Synthetic/Child")
    with pytest.raises(InvalidInput, match="under itself"):
        lib.rename_tag("Synthetic", "Synthetic/Child/Loop")
    assert lib.search("tag:synthetic", kind="annotation")[0].annotation_id == ann.id


def test_delete_tag_keeps_highlights_and_restores(lib: Library, text_doc: int) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["Drugs/Fentanyl", "Keep"])
    state = lib.tag_state()
    lib.delete_tag("Drugs")
    assert lib.annotation(ann.id).tags == ("Keep",)
    lib.restore_tag_state(state)
    assert lib.annotation(ann.id).tags == ("Drugs/Fentanyl", "Keep")


def test_delete_and_restore_annotation_keeps_id_and_items(lib: Library, text_doc: int) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["T"], note="x")
    brief = lib.create_briefing("B")
    lib.add_items(brief.id, [ann.id], comment="why")
    snap = lib.delete_annotation(ann.id)
    assert lib.annotations() == []
    restored = lib.restore_annotation(snap)
    assert (restored.id, restored.tags, restored.note) == (ann.id, ("T",), "x")
    assert lib.briefing(brief.id).sections[0].items[0].commentary == "why"


def test_update_annotation_and_listeners(lib: Library, text_doc: int) -> None:
    seen = []
    lib.subscribe(seen.append)
    ann = lib.add_annotation(text_doc, 0, 9)
    lib.update_annotation(ann.id, tags=["New"], note="note", color="#123456")
    got = lib.annotation(ann.id)
    assert (got.tags, got.note, got.color) == (("New",), "note", "#123456")
    assert len(seen) == 2 and all(c.annotations for c in seen)


def test_briefing_sections_and_items_reorder(lib: Library, text_doc: int) -> None:
    a = [lib.add_annotation(text_doc, i * 10, i * 10 + 5).id for i in range(3)]
    brief = lib.create_briefing("Memo", subject="S", to="T", from_="F", classification="C")
    lib.add_items(brief.id, a[:2], section="First")
    lib.add_items(brief.id, a[2:], section="Second")
    b = lib.briefing(brief.id)
    first, second = b.sections
    state = lib.briefing_state(brief.id)
    lib.move_item(first.items[1].id, second.id, 0)
    lib.move_section(second.id, 0)
    b = lib.briefing(brief.id)
    assert [s.heading for s in b.sections] == ["Second", "First"]
    assert [i.annotation.id for i in b.sections[0].items] == [a[1], a[2]]
    lib.restore_briefing_state(state)
    b = lib.briefing(brief.id)
    assert [s.heading for s in b.sections] == ["First", "Second"]
    assert [i.annotation.id for i in b.sections[0].items] == a[:2]
    assert (b.subject, b.to, b.from_, b.classification) == ("S", "T", "F", "C")


def test_metadata_edit(lib: Library, text_doc: int) -> None:
    doc = lib.update_document(text_doc, title="Hearing", author="Senate", published="2021-05-04")
    assert (doc.title, doc.author, doc.published) == ("Hearing", "Senate", "2021-05-04")
    with pytest.raises(Exception, match="title"):
        lib.update_document(text_doc, title="  ")
    assert lib.search("doc:hearing", kind="passage")


@pytest.mark.parametrize(("typed", "stored"), [
    ("2014-04-02", "2014-04-02"), ("April 2, 2014", "2014-04-02"), ("2 April 2014", "2014-04-02"),
    ("2 de abril de 2014", "2014-04-02"), ("Apr. 2014", "2014-04"), ("2014", "2014"), ("", None),
])
def test_published_dates_are_stored_as_iso(lib: Library, text_doc: int, typed: str, stored: str | None) -> None:
    assert lib.update_document(text_doc, published=typed).published == stored


@pytest.mark.parametrize("typed", ["02/04/2014", "yesterday", "2014-13-01", "Feb 30, 2014"])
def test_dates_that_cannot_be_read_are_refused(lib: Library, text_doc: int, typed: str) -> None:
    lib.update_document(text_doc, published="2020")
    with pytest.raises(InvalidInput):
        lib.update_document(text_doc, published=typed)
    assert lib.document(text_doc).published == "2020"
