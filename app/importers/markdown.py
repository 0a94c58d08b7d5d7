"""Markdown: readable text without markup, headings/list items/slides as structure."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.importers.base import Extracted, Limits, TextBuilder, first_title
from app.importers.encoding import decode, suspicious
from app.importers.textmeta import find_meta
from app.importers.webtext import split_capture, visible

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def _inline_text(token: Token) -> str:
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")  # a soft break is a space in the rendered paragraph
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)  # the alt text
    return "".join(out)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def from_markdown(source: str, fmt: str = "md") -> Extracted:
    meta, body = _front_matter(source.replace("\r\n", "\n").replace("\r", "\n"))
    slides = meta.get("marp", "").lower() == "true"
    tokens = MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(body)
    builder = TextBuilder()
    slide_no, slide_start = 1, 0
    heading_level = 0
    list_depth = 0
    row: list[str] = []
    in_cell = False
    for tok in tokens:
        if tok.type == "heading_open":
            heading_level = int(tok.tag[1])
        elif tok.type in {"bullet_list_open", "ordered_list_open"}:
            list_depth += 1
        elif tok.type in {"bullet_list_close", "ordered_list_close"}:
            list_depth -= 1
        elif tok.type == "inline":
            if heading_level:
                builder.add("heading", _inline_text(tok), heading_level)
            elif in_cell:
                row.append(_inline_text(tok))
            else:
                builder.add("list_item" if list_depth else "paragraph", _inline_text(tok))
        elif tok.type == "heading_close":
            heading_level = 0
        elif tok.type in ("th_open", "td_open"):
            in_cell = True
        elif tok.type in ("th_close", "td_close"):
            in_cell = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            builder.add("paragraph", " | ".join(row))
            row = []
        elif tok.type in ("fence", "code_block"):
            builder.add("paragraph", tok.content)
        elif tok.type == "hr" and slides:
            builder.enclose("slide", slide_start, slide_no)
            slide_no, slide_start = slide_no + 1, builder.mark()
    if slides:
        builder.enclose("slide", slide_start, slide_no)
    text = builder.text()
    title = meta.get("title") or first_title(text, builder.spans)
    return Extracted(
        text,
        builder.spans,
        fmt,
        title=title,
        author=meta.get("author") or None,
        published=meta.get("date") or None,
    )


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    text, _encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    capture = split_capture(text)
    result = from_markdown("\n".join(capture.lines) if capture else text)
    meta = find_meta([visible(line) for line in text.split("\n")])
    result.author = result.author or meta.author
    result.published = result.published or meta.published
    result.source = result.source or meta.source
    if capture:
        result.title = (capture.headline and visible(capture.headline)) or result.title
        result.set_aside = [visible(line) for line in capture.set_aside]
    result.warning = suspicious(result.text)
    return result
