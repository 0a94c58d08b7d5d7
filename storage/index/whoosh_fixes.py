"""Two narrow fixes to whoosh-reloaded 2.7.5's per-document reader, applied on import.

1. ``W3PerDocReader._cached_reader`` caches a field's lengths reader but not the
   answer "this field has no lengths column", so every posting of an unscored
   field (ID, KEYWORD) asks the file system again: 195,000 ``stat`` calls and
   17% of a rebuild's time on a 300-document corpus.
2. Scoring a document reads its field length, and the lengths column reader does
   a ``seek`` and a one-byte ``read`` each time: 40% of scoring a common word
   over 130,000 passages. A segment's lengths (one byte a document) are read into
   memory once instead.

A segment's column files never change once written, so both are safe;
tests/storage/test_whoosh_fixes.py checks hits and scores are unchanged.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3

_MISSING = object()
_original = whoosh3.W3PerDocReader._cached_reader


class _LengthsInMemory:
    """A lengths column (one unsigned byte per document) held as bytes."""

    def __init__(self, reader: Any) -> None:
        count = reader._count
        self._bytes = reader._dbfile.get(reader._basepos, count) if count else b""
        self._default = reader._default

    def __getitem__(self, docnum: int) -> int:
        data = self._bytes
        return data[docnum] if docnum < len(data) else self._default

    def __iter__(self) -> Any:
        return iter(self._bytes)

    def __len__(self) -> int:
        return len(self._bytes)


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    cached = self._readers.get(fieldname, _MISSING)
    if cached is not _MISSING:
        return cached
    reader = _original(self, fieldname, column)
    if reader is not None and column is whoosh3.LENGTHS_COLUMN:
        reader = _LengthsInMemory(reader)
    self._readers[fieldname] = reader
    return reader


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader


def revert() -> None:
    whoosh3.W3PerDocReader._cached_reader = _original


apply()
