"""What a memo holds, independent of the store: the core builds it, writers print it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    """Drop what XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _XML_BAD.sub("", text or "")


@dataclass(frozen=True)
class Source:
    number: int
    title: str
    author: str | None = None
    published: str | None = None
    location: str | None = None  # file path or URL

    def reference(self) -> str:
        """The entry in the Sources list (web addresses only: a local path means nothing to readers)."""
        url = self.location if self.location and "://" in self.location else None
        parts = [self.author, f"“{self.title}”", self.published, url]
        return ", ".join(p for p in parts if p) + "."


@dataclass(frozen=True)
class Excerpt:
    quote: str
    source: Source
    where: str | None = None  # "p. 4", "slide 7", "para. 12"
    commentary: str = ""
    tags: tuple[str, ...] = ()

    def citation(self, first: bool = True) -> str:
        """The footnote: in full the first time a source is cited, short after that."""
        if first:
            parts = [self.source.author, f"“{self.source.title}”", self.source.published, self.where]
        else:
            parts = [self.source.author, f"“{_short(self.source.title)}”", self.where]
        return ", ".join(p for p in parts if p) + "."


def _short(title: str, words: int = 5) -> str:
    split = title.split()
    return title if len(split) <= words else " ".join(split[:words]) + "…"


def citations(sections: tuple[MemoSection, ...]) -> list[str]:
    """Footnote texts in reading order, full on a source's first citation only."""
    seen: set[int] = set()
    out = []
    for section in sections:
        for excerpt in section.excerpts:
            out.append(excerpt.citation(first=excerpt.source.number not in seen))
            seen.add(excerpt.source.number)
    return out


@dataclass(frozen=True)
class MemoSection:
    heading: str
    excerpts: tuple[Excerpt, ...]


@dataclass(frozen=True)
class Memo:
    title: str
    to: str = ""
    from_: str = ""
    date: str = ""
    subject: str = ""
    classification: str = ""
    summary: str = ""
    sections: tuple[MemoSection, ...] = ()
    sources: tuple[Source, ...] = field(default=())

    @property
    def keywords(self) -> list[str]:
        seen: dict[str, None] = {}
        for sec in self.sections:
            for ex in sec.excerpts:
                for tag in ex.tags:
                    seen[tag] = None
        return list(seen)
