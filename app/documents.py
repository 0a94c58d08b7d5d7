"""Documents: import, list, edit metadata, delete (and restore, for undo)."""

from __future__ import annotations

import hashlib
import os
import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app import tag_paths
from app.annotations import AnnotationSnapshot, now, restore_rows, snapshot_of
from app.core import LibraryCore
from app.dates import iso_date
from app.domain import Changes, DocumentInfo, ImportResult, Span
from app.errors import KnownError, NotFoundError
from app.importers import Limits, extract_file, is_supported, read_file
from app.importers.base import clean_title, shown
from storage.models import Annotation, Document, DocumentTag, DocumentVersion

EDITABLE = ("title", "author", "published", "source", "language")


@dataclass(frozen=True)
class DocumentSnapshot:
    row: dict[str, object]
    tag_ids: tuple[int, ...]
    annotations: tuple[AnnotationSnapshot, ...]
    versions: tuple[dict[str, object], ...] = ()


def _info(d: Document, count: int) -> DocumentInfo:
    return DocumentInfo(
        id=d.id,
        uuid=d.uuid,
        title=d.title,
        format=d.format,
        chars=d.char_count,
        sha256=d.sha256,
        author=d.author,
        published=d.published,
        source=d.source,
        language=d.language,
        imported_at=d.imported_at,
        annotation_count=count,
        version=d.version,
        file_date=d.file_date,
    )


