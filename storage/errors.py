"""The error class for conditions a user can act on (as opposed to bugs)."""


class KnownError(Exception):
    """A user-facing problem: bad input, a locked or foreign file, a full disk.

    Shown plainly (no traceback) by the CLI and the window; anything else that
    escapes is a bug and is reported with its traceback.
    """
