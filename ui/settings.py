"""Remembered window layout, recent projects and the reader's font (QSettings); favourite
tags are the project's own (``Library.favourite_tags``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from storage.server import is_server_url

MAX_RECENT = 10


UNDO_LIMIT = 200


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._q = QSettings("Dossier", "Dossier")
        else:
            self._q = QSettings(str(path), QSettings.Format.IniFormat)

    def geometry(self) -> QByteArray | None:
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def state(self) -> QByteArray | None:
        value = self._q.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._q.setValue("window/geometry", geometry)
        self._q.setValue("window/state", state)

    def recent_projects(self) -> list[str]:
        """Project files' paths and server projects' URLs, the latest first."""
        value = self._q.value("projects/recent", [])
        items = value if isinstance(value, list) else [value] if value else []
        return [str(v) for v in items]

    def add_recent(self, location: str) -> None:
        if not is_server_url(location):
            location = str(Path(location).resolve())
        items = [p for p in self.recent_projects() if p != location]
        items.insert(0, location)
        self._q.setValue("projects/recent", items[:MAX_RECENT])

    def author(self) -> str | None:
        """The name the analyst's edits carry (None: the server role or the login)."""
        value = str(self._q.value("identity/name", "") or "").strip()
        return value or None

    def set_author(self, name: str | None) -> None:
        self._q.setValue("identity/name", (name or "").strip())

    def undo_limit(self) -> int:
        """How many edits Undo goes back (settable in the settings file: edit/undo_limit)."""
        try:
            return max(1, int(str(self._q.value("edit/undo_limit", UNDO_LIMIT))))
        except ValueError:
            return UNDO_LIMIT

    def reader_font(self) -> tuple[str | None, float | None]:
        family = self._q.value("reader/family")
        size = self._q.value("reader/size")
        try:
            points = float(str(size)) if size is not None else None
        except ValueError:
            points = None
        return (str(family) if family else None), points

    def set_reader_font(self, family: str, size: float) -> None:
        self._q.setValue("reader/family", family)
        self._q.setValue("reader/size", size)

    def sync(self) -> None:
        self._q.sync()
