"""Briefings: memo header, sections and items; undo restores a captured state."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from app import tag_paths
from app.annotations import now, to_info
from app.core import LibraryCore
from app.domain import BriefingInfo, Changes, ItemInfo, SectionInfo
from app.errors import EditConflict, InvalidInput, NotFoundError
from app.paths import styles_folder
from exporters.labels import LANGUAGES
from exporters.quotation import check_trim
from exporters.styles import DEFAULT_STYLE, find_style
from storage.models import Annotation, Briefing, BriefingItem, BriefingSection, Document

HEADER_FIELDS = {
    "title": "title",
    "subject": "subject",
    "to": "memo_to",
    "from_": "memo_from",
    "date": "memo_date",
    "classification": "classification",
    "summary": "summary",
    "style": "style",
    "language": "language",
    "portion_marking": "portion_marking",
}
HEADER_DEFAULTS = {"style": DEFAULT_STYLE, "language": "en"}
DEFAULT_SECTION = "Excerpts"


@dataclass(frozen=True)
class BriefingState:
    """A briefing's header, sections and items, to put back for undo."""

    row: dict[str, Any]
    sections: tuple[dict[str, Any], ...]
    items: tuple[dict[str, Any], ...]


def _get(s: Session, briefing_id: int) -> Briefing:
    b = s.get(Briefing, briefing_id)
    if b is None:
        raise NotFoundError(f"no briefing {briefing_id}")
    return b


