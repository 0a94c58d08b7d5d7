"""Tag hierarchy helpers over a session: paths like ``Drugs/Fentanyl``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain import PALETTE
from app.errors import InvalidInput, NotFoundError
from storage.models import Tag

SEPARATOR = "/"


def split_path(path: str) -> list[str]:
    parts = [p.strip() for p in path.strip().strip(SEPARATOR).split(SEPARATOR)]
    if not parts or any(not p for p in parts):
        raise InvalidInput(f"invalid tag name {path!r}")
    return parts


def all_paths(session: Session) -> dict[int, str]:
    """Map every tag id to its full path."""
    rows = session.execute(select(Tag.id, Tag.name, Tag.parent_id)).all()
    by_id = {r.id: r for r in rows}
    paths: dict[int, str] = {}

    def path_of(tag_id: int, depth: int = 0) -> str:
        if tag_id in paths:
            return paths[tag_id]
        row = by_id[tag_id]
        if row.parent_id is None or depth > 64:
            result = row.name
        else:
            result = path_of(row.parent_id, depth + 1) + SEPARATOR + row.name
        paths[tag_id] = result
        return result

    for tag_id in by_id:
        path_of(tag_id)
    return paths


def _child(session: Session, parent_id: int | None, name: str) -> Tag | None:
    stmt = select(Tag).where(func.lower(Tag.name) == name.lower())
    stmt = stmt.where(Tag.parent_id.is_(None) if parent_id is None else Tag.parent_id == parent_id)
    return session.scalar(stmt)


def find(session: Session, path: str) -> Tag | None:
    parent: Tag | None = None
    for name in split_path(path):
        parent = _child(session, parent.id if parent else None, name)
        if parent is None:
            return None
    return parent


def get(session: Session, path: str) -> Tag:
    tag = find(session, path)
    if tag is None:
        raise NotFoundError(f"no tag {path!r}")
    return tag


def next_color(session: Session) -> str:
    count = session.scalar(select(func.count(Tag.id))) or 0
    names = list(PALETTE)
    return names[count % len(names)]


def ensure(session: Session, path: str, color: str | None = None) -> Tag:
    """Find or create the tag at ``path``, creating missing parents."""
    parent: Tag | None = None
    for name in split_path(path):
        tag = _child(session, parent.id if parent else None, name)
        if tag is None:
            tag = Tag(
                name=name,
                parent_id=parent.id if parent else None,
                color=color or next_color(session),
                description="",
            )
            try:
                # In a savepoint: on a server, another analyst may create the same tag at
                # the same moment; then theirs is the one.
                with session.begin_nested():
                    session.add(tag)
                    session.flush()
            except IntegrityError:
                tag = _child(session, parent.id if parent else None, name)
                if tag is None:
                    raise
        parent = tag
    assert parent is not None
    return parent


def descendant_ids(session: Session, tag_id: int) -> set[int]:
    """The tag and every tag below it."""
    rows = session.execute(select(Tag.id, Tag.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r.id)
    found, stack = set(), [tag_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found
