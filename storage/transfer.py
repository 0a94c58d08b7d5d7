"""Copying a whole project between a file and a server (``dossier push`` / ``pull``).

Every table is copied row by row in one transaction on the target, parents before
children; ids are kept (so highlights, tags and briefing items keep pointing at each
other) and a server's id sequences are moved past them. The target must be empty: a
copy never merges into another project. The copy gets an identity of its own, so its
search index is its own too; the outbox is not copied (the target's index is built
from the rows).
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from storage.errors import KnownError
from storage.models import (
    Annotation,
    AnnotationTag,
    Base,
    Briefing,
    BriefingItem,
    BriefingSection,
    Document,
    DocumentTag,
    DocumentVersion,
    ProjectInfo,
    Tag,
)
from storage.project_file import ProjectFile

# Parents before children (tags' own parent links are set after all tags are in).
ORDER = [Tag, Document, DocumentVersion, DocumentTag, Annotation, AnnotationTag, Briefing,
         BriefingSection, BriefingItem]
CONTENT = [Document, Tag, Annotation, Briefing]
BATCH = 500


@dataclass(frozen=True)
class TransferResult:
    counts: dict[str, int]  # rows copied per table

    def to_json(self) -> dict[str, object]:
        return {"copied": self.counts}


def counts(project: ProjectFile) -> dict[str, int]:
    with project.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in ORDER}


def copy_project(source: ProjectFile, target: ProjectFile) -> TransferResult:
    """Copy every row of ``source`` into the empty ``target``, in one transaction."""
    with target.session() as s:
        if any(s.scalar(select(func.count()).select_from(m)) for m in CONTENT):
            raise KnownError(f"{target.location}: not empty; push and pull copy into an empty project only")
    copied: dict[str, int] = {}
    with source.session() as src, target.transaction() as dst:
        for model in ORDER:
            table: Table = model.__table__  # type: ignore[assignment]
            columns = list(table.columns)
            rows = src.execute(select(*columns).order_by(*table.primary_key.columns))
            n = 0
            while chunk := rows.fetchmany(BATCH):
                values = [dict(r._mapping) for r in chunk]
                if model is Tag:  # parents may come after children in id order
                    values = [{**v, "parent_id": None} for v in values]
                dst.execute(insert(table), values)
                n += len(values)
            copied[table.name] = n
        for tag_id, parent_id in src.execute(select(Tag.id, Tag.parent_id).where(Tag.parent_id.is_not(None))):
            dst.execute(update(Tag).where(Tag.id == tag_id).values(parent_id=parent_id))
        settings = src.execute(select(ProjectInfo.key, ProjectInfo.value)
                               .where(ProjectInfo.key.not_in(("uuid", "instance", "created")))).all()
        for key, value in settings:
            dst.merge(ProjectInfo(key=key, value=value))
        dst.merge(ProjectInfo(key="uuid", value=str(uuidlib.uuid4())))
        dst.merge(ProjectInfo(key="instance", value=str(uuidlib.uuid4())))
        dst.merge(ProjectInfo(key="copied", value=f"{source.location} {datetime.now(UTC).isoformat()}"))
        if dst.get_bind().dialect.name == "postgresql":
            _move_sequences(dst)
    return TransferResult(copied)


def _move_sequences(session: Session) -> None:
    """Each id sequence past the ids copied in, so the next row gets a new id."""
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or str(pk[0].type) != "INTEGER":
            continue
        name = session.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": pk[0].name}).scalar()
        if name:
            session.execute(text(f"SELECT setval('{name}', GREATEST((SELECT max({pk[0].name}) FROM "
                                 f"{table.name}), 1), (SELECT count(*) FROM {table.name}) > 0)"))
