"""GUI fixtures: a real main window on a real project, settings kept off disk."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.library import Library
from ui.main_window import MainWindow
from ui.settings import Settings

TEXT = (
    "Hearing on the Mérida Initiative\n\n"
    "🚀🚀 Funding for Mérida rose while cartels were laundering money.\n\n"
    "Peña said the 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 report was late.\n"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def make_window(qtbot: QtBot, settings: Settings, project_path: Path) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(Library.open(project_path, background_index=True), settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()


@pytest.fixture
def window(make_window: Callable[[], MainWindow]) -> MainWindow:
    return make_window()


@pytest.fixture
def doc_window(window: MainWindow, tmp_path: Path, qtbot: QtBot) -> MainWindow:
    path = tmp_path / "hearing.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = window.lib.import_file(path)
    assert result.id is not None
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 1)
    window.library_panel.view.setFocus()
    window.library_panel.select(result.id)
    qtbot.waitUntil(lambda: window.reader.view.doc_id == result.id)
    return window


def type_text(widget: QWidget, text: str) -> None:
    """Type any text, accents included, with key events that carry it.

    (``qtbot.keyClicks`` with non-ASCII text aborts inside Qt 6.12's qasciikey.cpp.)
    """
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def drop(widget: QWidget, mime: QMimeData, pos: QPoint | None = None) -> None:
    """Drag ``mime`` onto ``widget`` and drop it: enter, move, drop, as Qt delivers them."""
    point = pos or QPoint(10, 10)
    args = (Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    with warnings.catch_warnings():  # PySide6 marks these constructors deprecated; Qt has no other
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.sendEvent(widget, QDragEnterEvent(point, *args))
        QApplication.sendEvent(widget, QDragMoveEvent(point, *args))
        QApplication.sendEvent(widget, QDropEvent(point.toPointF(), *args))