def expand_paths(paths: Iterable[Path], recursive: bool,
                 problems: list[ImportResult] | None = None) -> Iterator[Path]:
    """Files named directly, plus supported regular files in named folders; a folder that
    cannot be read is added to ``problems`` rather than skipped in silence."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue

        def unreadable(error: OSError, top: Path = path) -> None:
            if problems is not None:
                where = Path(error.filename or top)
                problems.append(ImportResult(shown(where), "error",
                                             error=f"{shown(where)}: cannot read the folder "
                                                   f"({error.strerror or error})"))

        for folder, subfolders, names in os.walk(path, onerror=unreadable):
            subfolders.sort()
            if not recursive:
                subfolders.clear()
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            for name in sorted(names):
                child = Path(folder) / name
                if name.startswith(".") or not is_supported(child):
                    continue
                if child.is_file() and not child.is_symlink():
                    yield child


class DocumentOps(LibraryCore):
    limits: Limits = Limits()

    def documents(self) -> list[DocumentInfo]:
        with self._read() as s:
            counts = dict(
                s.execute(
                    select(Annotation.document_id, func.count()).group_by(Annotation.document_id)
                ).all()
            )
            docs = s.scalars(select(Document).order_by(Document.id)).all()
            return [_info(d, counts.get(d.id, 0)) for d in docs]

    def document(self, doc_id: int) -> DocumentInfo:
        with self._read() as s:
            d = s.get(Document, doc_id)
            if d is None:
                raise NotFoundError(f"no document {doc_id}")
            count = s.scalar(select(func.count()).where(Annotation.document_id == doc_id)) or 0
            return _info(d, count)

    def document_structure(self, doc_id: int) -> list[Span]:
        with self._read() as s:
            raw = s.scalar(select(Document.structure).where(Document.id == doc_id))
            if raw is None:
                raise NotFoundError(f"no document {doc_id}")
            return [Span(*item) for item in raw]

    def set_aside(self, doc_id: int) -> list[str]:
        """The furniture a saved web page's import set aside (banners, menus, share links)."""
        with self._read() as s:
            if s.get(Document, doc_id) is None:
                raise NotFoundError(f"no document {doc_id}")
            raw = s.scalar(select(Document.set_aside).where(Document.id == doc_id))
            return raw.split("\n") if raw else []

    def document_tags(self, doc_id: int) -> list[str]:
        with self._read() as s:
            paths = tag_paths.all_paths(s)
            ids = s.scalars(select(DocumentTag.tag_id).where(DocumentTag.document_id == doc_id))
            return sorted(paths[i] for i in ids)

    def import_file(self, path: Path, tags: Iterable[str] = ()) -> ImportResult:
        """Import one file in its own transaction; failures leave the project untouched."""
        path = Path(path)
        try:
            data = read_file(path, self.limits)
            digest = hashlib.sha256(data).hexdigest()
            with self._read() as s:  # the current text of a document, or an older version of one
                existing = s.execute(
                    select(Document.id, Document.title).where(Document.sha256 == digest)
                ).first() or s.execute(
                    select(Document.id, Document.title).join(
                        DocumentVersion, DocumentVersion.document_id == Document.id)
                    .where(DocumentVersion.sha256 == digest)).first()
            if existing is not None:
                return ImportResult(shown(path), "duplicate", existing.id, existing.title)
            extracted = extract_file(path, data, self.limits)
            with self._tx() as s:
                doc = Document(
                    uuid=str(uuidlib.uuid4()),
                    title=clean_title(extracted.title) or path.stem,
                    format=extracted.format,
                    source=extracted.source or shown(Path(os.path.abspath(path))),
                    author=extracted.author,
                    published=extracted.published,
                    imported_at=now(),
                    language=extracted.language,
                    sha256=digest,
                    original=data,
                    text=extracted.text,
                    structure=[[sp.kind, sp.start, sp.end, sp.extra] for sp in extracted.spans],
                    char_count=len(extracted.text),
                    set_aside="\n".join(extracted.set_aside) or None,
                    file_date=extracted.file_date,
                )
                s.add(doc)
                s.flush()
                for tag in dict.fromkeys(tags):
                    s.add(DocumentTag(document_id=doc.id, tag_id=tag_paths.ensure(s, tag).id))
                self._queue_index(s, "document", [doc.id])
                warning = f"{shown(path)}: {extracted.warning}; check the text" if extracted.warning else None
                result = ImportResult(shown(path), "imported", doc.id, doc.title, warning=warning)
        except KnownError as exc:
            return ImportResult(shown(path), "error", error=str(exc))
        self._changed(Changes(documents=True, tags=bool(tags)))
        return result

    def import_many(
        self,
        paths: Iterable[Path],
        recursive: bool = False,
        tags: Iterable[str] = (),
        progress: Callable[[int, int, Path], bool] | None = None,
        on_result: Callable[[ImportResult], None] | None = None,
    ) -> list[ImportResult]:
        """Import files one by one, each in its own transaction; ``progress(done, total,
        path)`` returns False to cancel; ``on_result`` hears of each file as soon as it is
        done (so a long batch reports as it goes, and an interrupted one loses no report)."""
        problems: list[ImportResult] = []
        files = list(expand_paths(paths, recursive, problems))
        tags = list(tags)
        results: list[ImportResult] = []
        for problem in problems:
            results.append(problem)
            if on_result is not None:
                on_result(problem)
        with self.deferred_indexing():
            for done, path in enumerate(files):
                if progress is not None and progress(done, len(files), path) is False:
                    break
                results.append(self.import_file(path, tags))
                if on_result is not None:
                    on_result(results[-1])
        if progress is not None:
            progress(len(results), len(files), files[-1] if files else Path())
        return results

    def update_document(self, doc_id: int, **fields: str | None) -> DocumentInfo:
        """Edit citation metadata (title, author, published, source, language)."""
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise KnownError(f"cannot edit {', '.join(sorted(unknown))}")
        with self._tx() as s:
            d = s.get(Document, doc_id)
            if d is None:
                raise NotFoundError(f"no document {doc_id}")
            for key, value in fields.items():
                if key == "title" and not (value or "").strip():
                    raise KnownError("a document needs a title")
                if key == "published" and value and value.strip():
                    value = iso_date(value)
                setattr(d, key, value.strip() if isinstance(value, str) and value.strip() else None)
            self._queue_index(s, "document", [doc_id])
            self._queue_index(s, "annotation", s.scalars(
                select(Annotation.id).where(Annotation.document_id == doc_id)))
        self._changed(Changes(documents=True, doc_ids=frozenset({doc_id})))
        return self.document(doc_id)

    def delete_document(self, doc_id: int) -> DocumentSnapshot:
        """Delete a document with its highlights and their briefing items."""
        with self._tx() as s:
            snap = _snapshot(s, doc_id)
            s.execute(delete(Document).where(Document.id == doc_id))
            self._queue_index(s, "document", [doc_id])
            self._queue_index(s, "annotation", [int(str(a.row["id"])) for a in snap.annotations])
        self._changed(Changes(documents=True, annotations=True, tags=True, briefings=True,
                              doc_ids=frozenset({doc_id})))
        return snap

    def restore_document(self, snap: DocumentSnapshot) -> DocumentInfo:
        with self._tx() as s:
            s.execute(insert(Document), [snap.row])
            s.add_all(DocumentTag(document_id=snap.row["id"], tag_id=t) for t in snap.tag_ids)
            restore_rows(s, list(snap.annotations))
            if snap.versions:
                s.execute(insert(DocumentVersion), list(snap.versions))
            self._queue_index(s, "document", [int(str(snap.row["id"]))])
        doc_id = int(str(snap.row["id"]))
        self._changed(Changes(documents=True, annotations=True, tags=True, briefings=True,
                              doc_ids=frozenset({doc_id})))
        return self.document(doc_id)


def _snapshot(s: Session, doc_id: int) -> DocumentSnapshot:
    d = s.get(Document, doc_id)
    if d is None:
        raise NotFoundError(f"no document {doc_id}")
    row = {c.key: getattr(d, c.key) for c in Document.__table__.columns}
    tag_ids = tuple(s.scalars(select(DocumentTag.tag_id).where(DocumentTag.document_id == doc_id)))
    anns = list(s.scalars(select(Annotation).where(Annotation.document_id == doc_id)))
    versions = tuple({c.key: getattr(v, c.key) for c in DocumentVersion.__table__.columns}
                     for v in s.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc_id)))
    return DocumentSnapshot(row, tag_ids, tuple(snapshot_of(s, anns)), versions)
