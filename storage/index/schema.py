"""The index schema: one record per passage and per annotation."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from storage.index.analysis import folding, stemming

# Passage text of Spanish documents goes to text_es, everything else to text_en,
# so each is stemmed by its own language; queries search both.
TEXT_FIELDS = ("text_en", "text_es", "note")
SCHEMA_VERSION = "2"  # a change rebuilds existing indexes on open


def build_schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        kind=ID(stored=True),
        pdoc=ID(),  # doc id, set on passages only, for deleting a document's passages
        doc_id=NUMERIC(int, stored=True),
        annotation_id=NUMERIC(int, stored=True),
        doc=TEXT(analyzer=folding(), stored=True),  # the document title
        start=STORED(),
        end=STORED(),
        body=STORED(),
        lang=ID(stored=True),
        text_en=TEXT(analyzer=stemming("en"), phrase=True),
        text_es=TEXT(analyzer=stemming("es"), phrase=True),
        note=TEXT(analyzer=stemming("en"), stored=True),
        tag=KEYWORD(lowercase=True, commas=True),  # paths and their ancestors, for tag: queries
        tag_paths=STORED(),  # the highlight's own tag paths as the user wrote them
        color=KEYWORD(lowercase=True, stored=True),
        published=DATETIME(stored=True),
        created=DATETIME(stored=True),
        updated=DATETIME(),
    )
