"""Opening a hit or an excerpt in another document brings the library and the inspector
along (issue 21)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT, type_text
from ui.library_panel import ID_ROLE
from ui.main_window import MainWindow


def test_library_and_inspector_follow_an_opened_hit(doc_window: MainWindow, qtbot: QtBot,
                                                    tmp_path: Path) -> None:
    window = doc_window
    lib = window.lib
    first = window.reader.view.doc_id
    assert first is not None
    start = TEXT.index("laundering")
    mine = lib.add_annotation(first, start, start + len("laundering"), ["Finance"])
    window.select_annotation(mine.id)
    assert window.inspector.annotation is not None and window.inspector.annotation.id == mine.id

    other = tmp_path / "ports.txt"
    other.write_text("Ports\n\nSeizures of synthetic opioids at seaports doubled.\n", encoding="utf-8")
    second = lib.import_file(other).id
    assert second is not None
    assert lib.wait_for_index(10)

    with qtbot.waitSignal(window.search.searched, timeout=5000):
        type_text(window.search.box, "seaports")
    results = window.search.results
    results.setFocus()
    results.setCurrentRow(0)
    qtbot.keyClick(results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.reader.view.doc_id == second)
    view = window.library_panel.view
    assert window.library_panel.current_id() == second
    rows = view.selectionModel().selectedRows()
    assert [int(i.data(ID_ROLE)) for i in rows] == [second]  # no stale row stays selected
    assert window.inspector.annotation is None  # not the other document's highlight

    theirs = lib.add_annotation(second, 0, 5, ["Places"])
    window.open_annotation(first, mine.id)
    assert window.library_panel.current_id() == first
    window.open_annotation(second, theirs.id)
    assert window.library_panel.current_id() == second
    assert window.inspector.annotation is not None and window.inspector.annotation.id == theirs.id
