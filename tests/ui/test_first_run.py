"""A first run that teaches (issue 21): an empty project says what to do next and offers
the sample project, which opens with its documents and briefing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.paths import sample_project_path
from ui.main_window import MainWindow


def test_empty_state_offers_the_sample_project(window: MainWindow, qtbot: QtBot) -> None:
    reader = window.reader
    assert reader.empty.isVisible() and not reader.view.isVisible()
    assert not sample_project_path().exists()
    qtbot.mouseClick(reader.sample_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.lib.path == sample_project_path())
    assert sample_project_path().exists()
    assert reader.view.isVisible() and not reader.empty.isVisible()
    assert window.reader.view.doc_id is not None
    assert window.library_panel.model.rowCount() == 2
    assert window.briefings.current_id() is not None
