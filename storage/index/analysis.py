"""Analyzers: lowercase, fold accents *before* stemming, Snowball per language.

Folding first means ``Merida`` finds ``Mérida`` and ``resumes`` finds
``résumés``; Snowball (not Whoosh's default Porter) gets ``running`` → ``run``.
The stemmers are PyStemmer's (the Snowball project's own C code): Whoosh's
pure-Python port was a large share of a rebuild's time.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from itertools import repeat
from typing import Any, cast

import Stemmer
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemFilter,
    Token,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.support.charset import accent_map

# Words, apostrophes inside them kept ("don't", "l’État"). Possessive: nothing here
# needs a step back, and findall, a tenth of a rebuild, took a tenth less time.
TOKEN = r"\w++(?:['’]\w++)*+"


_LANGUAGES = {"en": "english", "es": "spanish"}
_local = threading.local()  # a PyStemmer Stemmer must not be shared between threads


def _stem(lang: str, word: str) -> str:
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        # No cache (PyStemmer keeps 10,000 words by default): its words stayed alive in
        # every rebuild worker, and the callers that see a word often cache it themselves.
        stemmers = _local.stemmers = {code: Stemmer.Stemmer(name, 0) for code, name in _LANGUAGES.items()}
    result: str = stemmers[lang].stemWord(word)
    return result


def _stemmer(lang: str) -> Any:
    _stem(lang, "")  # makes this thread's stemmers
    return _local.stemmers[lang]


# Module-level functions, so an index's pickled schema can name them.
def stem_en(word: str) -> str:
    return _stem("en", word)


def stem_es(word: str) -> str:
    return _stem("es", word)


def stemming(lang: str) -> Analyzer:
    return (
        RegexTokenizer(TOKEN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        # No cache: the C stemmer is about as fast as Whoosh's cache lookup, and the bulk
        # writer keeps its own per word (a cache here grew large in each rebuild worker).
        | StemFilter(stemfn=stem_es if lang == "es" else stem_en, cachesize=None)
    )


# Word pairs. A phrase of two frequent words ("de la", "the committee") had to read
# the positions of every passage holding both, tens of thousands in a large project.
# So each text field has a companion holding the pairs of
# adjacent words whose document frequencies multiply to at least MIN_PAIR (both
# words in a passage in at least 1 of 100, by chance): such a phrase is then one
# term. A pair of rarer words is left to the positions, which are few for it.
MIN_PAIR = 0.01
PAIR_JOIN = "|"  # never inside a word token, so "a|b" can only be the pair a, b


def is_pair(first: float, second: float) -> bool:
    """Whether two words of these document frequencies (fractions) form an indexed pair."""
    return first * second >= MIN_PAIR  # fractions: a product over 0 needs both over 0


class PairFilter(Filter):
    """Each adjacent pair of frequent words as one token ``first|second``.

    ``frequent`` maps a field's frequent terms to the fraction of values holding
    them, measured on a sample when the index is built and kept in its schema, so
    every segment and every query uses the same pairs.
    """

    def __init__(self, frequent: Mapping[str, float] | None = None) -> None:
        self.frequent = dict(frequent or {})

    # Whoosh's own Filter narrows Composable's __call__ the same way.
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        frequent = self.frequent
        prev: str | None = None
        prev_freq = 0.0
        for t in tokens:
            word = t.text
            freq = frequent.get(word, 0.0)
            if prev is not None and is_pair(prev_freq, freq):
                t.text = prev + PAIR_JOIN + word
                yield t
            prev, prev_freq = word, freq


def pairing(lang: str, frequent: Mapping[str, float] | None = None) -> Analyzer:
    """The stemming analyzer's words, as the pairs of them that ``frequent`` names."""
    return stemming(lang) | PairFilter(frequent)


PREFIX_LEN = 4


def prefixes() -> Analyzer:
    """Each word's first PREFIX_LEN letters, folded: a 4-letter prefix query is one term.

    Expanding "suet*" into its most frequent words and adding up their scores walked
    every passage of a common word; one term lets
    Whoosh skip blocks that cannot reach the top hits, as for any word.
    """
    return (RegexTokenizer(TOKEN) | LowercaseFilter() | CharsetFilter(accent_map)
            | NgramFilter(PREFIX_LEN, PREFIX_LEN, at="start"))


