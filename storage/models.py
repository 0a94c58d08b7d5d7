"""SQLAlchemy 2 models: the project file's schema.

The schema itself is owned by the Alembic migrations in ``storage/migrations``;
these classes must match the head revision (a test compares them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class ProjectInfo(Base):
    """Key/value facts about the project itself (its UUID, creation time)."""

    __tablename__ = "project_info"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    language: Mapped[str | None] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    text: Mapped[str] = deferred(mapped_column(Text))
    # [[kind, start, end, extra], ...]: kinds are heading, paragraph, list_item,
    # page, slide, table; extra is a heading level or a page/slide number.
    structure: Mapped[list[Any]] = deferred(mapped_column(JSON))
    char_count: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    file_date: Mapped[str | None] = mapped_column(String(32))  # the file's own date (a PDF's creation)
    # A saved web page's furniture (banners, menus, share widgets), a line each.
    set_aside: Mapped[str | None] = deferred(mapped_column(Text))

    annotations: Mapped[list[Annotation]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentVersion(Base):
    """An earlier version of a document, kept whole when a newer one replaced it."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    published: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    text: Mapped[str] = deferred(mapped_column(Text))
    structure: Mapped[list[Any]] = deferred(mapped_column(JSON))


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (
        # NULL parents would not collide in a plain UNIQUE, hence coalesce.
        Index("uq_tags_parent_name", func.coalesce("parent_id", 0), func.lower("name"), unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    color: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str | None] = mapped_column(Text)  # who renamed, moved or coloured it last


class AnnotationTag(Base):
    __tablename__ = "annotation_tags"
    __table_args__ = (Index("ix_annotation_tags_tag", "tag_id", "annotation_id"),)
    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class DocumentTag(Base):
    """Tags given to a whole document (``import --tag``); searchable with ``tag:``."""

    __tablename__ = "document_tags"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class Annotation(Base):
    __tablename__ = "annotations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # A new version of its document had no confident place for it: start/end are stale.
    orphaned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[str | None] = mapped_column(Text)  # the analyst (a name, or the server role)
    updated_by: Mapped[str | None] = mapped_column(Text)
    # Raised by every ORM update, which checks it: an edit made on a stale copy fails.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    document: Mapped[Document] = relationship(back_populates="annotations")
    tags: Mapped[list[Tag]] = relationship(secondary="annotation_tags", order_by="Tag.name")


class Briefing(Base):
    __tablename__ = "briefings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(Text)
    memo_to: Mapped[str] = mapped_column(Text, default="")
    memo_from: Mapped[str] = mapped_column(Text, default="")
    memo_date: Mapped[str] = mapped_column(String(32), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    classification: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    style: Mapped[str] = mapped_column(String(64), default="chicago", server_default="chicago")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    portion_marking: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(Text)  # who changed it last
    # Raised by every ORM update of the row (each edit inside the briefing touches it).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    sections: Mapped[list[BriefingSection]] = relationship(
        order_by="BriefingSection.position", cascade="all, delete-orphan", passive_deletes=True
    )


class BriefingSection(Base):
    __tablename__ = "briefing_sections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text)

    items: Mapped[list[BriefingItem]] = relationship(
        order_by="BriefingItem.position", cascade="all, delete-orphan", passive_deletes=True
    )


class BriefingItem(Base):
    __tablename__ = "briefing_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("briefing_sections.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), index=True
    )
    commentary: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str | None] = mapped_column(Text)  # the excerpt trimmed ("…", "[…]"), if it is

    annotation: Mapped[Annotation] = relationship()


class IndexOutbox(Base):
    """Pending search-index work, written in the same transaction as the edit.

    The index writer applies and then deletes these rows, so a crash between
    the database commit and the index commit is repaired by replaying them.
    """

    __tablename__ = "index_outbox"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  (numbers never reused)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # document | annotation (reindexed); briefing | tag: only a change other clients of a
    # server project hear of
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
