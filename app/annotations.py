"""Highlights: create, edit, delete (and restore, for undo)."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app import anchoring, tag_paths
from app.core import LibraryCore
from app.domain import DEFAULT_COLOR, PALETTE, AnnotationInfo, Changes
from app.errors import EditConflict, InvalidInput, NotFoundError
from storage.models import (
    Annotation,
    AnnotationTag,
    BriefingItem,
    BriefingSection,
    Document,
    IndexOutbox,
    Tag,
)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_color(color: str | None) -> str | None:
    if color is None or color == "":
        return None
    color = color.strip().lower()
    if color in PALETTE or (color.startswith("#") and len(color) in (4, 7)):
        return color
    raise InvalidInput(f"unknown colour {color!r}; use one of {', '.join(PALETTE)} or #rrggbb")


@dataclass(frozen=True)
class AnnotationSnapshot:
    """Everything needed to put a deleted highlight back exactly (same id)."""

    row: dict[str, object]
    tag_ids: tuple[int, ...]
    items: tuple[dict[str, object], ...]


def to_info(a: Annotation, paths: dict[int, str], doc_title: str = "") -> AnnotationInfo:
    tags = tuple(sorted(paths[t.id] for t in a.tags))
    first = min(a.tags, key=lambda t: paths[t.id].lower()) if a.tags else None
    color = a.color or (first.color if first else DEFAULT_COLOR)
    return AnnotationInfo(
        id=a.id,
        uuid=a.uuid,
        doc_id=a.document_id,
        start=a.start,
        end=a.end,
        quote=a.quote,
        prefix=a.prefix,
        suffix=a.suffix,
        tags=tags,
        note=a.note,
        color=color,
        created_at=a.created_at,
        updated_at=a.updated_at,
        doc_title=doc_title,
        orphaned=a.orphaned,
        author=a.created_by,
        updated_by=a.updated_by,
        version=a.version,
    )


class AnnotationOps(LibraryCore):
    def annotations(self, doc_id: int | None = None, tag: str | None = None) -> list[AnnotationInfo]:
        """Highlights, optionally of one document and/or under one tag (children included)."""
        # Plain rows, not ORM objects: the reader asks for a document's 1,000 highlights per edit.
        cols = list(Annotation.__table__.columns)
        with self._read() as s:
            stmt = (
                select(*cols, Document.title.label("doc_title"))
                .join(Document, Document.id == Annotation.document_id)
                .order_by(Annotation.document_id, Annotation.start, Annotation.id)
            )
            links = select(AnnotationTag.annotation_id, AnnotationTag.tag_id).join(
                Annotation, Annotation.id == AnnotationTag.annotation_id
            )
            if doc_id is not None:
                stmt = stmt.where(Annotation.document_id == doc_id)
                links = links.where(Annotation.document_id == doc_id)
            if tag is not None:
                ids = tag_paths.descendant_ids(s, tag_paths.get(s, tag).id)
                sub = select(AnnotationTag.annotation_id).where(AnnotationTag.tag_id.in_(ids))
                stmt = stmt.where(Annotation.id.in_(sub))
            paths = tag_paths.all_paths(s)
            colors = dict(s.execute(select(Tag.id, Tag.color)).all())
            tags_of: dict[int, list[int]] = {}
            for ann_id, tag_id in s.execute(links):
                tags_of.setdefault(ann_id, []).append(tag_id)
            out = []
            for row in s.execute(stmt):
                tag_ids = sorted(tags_of.get(row.id, []), key=lambda t: paths[t].lower())
                color = row.color or (colors[tag_ids[0]] if tag_ids else DEFAULT_COLOR)
                out.append(AnnotationInfo(
                    id=row.id, uuid=row.uuid, doc_id=row.document_id, start=row.start, end=row.end,
                    quote=row.quote, prefix=row.prefix, suffix=row.suffix,
                    tags=tuple(sorted(paths[t] for t in tag_ids)), note=row.note, color=color,
                    created_at=row.created_at, updated_at=row.updated_at, doc_title=row.doc_title,
                    orphaned=row.orphaned, author=row.created_by, updated_by=row.updated_by,
                    version=row.version,
                ))
            return out

    def annotation(self, annotation_id: int) -> AnnotationInfo:
        with self._read() as s:
            a = s.get(Annotation, annotation_id)
            if a is None:
                raise NotFoundError(f"no annotation {annotation_id}")
            return to_info(a, tag_paths.all_paths(s), a.document.title)

    def find_quote(self, doc_id: int, quote: str, occurrence: int = 1) -> tuple[int, int]:
        return anchoring.find_occurrence(self.document_text(doc_id), quote, occurrence)

    def document_text(self, doc_id: int) -> str:
        with self._read() as s:
            text = s.scalar(select(Document.text).where(Document.id == doc_id))
            if text is None:
                raise NotFoundError(f"no document {doc_id}")
            return text

    def add_annotation(
        self,
        doc_id: int,
        start: int,
        end: int,
        tags: tuple[str, ...] | list[str] = (),
        *,
        note: str = "",
        color: str | None = None,
    ) -> AnnotationInfo:
        color = check_color(color)
        with self._tx() as s:
            text = s.scalar(select(Document.text).where(Document.id == doc_id))
            if text is None:
                raise NotFoundError(f"no document {doc_id}")
            quote, prefix, suffix = anchoring.selectors(text, start, end)
            stamp = now()
            a = Annotation(
                uuid=str(uuidlib.uuid4()),
                document_id=doc_id,
                start=start,
                end=end,
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                color=color,
                note=note,
                created_at=stamp,
                updated_at=stamp,
                created_by=self.author,
                updated_by=self.author,
            )
            a.tags = [tag_paths.ensure(s, t) for t in dict.fromkeys(tags)]
            s.add(a)
            s.flush()
            self._queue_index(s, "annotation", [a.id])
            new_id = a.id
        self._changed(Changes(annotations=True, tags=bool(tags), doc_ids=frozenset({doc_id})))
        return self.annotation(new_id)

    def update_annotation(
        self,
        annotation_id: int,
        *,
        tags: tuple[str, ...] | list[str] | None = None,
        note: str | None = None,
        color: str | None = None,
        clear_color: bool = False,
        updated_at: datetime | None = None,
        expected_version: int | None = None,
        mine_only: bool = False,
    ) -> AnnotationInfo:
        """Change a highlight's tags (replacing them), note or colour.

        ``updated_at`` is for undo, which puts the old time back too. ``expected_version``:
        the version the analyst was shown; if someone changed it since, the edit is refused.
        """
        checked = check_color(color)
        with self._tx() as s:
            a = s.get(Annotation, annotation_id)
            if a is None:
                raise NotFoundError(f"no annotation {annotation_id}")
            if mine_only:
                self._check_mine(a)
            if expected_version is not None and a.version != expected_version:
                raise EditConflict(f"highlight {annotation_id} was changed by {a.updated_by or 'someone'} "
                                   f"at {a.updated_at:%H:%M} since you opened it; it now shows their "
                                   "version: make your change again if it still applies")
            if tags is not None:
                a.tags = [tag_paths.ensure(s, t) for t in dict.fromkeys(tags)]
            if note is not None:
                a.note = note
            if checked is not None or clear_color:
                a.color = checked
            a.updated_at = updated_at or now()
            a.updated_by = self.author
            self._queue_index(s, "annotation", [a.id])
            doc_id = a.document_id
        self._changed(
            Changes(annotations=True, tags=tags is not None, doc_ids=frozenset({doc_id}))
        )
        return self.annotation(annotation_id)

    def delete_annotation(self, annotation_id: int, mine_only: bool = False) -> AnnotationSnapshot:
        """Delete a highlight; ``mine_only`` (undo): refused if another analyst changed it last."""
        with self._tx() as s:
            if mine_only:
                self._check_mine(s.get(Annotation, annotation_id))
            snap = _snapshot(s, annotation_id)
            s.execute(delete(Annotation).where(Annotation.id == annotation_id))
            self._queue_index(s, "annotation", [annotation_id])
        doc_id = int(str(snap.row["document_id"]))
        self._changed(Changes(annotations=True, tags=True, briefings=bool(snap.items),
                              doc_ids=frozenset({doc_id})))
        return snap

    def restore_annotation(self, snap: AnnotationSnapshot) -> AnnotationInfo:
        with self._tx() as s:
            restore_rows(s, [snap])
        doc_id = int(str(snap.row["document_id"]))
        self._changed(Changes(annotations=True, tags=True, briefings=bool(snap.items),
                              doc_ids=frozenset({doc_id})))
        return self.annotation(int(str(snap.row["id"])))

    def _check_mine(self, a: Annotation | None) -> None:
        """Undo puts back only this analyst's own edit: not over a colleague's later one."""
        if a is not None and a.updated_by not in (None, self.author):
            raise EditConflict(f"highlight {a.id} was changed by {a.updated_by} at {a.updated_at:%H:%M} "
                               "since; undo would lose their change, so it was not done")

    def raw_color(self, annotation_id: int) -> str | None:
        """The highlight's own colour (None: it follows its first tag)."""
        with self._read() as s:
            return s.scalar(select(Annotation.color).where(Annotation.id == annotation_id))


