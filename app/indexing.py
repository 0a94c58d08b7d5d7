"""Keeping the search index in step with the project file.

Edits write rows to ``index_outbox`` in their own transaction; ``Indexer.drain``
turns those rows into index records, commits the index, then deletes the rows.
A crash in between leaves the rows, so the next drain repairs the index.
In the window a background thread drains; the CLI drains after each command.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from app import tag_paths
from app.domain import DEFAULT_COLOR, Span
from storage.index import SearchIndex
from storage.models import Annotation, Document, DocumentTag, IndexOutbox
from storage.project_file import ProjectFile

PASSAGE_MIN = 300
PASSAGE_MAX = 2000
BATCH = 500
BLOCK_KINDS = {"paragraph", "heading", "list_item"}


def passages(text: str, spans: list[Span]) -> Iterator[tuple[int, int]]:
    """Paragraph-sized pieces: short blocks joined, long ones cut at spaces."""
    blocks = sorted((s.start, s.end) for s in spans if s.kind in BLOCK_KINDS) or [(0, len(text))]
    start = end = None
    for b_start, b_end in blocks:
        if start is None:
            start, end = b_start, b_end
        elif end is not None and end - start < PASSAGE_MIN:
            end = b_end
        else:
            yield from _cut(text, start, end or start)
            start, end = b_start, b_end
    if start is not None and end is not None:
        yield from _cut(text, start, end)


def _cut(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > PASSAGE_MAX:
        cut = text.rfind(" ", start + PASSAGE_MAX // 2, start + PASSAGE_MAX)
        cut = cut if cut > start else start + PASSAGE_MAX
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return datetime.strptime(value[:size], fmt)
        except ValueError:
            continue
    return None


def _with_ancestors(paths: list[str]) -> str:
    out: dict[str, None] = {}
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            out["/".join(parts[:i]).lower()] = None
    return ",".join(out)


def document_tag_ids(s: Session, doc_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """Tag ids per document, in one query (for all documents when ``doc_ids`` is None)."""
    stmt = select(DocumentTag.document_id, DocumentTag.tag_id)
    if doc_ids is not None:
        stmt = stmt.where(DocumentTag.document_id.in_(list(doc_ids)))
    found: dict[int, list[int]] = {}
    for doc_id, tag_id in s.execute(stmt):
        found.setdefault(doc_id, []).append(tag_id)
    return found


def document_records(doc: Document, paths: dict[int, str], tag_ids: list[int]) -> list[dict[str, Any]]:
    tags = _with_ancestors([paths[t] for t in tag_ids])
    field = "text_es" if doc.language == "es" else "text_en"
    spans = [Span(*item) for item in doc.structure]
    published = _date(doc.published)
    records = []
    for n, (start, end) in enumerate(passages(doc.text, spans)):
        body = doc.text[start:end]
        record: dict[str, Any] = {
            "key": f"p:{doc.id}:{n}",
            "kind": "passage",
            "pdoc": str(doc.id),
            "doc_id": doc.id,
            "doc": doc.title,
            "start": start,
            "end": end,
            "body": body,
            "lang": doc.language or "",
            field: body,
            "tag": tags,
        }
        if published:
            record["published"] = published
        records.append(record)
    return records


def annotation_record(a: Annotation, doc: Document, paths: dict[int, str]) -> dict[str, Any]:
    field = "text_es" if doc.language == "es" else "text_en"
    record: dict[str, Any] = {
        "key": f"a:{a.id}",
        "kind": "annotation",
        "doc_id": a.document_id,
        "annotation_id": a.id,
        "doc": doc.title,
        "start": a.start,
        "end": a.end,
        "body": a.quote,
        "lang": doc.language or "",
        field: a.quote,
        "note": a.note,
        "tag": _with_ancestors([paths[t.id] for t in a.tags]),
        "tag_paths": sorted(paths[t.id] for t in a.tags),
        "color": a.color or (min(a.tags, key=lambda t: paths[t.id].lower()).color if a.tags
                             else DEFAULT_COLOR),
        "created": a.created_at,
        "updated": a.updated_at,
    }
    published = _date(doc.published)
    if published:
        record["published"] = published
    return record


class Indexer:
    """Applies the outbox to the index; safe to call from one thread at a time."""

    def __init__(self, project: ProjectFile, index: SearchIndex) -> None:
        self.project = project
        self.index = index
        self._lock = threading.Lock()

    def pending(self) -> int:
        with self.project.session() as s:
            return s.scalar(select(func.count(IndexOutbox.seq))) or 0

    def drain(self) -> int:
        """Apply every pending outbox row; returns how many were applied."""
        done = 0
        with self._lock:
            while True:
                with self.project.session() as s:
                    rows = s.execute(
                        select(IndexOutbox.seq, IndexOutbox.kind, IndexOutbox.object_id)
                        .order_by(IndexOutbox.seq)
                        .limit(BATCH)
                    ).all()
                    if not rows:
                        return done
                    doc_ids = {r.object_id for r in rows if r.kind == "document"}
                    ann_ids = {r.object_id for r in rows if r.kind == "annotation"}
                    records = self._records(s, doc_ids, ann_ids)
                self.index.apply(doc_ids, ann_ids, records)
                last = rows[-1].seq
                with self.project.transaction() as s:
                    s.execute(delete(IndexOutbox).where(IndexOutbox.seq <= last))
                done += len(rows)

    def _records(self, s: Session, doc_ids: set[int], ann_ids: set[int]) -> list[dict[str, Any]]:
        paths = tag_paths.all_paths(s)
        records: list[dict[str, Any]] = []
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(doc_ids)))}
        tags_of = document_tag_ids(s, docs)
        for doc in docs.values():
            records.extend(document_records(doc, paths, tags_of.get(doc.id, [])))
        anns = s.scalars(
            select(Annotation)
            .where(Annotation.id.in_(ann_ids))
            .options(selectinload(Annotation.tags), selectinload(Annotation.document))
        )
        for a in anns:
            records.append(annotation_record(a, a.document, paths))
        return records

    def rebuild(self, progress: Callable[[int, int], bool | None] | None = None, procs: int = 1) -> int:
        """Rebuild the whole index from the project file; returns records written.

        Cancelling (``progress`` returning False) leaves the index marked
        incomplete, so the next open rebuilds it again.
        """
        with self._lock:
            self.index.reset()
            with self.project.transaction() as s:
                s.execute(delete(IndexOutbox))
            try:
                written = self.index.bulk_add(self._all_records(progress), procs=procs)
            except _Cancelled:
                return 0
            self.index.finish_rebuild()
            return written

    def _all_records(self, progress: Callable[[int, int], bool | None] | None) -> Iterator[dict[str, Any]]:
        with self.project.session() as s:
            paths = tag_paths.all_paths(s)
            tags_of = document_tag_ids(s)
            doc_ids = list(s.scalars(select(Document.id).order_by(Document.id)))
            ann_total = s.scalar(select(func.count(Annotation.id))) or 0
            total = len(doc_ids) + ann_total
            for i in range(0, len(doc_ids), 50):
                for doc in s.scalars(select(Document).where(Document.id.in_(doc_ids[i : i + 50]))):
                    yield from document_records(doc, paths, tags_of.get(doc.id, []))
                s.expunge_all()
                if progress and progress(min(i + 50, len(doc_ids)), total) is False:
                    raise _Cancelled
            last = seen = 0
            while True:
                anns = s.scalars(
                    select(Annotation)
                    .where(Annotation.id > last)
                    .order_by(Annotation.id)
                    .limit(5000)
                    .options(selectinload(Annotation.tags), selectinload(Annotation.document))
                ).all()
                if not anns:
                    break
                for a in anns:
                    yield annotation_record(a, a.document, paths)
                last, seen = anns[-1].id, seen + len(anns)
                s.expunge_all()
                if progress and progress(len(doc_ids) + seen, total) is False:
                    raise _Cancelled


class _Cancelled(Exception):
    """A rebuild the user stopped."""


class BackgroundIndexer(threading.Thread):
    """The one index writer of the window: wakes on each commit and drains."""

    def __init__(self, indexer: Indexer, on_error: Callable[[BaseException], None]) -> None:
        super().__init__(name="dossier-indexer", daemon=True)
        self.indexer = indexer
        self.on_error = on_error
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stopping = False

    def kick(self) -> None:
        self._idle.clear()
        self._wake.set()

    def run(self) -> None:
        while not self._stopping:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                break
            try:
                self.indexer.drain()
            except Exception as exc:  # reported; the rows stay for the next try
                self.on_error(exc)
            if not self._wake.is_set():
                self._idle.set()
        self._idle.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self.join(timeout=30)
