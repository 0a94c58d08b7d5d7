"""The Whoosh search index: derived from the project file, rebuildable at any time."""

from storage.index.filters import Filters
from storage.index.search_index import IndexHit, SearchIndex, SearchOutcome

__all__ = ["Filters", "IndexHit", "SearchIndex", "SearchOutcome"]
