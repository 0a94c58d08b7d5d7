"""Turns the core's change notifications into one Qt signal per event-loop turn."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.domain import Changes
from app.library import Library


class LibraryBridge(QObject):
    """Listens to ``Library`` (from any thread) and re-emits ``changed`` on the UI thread."""

    changed = Signal(object)  # Changes, merged over one event-loop turn
    _raw = Signal(object)

    def __init__(self, lib: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self._pending: list[Changes] = []
        self._raw.connect(self._on_raw)  # queued when emitted from a worker thread
        lib.subscribe(self._raw.emit)

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
        )
        self.changed.emit(merged)
