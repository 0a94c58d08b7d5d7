"""Core undo commands: redo/undo/redo gives back exactly the same state."""

from __future__ import annotations

from app import undo
from app.library import Library


def snapshot(lib: Library) -> tuple[object, ...]:
    """The project's content. A highlight's version counts changes, undos included: it is
    no part of what undo restores."""
    from dataclasses import replace

    briefs = tuple(replace(lib.briefing(b.id), version=0) for b in lib.briefings())  # a change counter
    anns = tuple(replace(a, version=0) for a in lib.annotations())
    return (tuple(lib.documents()), anns, tuple(lib.tags()), briefs)


def cycle(lib: Library, command: undo.Command) -> None:
    before = snapshot(lib)
    command.redo(lib)
    after = snapshot(lib)
    assert after != before
    command.undo(lib)
    assert snapshot(lib) == before
    command.redo(lib)
    assert snapshot(lib) == after
    assert lib.check() == []


def test_add_annotation(lib: Library, text_doc: int) -> None:
    cycle(lib, undo.AddAnnotation(text_doc, 0, 9, ["New/Tag"], note="n"))


def test_update_annotation(lib: Library, text_doc: int) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["A"])
    cycle(lib, undo.UpdateAnnotation(ann.id, tags=["B"], note="changed", color="red"))


def test_delete_annotation(lib: Library, text_doc: int) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["A"])
    cycle(lib, undo.DeleteAnnotation(ann.id))


def test_tag_edits(lib: Library, text_doc: int) -> None:
    lib.add_annotation(text_doc, 0, 9, ["Drugs/Fentanyl"])
    lib.add_annotation(text_doc, 10, 19, ["Narcotics"])
    cycle(lib, undo.TagEdit("Rename", lambda lb: lb.rename_tag("Drugs", "Substances")))
    cycle(lib, undo.TagEdit("Merge", lambda lb: lb.merge_tags("Narcotics", "Substances")))
    cycle(lib, undo.TagEdit("Delete", lambda lb: lb.delete_tag("Substances")))


def test_document_edits(lib: Library, text_doc: int) -> None:
    lib.add_annotation(text_doc, 0, 9, ["A"])
    cycle(lib, undo.UpdateDocument(text_doc, {"title": "New title", "author": "Someone"}))
    cycle(lib, undo.DeleteDocument(text_doc))


def test_briefing_edits(lib: Library, text_doc: int) -> None:
    ann = lib.add_annotation(text_doc, 0, 9, ["A"])
    create = undo.CreateBriefing("Memo")
    cycle(lib, create)
    bid = create.briefing_id
    assert bid is not None
    cycle(lib, undo.BriefingEdit("Add", bid, lambda lb: lb.add_items(bid, [ann.id], section="S")))
    cycle(lib, undo.BriefingEdit("Header", bid, lambda lb: lb.update_briefing(bid, subject="X")))
    cycle(lib, undo.DeleteBriefing(bid))
