"""Merging an index's segments, meant to run in its own process.

A merge in a thread of the window holds the GIL for long stretches and stalls the
UI; in a child process it costs the window nothing. Small segments
are merged by Whoosh, whose file lock keeps the merge from colliding with the
window's writer, which waits for it; large ones are combined into one
(``storage.index.combine``), taking the lock only to swap them.

The child is started with ``python -I`` and our own package folder first on its
path, so a ``storage/index/merge.py`` in the current folder is never what runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from whoosh.writing import MERGE_SMALL

from storage.index.codec import open_index, segment_writer
from storage.index.combine import combine_all
from storage.index.folder import IndexBusy, IndexLock

STOP_TIMEOUT_S = 10
PACKAGES = Path(__file__).resolve().parents[2]  # the folder holding storage/
CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from storage.index.merge import main; main(sys.argv[2:])")


def merge_small(folder: Path) -> None:
    """Merge small segments, if no other process is writing the index (else next time)."""
    try:
        with IndexLock(folder).held(0):
            ix = open_index(folder)
            try:
                writer = segment_writer(ix, timeout=30)
                writer.commit(mergetype=MERGE_SMALL)
            finally:
                ix.close()
    except IndexBusy:
        return


def child_command(folder: Path, combine: bool) -> list[str]:
    """The merge child's command line: isolated (``-I``: no current folder, no
    PYTHONPATH), with this installation's packages first."""
    return [sys.executable, "-I", "-c", CHILD, str(PACKAGES), *(["--combine"] if combine else []),
            str(folder)]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--combine"]:
        combine_all(Path(argv[1]))
    else:
        merge_small(Path(argv[0]))


class ChildMerge:
    """``combine_all`` (``combine``) or ``merge_small`` running in a new Python process."""

    def __init__(self, folder: Path, combine: bool) -> None:
        # A file, not a pipe, which would block the child once full; closed by stop().
        self._log = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self._process = subprocess.Popen(child_command(folder, combine), stdout=subprocess.DEVNULL,
                                         stderr=self._log, text=True)

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
