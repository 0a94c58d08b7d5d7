"""Dates typed in the document details dialog (issue 21): common forms stored as ISO,
anything else refused with a message and the old date kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui import dialogs
from ui.main_window import MainWindow


def _fill_published(qtbot: QtBot, typed: str) -> None:
    def fill() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, dialogs.MetadataDialog) and w.isVisible())
        field = dialog.edits["published"]
        field.selectAll()
        qtbot.keyClicks(field, typed)
        qtbot.keyClick(field, Qt.Key.Key_Return)  # the dialog's default button: OK

    QTimer.singleShot(100, fill)


def test_published_dates_in_the_dialog(doc_window: MainWindow, qtbot: QtBot,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    window = doc_window
    doc = window.reader.view.doc_id
    assert doc is not None
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, _t, text: errors.append(text))
    _fill_published(qtbot, "April 2, 2014")
    window.edit_document(doc)
    qtbot.waitUntil(lambda: window.lib.document(doc).published == "2014-04-02")
    _fill_published(qtbot, "sometime in spring")
    window.edit_document(doc)
    qtbot.waitUntil(lambda: bool(errors))
    assert "not a date" in errors[0] and window.lib.document(doc).published == "2014-04-02"
