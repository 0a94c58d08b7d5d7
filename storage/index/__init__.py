"""The Whoosh search index: derived from the project file, rebuildable at any time."""

from storage.index.search_index import IndexHit, SearchIndex

__all__ = ["IndexHit", "SearchIndex"]
