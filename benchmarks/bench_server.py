"""Projects on a PostgreSQL server, with a throw-away local server (tests/pg.py):

- highlight round trip: one client adds a highlight, another client's window-style
  background writer (polling the server's change log) makes it searchable; p50/p95 ms;
- import throughput to the server against a project file, the same files in the same run.

usage: python benchmarks/bench_server.py [--edits 30] [--docs 40]
Prints one JSON object; needs PostgreSQL's server binaries (Debian: postgresql).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.library import Library
from benchmarks.corpus import document, emit, git_rev, percentiles
from tests.pg import Cluster


def import_rate(location: Path | str, paths: list[Path]) -> dict[str, float]:
    with Library.open(location) as lib:
        start = time.perf_counter()
        results = lib.import_many(paths)
        elapsed = time.perf_counter() - start
        assert all(r.status == "imported" for r in results)
        chars = sum(d.chars for d in lib.documents())
    return {"seconds": round(elapsed, 2), "mb_per_s": round(chars / 1e6 / elapsed, 2),
            "files_per_s": round(len(paths) / elapsed, 1)}


def round_trip(url: str, edits: int) -> dict[str, float]:
    with Library.open(url) as writer, Library.open(url, background_index=True) as reader:
        doc = writer.documents()[0].id
        text = writer.document_text(doc)
        times = []
        for n in range(edits):
            start_at = random.randrange(0, len(text) - 20)
            marker = f"roundtrip{n}x"
            started = time.perf_counter()
            writer.add_annotation(doc, start_at, start_at + 8, note=marker)
            while not reader.search(f"note:{marker}", snippets=False):
                time.sleep(0.01)
            times.append((time.perf_counter() - started) * 1000)
    return percentiles(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--docs", type=int, default=40)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dossier-bench-server-"))
    os.environ["DOSSIER_CACHE_DIR"] = str(tmp / "cache")
    rng = random.Random(5)
    paths = []
    for n in range(args.docs):
        text, _lang = document(rng, n, 20_000)
        path = tmp / f"doc{n}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    cluster = Cluster()
    try:
        sqlite = import_rate(tmp / "local.dossier", paths)
        url = cluster.new_database()
        server = import_rate(url, paths)
        trip = round_trip(url, args.edits)
    finally:
        cluster.stop()
    emit("server", {"commit": git_rev(), "docs": args.docs, "edits": args.edits,
                    "import_sqlite": sqlite, "import_server": server,
                    "server_to_sqlite_time": round(server["seconds"] / sqlite["seconds"], 2),
                    "highlight_round_trip_ms": trip})


if __name__ == "__main__":
    main()
