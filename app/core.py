"""The part of the façade every operation module shares: the project and its bus."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain import Changes
from storage.models import IndexOutbox
from storage.project_file import ProjectFile

Listener = Callable[[Changes], None]


class LibraryCore:
    """State and helpers shared by the operation mixins that make up ``Library``."""

    def __init__(self, project: ProjectFile) -> None:
        self._project = project
        self._listeners: list[Listener] = []
        # Who the edits of this session are by (the window sets the analyst's chosen name).
        self.author: str = os.environ.get("DOSSIER_AUTHOR") or project.default_author()

    @property
    def path(self) -> Path | None:
        """The project file (None for a project on a server)."""
        return self._project.path

    @property
    def location(self) -> str:
        """Where the project is, to show or to open again: a file's path or a server's URL."""
        return self._project.server or str(self._project.path)

    @property
    def name(self) -> str:
        """A short name for the window's title: the file's name or the database's."""
        path = self._project.path
        return path.stem if path is not None else self._project.location.rsplit("/", 1)[-1]

    @property
    def uuid(self) -> str:
        return self._project.uuid

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with a ``Changes`` after every committed edit (and with a
        notice when background work fails), from any thread."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._project.transaction() as session:
            yield session

    def _read(self) -> Session:
        return self._project.session()

    def _queue_index(self, session: Session, kind: str, ids: Iterable[int]) -> None:
        session.add_all(IndexOutbox(kind=kind, object_id=i) for i in ids)

    def _changed(self, changes: Changes) -> None:
        self._after_commit()
        self._notify(changes)

    def _notify(self, changes: Changes) -> None:
        for listener in list(self._listeners):
            listener(changes)

    def _after_commit(self) -> None:
        """Hook: the search mixin wakes the index writer here."""

    _deferred: bool = False

    @contextmanager
    def deferred_indexing(self) -> Iterator[None]:
        """Index once after a batch rather than after each commit (the outbox keeps it safe)."""
        self._deferred = True
        try:
            yield
        finally:
            self._deferred = False
            self._after_commit()
