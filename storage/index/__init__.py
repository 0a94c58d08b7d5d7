"""The Whoosh search index: derived from the project file, rebuildable at any time."""

from storage.index import whoosh_fixes  # noqa: F401 - applied on import
from storage.index.search_index import IndexHit, SearchIndex, SearchOutcome

__all__ = ["IndexHit", "SearchIndex", "SearchOutcome"]
