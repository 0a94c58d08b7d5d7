"""Favourite keys you can see, that follow renames and merges (issue 21)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import undo
from tests.ui.conftest import TEXT
from ui.main_window import MainWindow


def test_favourite_keys_follow_renames_and_merges(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    lib = window.lib
    doc = window.reader.view.doc_id
    assert doc is not None
    bar = window.favourites
    assert bar.shown() == ["1 —"]

    start = TEXT.index("laundering")
    window.reader.view.select_span(start, start + len("laundering"))
    window.reader.view.setFocus()
    qtbot.keyClick(window.reader.view, Qt.Key.Key_1)
    assert "No favourite tag 1" in window.statusBar().currentMessage()

    lib.create_tag("Finance")
    lib.create_tag("Places")
    lib.set_favourite(1, "Finance")
    qtbot.waitUntil(lambda: bar.buttons[0].text() == "1 Finance")

    assert window.push(undo.TagEdit("Rename tag", lambda lib: lib.rename_tag("Finance", "Money")))
    qtbot.waitUntil(lambda: bar.buttons[0].text() == "1 Money")
    window.reader.view.select_span(start, start + len("laundering"))
    window.reader.view.setFocus()
    qtbot.keyClick(window.reader.view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: len(lib.annotations(doc)) == 1)
    assert lib.annotations(doc)[0].tags == ("Money",)
    assert "Finance" not in [t.path for t in lib.tags()]  # not made again under its old name

    assert window.push(undo.TagEdit("Merge tags", lambda lib: lib.merge_tags("Money", "Places")))
    qtbot.waitUntil(lambda: bar.buttons[0].text() == "1 Places")
    assert bar.shown() == ["1 Places", "2 —"]
