"""Reading comfort (issue 21): lines of about 75 characters, centred, at any window width;
the reader's font and size chosen with keys and remembered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


def test_lines_keep_a_readable_measure(doc_window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    window = doc_window
    long = tmp_path / "long.txt"
    long.write_text("Long\n\n" + "Seizures of fentanyl rose again at the ports of entry. " * 40, encoding="utf-8")
    doc = window.lib.import_file(long).id
    assert doc is not None
    window.show_document(doc)
    view = window.reader.view
    for width in (1920, 1366, 900):
        window.resize(width, 800)
        qtbot.wait(30)
        chars = view.viewport().width() / view.fontMetrics().averageCharWidth()
        assert chars <= 84, (width, chars)
        margins = view.viewportMargins()
        assert abs(margins.left() - margins.right()) <= 1  # centred
        assert view.horizontalScrollBar().maximum() == 0  # wrapped at the new width
    window.resize(1920, 800)
    qtbot.wait(30)
    assert view.viewportMargins().left() > 100


def test_reader_font_size_is_remembered(doc_window: MainWindow, make_window: Callable[[], MainWindow],
                                        qtbot: QtBot) -> None:
    window = doc_window
    view = window.reader.view
    view.setFocus()
    before = view.font().pointSizeF()
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.view.font().pointSizeF() == before + 2
    window.close()
    again = make_window()
    assert again.reader.view.font().pointSizeF() == before + 2
