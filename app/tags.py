"""Tag tree operations: rename (and re-parent), merge, delete, colour; undo by state."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from app import tag_paths
from app.annotations import check_color
from app.core import LibraryCore
from app.domain import Changes, TagInfo
from app.errors import InvalidInput
from storage.models import AnnotationTag, DocumentTag, IndexOutbox, ProjectInfo, Tag


@dataclass(frozen=True)
class TagState:
    """The whole tag tree and its links; tag trees are small, so undo restores all."""

    tags: tuple[dict[str, object], ...]
    annotation_links: frozenset[tuple[int, int]]
    document_links: frozenset[tuple[int, int]]


def _state(s: Session) -> TagState:
    return TagState(
        tags=tuple(
            {c.key: getattr(t, c.key) for c in Tag.__table__.columns} for t in s.scalars(select(Tag))
        ),
        annotation_links=frozenset(
            (a, t) for a, t in s.execute(select(AnnotationTag.annotation_id, AnnotationTag.tag_id))
        ),
        document_links=frozenset(
            (d, t) for d, t in s.execute(select(DocumentTag.document_id, DocumentTag.tag_id))
        ),
    )


def _annotations_under(s: Session, tag_ids: set[int]) -> set[int]:
    return set(
        s.scalars(select(AnnotationTag.annotation_id).where(AnnotationTag.tag_id.in_(tag_ids)))
    )


def _documents_under(s: Session, tag_ids: set[int]) -> set[int]:
    return set(s.scalars(select(DocumentTag.document_id).where(DocumentTag.tag_id.in_(tag_ids))))


# Distinct highlights under each tag that has children, its descendants' included,
# counted in the database through the links' index by tag (a leaf's total is its count).
SUBTREE_TOTALS = """
WITH RECURSIVE below(ancestor, tag) AS (
    SELECT id, id FROM tags WHERE id IN (SELECT parent_id FROM tags)
    UNION ALL
    SELECT below.ancestor, tags.id FROM tags JOIN below ON tags.parent_id = below.tag
)
SELECT below.ancestor, COUNT(DISTINCT annotation_tags.annotation_id)
FROM below JOIN annotation_tags ON annotation_tags.tag_id = below.tag
GROUP BY below.ancestor
"""
FAVOURITES_KEY = "favourite_tags"  # project_info: JSON list of tag ids, keys 1-9 in order
FAVOURITES = 9


def _favourite_ids(s: Session) -> list[int]:
    row = s.get(ProjectInfo, FAVOURITES_KEY)
    try:
        ids = json.loads(row.value) if row is not None else []
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, int)][:FAVOURITES] if isinstance(ids, list) else []


def _set_favourite_ids(s: Session, ids: list[int]) -> None:
    value = json.dumps(ids[:FAVOURITES])
    row = s.get(ProjectInfo, FAVOURITES_KEY)
    if row is None:
        s.add(ProjectInfo(key=FAVOURITES_KEY, value=value))
    else:
        row.value = value


class TagOps(LibraryCore):
    def favourite_tags(self, tags: list[TagInfo] | None = None) -> list[TagInfo]:
        """The tags on keys 1-9, in order: kept by id, so they follow renames and moves.
        ``tags``: ``tags()`` if the caller has it already."""
        with self._read() as s:
            ids = _favourite_ids(s)
        by_id = {t.id: t for t in (tags if tags is not None else self.tags())}
        return [by_id[i] for i in ids if i in by_id]

    def remember_favourite(self, path: str) -> None:
        """The first nine tags used become keys 1-9, in that order, so the keys stay put."""
        with self._tx() as s:
            tag = tag_paths.find(s, path)
            ids = [i for i in _favourite_ids(s) if s.get(Tag, i) is not None]
            if tag is None or tag.id in ids or len(ids) >= FAVOURITES:
                return
            _set_favourite_ids(s, [*ids, tag.id])
        self._notify(Changes(tags=True))

    def set_favourite(self, number: int, path: str) -> list[TagInfo]:
        """Put the tag ``path`` on key ``number`` (1-9)."""
        if not 1 <= number <= FAVOURITES:
            raise InvalidInput(f"favourite keys are 1 to {FAVOURITES}")
        with self._tx() as s:
            tag = tag_paths.get(s, path)
            ids = [i for i in _favourite_ids(s) if s.get(Tag, i) is not None and i != tag.id]
            ids.insert(min(number - 1, len(ids)), tag.id)
            _set_favourite_ids(s, ids)
        self._notify(Changes(tags=True))
        return self.favourite_tags()

    def tags(self) -> list[TagInfo]:
        """Every tag with its full path and how many highlights carry it."""
        with self._read() as s:
            paths = tag_paths.all_paths(s)
            counts = dict(
                s.execute(
                    select(AnnotationTag.tag_id, func.count()).group_by(AnnotationTag.tag_id)
                ).all()
            )
            rows = list(s.scalars(select(Tag)))
            totals: dict[int, int] = dict(s.execute(text(SUBTREE_TOTALS)).all())
            infos = [
                TagInfo(
                    id=t.id,
                    path=paths[t.id],
                    name=t.name,
                    parent_id=t.parent_id,
                    color=t.color,
                    description=t.description,
                    count=counts.get(t.id, 0),
                    total=totals.get(t.id, counts.get(t.id, 0)),
                    updated_by=t.updated_by,
                )
                for t in rows
            ]
        return sorted(infos, key=lambda t: t.path.lower())

    def create_tag(self, path: str, color: str | None = None) -> TagInfo:
        color = check_color(color)
        with self._tx() as s:
            tag_id = tag_paths.ensure(s, path, color).id
        self._changed(Changes(tags=True))
        return next(t for t in self.tags() if t.id == tag_id)

    def set_tag_color(self, path: str, color: str) -> None:
        checked = check_color(color)
        if checked is None:
            raise InvalidInput("a tag needs a colour")
        with self._tx() as s:
            tag = tag_paths.get(s, path)
            tag.color = checked
            tag.updated_by = self.author
            self._queue_index(s, "tag", [tag.id])  # colleagues' windows hear of it
            self._queue_index(s, "annotation", _annotations_under(s, {tag.id}))
        self._changed(Changes(tags=True, annotations=True))

    def rename_tag(self, old: str, new: str) -> TagInfo:
        """Rename a tag; a new path with another parent moves it there too."""
        with self._tx() as s:
            tag = tag_paths.get(s, old)
            parts = tag_paths.split_path(new)
            parent = tag_paths.ensure(s, "/".join(parts[:-1])) if len(parts) > 1 else None
            clash = tag_paths.find(s, new)
            if clash is not None and clash.id != tag.id:
                raise InvalidInput(f"a tag {new!r} already exists; use merge to combine them")
            moved = tag_paths.descendant_ids(s, tag.id)
            if parent is not None and parent.id in moved:
                raise InvalidInput(f"cannot move {old!r} under itself")
            tag.name = parts[-1]
            tag.parent_id = parent.id if parent else None
            tag.updated_by = self.author
            self._queue_index(s, "annotation", _annotations_under(s, moved))
            self._queue_index(s, "document", _documents_under(s, moved))
            tag_id = tag.id
        self._changed(Changes(tags=True, annotations=True))
        return next(t for t in self.tags() if t.id == tag_id)

    def reparent_tag(self, path: str, new_parent: str | None) -> TagInfo:
        leaf = tag_paths.split_path(path)[-1]
        return self.rename_tag(path, f"{new_parent}/{leaf}" if new_parent else leaf)

    def merge_tags(self, source: str, into: str) -> TagInfo:
        """Give ``into`` every highlight of ``source``; its children move under ``into``."""
        with self._tx() as s:
            src = tag_paths.get(s, source)
            dst = tag_paths.get(s, into)
            if src.id == dst.id:
                raise InvalidInput("cannot merge a tag into itself")
            if dst.id in tag_paths.descendant_ids(s, src.id):
                raise InvalidInput(f"cannot merge {source!r} into its own child {into!r}")
            moved = tag_paths.descendant_ids(s, src.id)
            self._queue_index(s, "annotation", _annotations_under(s, moved))
            self._queue_index(s, "document", _documents_under(s, moved))
            favourites = _favourite_ids(s)
            if src.id in favourites:  # its key now applies the tag it went into
                kept = [dst.id if i == src.id else i for i in favourites]
                _set_favourite_ids(s, list(dict.fromkeys(kept)))
            self._merge(s, src, dst)
            dst.updated_by = self.author
            dst_id = dst.id
        self._changed(Changes(tags=True, annotations=True))
        return next(t for t in self.tags() if t.id == dst_id)

    def _merge(self, s: Session, src: Tag, dst: Tag) -> None:
        for link_table, column in (
            (AnnotationTag, AnnotationTag.annotation_id),
            (DocumentTag, DocumentTag.document_id),
        ):
            have = set(s.scalars(select(column).where(link_table.tag_id == dst.id)))
            s.execute(
                update(link_table)
                .where(link_table.tag_id == src.id, column.not_in(have))
                .values(tag_id=dst.id)
            )
            s.execute(delete(link_table).where(link_table.tag_id == src.id))
        for child in list(s.scalars(select(Tag).where(Tag.parent_id == src.id))):
            twin = s.scalar(
                select(Tag).where(Tag.parent_id == dst.id, func.lower(Tag.name) == child.name.lower())
            )
            if twin is None:
                child.parent_id = dst.id
                s.flush()
            else:
                self._merge(s, child, twin)
        s.execute(delete(Tag).where(Tag.id == src.id))
        s.flush()

    def delete_tag(self, path: str) -> None:
        """Delete a tag and its children; the highlights stay, without it."""
        with self._tx() as s:
            tag = tag_paths.get(s, path)
            ids = tag_paths.descendant_ids(s, tag.id)
            self._queue_index(s, "annotation", _annotations_under(s, ids))
            self._queue_index(s, "document", _documents_under(s, ids))
            s.execute(delete(Tag).where(Tag.id.in_(ids)))
        self._changed(Changes(tags=True, annotations=True))

    def tag_rows(self) -> dict[int, dict[str, object]]:
        """Every tag row by id (no links: a project's tags are few, its links many)."""
        with self._read() as s:
            return {t.id: {c.key: getattr(t, c.key) for c in Tag.__table__.columns}
                    for t in s.scalars(select(Tag))}

    def drop_new_tags(self, rows: list[dict[str, object]]) -> None:
        """Delete tags an edit created (undo), children first; they carry nothing now."""
        ids = [int(str(r["id"])) for r in rows]
        with self._tx() as s:
            used = set(s.scalars(select(AnnotationTag.tag_id).where(AnnotationTag.tag_id.in_(ids))))
            used |= set(s.scalars(select(DocumentTag.tag_id).where(DocumentTag.tag_id.in_(ids))))
            s.execute(delete(Tag).where(Tag.id.in_([i for i in ids if i not in used])))
        self._changed(Changes(tags=True))

    def put_back_tags(self, rows: list[dict[str, object]]) -> None:
        """Create tags again with the ids and colours they had (redo), parents first."""
        with self._tx() as s:
            existing = set(s.scalars(select(Tag.id)))
            pending = [r for r in rows if int(str(r["id"])) not in existing]
            while pending:
                ready = [r for r in pending if r["parent_id"] is None or r["parent_id"] in existing]
                if not ready:
                    raise InvalidInput("cannot put back tags whose parent is gone")
                s.execute(insert(Tag), ready)
                existing |= {int(str(r["id"])) for r in ready}
                pending = [r for r in pending if r not in ready]
        self._changed(Changes(tags=True))

    def tag_state(self) -> TagState:
        with self._read() as s:
            return _state(s)

    def restore_tag_state(self, state: TagState) -> None:
        """Put the tag tree and links back exactly as captured (for undo)."""
        with self._tx() as s:
            current = _state(s)
            paths_before = tag_paths.all_paths(s)
            s.execute(delete(AnnotationTag))
            s.execute(delete(DocumentTag))
            s.execute(update(Tag).values(parent_id=None))
            s.execute(delete(Tag))
            if state.tags:
                rows = [dict(t, parent_id=None) for t in state.tags]
                s.execute(insert(Tag), rows)
                for t in state.tags:
                    if t["parent_id"] is not None:
                        s.execute(update(Tag).where(Tag.id == t["id"]).values(parent_id=t["parent_id"]))
            if state.annotation_links:
                s.execute(
                    insert(AnnotationTag),
                    [{"annotation_id": a, "tag_id": t} for a, t in state.annotation_links],
                )
            if state.document_links:
                s.execute(
                    insert(DocumentTag),
                    [{"document_id": d, "tag_id": t} for d, t in state.document_links],
                )
            # Re-index what gained or lost a tag, and what carries a tag whose path changed
            # (a renamed or moved parent changes its children's paths too).
            paths_after = tag_paths.all_paths(s)
            moved = {t for t in paths_before.keys() | paths_after.keys()
                     if paths_before.get(t) != paths_after.get(t)}
            ann_links = current.annotation_links | state.annotation_links
            doc_links = current.document_links | state.document_links
            changed_anns = {a for a, _ in current.annotation_links ^ state.annotation_links}
            changed_anns |= {a for a, t in ann_links if t in moved}
            changed_docs = {d for d, _ in current.document_links ^ state.document_links}
            changed_docs |= {d for d, t in doc_links if t in moved}
            s.add_all(IndexOutbox(kind="annotation", object_id=a) for a in changed_anns)
            s.add_all(IndexOutbox(kind="document", object_id=d) for d in changed_docs)
        self._changed(Changes(tags=True, annotations=True))
