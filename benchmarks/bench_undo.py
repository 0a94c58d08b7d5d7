"""Undo that costs what the edit costs (issue 23): adding a highlight with a new tag and
undoing it, in a project holding 100,000 highlight–tag links, as the window does it (the
index written by the background thread, not counted). The reference, in the same run, is
the snapshot of every tag link that each such edit used to take twice.

usage: python benchmarks/bench_undo.py [--links 100000] [--samples 20]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import undo
from app.library import Library
from benchmarks.corpus import emit, git_rev, percentiles


def project_with_links(path: Path, links: int) -> int:
    """A project whose one document carries ``links // 2`` highlights of two tags each."""
    text = "Cartels were laundering money through front companies. " * 40
    source = path.with_suffix(".txt")
    source.write_text(text, encoding="utf-8")
    with Library.open(path) as lib:
        doc = lib.import_file(source).id
        assert doc is not None
        for n in range(20):
            lib.create_tag(f"Topic {n}/Sub {n}")
        tag_ids = [t.id for t in lib.tags()]
    con = sqlite3.connect(path)
    stamp = "2026-01-01 00:00:00"
    rows = [(str(uuid.uuid4()), doc, 0, 7, "Cartels", "", " were", None, "", stamp, stamp)
            for _ in range(links // 2)]
    con.executemany("INSERT INTO annotations (uuid, document_id, start, \"end\", quote, prefix, suffix, color, "
                    "note, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    ids = [r[0] for r in con.execute("SELECT id FROM annotations")]
    con.executemany("INSERT INTO annotation_tags VALUES (?, ?)",
                    [(a, tag_ids[(a + k) % len(tag_ids)]) for a in ids for k in (0, 1)])
    con.commit()
    con.close()
    return doc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dossier-undo-"))
    os.environ["DOSSIER_CACHE_DIR"] = str(tmp / "cache")
    path = tmp / "undo.dossier"
    doc = project_with_links(path, args.links)
    lib = Library.open(path, background_index=True)
    lib.wait_for_index(600)
    edits, reference = [], []
    for n in range(args.samples):
        command = undo.AddAnnotation(doc, 8, 12, [f"New {n}/Leaf"], note="bench")
        start = time.perf_counter()
        command.redo(lib)
        command.undo(lib)
        edits.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        lib.tag_state()
        reference.append((time.perf_counter() - start) * 1000)
    lib.close()
    p50 = percentiles(edits)["p50"]
    emit("undo", {"commit": git_rev(), "links": args.links, "add_and_undo_ms": percentiles(edits),
                  "reference_snapshot_of_all_links_ms": percentiles(reference),
                  "vs_reference": round(p50 / percentiles(reference)["p50"], 2),
                  "target_ms": 50, "met": percentiles(edits)["p95"] < 50})


if __name__ == "__main__":
    main()