class BriefingOps(LibraryCore):
    def briefings(self) -> list[BriefingInfo]:
        with self._read() as s:
            rows = s.scalars(select(Briefing).order_by(Briefing.id)).all()
            return [_header(b) for b in rows]

    def briefing(self, briefing_id: int) -> BriefingInfo:
        with self._read() as s:
            b = _get(s, briefing_id)
            paths = tag_paths.all_paths(s)
            sections = s.scalars(
                select(BriefingSection)
                .where(BriefingSection.briefing_id == briefing_id)
                .order_by(BriefingSection.position, BriefingSection.id)
                .options(
                    selectinload(BriefingSection.items)
                    .selectinload(BriefingItem.annotation)
                    .selectinload(Annotation.tags)
                )
            ).all()
            titles = dict(s.execute(select(Document.id, Document.title)).all())
            out = []
            for sec in sections:
                items = tuple(
                    ItemInfo(
                        i.id,
                        to_info(i.annotation, paths, titles.get(i.annotation.document_id, "")),
                        i.commentary,
                        i.quote,
                    )
                    for i in sorted(sec.items, key=lambda i: (i.position, i.id))
                )
                out.append(SectionInfo(sec.id, sec.heading, items))
            header = _header(b)
            return BriefingInfo(**{**header.__dict__, "sections": tuple(out)})

    def create_briefing(self, title: str, **fields: str) -> BriefingInfo:
        if not title.strip():
            raise InvalidInput("a briefing needs a title")
        with self._tx() as s:
            stamp = now()
            b = Briefing(
                uuid=str(uuidlib.uuid4()),
                title=title.strip(),
                created_at=stamp,
                updated_at=stamp,
                updated_by=self.author,
                **{HEADER_FIELDS[k]: v or "" for k, v in _check_fields(fields).items()},
            )
            for column in HEADER_FIELDS.values():
                if getattr(b, column) is None:
                    setattr(b, column, HEADER_DEFAULTS.get(column, ""))
            s.add(b)
            s.flush()
            new_id = b.id
            self._queue_index(s, "briefing", [new_id])
        self._changed(Changes(briefings=True))
        return self.briefing(new_id)

    def update_briefing(self, briefing_id: int, expected_version: int | None = None,
                        **fields: str) -> BriefingInfo:
        """Change header fields; ``expected_version``: the version the analyst was shown
        (if someone changed the briefing since, the edit is refused)."""
        with self._tx() as s:
            b = _get(s, briefing_id)
            if expected_version is not None and b.version != expected_version:
                raise EditConflict(f"briefing {briefing_id} was changed by {b.updated_by or 'someone'} at "
                                   f"{b.updated_at:%H:%M} since you opened it; it now shows their version: "
                                   "make your change again if it still applies")
            for key, value in _check_fields(fields).items():
                if key == "title" and not value.strip():
                    raise InvalidInput("a briefing needs a title")
                setattr(b, HEADER_FIELDS[key], value)
            self._touch(s, briefing_id)
        self._changed(Changes(briefings=True))
        return self.briefing(briefing_id)

    def delete_briefing(self, briefing_id: int) -> BriefingState:
        state = self.briefing_state(briefing_id)
        with self._tx() as s:
            s.execute(delete(Briefing).where(Briefing.id == briefing_id))
            self._queue_index(s, "briefing", [briefing_id])
        self._changed(Changes(briefings=True))
        return state

    def add_section(self, briefing_id: int, heading: str) -> SectionInfo:
        if not heading.strip():
            raise InvalidInput("a section needs a heading")
        with self._tx() as s:
            section = _section(s, _get(s, briefing_id), heading.strip(), create=True)
            section_id = section.id
            self._touch(s, briefing_id)
        self._changed(Changes(briefings=True))
        return next(x for x in self.briefing(briefing_id).sections if x.id == section_id)

    def rename_section(self, section_id: int, heading: str) -> None:
        if not heading.strip():
            raise InvalidInput("a section needs a heading")
        with self._tx() as s:
            sec = s.get(BriefingSection, section_id)
            if sec is None:
                raise NotFoundError(f"no section {section_id}")
            sec.heading = heading.strip()
            self._touch(s, sec.briefing_id)
        self._changed(Changes(briefings=True))

    def move_section(self, section_id: int, position: int) -> None:
        with self._tx() as s:
            sec = s.get(BriefingSection, section_id)
            if sec is None:
                raise NotFoundError(f"no section {section_id}")
            siblings = _ordered_sections(s, sec.briefing_id)
            siblings.remove(sec)
            siblings.insert(max(0, min(position, len(siblings))), sec)
            for index, item in enumerate(siblings):
                item.position = index
            self._touch(s, sec.briefing_id)
        self._changed(Changes(briefings=True))

    def delete_section(self, section_id: int) -> None:
        with self._tx() as s:
            owner = s.scalar(select(BriefingSection.briefing_id).where(BriefingSection.id == section_id))
            s.execute(delete(BriefingSection).where(BriefingSection.id == section_id))
            if owner is not None:
                self._touch(s, owner)
        self._changed(Changes(briefings=True))

    def add_items(
        self,
        briefing_id: int,
        annotation_ids: list[int],
        section: str | None = None,
        comment: str = "",
    ) -> BriefingInfo:
        """Append excerpts to a section (by heading; created if missing)."""
        with self._tx() as s:
            b = _get(s, briefing_id)
            for ann_id in annotation_ids:
                if s.get(Annotation, ann_id) is None:
                    raise NotFoundError(f"no annotation {ann_id}")
            existing = _ordered_sections(s, briefing_id)
            if section:
                sec = _section(s, b, section.strip(), create=True)
            elif existing:
                sec = existing[-1]
            else:
                sec = _section(s, b, DEFAULT_SECTION, create=True)
            position = len(sec.items)
            for offset, ann_id in enumerate(annotation_ids):
                s.add(BriefingItem(section_id=sec.id, position=position + offset,
                                   annotation_id=ann_id, commentary=comment))
            self._touch(s, briefing_id)
        self._changed(Changes(briefings=True))
        return self.briefing(briefing_id)

    def update_item(self, item_id: int, commentary: str) -> None:
        with self._tx() as s:
            item = s.get(BriefingItem, item_id)
            if item is None:
                raise NotFoundError(f"no briefing item {item_id}")
            item.commentary = commentary
            self._touch(s, item_id_briefing(s, item))
        self._changed(Changes(briefings=True))

    def trim_item(self, item_id: int, quote: str | None) -> ItemInfo:
        """Shorten an item's quote ("…" where words are left out, "[…]" around the analyst's
        own words); None puts the whole highlight back. Refused if the fragments outside
        brackets are not the highlight's words, in order."""
        with self._tx() as s:
            item = s.get(BriefingItem, item_id)
            if item is None:
                raise NotFoundError(f"no briefing item {item_id}")
            original = item.annotation.quote
            if quote is not None and " ".join(quote.split()) != " ".join(original.split()):
                problem = check_trim(quote, original)
                if problem:
                    raise InvalidInput(f"briefing item {item_id}: {problem}")
                item.quote = quote.strip()
            else:
                item.quote = None
            briefing_id = item_id_briefing(s, item)
            self._touch(s, briefing_id)
        self._changed(Changes(briefings=True))
        return next(i for sec in self.briefing(briefing_id).sections for i in sec.items if i.id == item_id)

    def misquotes(self, briefing_id: int) -> list[str]:
        """The quote-integrity check: each trimmed item whose fragments are no longer the
        highlight's words, in order (the highlight may have changed since)."""
        problems = []
        for sec in self.briefing(briefing_id).sections:
            for item in sec.items:
                if item.trimmed is not None:
                    problem = check_trim(item.trimmed, item.annotation.quote)
                    if problem:
                        problems.append(f"briefing item {item.id}: {problem}")
        return problems

    def move_item(self, item_id: int, section_id: int, position: int) -> None:
        """Move an item to ``position`` in a section (its own or another)."""
        with self._tx() as s:
            item = s.get(BriefingItem, item_id)
            target = s.get(BriefingSection, section_id)
            if item is None or target is None:
                raise NotFoundError("no such briefing item or section")
            source_id = item.section_id
            if source_id != section_id:
                rest = _ordered_items(s, source_id, exclude=item.id)
                for index, other in enumerate(rest):
                    other.position = index
            items = _ordered_items(s, section_id, exclude=item.id)
            items.insert(max(0, min(position, len(items))), item)
            item.section_id = section_id
            for index, other in enumerate(items):
                other.position = index
            self._touch(s, target.briefing_id)
        self._changed(Changes(briefings=True))

    def remove_item(self, item_id: int) -> None:
        with self._tx() as s:
            item = s.get(BriefingItem, item_id)
            owner = item_id_briefing(s, item) if item is not None else None
            s.execute(delete(BriefingItem).where(BriefingItem.id == item_id))
            if owner is not None:
                self._touch(s, owner)
        self._changed(Changes(briefings=True))

    def _touch(self, s: Session, briefing_id: int) -> None:
        """Every edit inside a briefing changes the briefing: who and when, and its version
        (two analysts editing one briefing at the same moment: the later is refused)."""
        b = s.get(Briefing, briefing_id)
        if b is not None:
            b.updated_at = now()
            b.updated_by = self.author
            self._queue_index(s, "briefing", [briefing_id])  # colleagues' windows hear of it

    def briefing_state(self, briefing_id: int) -> BriefingState:
        with self._read() as s:
            b = _get(s, briefing_id)
            secs = s.scalars(select(BriefingSection).where(BriefingSection.briefing_id == briefing_id))
            sections = tuple(_row(x) for x in secs)
            ids = [x["id"] for x in sections]
            items = tuple(
                _row(i) for i in s.scalars(select(BriefingItem).where(BriefingItem.section_id.in_(ids)))
            )
            return BriefingState(_row(b), sections, items)

    def restore_briefing_state(self, state: BriefingState, mine_only: bool = False) -> None:
        """Replace a briefing (header, sections, items) with a captured state; ``mine_only``
        (undo): refused if another analyst changed the briefing last."""
        with self._tx() as s:
            if mine_only:
                current = s.get(Briefing, state.row["id"])
                if current is not None and current.updated_by not in (None, self.author):
                    who = current.updated_by
                    raise EditConflict(f"briefing {current.id} was changed by {who} at "
                                       f"{current.updated_at:%H:%M}; undo would lose their change, so it "
                                       "was not done")
            s.execute(delete(Briefing).where(Briefing.id == state.row["id"]))
            s.execute(insert(Briefing), [state.row])
            if state.sections:
                s.execute(insert(BriefingSection), list(state.sections))
            alive = set(s.scalars(select(Annotation.id)))
            items = [i for i in state.items if i["annotation_id"] in alive]
            if items:
                s.execute(insert(BriefingItem), items)
            self._touch(s, int(state.row["id"]))  # putting it back is this analyst's edit
        self._changed(Changes(briefings=True))


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _check_fields(fields: dict[str, str]) -> dict[str, str]:
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown briefing field(s): {', '.join(sorted(unknown))}")
    checked = {k: v for k, v in fields.items() if v is not None}
    if "style" in checked:
        find_style(checked["style"], styles_folder())
    if "language" in checked and checked["language"] not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise InvalidInput(f"unknown memo language {checked['language']!r}: use one of {known}")
    if "portion_marking" in checked:
        checked["portion_marking"] = checked["portion_marking"].strip().strip("()")
    return checked


