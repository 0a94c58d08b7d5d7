"""A newer version of a source: its text replaces the document's, its highlights follow,
the old version stays in the project; and orphaned highlights placed by hand."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from app import anchoring
from app.annotations import now
from app.core import LibraryCore
from app.domain import Changes
from app.errors import InvalidInput, KnownError, NotFoundError
from app.importers import Limits, extract_file, read_file
from app.reanchor import place
from storage.models import Annotation, Document, DocumentVersion

ANCHOR_COLUMNS = ("start", "end", "quote", "prefix", "suffix", "orphaned")
VERSIONED = ("title", "format", "published", "imported_at", "sha256", "original", "text",
             "structure", "char_count", "version", "set_aside", "language", "file_date")


@dataclass(frozen=True)
class ReimportResult:
    doc_id: int
    version: int
    moved: int  # placed highlights whose offsets changed
    exact: int  # placed by their exact quote
    fuzzy: int  # placed by a close match of their quote
    orphaned: tuple[int, ...]  # highlights with no confident place

    def to_json(self) -> dict[str, Any]:
        return {"id": self.doc_id, "version": self.version, "moved": self.moved, "exact": self.exact,
                "fuzzy": self.fuzzy, "orphaned": list(self.orphaned)}


@dataclass(frozen=True)
class ReimportSnapshot:
    """What undo needs to put the previous version back."""

    doc_id: int
    document: dict[str, object]
    anchors: tuple[dict[str, object], ...]
    version_id: int
    data: bytes  # the new version's bytes, for redo


@dataclass(frozen=True)
class VersionInfo:
    version: int
    title: str
    published: str | None
    imported_at: str
    sha256: str
    current: bool

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "title": self.title, "published": self.published,
                "imported": self.imported_at, "sha256": self.sha256, "current": self.current}


class VersionOps(LibraryCore):
    limits: Limits

    def reimport(self, doc_id: int, path: Path, data: bytes | None = None
                 ) -> tuple[ReimportResult, ReimportSnapshot]:
        """Replace a document's text with a newer version of the source at ``path`` (whose
        bytes, when given, are ``data``)."""
        path = Path(path)
        data = read_file(path, self.limits) if data is None else data
        digest = hashlib.sha256(data).hexdigest()
        with self._read() as s:
            d = s.get(Document, doc_id)
            if d is None:
                raise NotFoundError(f"no document {doc_id}")
            if d.sha256 == digest:
                raise KnownError(f"{path}: this is the document's current version already")
            other = s.scalar(select(Document.id).where(Document.sha256 == digest))
            if other is not None:
                raise KnownError(f"{path}: already in the project as document {other}")
        extracted = extract_file(path, data, self.limits)
        with self._tx() as s:
            d = s.get(Document, doc_id)
            assert d is not None
            old = {key: getattr(d, key) for key in VERSIONED}
            kept = DocumentVersion(document_id=doc_id, version=d.version, title=d.title, format=d.format,
                                   published=d.published, imported_at=d.imported_at, sha256=d.sha256,
                                   original=d.original, text=d.text, structure=d.structure)
            s.add(kept)
            old_text = d.text
            anns = list(s.scalars(select(Annotation).where(Annotation.document_id == doc_id)))
            anchors = tuple({"id": a.id, **{k: getattr(a, k) for k in ANCHOR_COLUMNS}} for a in anns)
            new_text = extracted.text
            d.text = new_text
            d.original = data
            d.sha256 = digest
            d.format = extracted.format
            d.structure = [[sp.kind, sp.start, sp.end, sp.extra] for sp in extracted.spans]
            d.char_count = len(new_text)
            d.set_aside = "\n".join(extracted.set_aside) or None
            d.file_date = extracted.file_date
            d.language = extracted.language or d.language
            d.version += 1
            d.imported_at = now()
            if extracted.published:
                d.published = extracted.published  # the new edition's own date, if it states one
            exact = fuzzy = moved = 0
            orphans: list[int] = []
            for a in anns:
                spot = place(new_text, a.quote, prefix=a.prefix, suffix=a.suffix, old_start=a.start,
                             old_length=len(old_text))
                if spot is None:
                    # Its quote, tags, note and briefing items stay; its offsets only
                    # need to stay inside the new text.
                    a.start = min(a.start, max(len(new_text) - 1, 0))
                    a.end = min(max(a.end, a.start + 1), len(new_text))
                    a.orphaned = True
                    orphans.append(a.id)
                    continue
                moved += (spot.start, spot.end) != (a.start, a.end)
                exact += spot.how == "exact"
                fuzzy += spot.how == "fuzzy"
                quote, prefix, suffix = anchoring.selectors(new_text, spot.start, spot.end)
                a.start, a.end, a.quote, a.prefix, a.suffix = spot.start, spot.end, quote, prefix, suffix
                a.orphaned = False
            s.flush()
            snapshot = ReimportSnapshot(doc_id, old, anchors, kept.id, data)
            version = d.version
            self._queue_index(s, "document", [doc_id])
            self._queue_index(s, "annotation", [a.id for a in anns])
        self._changed(Changes(documents=True, annotations=True, briefings=True,
                              doc_ids=frozenset({doc_id})))
        result = ReimportResult(doc_id, version, moved, exact, fuzzy, tuple(orphans))
        return result, snapshot

    def undo_reimport(self, snap: ReimportSnapshot) -> None:
        """Put the previous version back, with every highlight where it was."""
        with self._tx() as s:
            d = s.get(Document, snap.doc_id)
            if d is None:
                raise NotFoundError(f"no document {snap.doc_id}")
            for key, value in snap.document.items():
                setattr(d, key, value)
            for row in snap.anchors:
                s.execute(update(Annotation).where(Annotation.id == row["id"])
                          .values({k: row[k] for k in ANCHOR_COLUMNS}))
            s.execute(delete(DocumentVersion).where(DocumentVersion.id == snap.version_id))
            self._queue_index(s, "document", [snap.doc_id])
            self._queue_index(s, "annotation", [int(str(r["id"])) for r in snap.anchors])
        self._changed(Changes(documents=True, annotations=True, briefings=True,
                              doc_ids=frozenset({snap.doc_id})))

    def versions(self, doc_id: int) -> list[VersionInfo]:
        """A document's versions, oldest first, the current one last."""
        with self._read() as s:
            d = s.get(Document, doc_id)
            if d is None:
                raise NotFoundError(f"no document {doc_id}")
            rows = s.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc_id)
                             .order_by(DocumentVersion.version))
            out = [VersionInfo(v.version, v.title, v.published, v.imported_at.isoformat(), v.sha256, False)
                   for v in rows]
            out.append(VersionInfo(d.version, d.title, d.published, d.imported_at.isoformat(), d.sha256,
                                   True))
            return out

    def place_orphan(self, annotation_id: int, start: int, end: int) -> dict[str, object]:
        """Anchor an orphaned (or any) highlight to a span of its document's current text;
        returns the old anchor, for undo."""
        with self._tx() as s:
            a = s.get(Annotation, annotation_id)
            if a is None:
                raise NotFoundError(f"no annotation {annotation_id}")
            text = s.scalar(select(Document.text).where(Document.id == a.document_id))
            assert text is not None
            quote, prefix, suffix = anchoring.selectors(text, start, end)
            old: dict[str, object] = {"id": a.id, **{k: getattr(a, k) for k in ANCHOR_COLUMNS}}
            a.start, a.end, a.quote, a.prefix, a.suffix, a.orphaned = start, end, quote, prefix, suffix, False
            a.updated_at = now()
            doc_id = a.document_id
            self._queue_index(s, "annotation", [a.id])
        self._changed(Changes(annotations=True, briefings=True, doc_ids=frozenset({doc_id})))
        return old

    def restore_anchor(self, old: dict[str, object]) -> None:
        with self._tx() as s:
            a = s.get(Annotation, old["id"])
            if a is None:
                raise InvalidInput(f"no annotation {old['id']}")
            for key in ANCHOR_COLUMNS:
                setattr(a, key, old[key])
            doc_id = a.document_id
            self._queue_index(s, "annotation", [a.id])
        self._changed(Changes(annotations=True, briefings=True, doc_ids=frozenset({doc_id})))

