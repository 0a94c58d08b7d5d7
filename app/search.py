"""Search, reindex and integrity checks over the project and its index."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, text

from app import rebuild
from app.core import LibraryCore
from app.domain import Changes
from app.errors import KnownError
from app.indexing import BackgroundIndexer, Indexer
from app.paths import index_folder
from storage.index import IndexHit, SearchIndex, SearchOutcome
from storage.index.query import MAX_EXPANSION
from storage.models import Annotation, Document

TYPING_EXPANSIONS = 8  # completions of a half-typed word: the most frequent few are enough
TYPING_BUDGET_S = 0.04  # a keystroke's search stops here and shows the best found so far


class SearchOps(LibraryCore):
    _index: SearchIndex
    _indexer: Indexer
    _background: BackgroundIndexer | None = None
    index_message: str | None = None
    index_errors: list[str]

    def _open_index(self, background: bool) -> None:
        self.index_errors = []
        self._index = SearchIndex(index_folder(self.uuid))
        self._indexer = Indexer(self._project, self._index)
        if self._index.needs_rebuild:
            reason = self._index.repair_reason
            if self._indexer.rebuild():  # a new, empty project needs no announcement
                self.index_message = reason
        pending = self._indexer.pending()
        if pending:
            self.index_message = f"search index caught up with {pending} pending change(s)"
            self._indexer.drain()
        if background:
            self._background = BackgroundIndexer(self._indexer, self._on_index_error)
            self._background.start()

    def _on_index_error(self, exc: BaseException) -> None:
        message = f"search index update failed: {exc}"
        self.index_errors.append(message)
        self._notify(Changes(notice=message))  # the window shows it; searches may miss recent edits

    def _after_commit(self) -> None:
        if self._background is not None:
            self._background.kick()
        elif not self._deferred:
            self._indexer.drain()

    def wait_for_index(self, timeout: float = 10.0) -> bool:
        """Block until the background writer has applied every commit (tests, benchmarks)."""
        if self._background is None:
            self._indexer.drain()
            return True
        self._background.kick()
        return self._background.wait_idle(timeout)

    def find(
        self,
        query: str,
        limit: int = 20,
        kind: str | None = None,
        snippets: bool = True,
        typing: bool = False,
    ) -> SearchOutcome:
        """Ranked hits and how the query was read.

        ``typing``: the query is still being typed, so answer within ``TYPING_BUDGET_S`` with
        the best hits found by then (``partial`` says if it was cut short; search again without
        ``typing`` when the user pauses).
        """
        if kind not in (None, "passage", "annotation"):
            raise KnownError(f"unknown kind {kind!r}: use passage or annotation")
        return self._index.search(
            query, limit=limit, kind=kind, snippets=snippets,
            expansions=TYPING_EXPANSIONS if typing else MAX_EXPANSION,
            time_limit=TYPING_BUDGET_S if typing else None,
        )

    def search(
        self,
        query: str,
        limit: int = 20,
        kind: str | None = None,
        snippets: bool = True,
        typing: bool = False,
    ) -> list[IndexHit]:
        """Just the hits of ``find``."""
        return self.find(query, limit, kind, snippets, typing).hits

    def reindex(self, progress: Callable[[int, int], bool | None] | None = None,
                procs: int = rebuild.PROCS) -> int:
        """Rebuild the index; large projects are built in ``procs`` worker processes."""
        written = self._indexer.rebuild(progress, procs=procs)
        self.index_message = None
        if self._background is not None:
            self._background.kick()  # it reads the new index's term lists (SearchIndex.warm)
        return written

    def check(self) -> list[str]:
        """Problems found in the project file and the index (empty: all well)."""
        problems: list[str] = []
        with self._read() as s:
            integrity = s.execute(text("PRAGMA integrity_check")).scalar()
            if integrity != "ok":
                problems.append(f"database integrity: {integrity}")
            for row in s.execute(text("PRAGMA foreign_key_check")).all():
                problems.append(f"broken reference in table {row[0]} (row {row[1]})")
            texts = dict(s.execute(select(Document.id, Document.text)).all())
            for a in s.execute(
                select(Annotation.id, Annotation.document_id, Annotation.start, Annotation.end,
                       Annotation.quote)
            ):
                body = texts.get(a.document_id)
                if body is None or body[a.start : a.end] != a.quote:
                    problems.append(f"annotation {a.id}: quote does not match the text at {a.start}:{a.end}")
            ann_ids = {f"a:{i}" for i in s.scalars(select(Annotation.id))}
            doc_ids = set(texts)
        pending = self._indexer.pending()
        if pending:
            problems.append(f"search index: {pending} change(s) not yet applied")
        keys = set(self._index.keys())
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

    def _close_index(self) -> None:
        if self._background is not None:
            self._background.stop()
            self._background = None
        self._index.close()