def folding() -> Analyzer:
    return RegexTokenizer(TOKEN) | LowercaseFilter() | CharsetFilter(accent_map)


def fold(text: str) -> str:
    """Strip accents from a query string (wildcards and fuzzy terms skip analysis)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Filters that turn one token into at most one token in index mode: a chain of these
# after a RegexTokenizer analyses a word the same way wherever it occurs. (A start
# n-gram of one size keeps a word's first letters, or drops a shorter word.)
_ONE_TO_ONE = (LowercaseFilter, CharsetFilter, StemFilter)


def _one_or_none(f: object) -> bool:
    return isinstance(f, _ONE_TO_ONE) or (
        isinstance(f, NgramFilter) and f.min == f.max and f.at == -1)
def _steps(filters: list[Any]) -> list[Callable[[str], str | None]] | None:
    """The filters as plain functions of a word (None: it drops the word), the same
    operations Whoosh's filters apply to a token; None for a filter not known here.
    Faster than Whoosh's generator chain for a word seen the first time."""
    steps: list[Callable[[str], str | None]] = []
    for f in filters:
        if type(f) is LowercaseFilter:
            steps.append(str.lower)
        elif type(f) is CharsetFilter:
            steps.append(partial(_translate, f.charmap))
        elif type(f) is StemFilter:
            steps.append(partial(_stem_unless, f._stem, f.ignore))
        elif type(f) is NgramFilter and f.min == f.max and f.at == -1:
            steps.append(partial(_first, f.min))
        else:
            return None
    return steps


_STEM_LANGS: dict[Callable[[str], str], str] = {}  # filled below: stem function -> its language


def _batch_steps(filters: list[Any]) -> list[Callable[[list[str | None]], list[str | None]]] | None:
    """``_steps`` applied to a list of words at once (None: a word dropped): the stemmer
    runs its C loop over the whole list, a third of the time a word took alone."""
    steps = _steps(filters)
    if steps is None:
        return None
    return [_batch_step(f, step) for f, step in zip(filters, steps, strict=True)]


def _batch_step(f: Any, step: Callable[[str], str | None]) -> Callable[[list[str | None]], list[str | None]]:
    """A step over a list: the stemmer's and the accent map's in one call or C loop,
    others word by word (a Python call a word cost as much as the work)."""
    if type(f) is StemFilter and f._stem in _STEM_LANGS:
        return partial(_stem_all, _STEM_LANGS[f._stem], f.ignore)
    if type(f) is CharsetFilter:
        return partial(_translate_all, f.charmap, _ascii_changed(f.charmap))
    return partial(_each, step)


def _each(step: Callable[[str], str | None], words: list[str | None]) -> list[str | None]:
    return [None if w is None else step(w) for w in words]


def _translate_all(charmap: dict[int, str], changed: frozenset[str],
                   words: list[str | None]) -> list[str | None]:
    """Each word translated; an ASCII word the map leaves alone, as it is. (``translate``
    looks up every letter in the map: a third of the time on English words.)"""
    return [None if w is None else w if w.isascii() and changed.isdisjoint(w) else w.translate(charmap)
            for w in words]


def _ascii_changed(charmap: dict[int, Any]) -> frozenset[str]:
    """The ASCII characters ``str.translate`` changes with this map (Whoosh's accent map
    lower-cases a few capitals)."""
    return frozenset(chr(k) for k in range(128) if k in charmap
                     and charmap[k] != chr(k) and charmap[k] != k)


def _stem_all(lang: str, ignore: frozenset[str], words: list[str | None]) -> list[str | None]:
    chosen = [i for i, w in enumerate(words) if w is not None and w not in ignore]
    out = list(words)
    for i, stem in zip(chosen, _stemmer(lang).stemWords([words[i] for i in chosen]), strict=True):
        out[i] = stem
    return out


def _translate(charmap: dict[int, str], text: str) -> str:
    return text.translate(charmap)


def _stem_unless(stem: Callable[[str], str], ignore: frozenset[str], text: str) -> str:
    return text if text in ignore else stem(text)


def _first(n: int, text: str) -> str | None:
    return text[:n] if len(text) >= n else None


