"""Analyzers: lowercase, fold accents *before* stemming, Snowball per language.

Folding first means ``Merida`` finds ``Mérida`` and ``resumes`` finds
``résumés``; Snowball (not Whoosh's default Porter) gets ``running`` → ``run``.
"""

from __future__ import annotations

import unicodedata

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.support.charset import accent_map

TOKEN = r"\w+(?:['’]\w+)*"


def stemming(lang: str) -> Analyzer:
    return (
        RegexTokenizer(TOKEN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StemFilter(lang=lang, cachesize=100_000)
    )


def folding() -> Analyzer:
    return RegexTokenizer(TOKEN) | LowercaseFilter() | CharsetFilter(accent_map)


def fold(text: str) -> str:
    """Strip accents from a query string (wildcards and fuzzy terms skip analysis)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
