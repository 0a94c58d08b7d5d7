"""The window opens, has its named parts, remembers its layout and recent projects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import drop
from ui.main_window import MainWindow

NAMES = ["libraryView", "readerView", "inspector", "tagTree", "annotationList", "searchBox",
         "searchResults", "briefingEditor"]


def test_opens_with_named_widgets_and_closes(window: MainWindow) -> None:
    for name in NAMES:
        assert window.findChild(QWidget, name) is not None, name
    assert window.windowTitle().startswith("test")
    assert window.close()


def test_layout_and_recent_projects_are_remembered(make_window: Callable[[], MainWindow],
                                                   project_path: Path, qtbot: QtBot) -> None:
    first = make_window()
    first.resize(640, 480)  # offscreen screens are 800x600: a stored size must fit
    qtbot.waitUntil(lambda: first.width() == 640)
    size = first.size()
    first.tags_dock.hide()
    first.close()
    second = make_window()
    assert second.size() == size
    assert not second.tags_dock.isVisible()
    assert str(project_path.resolve()) in second.settings.recent_projects()
    assert [a.text() for a in second.recent_menu.actions()] == [str(project_path.resolve())]


def test_dropping_files_on_the_library_imports_them(window: MainWindow, tmp_path: Path, qtbot: QtBot) -> None:
    good = tmp_path / "note.md"
    good.write_text("# Field note\n\nSeizures near Mérida.\n")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(good)), QUrl.fromLocalFile(str(bad))])
    with qtbot.waitSignal(window.library_panel.files_dropped):
        drop(window.library_panel, mime)
    job = window.tasks.latest()
    if job is not None and job.isRunning():
        with qtbot.waitSignal(job.finished, timeout=20000):
            pass
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(lambda: window.reader.view.doc_id is not None)
    assert "Seizures near Mérida." in window.reader.view.toPlainText()
    assert "broken.pdf" in window.statusBar().currentMessage() or "1 failed" in window.statusBar().currentMessage()


@pytest.mark.parametrize("parallel", [False, True])
def test_rebuild_search_index_from_the_window(doc_window: MainWindow, qtbot: QtBot, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, parallel: bool) -> None:
    """In process for small projects; spawned worker processes (safe beside Qt) for large ones."""
    import app.rebuild

    window = doc_window
    spawned: list[int] = []
    if parallel:
        monkeypatch.setattr(app.rebuild, "PARALLEL_MIN_CHARS", 0)
        in_workers = app.rebuild._in_workers
        monkeypatch.setattr(app.rebuild, "_in_workers",
                            lambda *args, procs: spawned.append(procs) or in_workers(*args, procs=procs))
        second = tmp_path / "second.txt"
        second.write_text("Second report\n\nExtradition requests were delayed.\n", encoding="utf-8")
        assert window.lib.import_file(second).status == "imported"
    assert window.lib.wait_for_index(10)
    worker = window.reindex()
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    assert "Search index rebuilt" in window.statusBar().currentMessage()
    assert window.lib.search("Mérida", kind="passage")
    assert window.lib.check() == []
    assert spawned == ([2] if parallel else [])


def test_a_failed_index_update_is_shown_in_the_status_bar(doc_window: MainWindow, qtbot: QtBot,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The background writer's failures reach the window: searches may miss recent edits."""
    import errno

    from storage.index import SearchIndex

    def full_disk(self: SearchIndex, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.folder))

    monkeypatch.setattr(SearchIndex, "apply", full_disk)
    doc = doc_window.reader.view.doc_id
    assert doc is not None
    doc_window.lib.add_annotation(doc, 0, 5)
    qtbot.waitUntil(lambda: "search index update failed" in doc_window.statusBar().currentMessage(),
                    timeout=10000)
    message = doc_window.statusBar().currentMessage()
    assert "No space left on device" in message and str(doc_window.lib._index.folder) in message


def test_the_default_window_fits_the_screen() -> None:
    from PySide6.QtCore import QSize

    from ui.main_window import default_size

    assert default_size(QSize(1366, 736)) == QSize(1350, 704)  # a laptop's free area
    assert default_size(QSize(1920, 1040)) == QSize(1400, 880)


def test_undo_has_a_limit(window: MainWindow) -> None:
    assert window.undo_stack.undoLimit() == 200


def test_closing_cancels_and_waits_for_every_job(window: MainWindow, qtbot: QtBot) -> None:
    """One task runner knows every job: closing cancels all of them, not only the latest."""
    import time

    from ui.workers import run_with_progress

    def endless(progress: object) -> None:
        while progress(0, 0, "working"):  # type: ignore[operator]
            time.sleep(0.01)

    jobs = [window.tasks.track(run_with_progress(window, f"Job {n}", endless)) for n in range(3)]
    qtbot.waitUntil(lambda: all(j.isRunning() for j in jobs))
    assert window.tasks.running == jobs
    window.close()
    assert not any(j.isRunning() for j in jobs) and all(j.cancelled for j in jobs)
