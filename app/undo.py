"""Undoable edits as plain objects, so undo/redo is testable without Qt.

Each command's first ``redo`` performs the edit; later ones put back the exact
state captured after it (same ids), and ``undo`` puts back the state before.
The window wraps these in ``QUndoCommand``s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from app.annotations import AnnotationSnapshot
    from app.briefings import BriefingState
    from app.documents import DocumentSnapshot
    from app.library import Library
    from app.tags import TagState
    from app.versions import ReimportResult, ReimportSnapshot


class Command(Protocol):
    text: str

    def redo(self, lib: Library) -> None: ...

    def undo(self, lib: Library) -> None: ...


@dataclass
class AddAnnotation:
    doc_id: int
    start: int
    end: int
    tags: list[str]
    note: str = ""
    color: str | None = None
    text: str = "Add highlight"
    annotation_id: int | None = None
    _snapshot: AnnotationSnapshot | None = None
    _new_tags: list[dict[str, Any]] = field(default_factory=list)  # the tags this edit made

    def redo(self, lib: Library) -> None:
        if self._snapshot is None:
            before = set(lib.tag_rows())
            ann = lib.add_annotation(self.doc_id, self.start, self.end, self.tags,
                                     note=self.note, color=self.color)
            self.annotation_id = ann.id
            self._new_tags = _made_since(lib, before)
        else:
            lib.put_back_tags(self._new_tags)
            lib.restore_annotation(self._snapshot)

    def undo(self, lib: Library) -> None:
        assert self.annotation_id is not None
        # Not over a colleague's change since: undo undoes only your own edits.
        self._snapshot = lib.delete_annotation(self.annotation_id, mine_only=True)
        if self._new_tags:  # tags this highlight made go too
            lib.drop_new_tags(self._new_tags)


def _made_since(lib: Library, before: set[int]) -> list[dict[str, Any]]:
    """The tag rows created since ``before`` (ids), parents before children. An edit keeps
    these, not a copy of every tag link: undo costs what the edit cost."""
    rows = lib.tag_rows()
    return sorted((r for i, r in rows.items() if i not in before), key=lambda r: int(str(r["id"])))


@dataclass
class UpdateAnnotation:
    annotation_id: int
    tags: list[str] | None = None
    note: str | None = None
    color: str | None = None
    clear_color: bool = False
    text: str = "Edit highlight"
    expected_version: int | None = None  # the version the analyst saw: a later one is a conflict
    _before: dict[str, Any] = field(default_factory=dict)
    _new_tags: list[dict[str, Any]] = field(default_factory=list)
    _stamp: datetime | None = None

    def redo(self, lib: Library) -> None:
        first = self._stamp is None
        before_tags = set(lib.tag_rows()) if first else set()
        if not first:
            lib.put_back_tags(self._new_tags)
        current = lib.annotation(self.annotation_id)
        raw = lib.raw_color(self.annotation_id)
        self._before = {"tags": list(current.tags), "note": current.note, "color": raw,
                        "updated_at": current.updated_at}
        done = lib.update_annotation(self.annotation_id, tags=self.tags, note=self.note,
                                     color=self.color, clear_color=self.clear_color,
                                     updated_at=None if first else self._stamp,
                                     expected_version=self.expected_version if first else None,
                                     mine_only=not first)
        if first:
            self._stamp = done.updated_at
            self._new_tags = _made_since(lib, before_tags)

    def undo(self, lib: Library) -> None:
        before = self._before
        # Not over a colleague's change since: undo undoes only your own edits.
        lib.update_annotation(self.annotation_id, tags=before["tags"], note=before["note"],
                              color=before["color"], clear_color=before["color"] is None,
                              updated_at=before["updated_at"], mine_only=True)
        if self._new_tags:
            lib.drop_new_tags(self._new_tags)


@dataclass
class DeleteAnnotation:
    annotation_id: int
    text: str = "Delete highlight"
    _snapshot: AnnotationSnapshot | None = None

    def redo(self, lib: Library) -> None:
        self._snapshot = lib.delete_annotation(self.annotation_id)

    def undo(self, lib: Library) -> None:
        assert self._snapshot is not None
        lib.restore_annotation(self._snapshot)


class _StateEdit:
    """An edit undone by restoring a captured state; redo restores the state after it."""

    text: str
    action: Callable[[Library], object]
    _before: Any = None
    _after: Any = None

    def capture(self, lib: Library) -> Any:
        raise NotImplementedError

    def restore(self, lib: Library, state: Any) -> None:
        raise NotImplementedError

    def redo(self, lib: Library) -> None:
        if self._after is None:
            self._before = self.capture(lib)
            self.action(lib)
            self._after = self.capture(lib)
        else:
            self.restore(lib, self._after)

    def undo(self, lib: Library) -> None:
        assert self._before is not None
        self.restore(lib, self._before)


@dataclass
class TagEdit(_StateEdit):
    """Rename, merge, re-parent, recolour or delete tags: the tag tree is small, so undo
    restores all of it."""

    text: str
    action: Callable[[Library], object]

    def capture(self, lib: Library) -> TagState:
        return lib.tag_state()

    def restore(self, lib: Library, state: TagState) -> None:
        lib.restore_tag_state(state)


@dataclass
class DeleteDocument:
    doc_id: int
    text: str = "Delete document"
    _snapshot: DocumentSnapshot | None = None

    def redo(self, lib: Library) -> None:
        self._snapshot = lib.delete_document(self.doc_id)

    def undo(self, lib: Library) -> None:
        assert self._snapshot is not None
        lib.restore_document(self._snapshot)


@dataclass
class UpdateDocument:
    doc_id: int
    fields: dict[str, str | None]
    text: str = "Edit document details"
    _before: dict[str, str | None] = field(default_factory=dict)

    def redo(self, lib: Library) -> None:
        doc = lib.document(self.doc_id)
        self._before = {k: getattr(doc, k) for k in self.fields}
        lib.update_document(self.doc_id, **self.fields)

    def undo(self, lib: Library) -> None:
        lib.update_document(self.doc_id, **self._before)


@dataclass
class BriefingEdit(_StateEdit):
    """Any edit inside one briefing, undone by restoring its captured state."""

    text: str
    briefing_id: int
    action: Callable[[Library], object]

    def capture(self, lib: Library) -> BriefingState:
        return lib.briefing_state(self.briefing_id)

    def restore(self, lib: Library, state: BriefingState) -> None:
        # Not over a colleague's edit since: undo undoes only your own edits.
        lib.restore_briefing_state(state, mine_only=True)


@dataclass
class CreateBriefing:
    title: str
    text: str = "New briefing"
    briefing_id: int | None = None
    _state: BriefingState | None = None

    def redo(self, lib: Library) -> None:
        if self._state is None:
            self.briefing_id = lib.create_briefing(self.title).id
        else:
            lib.restore_briefing_state(self._state)

    def undo(self, lib: Library) -> None:
        assert self.briefing_id is not None
        self._state = lib.delete_briefing(self.briefing_id)


@dataclass
class DeleteBriefing:
    briefing_id: int
    text: str = "Delete briefing"
    _state: BriefingState | None = None

    def redo(self, lib: Library) -> None:
        self._state = lib.delete_briefing(self.briefing_id)

    def undo(self, lib: Library) -> None:
        assert self._state is not None
        lib.restore_briefing_state(self._state)


@dataclass
class Reimport:
    """A newer version of a document; redo reads the same bytes again, not the file."""

    doc_id: int
    path: Path
    text: str = "Import new version"
    result: ReimportResult | None = None
    _data: bytes | None = None
    _snapshot: ReimportSnapshot | None = None

    def redo(self, lib: Library) -> None:
        self.result, self._snapshot = lib.reimport(self.doc_id, self.path, self._data)
        self._data = self._snapshot.data

    def undo(self, lib: Library) -> None:
        assert self._snapshot is not None
        lib.undo_reimport(self._snapshot)


@dataclass
class PlaceOrphan:
    annotation_id: int
    start: int
    end: int
    text: str = "Place highlight"
    _before: dict[str, object] = field(default_factory=dict)

    def redo(self, lib: Library) -> None:
        self._before = lib.place_orphan(self.annotation_id, self.start, self.end)

    def undo(self, lib: Library) -> None:
        lib.restore_anchor(self._before)
