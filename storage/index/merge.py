"""Merging an index's segments, meant to run in its own process.

A merge in a thread of the window holds the GIL for 100–200 ms at a time and
stalls the UI; in a child process it costs the window nothing. Small segments
are merged by Whoosh, whose file lock keeps the merge from colliding with the
window's writer, which waits for it; large ones are combined into one
(``storage.index.combine``), taking the lock only to swap them.

usage: python -m storage.index.merge [--combine] INDEX_FOLDER
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from whoosh import index as windex
from whoosh.writing import MERGE_SMALL

from storage.index import whoosh_fixes  # noqa: F401  (the process reads as the app does)
from storage.index.combine import combine_all

STOP_TIMEOUT_S = 10


def merge_small(folder: Path) -> None:
    ix = windex.open_dir(str(folder))
    try:
        writer = ix.writer(timeout=30)
        writer.commit(mergetype=MERGE_SMALL)
    finally:
        ix.close()


class ChildMerge:
    """``combine_all`` (``combine``) or ``merge_small`` running in a new Python process."""

    def __init__(self, folder: Path, combine: bool) -> None:
        # A file, not a pipe, which would block the child once full; closed by stop().
        self._log = tempfile.TemporaryFile("w+")  # noqa: SIM115
        args = [sys.executable, "-m", "storage.index.merge", *(["--combine"] if combine else []), str(folder)]
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self._log, text=True)

    def done(self) -> bool:
        return self._process.poll() is not None

    def failure(self) -> str | None:
        """Once done: why it failed (None: it did not)."""
        if not self._process.returncode:
            return None
        self._log.seek(0)
        lines = self._log.read().strip().splitlines()
        return f"index merge failed: {lines[-1] if lines else self._process.returncode}"

    def stop(self) -> None:
        """End it, finished or not (a combine stopped midway leaves the index as it was)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--combine"]:
        combine_all(Path(sys.argv[2]))
    else:
        merge_small(Path(sys.argv[1]))