def _header(b: Briefing) -> BriefingInfo:
    return BriefingInfo(
        id=b.id,
        title=b.title,
        subject=b.subject,
        to=b.memo_to,
        from_=b.memo_from,
        date=b.memo_date,
        classification=b.classification,
        summary=b.summary,
        style=b.style,
        language=b.language,
        portion_marking=b.portion_marking,
        updated_by=b.updated_by,
        version=b.version,
    )


def item_id_briefing(s: Session, item: BriefingItem) -> int:
    section = s.get(BriefingSection, item.section_id)
    assert section is not None
    return section.briefing_id


def _ordered_sections(s: Session, briefing_id: int) -> list[BriefingSection]:
    return list(
        s.scalars(
            select(BriefingSection)
            .where(BriefingSection.briefing_id == briefing_id)
            .order_by(BriefingSection.position, BriefingSection.id)
        )
    )


def _ordered_items(s: Session, section_id: int, exclude: int) -> list[BriefingItem]:
    return list(
        s.scalars(
            select(BriefingItem)
            .where(BriefingItem.section_id == section_id, BriefingItem.id != exclude)
            .order_by(BriefingItem.position, BriefingItem.id)
        )
    )


def _section(s: Session, b: Briefing, heading: str, create: bool) -> BriefingSection:
    for sec in _ordered_sections(s, b.id):
        if sec.heading.lower() == heading.lower():
            return sec
    if not create:
        raise NotFoundError(f"no section {heading!r}")
    sec = BriefingSection(briefing_id=b.id, position=len(_ordered_sections(s, b.id)), heading=heading)
    s.add(sec)
    s.flush()
    return sec