_STEM_LANGS.update({stem_en: "en", stem_es: "es"})
_CACHE_WORDS = 500_000
_UNKNOWN: Any = object()  # "not cached yet" (None is a cached answer: the word is dropped)


class WordCache:
    """The analyzer's terms and positions for a text, each distinct word analysed once.

    Running Whoosh's generator chain per token dominated bulk indexing; here the
    tokenizer's own regex finds the words and the analyzer itself runs once per new
    word (so terms cannot drift from the analyzer's; tests compare them).
    """

    def __init__(self, tokenizer: RegexTokenizer, analyzer: Analyzer, lower: bool) -> None:
        self.expression = tokenizer.expression
        self.words = tokenizer.expression.findall  # the words of a text, as the tokenizer finds them
        self.analyzer = analyzer
        self._lower = lower  # the chain lowercases first, so "Word" and "word" share an entry
        self._terms: dict[str, bytes | None] = {}
        items = cast(CompositeAnalyzer, analyzer).items
        self._steps = _steps(items[1:])
        self._batch = _batch_steps(items[1:])

    @classmethod
    def for_analyzer(cls, analyzer: Analyzer) -> WordCache | None:
        """A cache for chains of a RegexTokenizer and one-to-one filters; None for others."""
        items = getattr(analyzer, "items", None)
        if not items or not isinstance(items[0], RegexTokenizer) or items[0].gaps:
            return None
        if items[0].expression.groups or not all(_one_or_none(f) for f in items[1:]):
            return None
        return cls(items[0], analyzer, isinstance(items[1], LowercaseFilter) if len(items) > 1 else False)

    def term(self, word: str) -> bytes | None:
        """The analyzer's term for one word, UTF-8 encoded as the index stores it (None: dropped)."""
        if word in self._terms:
            return self._terms[word]
        if len(self._terms) > _CACHE_WORDS:
            self._terms.clear()
        key = self.key(word)
        term = self._terms[key] if key in self._terms else self.analyse(key)
        self._terms[key] = self._terms[word] = term
        return term

    def key(self, word: str) -> str:
        """What the analyzer makes of a word at first: words with the same key have the same term."""
        return word.lower() if self._lower else word

    def analyse(self, key: str) -> bytes | None:
        """The term of a word's ``key``, not cached."""
        if self._steps is not None:
            text: str | None = key
            for step in self._steps:
                text = step(text)  # type: ignore[arg-type]
                if text is None:
                    break
            return None if text is None else text.encode("utf-8")
        found = [t.text for t in self.analyzer(key, tokenize=False, mode="index")]
        return found[0].encode("utf-8") if found else None

    def analyse_many(self, keys: list[str]) -> list[bytes | None]:
        """The terms of many words' keys, not cached: ``analyse`` of each, each step
        applied to the whole list."""
        if self._batch is None:
            return [self.analyse(key) for key in keys]
        texts: list[str | None] = list(keys)
        for step in self._batch:
            texts = step(texts)
        return [None if t is None else t.encode("utf-8") for t in texts]

    def sequence(self, text: str) -> list[bytes | None]:
        """The term of each word of ``text`` in order (None: the analyzer drops it)."""
        return self.terms_of(self.words(text))

    def terms_of(self, words: list[str]) -> list[bytes | None]:
        """The term of each of ``words`` (None: the analyzer drops it)."""
        terms = self._terms
        out = list(map(terms.get, words, repeat(_UNKNOWN)))  # a C loop; misses are rare
        if _UNKNOWN in out:
            if len(terms) > _CACHE_WORDS:
                terms.clear()
            # Read from the shared cache once: another thread's search may empty it meanwhile.
            new = list(dict.fromkeys(w for w, t in zip(words, out, strict=True) if t is _UNKNOWN))
            by_key = {key: terms.get(key, _UNKNOWN) for key in map(self.key, new)}
            unknown = [key for key, term in by_key.items() if term is _UNKNOWN]
            by_key.update(zip(unknown, self.analyse_many(unknown), strict=True))
            found = {word: by_key[self.key(word)] for word in new}
            terms.update(by_key)
            terms.update(found)
            out = [found[word] if term is _UNKNOWN else term for word, term in zip(words, out, strict=True)]
        return out
