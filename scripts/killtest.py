"""Kill -9 a Dossier writer again and again; then check nothing was lost or damaged.

usage: python scripts/killtest.py [--kills N] [--seed S] [--project FILE]

Each round starts a writer process on one project (the first round creates it) that
adds, edits and deletes highlights through the same façade the window and the CLI
use, and prints each edit once it is committed. The round kills it with SIGKILL at a
random moment: while it opens the project (creating, migrating or rebuilding the
index), in the middle of an edit, or in an index commit. At the end the project is
opened once more and must pass ``check``, hold every acknowledged edit, and find each
surviving highlight by its note. Prints a JSON summary; exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEXT = ("Testimony on the Mérida Initiative\n\nCartels were laundering money through front "
        "companies.\n\nFentanyl seizures at the border doubled.\n")
QUOTES = ("Cartels", "laundering money", "front companies", "Fentanyl seizures", "border")


def writer(project: Path, seed: int) -> None:
    """The process that gets killed: edits forever, one acknowledged line per commit."""
    sys.path.insert(0, str(REPO))
    from app.library import Library

    rng = random.Random(seed)
    lib = Library.open(project)
    if not lib.documents():
        source = project.with_suffix(".txt")
        source.write_text(TEXT, encoding="utf-8")
        lib.import_file(source)
    doc = lib.documents()[0].id
    print("ready", flush=True)
    if rng.random() < 0.2:
        lib.reindex()  # killed in a rebuild now and then
    n = 0
    while True:
        n += 1
        roll = rng.random()
        mine = [a for a in lib.annotations(doc) if a.note.startswith(f"w{seed}n")]
        if roll < 0.15 and mine:
            victim = rng.choice(mine)
            print(f"deleting {victim.id} {victim.note}", flush=True)  # in flight: may be done or not
            lib.delete_annotation(victim.id)
            print(f"del {victim.id} {victim.note}", flush=True)
        elif roll < 0.25:
            lib.create_tag(f"T{rng.randrange(5)}/S{n}")
            print("tag", flush=True)
        else:
            start, end = lib.find_quote(doc, rng.choice(QUOTES))
            token = f"w{seed}n{n}"
            ann = lib.add_annotation(doc, start, end, [f"T{rng.randrange(5)}"], note=token)
            print(f"add {ann.id} {token}", flush=True)


def run(kills: int, seed: int, project: Path) -> dict[str, object]:
    rng = random.Random(seed)
    alive: dict[str, int] = {}  # acknowledged highlights: note -> id (ids of deleted rows are reused)
    deleted: set[str] = set()
    acknowledged = 0
    env = {**os.environ, "PYTHONFAULTHANDLER": ""}
    for round_ in range(kills):
        args = [sys.executable, __file__, "--writer", str(project), str(seed * 1000 + round_)]
        child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env, cwd=REPO)
        assert child.stdout is not None
        if round_ % 5 == 4:  # while it opens: creating, migrating, catching up, rebuilding
            time.sleep(rng.uniform(0.05, 0.8))
        else:
            line = child.stdout.readline()
            if line.strip() != "ready":
                detail = child.stderr.read() if child.stderr else ""
                raise SystemExit(f"writer did not start: {line!r} {detail}")
            time.sleep(rng.uniform(0.0, 0.5))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate()
        if child.returncode != -signal.SIGKILL:
            raise SystemExit(f"writer ended by itself ({child.returncode}): {err[-2000:]}")
        for line in out.splitlines():
            word, *rest = line.split()
            if word == "add":
                alive[rest[1]] = int(rest[0])
                acknowledged += 1
            elif word == "deleting":
                alive.pop(rest[1], None)  # whether it went before the kill is not known
            elif word == "del":
                deleted.add(rest[1])
                acknowledged += 1
    return verify(project, alive, deleted, kills, acknowledged)


def verify(project: Path, alive: dict[str, int], deleted: set[str], kills: int,
           acknowledged: int) -> dict[str, object]:
    sys.path.insert(0, str(REPO))
    from app.library import Library

    failures: list[str] = []
    with Library.open(project) as lib:
        problems = lib.check()
        failures += [f"check: {p}" for p in problems]
        present = {a.note: a.id for a in lib.annotations()}
        failures += [f"lost highlight {i} ({note})" for note, i in alive.items() if present.get(note) != i]
        failures += [f"deleted highlight ({note}) is back" for note in deleted if note in present]
        for note, ann_id in present.items():
            hits = {h.annotation_id for h in lib.search(note, kind="annotation", snippets=False)}
            if ann_id not in hits:
                failures.append(f"highlight {ann_id} ({note}) not found by search")
    return {"kills": kills, "acknowledged_edits": acknowledged, "highlights": len(alive),
            "failures": failures}


def main() -> int:
    if sys.argv[1:2] == ["--writer"]:
        writer(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--project", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DOSSIER_CACHE_DIR", str(Path(tmp) / "cache"))
        project = args.project or Path(tmp) / "killed.dossier"
        summary = run(args.kills, args.seed, project)
    print(json.dumps(summary))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
