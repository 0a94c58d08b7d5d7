"""Query parsing: Whoosh syntax with field aliases, bounded expansion, literal fallback."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container
from typing import Any

from whoosh import query as wq
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import (
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
    MultifieldPlugin,
    OrGroup,
    QueryParser,
)
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from storage.errors import KnownError
from storage.index.analysis import PREFIX_LEN, fold
from storage.index.schema import TEXT_FIELDS
from storage.index.vocabulary import Vocabulary

MAX_QUERY_CHARS = 1000
MIN_PREFIX = 2
MAX_EXPANSION = 24  # terms a prefix or fuzzy term may expand to, most frequent first
MAX_CANDIDATES = 256  # expansions examined to choose those
PREFIX_FIELDS = ("text_en", "text_es")  # the fields whose words the "pre" field holds
_ALIASES = {"title": "doc", "colour": "color", "type": "kind", "date": "published"}
_ALIAS_RE = re.compile(r"\b(" + "|".join(_ALIASES) + r"):", re.I)
_FIELD_RE = re.compile(r"(^|[\s(])(\w+):(?=\s|$|\))")
_SPECIAL = re.compile(r"[\"()\[\]{}:^~*?\\/+-]")
# Words, some given a field (``tag:drugs``): no other syntax for the parser to find.
_WORDS = re.compile(r"(?:\w+:)?\w+(?:\s+(?:\w+:)?\w+)*")
_OPERATORS = frozenset({"and", "or", "not", "andnot", "andmaybe", "to"})
TERM_CACHE = 20_000  # (field, word) -> term answers kept by a parser


class QueryError(KnownError):
    """A query that cannot be understood; the message says why."""


class _WordParser(QueryParser):
    """Whoosh's parser, except that a prefix is matched as typed (lowercased) and its
    word's own stem added as a plain term. Whoosh stemmed the prefix itself, so the
    Spanish ``lavado*`` became ``lav*``: ``lávuso``, ``lavepl`` and twenty more, ranked
    above ``lavaban``. As typed alone, ``Merid*`` would miss ``Mérida`` (Spanish stem
    ``mer``); with the stem as a term it finds it, and no other ``mer…``."""

    def term_query(self, fieldname: str, text: str, termclass: type, boost: float = 1.0,  # type: ignore[override]
                   **options: Any) -> wq.Query:
        options["boost"] = boost
        if termclass is wq.Prefix and self.schema and fieldname in self.schema:
            prefix = wq.Prefix(fieldname, text.lower(), boost=options.get("boost", 1.0))
            stem = super().term_query(fieldname, text, wq.Term, **options)
            if type(stem) is wq.Term and stem.text != prefix.text:
                return wq.Or([prefix, stem])
            return prefix
        return super().term_query(fieldname, text, termclass, **options)


def _multifield(fields: list[str], schema: Schema) -> QueryParser:
    """``MultifieldParser`` (a function in Whoosh) with ``_WordParser``."""
    parser = _WordParser(None, schema)
    parser.add_plugin(MultifieldPlugin(fields))
    return parser


class Parser:
    def __init__(self, schema: Schema) -> None:
        self._parser = _multifield(list(TEXT_FIELDS), schema)
        self._parser.add_plugin(FuzzyTermPlugin())
        self._parser.add_plugin(GtLtPlugin())
        self._parser.add_plugin(DateParserPlugin(free=False))
        self._literal = MultifieldParser(list(TEXT_FIELDS), schema, group=OrGroup)
        self._terms: dict[tuple[str, str], tuple[str, Any, float] | None] = {}  # _term's answers
        # Fields a ``field:word`` is one term of (not dates, which the date plugin reads).
        self._term_fields = {name for name, field in schema.items()
                             if isinstance(field, (TEXT, KEYWORD, ID))}

    def parse(self, text: str) -> tuple[wq.Query, bool]:
        """Return (query, literal): literal is True when we fell back to plain words."""
        text = text.strip()
        if not text:
            raise QueryError("empty query")
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
        text = fold(_ALIAS_RE.sub(lambda m: _ALIASES[m.group(1).lower()] + ":", text))
        text = _FIELD_RE.sub(r"\1", text).strip()  # "tag:" with nothing after it: drop it
        if not text:
            raise QueryError("empty query")
        plain = self._words(text)
        if plain is not None:
            return plain, False
        if _balanced(text):
            try:
                query = self._parser.parse(text)
                if query is not wq.NullQuery and not _has_errors(query):
                    return query, False
            except Exception:  # whoosh's parser raises many types on odd input
                pass
        literal = _SPECIAL.sub(" ", text)
        if not literal.strip():
            raise QueryError("the query has no words to search for")
        return self._literal.parse(literal), True

    def _words(self, text: str) -> wq.Query | None:
        """The parser's query for a text of plain words, some given a field (an AND of
        each word's OR over the text fields, or its field's term), built without its
        passes, which were a large share of a short search's time."""
        if not _WORDS.fullmatch(text):
            return None
        words = text.split()
        parts: list[wq.Query] = []
        for word in words:
            field, _colon, value = word.rpartition(":")
            if field:  # (``tag:and`` is a term to the parser, not an operator)
                term = self._term(field, value) if field in self._term_fields else None
                if term is None:  # dropped, or more than a term: the parser knows
                    return None
                parts.append(term)
            elif value.lower() in _OPERATORS:
                return None
            else:
                terms = [self._term(name, value) for name in TEXT_FIELDS]
                parts.append(wq.Or([t for t in terms if t is not None]))
        query: wq.Query = wq.And(parts).normalize()
        return query

    def _term(self, field: str, word: str) -> wq.Term | None:
        """The parser's term for a word in a field (None: the analyzer drops the word, or
        makes more than a term of it), each analysed once: a search-as-you-type sends
        the same words again at every keystroke."""
        key = (field, word)
        try:
            found = self._terms[key]
        except KeyError:
            term = self._parser.term_query(field, word, wq.Term)
            found = (term.fieldname, term.text, term.boost) if type(term) is wq.Term else None
            if len(self._terms) >= TERM_CACHE:
                self._terms.clear()
            self._terms[key] = found
        if found is None:
            return None
        name, text, boost = found  # a Term of its own, as the parser gives: Whoosh's queries are mutable
        return wq.Term(name, text, boost=boost)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0 and text.count('"') % 2 == 0


