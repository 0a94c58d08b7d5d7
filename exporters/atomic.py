"""Write to a temporary file beside the target, then move it into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from storage.errors import KnownError


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)``; on success replace ``target``, on failure leave it as it was."""
    target = Path(target).expanduser()
    if not target.parent.is_dir():
        raise KnownError(f"{target}: the folder {target.parent} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise KnownError(f"{target}: could not write the file ({exc.strerror or exc})") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
