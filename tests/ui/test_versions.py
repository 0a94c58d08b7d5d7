"""A new version of a source in the window (issue 19): File ▸ Import New Version…, undo,
the orphaned-highlights review list, and a saved page's furniture note."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QTextCursor
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT
from ui.main_window import MainWindow
from ui.orphans_dialog import OrphansDialog

NEW_TEXT = (
    "Hearing on the Mérida Initiative\n\n"
    "A paragraph added at the top of the corrected edition.\n\n"
    "🚀🚀 Funding for Mérida rose while cartels were laundering money.\n\n"
    "The witness later added that the figures were provisional.\n"
)


def test_import_new_version_then_undo_and_place_the_orphan(
        doc_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = doc_window
    lib = window.lib
    doc = window.doc_id
    assert doc is not None
    kept = lib.add_annotation(doc, *lib.find_quote(doc, "cartels were laundering money"), ["Finance"])
    lost = lib.add_annotation(doc, *lib.find_quote(doc, "report was late"), ["Delays"])
    new = tmp_path / "hearing-v2.txt"
    new.write_text(NEW_TEXT, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(new), ""))

    window.findChild(QAction, "reimportAction").trigger()

    qtbot.waitUntil(lambda: "corrected edition" in window.reader.view.toPlainText())
    assert lib.document(doc).version == 2
    body = QTextCursor(window.reader.view.document())
    body.setPosition(window.reader.view.toPlainText().index("cartels") + 1)
    assert body.charFormat().fontWeight() != QFont.Weight.Bold  # the title's format stayed on the title
    row = window.highlights.model.display(lib.annotation(lost.id))[0]
    assert row.startswith("(orphaned)")
    assert "1 orphaned" in window.statusBar().currentMessage()
    dialog = window.findChild(OrphansDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.list.count() == 1 and "report was late" in dialog.list.item(0).text()
    moved = lib.annotation(kept.id)
    assert lib.document_text(doc)[moved.start:moved.end] == "cartels were laundering money"
    painted = [a.id for a in window.reader.view.annotations]
    assert painted == [kept.id]  # the orphan has no place to be painted

    # Place the orphan on a selection, with the dialog's button.
    start, end = lib.find_quote(doc, "figures were provisional")
    window.reader.view.select_span(start, end)
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.count() == 0)
    assert lib.annotation(lost.id).quote == "figures were provisional"

    # Undo twice: the placing, then the new version.
    window.undo_stack.undo()
    assert lib.annotation(lost.id).orphaned
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: window.reader.view.toPlainText() == TEXT.strip())
    assert lib.document(doc).version == 1
    assert lib.annotation(lost.id).quote == "report was late" and not lib.annotation(lost.id).orphaned
    window.undo_stack.redo()  # the same bytes again, even if the file were gone
    qtbot.waitUntil(lambda: lib.document(doc).version == 2)


def test_a_saved_page_shows_what_was_set_aside(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("\n".join([
        "Skip to main content", "Menu", "Home > News > Releases", "Agency Announces New Border Rules",
        "Release Date: May 5, 2020",
        "The agency announced new rules for commercial crossings at every port of entry, officials said.",
        "Was this page helpful?", "Yes", "No"]), encoding="utf-8")
    doc = window.lib.import_file(page).id
    assert doc is not None
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 1)
    window.library_panel.select(doc)
    qtbot.waitUntil(lambda: window.reader.view.doc_id == doc)
    note, furniture = window.reader.furniture_note, window.reader.furniture
    assert note.isVisible() and not furniture.isVisible()
    assert "set aside" in note.text()
    assert "Skip to main content" not in window.reader.view.toPlainText()
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    assert furniture.isVisible() and "Skip to main content" in furniture.toPlainText()
    assert "Agency Announces New Border Rules" in window.reader.header.text()
