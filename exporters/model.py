"""What a memo holds, independent of the store: the core builds it, writers print it.

Quotations and citations arrive finished (marks, ellipses, the citation style's
text), so every format prints the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exporters.rich import Rich

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    """Drop what XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _XML_BAD.sub("", text or "")


@dataclass(frozen=True)
class Excerpt:
    quote: str  # as printed: the language's quotation marks, nested quotes, ellipses
    citation: Rich = ()  # a footnote (note styles) or a parenthetical (in-text styles)
    commentary: str = ""
    tags: tuple[str, ...] = ()
    rtl: bool = False  # a right-to-left script


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
    bibliography: tuple[Rich, ...] = field(default=())
    note_style: bool = True  # citations as footnotes (else in the text, after each excerpt)
    language: str = "en"
    portion_marking: str = ""  # "U", "U//FOUO": each paragraph starts "(U) "

    @property
    def keywords(self) -> list[str]:
        seen: dict[str, None] = {}
        for sec in self.sections:
            for ex in sec.excerpts:
                for tag in ex.tags:
                    seen[tag] = None
        return list(seen)

    def portion(self, text: str) -> str:
        """``text`` with the paragraph's portion marking, if the memo asks for them."""
        return f"({self.portion_marking}) {text}" if self.portion_marking else text
