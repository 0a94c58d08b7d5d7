"""Keys that mean one thing (issue 21): both redo keys, Down from the search box to the
results, F3 and Shift+F3 between matches, and the shortcut sheet."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import undo
from tests.ui.conftest import TEXT, type_text
from ui.main_window import MainWindow
from ui.shortcuts import ShortcutSheet


def test_redo_on_ctrl_shift_z_and_ctrl_y(doc_window: MainWindow, qtbot: QtBot,
                                         qtlog: pytest.LogCaptureFixture) -> None:
    window = doc_window
    lib = window.lib
    assert window.push(undo.TagEdit("Create tag", lambda lib: lib.create_tag("Ports")))
    names = lambda: [t.path for t in lib.tags()]  # noqa: E731
    for redo_key, redo_mods in ((Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
                                (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "Ports" not in names())
        qtbot.keyClick(window, redo_key, redo_mods)
        qtbot.waitUntil(lambda: "Ports" in names())
    assert not [r for r in qtlog.records if "Ambiguous" in r.message]


def test_down_from_the_search_box_and_f3_between_matches(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    assert window.lib.wait_for_index(10)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.search.searched, timeout=5000):
        type_text(window.search.box, "merida")
    qtbot.keyClick(window.search.box, Qt.Key.Key_Down)
    results = window.search.results
    assert results.hasFocus() and results.currentRow() == 0
    qtbot.keyClick(results, Qt.Key.Key_Return)
    view = window.reader.view
    qtbot.waitUntil(lambda: bool(view._marks))
    marks = sorted(view._marks)
    assert len(marks) >= 2 and all(TEXT[a:b].lower() == "mérida" for a, b in marks)
    first = view.next_match(1)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    second = view.map.from_qt(view.textCursor().position())
    assert second in {m[0] for m in marks} and second != first[0]
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert view.map.from_qt(view.textCursor().position()) == first[0]


def test_the_shortcut_sheet_lists_every_actions_keys(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    seen: dict[str, str] = {}

    def read_and_close() -> None:
        sheet = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ShortcutSheet) and w.isVisible())
        seen.update(sheet.shortcuts())
        sheet.reject()

    QTimer.singleShot(200, read_and_close)
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen))
    assert "Ctrl+Y" in seen["Redo"] and "Ctrl+Shift+Z" in seen["Redo"]
    assert "F3" in seen["Next Match"] and seen["Find (quick)"] == "Ctrl+K"
    assert "Go to the search results" in seen
