"""Turning a briefing into a ``Memo``: each excerpt quoted by the rules, located in its
source, and cited in the briefing's citation style."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from urllib.parse import urlparse

from app.domain import BriefingInfo, DocumentInfo, Span
from exporters.citation_style import Reference, cite_all
from exporters.model import Excerpt, Memo, MemoSection
from exporters.quotation import ends_mid_sentence, excerpt, right_to_left, starts_mid_sentence
from exporters.styles import StyleInfo

BLOCKS = {"paragraph", "list_item", "heading"}
TESTIMONY_WORDS = ("testimony", "hearing", "statement of", "statement before", "remarks", "declaración")
PRESS_WORDS = ("press release", "news release", "comunicado", "media release")


def location(fmt: str, spans: list[Span], offset: int) -> tuple[str, str] | None:
    """(label, number): a PDF's page, a deck's slide, else the body paragraph."""
    for kind, label in (("page", "page"), ("slide", "slide")):
        for span in spans:
            if span.kind == kind and span.start <= offset < span.end:
                return label, str(span.extra)
    starts = sorted(s.start for s in spans if s.kind in BLOCKS and s.kind != "heading")
    if not starts:
        return None
    return "paragraph", str(max(bisect_right(starts, offset), 1))


def reference(doc: DocumentInfo) -> Reference:
    """The source as its citation style sees it: testimony and slide decks as a speech (CSL's
    type for talks and presentations), a press release as a report, a saved web page as a
    web page accessed on import, anything else as a report; the kind said as its genre."""
    title = doc.title
    lowered = title.lower()
    url = doc.source if doc.source and urlparse(doc.source).scheme in ("http", "https") else None
    web = doc.format == "html" or (url is not None and doc.format in ("txt", "md"))
    kind, genre = ("webpage" if web else "report"), None
    if doc.format == "pptx":
        kind, genre = "speech", "Slide presentation"
    elif any(w in lowered for w in TESTIMONY_WORDS):
        kind, genre = "speech", "Testimony"
    elif any(w in lowered for w in PRESS_WORDS):
        kind, genre = "report", "Press release"
    return Reference(
        key=f"d{doc.id}",
        kind=kind,
        title=title,
        author=doc.author,
        issued=doc.published,
        url=url,
        genre=genre,
        accessed=doc.imported_at.date().isoformat() if web else None,
    )


@dataclass(frozen=True)
class MemoSources:
    """What a memo needs of its documents beyond the briefing."""

    documents: dict[int, DocumentInfo]
    structures: dict[int, list[Span]]
    texts: dict[int, str]


def build_memo(briefing: BriefingInfo, sources: MemoSources, style: StyleInfo) -> Memo:
    language = briefing.language
    items = [item for sec in briefing.sections for item in sec.items]
    cited = sorted({item.annotation.doc_id for item in items})
    cites = []
    for item in items:
        ann = item.annotation
        doc = sources.documents[ann.doc_id]
        # An orphan's offsets belong to an older version: cite it without a locator.
        where = None if ann.orphaned else location(doc.format, sources.structures.get(doc.id, []),
                                                   ann.start)
        cites.append((f"d{doc.id}", where))
    result = cite_all(style, language,
                      tuple(reference(sources.documents[d]) for d in cited), tuple(cites))
    notes = iter(result.notes)
    sections = []
    for sec in briefing.sections:
        excerpts = []
        for item in sec.items:
            ann = item.annotation
            text = sources.texts.get(ann.doc_id, "")
            excerpts.append(Excerpt(
                quote=excerpt(item.quote, language,
                              starts_mid=not ann.orphaned and starts_mid_sentence(text, ann.start),
                              ends_mid=not ann.orphaned and ends_mid_sentence(text, ann.start, ann.end)),
                citation=next(notes),
                commentary=item.commentary,
                tags=ann.tags,
                rtl=right_to_left(item.quote),
            ))
        sections.append(MemoSection(sec.heading, tuple(excerpts)))
    return Memo(
        title=briefing.title,
        to=briefing.to,
        from_=briefing.from_,
        date=briefing.date,
        subject=briefing.subject,
        classification=briefing.classification,
        summary=briefing.summary,
        sections=tuple(sections),
        bibliography=result.bibliography,
        note_style=result.note_style,
        language=language,
        portion_marking=briefing.portion_marking,
    )