def _snapshot(s: Session, annotation_id: int) -> AnnotationSnapshot:
    a = s.get(Annotation, annotation_id)
    if a is None:
        raise NotFoundError(f"no annotation {annotation_id}")
    return snapshot_of(s, [a])[0]


def snapshot_of(s: Session, annotations: list[Annotation]) -> list[AnnotationSnapshot]:
    ids = [a.id for a in annotations]
    links: dict[int, list[int]] = {}
    for ann_id, tag_id in s.execute(
        select(AnnotationTag.annotation_id, AnnotationTag.tag_id).where(
            AnnotationTag.annotation_id.in_(ids)
        )
    ):
        links.setdefault(ann_id, []).append(tag_id)
    items: dict[int, list[dict[str, object]]] = {}
    for item in s.scalars(select(BriefingItem).where(BriefingItem.annotation_id.in_(ids))):
        items.setdefault(item.annotation_id, []).append(
            {c.key: getattr(item, c.key) for c in BriefingItem.__table__.columns}
        )
    return [
        AnnotationSnapshot(
            row={c.key: getattr(a, c.key) for c in Annotation.__table__.columns},
            tag_ids=tuple(links.get(a.id, ())),
            items=tuple(items.get(a.id, ())),
        )
        for a in annotations
    ]


def restore_rows(s: Session, snaps: list[AnnotationSnapshot]) -> None:
    """Re-insert highlights with their ids, tags and briefing items."""
    if not snaps:
        return
    s.execute(insert(Annotation), [snap.row for snap in snaps])
    existing_tags = set(s.scalars(select(Tag.id)))
    links = [
        {"annotation_id": snap.row["id"], "tag_id": t}
        for snap in snaps
        for t in snap.tag_ids
        if t in existing_tags
    ]
    if links:
        s.execute(insert(AnnotationTag), links)
    items = [item for snap in snaps for item in snap.items]
    if items:
        # A section deleted since then takes its items with it; skip those.
        sections = set(s.scalars(select(BriefingSection.id)))
        items = [i for i in items if i["section_id"] in sections]
        if items:
            s.execute(insert(BriefingItem), items)
    s.add_all(IndexOutbox(kind="annotation", object_id=int(str(snap.row["id"]))) for snap in snaps)
