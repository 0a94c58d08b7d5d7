"""PowerPoint .pptx: slide titles as headings, text, tables and speaker notes per slide."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError

from app.importers.base import Extracted, Limits, TextBuilder, fail, first_title
from app.importers.zipguard import check_zip

_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}


def _is_title(shape: Any) -> bool:
    try:
        return bool(shape.is_placeholder and shape.placeholder_format.type in _TITLES)
    except ValueError:
        return False


def _shapes(shapes: Any, builder: TextBuilder) -> None:
    ordered = sorted(shapes, key=lambda s: ((s.top or 0), (s.left or 0)))
    for shape in ordered:
        if _is_title(shape):
            continue
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            _shapes(shape.shapes, builder)
        elif getattr(shape, "has_table", False) and shape.has_table:
            start = builder.mark()
            for row in shape.table.rows:
                builder.add("paragraph", " | ".join(c.text.strip() for c in row.cells))
            builder.enclose("table", start)
        elif shape.has_text_frame:
            for para in shape.text_frame.paragraphs:
                builder.add("list_item" if para.level else "paragraph", para.text)


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    check_zip(data, path, limits, "pptx")
    try:
        deck = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise fail(path, f"not a PowerPoint presentation ({exc})") from exc
    builder = TextBuilder()
    for number, slide in enumerate(deck.slides, 1):
        start = builder.mark()
        title = next((s.text_frame.text for s in slide.shapes if _is_title(s) and s.has_text_frame), "")
        builder.add("heading", title.strip() or f"Slide {number}", 2)
        _shapes(slide.shapes, builder)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                builder.add("paragraph", "Speaker notes: " + notes.text)
        builder.enclose("slide", start, number)
    text = builder.text()
    props = deck.core_properties
    return Extracted(
        text,
        builder.spans,
        "pptx",
        title=(props.title or "").strip() or first_title(text, builder.spans),
        author=(props.author or "").strip() or None,
        published=props.created.date().isoformat() if props.created else None,
    )
