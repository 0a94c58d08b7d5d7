"""QUndoCommand around the core's plain undo commands."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from app import undo
from app.errors import KnownError
from app.library import Library


class LibraryCommand(QUndoCommand):
    def __init__(self, lib: Library, command: undo.Command,
                 on_error: Callable[[KnownError], None] | None = None) -> None:
        super().__init__(command.text)
        self.lib = lib
        self.command = command
        self.on_error = on_error  # an undo or redo the project refused (a colleague's change since)
        self.error: KnownError | None = None

    def redo(self) -> None:
        try:
            self.command.redo(self.lib)
        except KnownError as exc:  # the first time: reported by push(), the stack drops it
            self.error = exc
            self.setObsolete(True)
            if self.on_error is not None:
                self.on_error(exc)

    def undo(self) -> None:
        try:
            self.command.undo(self.lib)
        except KnownError as exc:  # the stack drops a command it can no longer undo
            self.error = exc
            self.setObsolete(True)
            if self.on_error is not None:
                self.on_error(exc)
