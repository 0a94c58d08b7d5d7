"""The Whoosh search index: derived from the project file, rebuildable at any time."""

from storage.index.search_index import IndexHit, SearchIndex, SearchOutcome

__all__ = ["IndexHit", "SearchIndex", "SearchOutcome"]
