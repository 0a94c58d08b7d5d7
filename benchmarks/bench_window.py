"""The window's start, quit and memo preview (issue 21), on 2 cores.

- first window: from starting the interpreter to the window on screen, a new project
  ("cold": created, its index made) and the same project again ("warm");
- quit: from closing the window to the process's end;
- preview: from a keystroke in an excerpt's commentary to the page beside it showing it,
  in a briefing of 100 excerpts (its citations already rendered once).
The reference is the interpreter starting and importing PySide6's widgets, in the same run.

usage: python benchmarks/bench_window.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import emit, git_rev, percentiles

REPO = Path(__file__).resolve().parents[1]
START = r"""
import sys, time, os
t0 = float(sys.argv[2])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from pathlib import Path
from ui.application import open_library
from ui.main_window import MainWindow
from ui.settings import Settings
lib = open_library(Path(sys.argv[1]))
window = MainWindow(lib, Settings(Path(sys.argv[1]).with_suffix(".ini")))
window.show()
app.processEvents()
shown = time.time() - t0
def leave():
    global closing
    closing = time.time()
    window.close()
    app.quit()
QTimer.singleShot(50, leave)
app.exec()
print(shown, closing, flush=True)
"""
REFERENCE = "import PySide6.QtWidgets"


def timed_start(project: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first window, seconds to quit)."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", START, str(project), repr(t0)], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True, timeout=120).stdout.split()
    ended = time.time()
    return float(out[0]), ended - float(out[1])


def preview_latency(tmp: Path, excerpts: int, samples: int) -> list[float]:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import random

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.library import Library
    from benchmarks.corpus import document
    from ui.main_window import MainWindow
    from ui.settings import Settings
    app = QApplication.instance() or QApplication([])
    rng = random.Random(3)
    lib = Library.open(tmp / "preview.dossier", background_index=True)
    ids = []
    with lib.deferred_indexing():
        for n in range(10):
            text, _ = document(rng, n, 20_000)
            (tmp / f"p{n}.txt").write_text(text, encoding="utf-8")
            doc = lib.import_file(tmp / f"p{n}.txt").id
            assert doc is not None
            for _ in range(excerpts // 10):
                start = text.index(" ", rng.randrange(len(text) - 400)) + 1
                ids.append(lib.add_annotation(doc, start, text.index(" ", start + 120), ["Bench"]).id)
    brief = lib.create_briefing("Preview benchmark")
    lib.add_items(brief.id, ids, section="All")
    window = MainWindow(lib, Settings(tmp / "preview.ini"))
    window.resize(1366, 768)
    window.show()
    window.modes.setCurrentIndex(1)
    editor = window.briefings.editor
    window.briefings.refresh(select=brief.id)
    editor.outline.setCurrentItem(editor.outline.topLevelItem(0).child(0))
    deadline = time.perf_counter() + 60
    while editor.preview_shown_at == 0 and time.perf_counter() < deadline:  # first page: citations rendered
        app.processEvents()
    editor.commentary.setFocus()
    latencies = []
    for n in range(samples):
        before = editor.preview_shown_at
        start = time.perf_counter()
        QTest.keyClick(editor.commentary, Qt.Key.Key_A)
        word = editor.commentary.toPlainText()
        while editor.preview_shown_at == before and time.perf_counter() - start < 10:
            app.processEvents()
            time.sleep(0.001)
        assert word in editor.preview.toPlainText() or n == 0
        latencies.append((editor.preview_shown_at - start) * 1000)
        time.sleep(0.05)
    window.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--excerpts", type=int, default=100)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dossier-window-"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DOSSIER_CACHE_DIR": str(tmp / "cache"),
           "DOSSIER_DATA_DIR": str(tmp / "data")}
    reference = []
    for _ in range(args.runs):
        t0 = time.time()
        subprocess.run([sys.executable, "-c", REFERENCE], env=env, check=True)
        reference.append(time.time() - t0)
    cold, warm, quit_ = [], [], []
    for n in range(args.runs):
        project = tmp / f"w{n}.dossier"
        shown, left = timed_start(project, env)
        cold.append(shown)
        quit_.append(left)
        shown, left = timed_start(project, env)
        warm.append(shown)
        quit_.append(left)
    os.environ.update({k: env[k] for k in ("DOSSIER_CACHE_DIR", "DOSSIER_DATA_DIR")})
    latencies = preview_latency(tmp, args.excerpts, 20)
    ms = lambda xs: percentiles([x * 1000 for x in xs])  # noqa: E731
    figures = {
        "first_window_cold_ms": ms(cold), "first_window_warm_ms": ms(warm), "quit_ms": ms(quit_),
        "reference_import_qt_ms": ms(reference),
        "warm_vs_reference": round(sorted(warm)[len(warm) // 2] / sorted(reference)[len(reference) // 2], 2),
        "preview_after_keystroke_ms": percentiles(latencies[1:]),
        "targets": {"first_window_warm_ms": 1500, "quit_ms": 500, "preview_p95_ms": 150},
    }
    emit("window", {"commit": git_rev(), "runs": args.runs, "excerpts": args.excerpts, **figures})
    json.dumps(figures)


if __name__ == "__main__":
    main()
