"""The error class for conditions a user can act on (as opposed to bugs)."""


class KnownError(Exception):
    """A user-facing problem: bad input, a locked or foreign file, a full disk.

    Shown plainly (no traceback) by the CLI and the window; anything else that
    escapes is a bug and is reported with its traceback.
    """


class EditConflict(KnownError):
    """Someone else changed the object since it was shown (a project on a server): the
    later edit is refused and the view shows the object as it now is."""
