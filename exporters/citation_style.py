"""Citations and the bibliography in a recognised style, through a CSL processor.

The styles are Citation Style Language files (exporters/styles.py); pandoc's processor
(exporters/pandoc_citeproc.py) renders the notes, with their first, subsequent and ibid
positions, and the bibliography, in the memo language's locale: its quotation marks,
punctuation inside them where the locale says so, nested quotes one level down. Names are
passed as literals: a document's author is one string, often an organisation, which a
processor would otherwise cut into initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from exporters.pandoc_citeproc import render
from exporters.quotation import marks
from exporters.rich import Rich
from exporters.styles import StyleInfo

LOCALES = {"en": "en-US", "es": "es-ES", "fr": "fr-FR"}
# A locator's label as the processor reads it in each locale (it knows the locale's own
# terms only); a slide has no CSL term, so its words follow the citation as they are.
LOCATOR_WORDS = {
    "en": {"page": "p.", "paragraph": "para.", "slide": "slide"},
    "es": {"page": "p.", "paragraph": "párr.", "slide": "diapositiva"},
    "fr": {"page": "p.", "paragraph": "paragr.", "slide": "diapositive"},
}


@dataclass(frozen=True)
class Reference:
    """A source as a citation style needs it (CSL-JSON fields)."""

    key: str
    kind: str  # a CSL type: report, speech or webpage
    title: str
    author: str | None = None
    issued: str | None = None  # ISO date, or as written
    url: str | None = None
    genre: str | None = None  # Testimony, Press release, Slide presentation
    accessed: str | None = None  # ISO date

    def csl(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.key, "type": self.kind, "title": self.title,
                                "title-short": short_title(self.title)}
        if self.author:
            item["author"] = [{"literal": self.author}]
        for field, value in (("issued", self.issued), ("accessed", self.accessed)):
            if value:
                item[field] = _date(value)
        for field, value in (("URL", self.url), ("genre", self.genre)):
            if value:
                item[field] = value
        return item


def _date(value: str) -> dict[str, Any]:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if m is None:
        return {"literal": value}
    return {"date-parts": [[int(p) for p in m.groups() if p]]}


_SMALL_WORDS = {"a", "an", "the", "of", "on", "and", "or", "for", "in", "to", "at", "by", "as", "with",
                "from", "into", "before", "after", "about", "against", "between", "over", "under",
                "de", "la", "el", "los", "las", "del", "y", "en", "con", "para", "por", "sobre", "le",
                "les", "des", "du", "et", "pour", "sur"}
_FIGURE = re.compile(r"[$€£¥]?\d")


def short_title(title: str) -> str:
    """Chicago's short form: the main title before a colon if it is short, else its first
    four significant words (no ellipsis), not ending on a figure ("$2") or a small word."""
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
    rest = words[len(head):]
    if rest and _FIGURE.match(head[-1]):  # "$2" says nothing without "Million"
        head.append(rest[0])
    while len(head) > 1 and head[-1].lower() in _SMALL_WORDS:
        head.pop()
    return " ".join(head).rstrip(",;")


@dataclass(frozen=True)
class Cited:
    notes: tuple[Rich, ...]  # each citation's text, in order
    bibliography: tuple[Rich, ...]
    note_style: bool


def locator_text(locator: tuple[str, str] | None, language: str) -> str | None:
    if locator is None:
        return None
    label, number = locator
    return f"{LOCATOR_WORDS.get(language, LOCATOR_WORDS['en']).get(label, label)} {number}"


@lru_cache(maxsize=8)
def cite_all(style: StyleInfo, language: str, references: tuple[Reference, ...],
             cites: tuple[tuple[str, tuple[str, str] | None], ...]) -> Cited:
    """Every citation of a memo, in reading order, and its bibliography. One run of the
    processor for the lot (about 0.2 s for 300 citations); the last few memos' results are
    kept, so a preview redrawn after an edit to the commentary cites nothing anew."""
    if not cites:  # a memo of headings and commentary only: nothing to run
        return Cited((), (), style.note)
    done = render(style.path, LOCALES.get(language, "en-US"), [r.csl() for r in references],
                  [(key, locator_text(locator, language)) for key, locator in cites], marks(language))
    if language == "en":
        return Cited(tuple(map(_inside_both, done.citations)), tuple(map(_inside_both, done.bibliography)),
                     style.note)
    return Cited(done.citations, done.bibliography, style.note)


def _inside_both(runs: Rich) -> Rich:
    """American punctuation goes inside the inner quotation mark too (“A ‘B,’” not “A ‘B’,”):
    the processor moves it inside the outer one only."""
    return tuple(replace(r, text=_BETWEEN_MARKS.sub(r"\2\1\3", r.text)) for r in runs)


_BETWEEN_MARKS = re.compile(r"(’)([.,])(”)")