def _has_errors(query: wq.Query) -> bool:
    if isinstance(query, wq.Query) and type(query).__name__ == "ErrorQuery":
        return True
    return any(_has_errors(child) for child in query.children())


def _text(word: str | bytes) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else word


def _candidates(q: wq.MultiTerm, reader: IndexReader, count: int) -> list[str | bytes]:
    """At most ``count`` expansions from each segment, in first-seen order.

    Asked per segment: a segment finds fuzzy matches with a DFA over its term list,
    but Whoosh's MultiReader falls back to scanning every term in Python, many times
    slower. Ranking thousands of candidates by
    frequency would cost more than the search, hence the bound.
    """
    found: dict[str | bytes, None] = {}
    for leaf, _base in reader.leaf_readers():
        found.update(dict.fromkeys(itertools.islice(q._btexts(leaf), count)))  # private API
    return list(found)


def typed_stems(query: wq.Query, stems: Callable[[str], Container[str] | None]) -> wq.Query | None:
    """The query with each prefix of the text fields longer than the prefix field's
    letters (a word being typed) made the field's stems of at least those letters that
    it starts with: ``fundi*`` becomes ``fund``, as "funding" is indexed, not every
    ``fund…`` word. None if no such prefix starts with a stem. ``stems``: a field's
    terms (None: not known)."""
    found = False

    def heads(q: wq.Query) -> wq.Query:
        nonlocal found
        if type(q) is wq.Prefix and q.fieldname in PREFIX_FIELDS and len(q.text) > PREFIX_LEN:
            known = stems(q.fieldname)
            texts = [] if known is None else [q.text[:n] for n in range(len(q.text) - 1, PREFIX_LEN - 1, -1)
                                              if q.text[:n] in known]
            found = found or bool(texts)
            return wq.Or([wq.Term(q.fieldname, t, boost=q.boost) for t in texts]) if texts else wq.NullQuery
        return q if q.is_leaf() else q.apply(heads)

    rewritten = heads(query)
    return rewritten.normalize() if found else None


def shorter_prefixes(query: wq.Query) -> wq.Query | None:
    """The query with each prefix of the text fields longer than the prefix field's
    letters cut to them (``fundi*`` to ``fund*``); None if it has no such prefix."""
    found = False

    def cut(q: wq.Query) -> wq.Query:
        nonlocal found
        if type(q) is wq.Prefix and q.fieldname in PREFIX_FIELDS and len(q.text) > PREFIX_LEN:
            found = True
            return wq.Prefix(q.fieldname, q.text[:PREFIX_LEN], boost=q.boost)
        return q if q.is_leaf() else q.apply(cut)

    shorter = cut(query)
    return shorter if found else None


def bound_expansions(query: wq.Query, searcher: Searcher, limit: int = MAX_EXPANSION,
                     vocabulary: Vocabulary | None = None) -> wq.Query:
    """Replace prefix/wildcard/fuzzy terms by an Or of their most frequent expansions.

    Unbounded, a short prefix expands to thousands of terms, and the search takes seconds.
    ``vocabulary``: the index's terms in memory, walked once rather than per segment
    where it covers the segments (``SearchIndex.warm`` fills it).
    """
    reader: IndexReader = searcher.reader()

    def rewrite(q: wq.Query) -> wq.Query:
        if type(q) is wq.Prefix and q.fieldname in PREFIX_FIELDS and len(q.text) == PREFIX_LEN:
            # One term of the prefix field stands for the prefix in both text fields.
            if q.fieldname != PREFIX_FIELDS[0]:
                return wq.NullQuery
            return wq.Term("pre", q.text.lower(), boost=q.boost)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            stem = q.text.rstrip("*?") if isinstance(q, wq.Wildcard) else q.text
            if isinstance(q, (wq.Prefix, wq.Wildcard)) and len(stem.replace("*", "")) < MIN_PREFIX:
                raise QueryError(f"'{q.text}' is too short to expand; type at least {MIN_PREFIX} letters")
            count = min(MAX_CANDIDATES, limit * 8)
            try:
                # As many candidates from the whole list as from all segments one by one.
                found = (vocabulary.expand(q, reader, count * len(reader.leaf_readers()), build=False)
                         if vocabulary else None)
                words = _candidates(q, reader, count) if found is None else list(found)
            except Exception:
                words, found = [], None
            if len(words) > limit:
                if found is not None and vocabulary is not None:
                    frequency = vocabulary.frequency(q.fieldname)
                    words.sort(key=lambda w: (-frequency[_text(w)], _text(w)))
                else:
                    words.sort(key=lambda w: (-reader.doc_frequency(q.fieldname, w), _text(w)))
                words = words[:limit]
            terms = [wq.Term(q.fieldname, w, boost=q.boost) for w in words]
            return wq.Or(terms) if terms else wq.NullQuery
        if q.is_leaf():
            return q
        return q.apply(rewrite)

    return rewrite(query).normalize()
