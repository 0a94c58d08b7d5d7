"""Reader: open a 1 MB document carrying 1,000 highlights; keypress to painted highlight.

usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_reader.py [--chars 1000000] [--highlights 1000]
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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.library import Library
from benchmarks.corpus import document, emit, git_rev, percentiles
from ui.main_window import MainWindow
from ui.settings import Settings


def main() -> None:
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1, all_threads=True)
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=1_000_000)
    parser.add_argument("--highlights", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dossier-reader-"))
    os.environ["DOSSIER_CACHE_DIR"] = str(tmp / "cache")
    rng = random.Random(3)
    text, _lang = document(rng, 1, args.chars)
    text = "🚀 " + text  # an astral character up front, so every offset needs converting
    (tmp / "big.txt").write_text(text, encoding="utf-8")
    lib = Library.open(tmp / "reader.dossier")
    doc_id = lib.import_file(tmp / "big.txt").id
    assert doc_id is not None
    body = lib.document_text(doc_id)
    with lib.deferred_indexing():
        for i in range(args.highlights):
            start = body.find(" ", rng.randrange(len(body) - 200)) + 1
            lib.add_annotation(doc_id, start, start + rng.randint(20, 120), [f"Tag{i % 12}"])
    lib.close()

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Library.open(tmp / "reader.dossier", background_index=True), Settings(tmp / "s.ini"))
    window.resize(1400, 900)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    view = window.reader.view

    opens = []
    for _ in range(5):
        window.doc_id = None
        start = time.perf_counter()
        window.show_document(doc_id)
        view.viewport().repaint()
        opens.append((time.perf_counter() - start) * 1000)

    scrolls = []
    for _ in range(30):
        start = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_PageDown)
        view.viewport().repaint()
        scrolls.append((time.perf_counter() - start) * 1000)

    # Keypress to painted highlight: select a word, press R (last tag), wait for the paint.
    window.last_tags = ["Tag0"]
    window.activateWindow()
    view.setFocus()
    presses = []
    for i in range(20):
        word_start = body.index(" ", 1000 + i * 5000) + 1
        view.select_span(word_start, body.index(" ", word_start))
        before = len(view.annotations)
        start = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_R)
        deadline = time.perf_counter() + 10
        while len(view.annotations) == before:
            if time.perf_counter() > deadline:
                raise SystemExit(f"no highlight appeared: {window.statusBar().currentMessage()!r} "
                                 f"stored={len(window.lib.annotations(doc_id))} shown={len(view.annotations)} before={before}")
            app.processEvents()
        view.viewport().repaint()
        presses.append((time.perf_counter() - start) * 1000)
    window.close()
    emit("reader", {
        "commit": git_rev(),
        "document_chars": len(body),
        "highlights": args.highlights,
        "open_ms": percentiles(opens),
        "page_down_repaint_ms": percentiles(scrolls),
        "keypress_to_painted_highlight_ms": percentiles(presses),
    })


if __name__ == "__main__":
    main()
