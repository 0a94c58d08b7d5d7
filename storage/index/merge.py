"""Merging an index's small segments, meant to run in its own process.

A merge in a thread of the window holds the GIL for 100–200 ms at a time and
stalls the UI; in a child process it costs the window nothing. Whoosh's file
lock keeps it from colliding with the window's writer, which waits for it.

usage: python -m storage.index.merge INDEX_FOLDER
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from whoosh import index as windex
from whoosh.writing import MERGE_SMALL

from storage.index import whoosh_fixes  # noqa: F401  (the process reads as the app does)

MERGE_TIMEOUT_S = 600


def merge_small(folder: Path) -> None:
    ix = windex.open_dir(str(folder))
    try:
        writer = ix.writer(timeout=30)
        writer.commit(mergetype=MERGE_SMALL)
    finally:
        ix.close()


def merge_in_child(folder: Path) -> None:
    """Run ``merge_small`` in a new Python process and wait for it."""
    result = subprocess.run([sys.executable, "-m", "storage.index.merge", str(folder)],
                            capture_output=True, text=True, timeout=MERGE_TIMEOUT_S, check=False)
    if result.returncode:
        lines = (result.stderr or "").strip().splitlines()
        raise RuntimeError(f"index merge failed: {lines[-1] if lines else result.returncode}")


if __name__ == "__main__":
    merge_small(Path(sys.argv[1]))
