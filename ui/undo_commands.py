"""QUndoCommand around the core's plain undo commands."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from app import undo
from app.errors import KnownError
from app.library import Library


class LibraryCommand(QUndoCommand):
    def __init__(self, lib: Library, command: undo.Command) -> None:
        super().__init__(command.text)
        self.lib = lib
        self.command = command
        self.error: KnownError | None = None

    def redo(self) -> None:
        try:
            self.command.redo(self.lib)
        except KnownError as exc:  # reported by push(); the stack drops the command
            self.error = exc
            self.setObsolete(True)

    def undo(self) -> None:
        self.command.undo(self.lib)
