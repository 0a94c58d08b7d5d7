"""User-facing errors raised by the core."""

from storage.errors import EditConflict, KnownError

__all__ = ["EditConflict", "ImportFailed", "InvalidInput", "KnownError", "NotFoundError"]


class NotFoundError(KnownError):
    """A document, annotation, tag or briefing id that does not exist."""


class InvalidInput(KnownError):
    """Arguments that cannot be acted on (an empty span, an unknown colour...)."""


class ImportFailed(KnownError):
    """A source file that could not be imported; the message names file and cause."""
