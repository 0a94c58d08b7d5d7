"""Search, reindex and integrity checks over the project and its index."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, text

from app import rebuild
from app.core import LibraryCore
from app.dates import iso_date
from app.domain import Changes, SearchHit, SearchQuery, SearchResult
from app.errors import KnownError
from app.indexing import LOCK_WAIT_S, BackgroundIndexer, Indexer
from app.paths import index_folder
from storage.index import Filters, SearchIndex
from storage.index.query import MAX_EXPANSION
from storage.index.search_index import IndexDamaged, Owner, recorded_path
from storage.models import Annotation, Document
from storage.project_file import ProjectFile, outbox_position, peek_identity

TYPING_EXPANSIONS = 8  # completions of a half-typed word: the most frequent few are enough
TYPING_BUDGET_S = 0.04  # a keystroke's search stops here and shows the best found so far
OPEN_REBUILD_WAIT_S = 30.0  # for another process writing the index before rebuilding it


def owner_of(project: ProjectFile) -> Owner:
    """What the project's index must carry to be used: the project as it is now."""
    with project.session() as s:
        position = outbox_position(s)
    return Owner(project.uuid, project.instance, project.identity, position)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class SearchOps(LibraryCore):
    _index: SearchIndex | None = None
    _indexer: Indexer | None = None
    _background: BackgroundIndexer | None = None
    index_message: str | None = None
    index_problem: str | None = None  # why search is unavailable (a full disk, say)
    index_errors: list[str]
    notes: list[str]  # what a command should tell its user after it ran (indexing deferred)
    index_lock_wait: float = LOCK_WAIT_S  # for another process writing the index, after an edit

    def _open_index(self, background: bool) -> None:
        self.index_errors = []
        self.notes = []
        self.index_problem = None
        try:
            self._index = self._identified_index(background)
            self._indexer = Indexer(self._project, self._index)
            if self._index.needs_rebuild and background:
                # The window's background writer rebuilds it: the window opens at once.
                self.index_message = self.index_message or self._index.repair_reason
            elif self._index.needs_rebuild:
                reason = self._index.repair_reason
                # A new, empty project needs no announcement.
                if self._indexer.rebuild(wait=OPEN_REBUILD_WAIT_S):
                    self.index_message = self.index_message or reason
        except (KnownError, OSError) as exc:
            self._unavailable(exc)
            return
        if background:
            self._background = BackgroundIndexer(self._indexer, self._on_index_error, self._on_rebuilt,
                                                 self._on_remote)
            self._background.start()
            return
        pending = self._indexer.pending()
        if pending and self._drain_now():
            caught_up = f"search index caught up with {pending} pending change(s)"
            self.index_message = self.index_message or caught_up

    def _on_remote(self) -> None:
        """Other analysts' edits on the server are in the index: every view refreshes."""
        self._notify(Changes(documents=True, annotations=True, tags=True, briefings=True, remote=True))

    def _on_rebuilt(self, records: int) -> None:
        if records:  # a new, empty project needs no announcement
            self._notify(Changes(notice=f"search index rebuilt: {records} records", indexed=True))
        else:
            self._notify(Changes(indexed=True))

    @property
    def indexing(self) -> tuple[int, int] | None:
        """(done, total) while the window's writer rebuilds the index, else None."""
        background = self._background
        return background.progress if background is not None and background.rebuilding else None

    def _identified_index(self, background: bool = False) -> SearchIndex:
        """The project's index, checked to be its own. A copy of a project whose original
        is still where the index last saw it gets an identity, and an index, of its own."""
        project = self._project
        recorded = recorded_path(index_folder(project.uuid))
        here = project.path.resolve() if project.path is not None else None  # a server's is no copy
        if here is not None and recorded is not None and Path(recorded) != here \
                and not _same_file(Path(recorded), here) \
                and peek_identity(Path(recorded)) == (project.uuid, project.instance):
            project.reidentify()
            self.index_message = f"this project is a copy of {recorded}; it gets a search index of its own"
        return SearchIndex(index_folder(project.uuid), owner_of(project), defer_busy=background)

    def _unavailable(self, exc: BaseException) -> None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
        self.index_problem = f"{why}{where}"
        if self._index is not None:
            self._index.close()
        self._index = self._indexer = None
        self.index_message = f"search is unavailable: {self.index_problem}"

    def _on_index_error(self, exc: BaseException) -> None:
        message = f"search index update failed: {exc}"
        self.index_errors.append(message)
        self._notify(Changes(notice=message))  # the window shows it; searches may miss recent edits

    def _after_commit(self) -> None:
        if self._background is not None:
            self._background.kick()
        elif not self._deferred:
            self._drain_now()

    def _drain_now(self) -> bool:
        """Bring the index up to date here and now; if it cannot be written, say so in
        ``notes`` (the outbox keeps the work for next time). Whether it is up to date."""
        if self._indexer is None:
            return False
        try:
            self._indexer.drain(wait=self.index_lock_wait)
            return True
        except (KnownError, OSError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            note = f"search indexing deferred ({why}); the change is saved and is indexed next time"
            if note not in self.notes:
                self.notes.append(note)
            return False

    def wait_for_index(self, timeout: float = 10.0) -> bool:
        """Block until the background writer has applied every commit (tests, benchmarks)."""
        if self._background is None:
            return self._drain_now()
        self._background.kick()
        return self._background.wait_idle(timeout)

    def find(
        self,
        query: str | SearchQuery,
        limit: int = 20,
        kind: str | None = None,
        snippets: bool = True,
        typing: bool = False,
    ) -> SearchResult:
        """Ranked hits and how the query was read. ``query``: words in the search syntax,
        or a ``SearchQuery`` with structured filters too.

        ``typing``: the query is still being typed, so answer within ``TYPING_BUDGET_S`` with
        the best hits found by then (``partial`` says if it was cut short; search again without
        ``typing`` when the user pauses).
        """
        sought = query if isinstance(query, SearchQuery) else SearchQuery(query)
        kind = kind or sought.kind
        if kind not in (None, "passage", "annotation"):
            raise KnownError(f"unknown kind {kind!r}: use passage or annotation")
        filters = Filters(doc_ids=sought.doc_ids, tags=sought.tags, kind=kind,
                          since=sought.since and iso_date(sought.since),
                          until=sought.until and iso_date(sought.until), colors=sought.colors)
        if self._index is None:
            raise KnownError(f"search is unavailable: {self.index_problem}")
        if (progress := self.indexing) is not None:
            done, total = progress
            share = f" {100 * done // total}%" if total else ""
            raise KnownError(f"indexing…{share} (searches answer once the index is built)")
        outcome = self._index.search(
            sought.text, limit=limit, filters=filters, snippets=snippets,
            expansions=TYPING_EXPANSIONS if typing else MAX_EXPANSION,
            time_limit=TYPING_BUDGET_S if typing else None,
        )
        make = SearchHit._make  # the index's hit has the same fields in the same order
        return SearchResult([make(h) for h in outcome.hits], outcome.literal, outcome.partial)

    def search(
        self,
        query: str | SearchQuery,
        limit: int = 20,
        kind: str | None = None,
        snippets: bool = True,
        typing: bool = False,
    ) -> list[SearchHit]:
        """Just the hits of ``find``."""
        return self.find(query, limit, kind, snippets, typing).hits

    def reindex(self, progress: Callable[[int, int], bool | None] | None = None,
                procs: int = rebuild.PROCS) -> int:
        """Rebuild the index; large projects are built in ``procs`` worker processes."""
        if self._indexer is None:  # unavailable when opened: try again from the start
            self._open_index(background=False)
        if self._indexer is None:
            raise KnownError(f"search is unavailable: {self.index_problem}")
        written = self._indexer.rebuild(progress, procs=procs)
        self.index_message = None
        if self._background is not None:
            self._background.kick()  # it reads the new index's term lists (SearchIndex.warm)
        return written

    def check(self) -> list[str]:
        """Problems found in the project file and the index (empty: all well)."""
        problems: list[str] = []
        with self._read() as s:
            if s.get_bind().dialect.name == "sqlite":  # a server keeps its own integrity
                integrity = s.execute(text("PRAGMA integrity_check")).scalar()
                if integrity != "ok":
                    problems.append(f"database integrity: {integrity}")
                for row in s.execute(text("PRAGMA foreign_key_check")).all():
                    problems.append(f"broken reference in table {row[0]} (row {row[1]})")
            texts = dict(s.execute(select(Document.id, Document.text)).all())
            for a in s.execute(  # an orphan's quote belongs to an older version of the text
                select(Annotation.id, Annotation.document_id, Annotation.start, Annotation.end,
                       Annotation.quote).where(Annotation.orphaned.is_(False))
            ):
                body = texts.get(a.document_id)
                if body is None or body[a.start : a.end] != a.quote:
                    problems.append(f"annotation {a.id}: quote does not match the text at {a.start}:{a.end}")
            ann_ids = {f"a:{i}" for i in s.scalars(select(Annotation.id))}
            doc_ids = set(texts)
        if self._index is None or self._indexer is None:
            problems.append(f"search index unavailable: {self.index_problem}")
            return problems
        if self.indexing is not None:
            problems.append("search index: being rebuilt")
            return problems
        pending = self._indexer.pending()
        if pending:
            problems.append(f"search index: {pending} change(s) not yet applied")
        try:
            keys = set(self._index.verify())
        except IndexDamaged as exc:
            problems.append(str(exc))
            return problems
        indexed_anns = {k for k in keys if k.startswith("a:")}
        indexed_docs = {int(k.split(":")[1]) for k in keys if k.startswith("p:")}
        if missing := ann_ids - indexed_anns:
            problems.append(f"search index: {len(missing)} annotation(s) missing")
        if extra := indexed_anns - ann_ids:
            problems.append(f"search index: {len(extra)} deleted annotation(s) still indexed")
        if missing_docs := {d for d in doc_ids if texts[d].strip()} - indexed_docs:
            problems.append(f"search index: {len(missing_docs)} document(s) missing")
        if extra_docs := indexed_docs - doc_ids:
            problems.append(f"search index: {len(extra_docs)} deleted document(s) still indexed")
        return problems

    def repair(self, progress: Callable[[int, int], bool | None] | None = None) -> list[str]:
        """``check``, then rebuild the index if it has any problem; what was found."""
        problems = self.check()
        if any(p.startswith("search index") for p in problems):
            self.reindex(progress)
        return problems

    def _close_index(self) -> None:
        if self._background is not None:
            self._background.stop()
            self._background = None
        if self._index is not None:
            self._index.close()
