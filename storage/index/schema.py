"""The index schema: one record per passage and per annotation."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from storage.index.analysis import folding, prefixes, stemming

# Passage text of Spanish documents goes to text_es, everything else to text_en,
# so each is stemmed by its own language; queries search both.
TEXT_FIELDS = ("text_en", "text_es", "note")
SCHEMA_VERSION = "4"  # a change rebuilds existing indexes on open


class DAY(DATETIME):
    """A date indexed as 2 terms, not DATETIME's 8: values are whole days, so a range
    query enumerates at most the days present whatever the tiers."""

    def __init__(self, stored: bool = False) -> None:
        super().__init__(stored=stored)
        self.shift_step = 32


def build_schema() -> Schema:
    return Schema(
        key=STORED(),  # p:DOC:N or a:ID, what check() compares with the project
        ann=ID(),  # the annotation id, set on annotations only, for deleting one
        kind=ID(stored=True),
        pdoc=ID(),  # doc id, set on passages only, for deleting a document's passages
        # Ids are only read back, never searched: an indexed NUMERIC costs 8 terms a record.
        doc_id=STORED(),
        annotation_id=STORED(),
        doc=TEXT(analyzer=folding(), stored=True),  # the document title
        start=STORED(),
        end=STORED(),
        body=STORED(),
        lang=ID(stored=True),
        text_en=TEXT(analyzer=stemming("en"), phrase=True),
        text_es=TEXT(analyzer=stemming("es"), phrase=True),
        pre=TEXT(analyzer=prefixes(), phrase=False),  # words' first 4 letters, for prefix queries
        note=TEXT(analyzer=stemming("en"), stored=True),
        tag=KEYWORD(lowercase=True, commas=True),  # paths and their ancestors, for tag: queries
        tag_paths=STORED(),  # the highlight's own tag paths as the user wrote them
        color=KEYWORD(lowercase=True, stored=True),
        published=DAY(stored=True),
        created=DAY(stored=True),
    )
