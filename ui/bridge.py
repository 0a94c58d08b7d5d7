"""Turns the core's change notifications into one update per event-loop turn, which every
view that subscribed receives and reads the kinds of change it shows from (Anki's
``OpChanges`` pattern): the window routes nothing by hand."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.domain import Changes, DocumentInfo, TagInfo
from app.library import Library


class Update:
    """One turn's merged changes, with the lists several views need read once."""

    def __init__(self, lib: Library, changes: Changes) -> None:
        self.lib = lib
        self.changes = changes

    @cached_property
    def documents(self) -> list[DocumentInfo]:
        return self.lib.documents()

    @cached_property
    def tags(self) -> list[TagInfo]:
        return self.lib.tags()


class View(Protocol):
    def refresh_for(self, update: Update) -> None: ...


class LibraryBridge(QObject):
    """Listens to ``Library`` (from any thread) and re-emits ``changed`` on the UI thread."""

    _raw = Signal(object)

    def __init__(self, lib: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self._pending: list[Changes] = []
        self._views: list[Callable[[Update], None]] = []
        self._raw.connect(self._on_raw)  # queued when emitted from a worker thread
        lib.subscribe(self._raw.emit)

    def subscribe(self, view: View) -> None:
        """``view.refresh_for(update)`` after each turn's changes."""
        self._views.append(view.refresh_for)

    def publish(self, changes: Changes) -> None:
        """Send ``changes`` to every view now (at start, and after opening a project)."""
        update = Update(self.lib, changes)
        for view in self._views:
            view(update)

    def detach(self) -> None:
        self.lib.unsubscribe(self._raw.emit)

    @Slot(object)
    def _on_raw(self, changes: Changes) -> None:
        if not self._pending:
            QTimer.singleShot(0, self._flush)
        self._pending.append(changes)

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        merged = Changes(
            documents=any(c.documents for c in pending),
            annotations=any(c.annotations for c in pending),
            tags=any(c.tags for c in pending),
            briefings=any(c.briefings for c in pending),
            doc_ids=frozenset().union(*(c.doc_ids for c in pending)),
            notice=next((c.notice for c in reversed(pending) if c.notice), None),
            indexed=any(c.indexed for c in pending),
            remote=any(c.remote for c in pending),
        )
        self.publish(merged)
