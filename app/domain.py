"""Plain, immutable records the façade hands out (never ORM objects)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

# Okabe and Ito's colour-blind-safe set (new tags take them in this order), with a pink
# and a grey after it. The window fills highlights with a light tint of each, on which
# black text keeps its contrast.
PALETTE: dict[str, str] = {
    "yellow": "#f0e442",
    "blue": "#56b4e9",
    "orange": "#e69f00",
    "green": "#009e73",
    "purple": "#cc79a7",
    "red": "#d55e00",
    "teal": "#0072b2",
    "pink": "#f08cb4",
    "grey": "#999999",
}
DEFAULT_COLOR = "yellow"


@dataclass(frozen=True)
class Span:
    """A structural span of a document's text, in code points."""

    kind: str  # heading | paragraph | list_item | page | slide | table
    start: int
    end: int
    extra: int = 0  # heading level, or page/slide number


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    uuid: str
    title: str
    format: str
    chars: int
    sha256: str
    author: str | None
    published: str | None
    source: str | None
    language: str | None
    imported_at: datetime
    annotation_count: int = 0
    version: int = 1
    file_date: str | None = None  # the file's own date (a PDF's creation date), not its publication

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "format": self.format,
            "chars": self.chars,
            "sha256": self.sha256,
            "author": self.author,
            "published": self.published,
            "source": self.source,
            "language": self.language,
            "imported": self.imported_at.isoformat(),
            "annotations": self.annotation_count,
            "version": self.version,
            "file_date": self.file_date,
        }


@dataclass(frozen=True)
class AnnotationInfo:
    id: int
    uuid: str
    doc_id: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    tags: tuple[str, ...]
    note: str
    color: str
    created_at: datetime
    updated_at: datetime
    doc_title: str = ""
    orphaned: bool = False  # a new version of its document had no confident place for it
    author: str | None = None  # who made it
    updated_by: str | None = None  # who changed it last
    version: int = 1  # raised by each change (conflicting edits on a server are refused)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "tags": list(self.tags),
            "note": self.note,
            "color": self.color,
            "created": self.created_at.isoformat(),
            "updated": self.updated_at.isoformat(),
            "orphaned": self.orphaned,
            "author": self.author,
            "updated_by": self.updated_by,
            "version": self.version,
        }


@dataclass(frozen=True)
class TagInfo:
    id: int
    path: str  # full path, Parent/Child
    name: str  # the leaf name
    parent_id: int | None
    color: str
    description: str
    count: int  # annotations carrying this tag itself
    total: int = 0  # annotations carrying it or any tag under it
    updated_by: str | None = None  # who renamed, merged or coloured it last

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.path, "count": self.count, "total": self.total,
                "color": self.color}


@dataclass(frozen=True)
class ItemInfo:
    id: int
    annotation: AnnotationInfo
    commentary: str
    trimmed: str | None = None  # the quote as the analyst shortened it

    @property
    def quote(self) -> str:
        """What the memo quotes: the trimmed quote, else the highlight's."""
        return self.trimmed if self.trimmed is not None else self.annotation.quote

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "annotation_id": self.annotation.id,
            "doc_id": self.annotation.doc_id,
            "quote": self.quote,
            "trimmed": self.trimmed is not None,
            "commentary": self.commentary,
        }


@dataclass(frozen=True)
class SectionInfo:
    id: int
    heading: str
    items: tuple[ItemInfo, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "heading": self.heading, "items": [i.to_json() for i in self.items]}


@dataclass(frozen=True)
class BriefingInfo:
    id: int
    title: str
    subject: str
    to: str
    from_: str
    date: str
    classification: str
    summary: str
    sections: tuple[SectionInfo, ...] = ()
    style: str = "chicago"
    language: str = "en"
    portion_marking: str = ""
    updated_by: str | None = None  # who changed it last
    version: int = 1  # raised by each edit inside it (conflicting edits on a server are refused)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "subject": self.subject,
            "to": self.to,
            "from": self.from_,
            "date": self.date,
            "classification": self.classification,
            "style": self.style,
            "language": self.language,
            "portion_marking": self.portion_marking,
            "updated_by": self.updated_by,
            "version": self.version,
            "summary": self.summary,
            "sections": [s.to_json() for s in self.sections],
        }


@dataclass(frozen=True)
class ImportResult:
    path: str
    status: str  # imported | duplicate | error
    id: int | None = None
    title: str | None = None
    error: str | None = None
    warning: str | None = None  # imported, but worth a look (text that looks garbled)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Changes:
    """What one operation changed, so each view refreshes only what it shows."""

    documents: bool = False
    annotations: bool = False
    tags: bool = False
    briefings: bool = False
    doc_ids: frozenset[int] = field(default_factory=frozenset)
    notice: str | None = None  # for the user from background work (a failed index update)
    indexed: bool = False  # a rebuild of the search index has finished: searches answer again
    remote: bool = False  # made by another analyst (a project on a server)


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: words (the search syntax of the README) and structured filters
    (documents by id, tag paths with their children, kind, the document's date range,
    colours), which match exactly."""

    text: str = ""
    doc_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    kind: str | None = None  # passage | annotation
    since: str | None = None  # ISO date, inclusive
    until: str | None = None
    colors: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text.strip() or self.doc_ids or self.tags or self.since or self.until
                    or self.colors)


class SearchHit(NamedTuple):
    """A search hit (a tuple: one is made for every hit of every keystroke)."""

    kind: str  # passage | annotation
    doc_id: int
    doc_title: str
    start: int  # the first matched words (the passage, if none)
    end: int
    score: float
    snippet: str  # with the matched words between ** **
    matches: tuple[tuple[int, int], ...]  # every match in the document, code points
    annotation_id: int | None
    tags: tuple[str, ...]
    note: str
    color: str | None
    snippet_text: str = ""  # the snippet without marks, and where its matched words are
    snippet_marks: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "doc_id": self.doc_id, "doc_title": self.doc_title, "start": self.start,
            "end": self.end, "score": self.score, "snippet": self.snippet,
            "matches": [list(m) for m in self.matches],
        }
        if self.kind == "annotation":
            out.update(annotation_id=self.annotation_id, tags=list(self.tags), note=self.note,
                       color=self.color)
        return out


@dataclass(frozen=True)
class SearchResult:
    """Hits, and how the query was read: ``literal`` after a syntax problem (searched as
    plain words), ``partial`` when a time limit cut the search short."""

    hits: list[SearchHit]
    literal: bool = False
    partial: bool = False
