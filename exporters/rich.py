"""Formatted text as runs: what a citation processor gives, as every writer writes it."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    text: str
    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    url: str | None = None  # a link: the text is its address


Rich = tuple[Run, ...]


def plain(runs: Rich) -> str:
    return "".join(r.text for r in runs)


def to_html(runs: Rich) -> str:
    parts = []
    for r in runs:
        text = html.escape(r.text)
        if r.url:
            text = f'<a href="{html.escape(r.url, quote=True)}">{text}</a>'
        if r.small_caps:
            text = f'<span style="font-variant:small-caps">{text}</span>'
        if r.bold:
            text = f"<b>{text}</b>"
        if r.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


def to_markdown(runs: Rich, escape: object) -> str:
    """Markdown, ``escape`` applied to each run's text."""
    assert callable(escape)
    parts = []
    for r in runs:
        if r.url:
            parts.append(f"<{r.url}>")
            continue
        text = str(escape(r.text))
        if r.bold and text.strip():
            text = f"**{text}**"
        if r.italic and text.strip():
            text = f"*{text}*"
        parts.append(text)
    return "".join(parts)
