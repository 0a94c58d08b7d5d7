"""Formatted text as runs: what a citation processor's HTML becomes in every writer."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

URL = re.compile(r"https?://[^\s<>“”\"]+[^\s<>“”\".,;:)\]]")


@dataclass(frozen=True)
class Run:
    text: str
    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    url: str | None = None  # a link: the text is its address


Rich = tuple[Run, ...]


class _Runs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[Run] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = dict(attrs).get("style") or ""
        self._stack.append("sc" if "small-caps" in style else tag)

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if data:
            marks = set(self._stack)
            self.runs.append(Run(data, italic=bool(marks & {"i", "em"}), bold=bool(marks & {"b", "strong"}),
                                 small_caps="sc" in marks))


def from_html(markup: str) -> Rich:
    """Runs from the small HTML a citation processor writes (<i>, <b>, small caps)."""
    parser = _Runs()
    parser.feed(markup)
    parser.close()
    return with_links(tuple(parser.runs))


def with_links(runs: Rich) -> Rich:
    """Split out web addresses as link runs."""
    out: list[Run] = []
    for run in runs:
        at = 0
        for m in URL.finditer(run.text):
            if m.start() > at:
                out.append(replace(run, text=run.text[at:m.start()]))
            out.append(replace(run, text=m.group(), url=m.group()))
            at = m.end()
        if at < len(run.text):
            out.append(replace(run, text=run.text[at:]))
    return tuple(out)


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
