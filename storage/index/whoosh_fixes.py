"""One narrow fix to whoosh-reloaded 2.7.5, applied on import.

``W3PerDocReader._cached_reader`` caches a field's lengths reader but not the
answer "this field has no lengths column", so every posting of an unscored
field (ID, KEYWORD, NUMERIC) asks the file system again: 195,000 ``stat``
calls and 17% of a rebuild's time on a 300-document corpus. A segment's
column files never change once written, so remembering the negative answer
is safe; tests/storage/test_whoosh_fixes.py checks scores are unchanged.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3

_MISSING = object()
_original = whoosh3.W3PerDocReader._cached_reader


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    cached = self._readers.get(fieldname, _MISSING)
    if cached is not _MISSING:
        return cached
    reader = _original(self, fieldname, column)
    if reader is None:
        self._readers[fieldname] = None
    return reader


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader


def revert() -> None:
    whoosh3.W3PerDocReader._cached_reader = _original


apply()
