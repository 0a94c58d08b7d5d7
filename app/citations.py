"""Turning a briefing into a ``Memo``: sources numbered, each excerpt located."""

from __future__ import annotations

from bisect import bisect_right

from app.domain import BriefingInfo, DocumentInfo, Span
from exporters.model import Excerpt, Memo, MemoSection, Source

BLOCKS = {"paragraph", "list_item", "heading"}


def location(fmt: str, spans: list[Span], offset: int) -> str | None:
    """``p. 4`` for PDFs, ``slide 7`` for decks, otherwise ``para. 12``."""
    for kind, label in (("page", "p."), ("slide", "slide")):
        for span in spans:
            if span.kind == kind and span.start <= offset < span.end:
                return f"{label} {span.extra}"
    starts = sorted(s.start for s in spans if s.kind in BLOCKS and s.kind != "heading")
    if not starts:
        return None
    index = bisect_right(starts, offset)
    return f"para. {max(index, 1)}"


def build_memo(
    briefing: BriefingInfo,
    documents: dict[int, DocumentInfo],
    structures: dict[int, list[Span]],
) -> Memo:
    numbers: dict[int, Source] = {}
    sections = []
    for sec in briefing.sections:
        excerpts = []
        for item in sec.items:
            ann = item.annotation
            doc = documents[ann.doc_id]
            if doc.id not in numbers:
                numbers[doc.id] = Source(
                    number=len(numbers) + 1,
                    title=doc.title,
                    author=doc.author,
                    published=doc.published,
                    location=doc.source,
                )
            excerpts.append(
                Excerpt(
                    quote=ann.quote,
                    source=numbers[doc.id],
                    where=location(doc.format, structures.get(doc.id, []), ann.start),
                    commentary=item.commentary,
                    tags=ann.tags,
                )
            )
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
        sources=tuple(numbers.values()),
    )
