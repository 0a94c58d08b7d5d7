"""Where an index lives and who may write it.

The folder is derived from the project's uuid (checked to be a canonical UUID, so
the name can never climb out of the cache root), private to the user, and emptied
only of the files this program and Whoosh write there: a folder holding anything
else is set aside, never deleted. One lock file beside each folder lets one
process at a time write the index.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from storage.errors import KnownError
from storage.project_file import canonical_uuid

PRIVATE = 0o700
# Whoosh's names for index "MAIN" (tables of contents, segment files, its lock), ours
# (state, the combine's lock) and the temporary folders both write.
OWN_FILES = re.compile(
    r"_MAIN_[0-9]+\.toc|MAIN_[0-9a-z]+\.[A-Za-z0-9_.]+|MAIN_WRITELOCK|COMBINE_LOCK"
    r"|dossier-index\.json(?:\.tmp)?"
)
OWN_FOLDERS = ("MAIN.tmp", "combining")


class IndexBusy(KnownError):
    """Another process is writing the index and did not finish within the wait."""


def index_folder(root: Path, project_uuid: str) -> Path:
    """The index folder of a project under the cache ``root``."""
    if canonical_uuid(project_uuid) is None:
        raise KnownError(f"not a valid project identity: {project_uuid!r}")
    base = (Path(root) / "index").absolute()
    folder = base / project_uuid
    if folder.parent != base:  # cannot happen for a canonical UUID; checked all the same
        raise KnownError(f"index folder {folder} is outside {base}")
    return folder


def prepare(folder: Path) -> None:
    """Create ``folder`` (and the index root) readable by the user alone."""
    for path in (folder.parent, folder):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise NotADirectoryError(f"{path} is not a folder")
        path.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE)


def _own(name: str) -> bool:
    return OWN_FILES.fullmatch(name) is not None


def empty(folder: Path, temporary: bool = False) -> list[str]:
    """Delete the files this program and Whoosh write in ``folder``, one by one; returns
    the names of anything else (left where it is). ``temporary``: a writers' temporary
    folder of the index, whose plain files are all theirs."""
    left: list[str] = []
    if not folder.is_dir():
        return left
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False) and entry.name in OWN_FOLDERS:
            kept = [f"{entry.name}/{name}" for name in empty(Path(entry.path), temporary=True)]
            if kept:
                left += kept
            else:
                os.rmdir(entry.path)
        elif entry.is_file(follow_symlinks=False) and (temporary or _own(entry.name)):
            os.unlink(entry.path)
        else:
            left.append(entry.name)
    return left


def set_aside(folder: Path) -> Path:
    """Move ``folder`` (or a file in its place) out of the way, keeping what it holds."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = folder.with_name(f"{folder.name}.set-aside-{stamp}")
    os.replace(folder, target)
    return target


class IndexLock:
    """The inter-process lock around every write of one index (a file beside its folder)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder.with_name(folder.name + ".lock")
        self._lock = FileLock(str(self.path), mode=0o600)

    @contextmanager
    def held(self, wait: float) -> Iterator[None]:
        """Hold the lock, waiting at most ``wait`` seconds for another process; raises
        ``IndexBusy`` if it is still held then."""
        self.path.parent.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=wait)
        except Timeout:
            raise IndexBusy("the search index is busy: another Dossier is writing it") from None
        try:
            yield
        finally:
            self._lock.release()
