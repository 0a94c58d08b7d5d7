"""Structured search filters, as Whoosh queries on exact fields: no query strings, so a
document is its id (not a title that other titles contain) and a tag its path."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from whoosh import query as wq


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[int, ...] = ()  # any of these documents
    tags: tuple[str, ...] = ()  # any of these tag paths (children included)
    kind: str | None = None  # passage | annotation
    since: str | None = None  # the document's date, ISO, inclusive
    until: str | None = None
    colors: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.kind) or self.narrows_more_than_kind

    @property
    def narrows_more_than_kind(self) -> bool:
        return bool(self.doc_ids or self.tags or self.since or self.until or self.colors)


def _any(field: str, values: list[str]) -> wq.Query:
    terms: list[wq.Query] = [wq.Term(field, v) for v in dict.fromkeys(values)]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _day(text: str, end: bool) -> datetime:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) as its first or last day."""
    parts = [int(p) for p in text.split("-")]
    year, month, day = parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
    if not end:
        return datetime(year, month or 1, day or 1)
    month = month or 12
    return datetime(year, month, day or calendar.monthrange(year, month)[1])


def filter_query(filters: Filters) -> wq.Query | None:
    """The filters as one query every hit must match, or None without filters. Their
    terms are of unscored fields: they narrow the hits without changing the ranking."""
    parts: list[wq.Query] = []
    if filters.kind:
        parts.append(wq.Term("kind", filters.kind))
    if filters.doc_ids:
        parts.append(_any("docid", [str(d) for d in filters.doc_ids]))
    if filters.tags:
        parts.append(_any("tag", [t.lower() for t in filters.tags]))
    if filters.colors:
        parts.append(_any("color", [c.lower() for c in filters.colors]))
    if filters.since or filters.until:
        start = _day(filters.since, False) if filters.since else None
        end = _day(filters.until, True) if filters.until else None
        parts.append(wq.DateRange("published", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
