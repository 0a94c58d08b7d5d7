"""A rebuild the user never waits on (issue 23): the window opens at once on a project
whose index must be rebuilt, search says "indexing…" meanwhile and answers when ready."""

from __future__ import annotations

import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.library import Library
from app.paths import index_folder
from storage.index.folder import IndexLock
from tests.ui.conftest import type_text
from ui.main_window import MainWindow
from ui.settings import Settings


def test_the_window_opens_while_the_index_is_rebuilt(qtbot: QtBot, tmp_path: Path, project_path: Path,
                                                      settings: Settings) -> None:
    with Library.open(project_path) as lib:
        for n in range(5):
            source = tmp_path / f"d{n}.txt"
            source.write_text(f"Report {n}\n\nSeizures at seaport {n} doubled this year.\n", encoding="utf-8")
            assert lib.import_file(source).id is not None
        uuid = lib.uuid
    folder = index_folder(uuid)
    for path in folder.iterdir():
        path.unlink()  # the index is gone: it must be rebuilt
    held = IndexLock(folder)
    with held.held(1):  # another process is writing the index: the rebuild has to wait
        start = time.perf_counter()
        window = MainWindow(Library.open(project_path, background_index=True), settings)
        opened = time.perf_counter() - start
        qtbot.addWidget(window)
        window.show()
        assert opened < 5  # did not wait for the index
        assert window.lib.indexing is not None
        with qtbot.waitSignal(window.search.failed, timeout=5000) as blocker:
            type_text(window.search.box, "seaport")
        assert "indexing…" in blocker.args[0]
    with qtbot.waitSignal(window.search.searched, timeout=20000) as found:
        pass  # the rebuild ends, and the search runs again by itself
    assert found.args[0] == 5
    assert window.lib.indexing is None and window.lib.check() == []
    window.close()
