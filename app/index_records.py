"""What the search index holds: passage and annotation records built from the project file.

Records are built from Core rows rather than ORM objects: a rebuild reads every
document and highlight, and loading 100,000 ORM highlights with their tags cost
more than indexing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app import tag_paths
from app.domain import DEFAULT_COLOR, Span
from storage.models import Annotation, AnnotationTag, Document, DocumentTag, Tag

PASSAGE_MIN = 300
PASSAGE_MAX = 2000
BLOCK_KINDS = {"paragraph", "heading", "list_item", "byline"}


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


def _with_ancestors(paths: Iterable[str]) -> str:
    out: dict[str, None] = {}
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            out["/".join(parts[:i]).lower()] = None
    return ",".join(out)


@dataclass(frozen=True)
class _DocInfo:
    title: str
    field: str  # text_en or text_es: the stemmer of the document's language
    lang: str
    published: datetime | None


class RecordSource:
    """Index records for documents and annotations, read with a few queries per batch.

    One source serves a whole rebuild worker: documents' titles and dates and the
    records' tag sets are worked out once, not once a share.
    """

    def __init__(self, s: Session) -> None:
        self.s = s
        # Its queries go to the session's connection: they select columns, not objects,
        # and the ORM's handling of each result is a cost a rebuild need not pay.
        self._execute = s.connection().execute
        paths = tag_paths.all_paths(s)
        colors: dict[int, str] = {tag_id: color for tag_id, color in s.execute(select(Tag.id, Tag.color))}
        self._tags = {tag_id: (path, colors[tag_id]) for tag_id, path in paths.items()}
        self._docs: dict[int, _DocInfo] = {}
        self._tag_sets: dict[tuple[int, ...], _TagSet] = {}

    # -- documents -------------------------------------------------------------
    def documents(self, where: ColumnElement[bool]) -> Iterator[dict[str, Any]]:
        """Passage records of the documents matching ``where``, in id order."""
        rows = self._execute(
            select(Document.id, Document.title, Document.language, Document.published,
                   Document.text, Document.structure).where(where).order_by(Document.id)
        ).all()
        tags: dict[int, list[int]] = {}
        ids = [r.id for r in rows]
        for doc_id, tag_id in self._execute(
            select(DocumentTag.document_id, DocumentTag.tag_id).where(DocumentTag.document_id.in_(ids))
        ):
            tags.setdefault(doc_id, []).append(tag_id)
        for r in rows:
            info = self._info(r.id, r.title, r.language, r.published)
            tag_set = self._tag_set(tuple(tags.get(r.id, ())))
            yield from _passage_records(r.id, info, r.text, r.structure, tag_set.terms)

    def _info(self, doc_id: int, title: str, language: str | None, published: str | None) -> _DocInfo:
        info = self._docs.get(doc_id)
        if info is None:
            if len(self._docs) > 50_000:
                self._docs.clear()
            lang = language or ""
            info = _DocInfo(title, "text_es" if lang == "es" else "text_en", lang, _date(published))
            self._docs[doc_id] = info
        return info

    def _tag_set(self, tag_ids: tuple[int, ...]) -> _TagSet:
        """What records index and store of these tags (most highlights share a few sets)."""
        found = self._tag_sets.get(tag_ids)
        if found is None:
            if len(self._tag_sets) > 10_000:
                self._tag_sets.clear()
            tags = sorted((self._tags[t] for t in tag_ids), key=lambda pc: pc[0].lower())
            paths = [path for path, _color in tags]
            found = self._tag_sets[tag_ids] = _TagSet(
                _with_ancestors(paths), tuple(sorted(paths)), tags[0][1] if tags else DEFAULT_COLOR)
        return found

    # -- annotations -------------------------------------------------------------
    def annotations(self, where: ColumnElement[bool]) -> Iterator[dict[str, Any]]:
        """Records of the annotations matching ``where``, in id order."""
        rows = self._execute(
            select(Annotation.id, Annotation.document_id, Annotation.start, Annotation.end,
                   Annotation.quote, Annotation.note, Annotation.color, Annotation.created_at)
            .where(where).order_by(Annotation.id)
        ).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        # A rebuild pages through id ranges; a drain asks for a few scattered ids.
        wanted = (AnnotationTag.annotation_id.between(ids[0], ids[-1]) if len(ids) > 900
                  else AnnotationTag.annotation_id.in_(ids))
        links: dict[int, list[int]] = {}
        for ann_id, tag_id in self._execute(
            select(AnnotationTag.annotation_id, AnnotationTag.tag_id).where(wanted)
        ):
            links.setdefault(ann_id, []).append(tag_id)
        missing = {r.document_id for r in rows} - self._docs.keys()
        if missing:
            for d in self._execute(select(Document.id, Document.title, Document.language,
                                           Document.published).where(Document.id.in_(missing))):
                self._info(d.id, d.title, d.language, d.published)
        docs, no_tags = self._docs, self._tag_set(())
        for row in rows:
            tag_ids = links.get(row[0])
            yield _annotation_record(row, self._tag_set(tuple(tag_ids)) if tag_ids else no_tags, docs[row[1]])


@dataclass(frozen=True)
class _TagSet:
    terms: str  # the tag paths and their ancestors, lower case, for the tag field
    paths: tuple[str, ...]  # the paths as the user wrote them, sorted
    color: str  # the colour of the first tag by path (the default without tags)


def _annotation_record(row: Any, tags: _TagSet, info: _DocInfo) -> dict[str, Any]:
    """An annotation's record. The row is unpacked by position: a rebuild makes 100,000,
    and a row's attributes are looked up by name."""
    ann_id, doc_id, start, end, quote, note, color, created = row
    record: dict[str, Any] = {
        "key": f"a:{ann_id}",
        "ann": str(ann_id),
        "docid": str(doc_id),
        "kind": "annotation",
        "doc_id": doc_id,
        "annotation_id": ann_id,
        "doc": info.title,
        "start": start,
        "end": end,
        "body": quote,
        "lang": info.lang,
        info.field: quote,
        "pre": quote,
        "note": note,
        "tag": tags.terms,
        "tag_paths": list(tags.paths),
        # A highlight's colour is its own, else that of its first tag by path.
        "color": color or tags.color,
        "created": created.replace(hour=0, minute=0, second=0, microsecond=0),
    }
    if info.published:
        record["published"] = info.published
    return record


def _passage_records(doc_id: int, info: _DocInfo, text: str, structure: list[Any],
                     tags: str) -> Iterator[dict[str, Any]]:
    spans = [Span(*item) for item in structure]
    for n, (start, end) in enumerate(passages(text, spans)):
        body = text[start:end]
        record: dict[str, Any] = {
            "key": f"p:{doc_id}:{n}",
            "kind": "passage",
            "pdoc": str(doc_id),
            "docid": str(doc_id),
            "doc_id": doc_id,
            "doc": info.title,
            "start": start,
            "end": end,
            "body": body,
            "lang": info.lang,
            info.field: body,
            "pre": body,
            "tag": tags,
        }
        if info.published:
            record["published"] = info.published
        yield record
