"""Select text in the real reader, tag it through the picker, undo and redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT, type_text
from ui import dialogs
from ui.main_window import MainWindow
from ui.tag_picker import TagPicker


def select_by_keys(qtbot: QtBot, window: MainWindow, before: str, length: int) -> None:
    """Put the caret after ``before`` (found in the text) and Shift+Right ``length`` characters."""
    view = window.reader.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    start = TEXT.index(before) + len(before)
    # Right arrow moves one character (a whole surrogate pair for emoji).
    for _ in range(start):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def pick(qtbot: QtBot, window: MainWindow, tag: str, press: str = "H") -> TagPicker:
    qtbot.keyClick(window.reader.view, press)
    qtbot.waitUntil(lambda: window.picker is not None and window.picker.isVisible())
    picker = window.picker
    assert picker is not None
    type_text(picker.filter, tag)
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.isVisible())
    return picker


def test_keyboard_selection_after_emoji_highlights_exact_text(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    # "🚀🚀 Funding for Mérida": two astral characters precede the selection.
    select_by_keys(qtbot, window, "🚀🚀 Funding for ", len("Mérida"))
    assert window.reader.view.textCursor().selectedText() == "Mérida"
    pick(qtbot, window, "Places/México")
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 1)
    [ann] = window.lib.annotations()
    start = TEXT.index("🚀🚀 Funding for ") + len("🚀🚀 Funding for ")
    assert (ann.start, ann.end, ann.quote) == (start, start + 6, "Mérida")
    assert ann.tags == ("Places/México",)
    # The reader paints it, the list shows it and the inspector holds it.
    qtbot.waitUntil(lambda: len(window.reader.view.extraSelections()) == 1)
    assert window.highlights.model.rowCount() == 1
    assert window.inspector.annotation is not None and window.inspector.annotation.id == ann.id


def test_mouse_selection_after_astral_text(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    view = window.reader.view
    text = "report"
    start = TEXT.index(text)
    cursor = QTextCursor(view.document())

    def point(cp: int) -> QPoint:
        cursor.setPosition(view.map.to_qt(cp))
        return view.cursorRect(cursor).center()

    a, b = point(start), point(start + len(text))
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(b), QPointF(viewport.mapToGlobal(b)),
                       Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, move)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
    assert view.textCursor().selectedText() == text
    pick(qtbot, window, "Reports")
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 1)
    [ann] = window.lib.annotations()
    assert (ann.start, ann.end, ann.quote) == (start, start + len(text), text)


def test_picker_filters_existing_tags_and_creates_new(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    window.lib.create_tag("Drugs/Fentanyl")
    window.lib.create_tag("Finance")
    select_by_keys(qtbot, window, "", len("Hearing"))
    picker = pick(qtbot, window, "fent")  # a filter, not a name: picks Drugs/Fentanyl
    assert picker.chosen == ["Drugs/Fentanyl"]
    select_by_keys(qtbot, window, "cartels were ", len("laundering"))
    pick(qtbot, window, "Drug")  # typing filters: Enter takes the first row, "Drugs"
    select_by_keys(qtbot, window, "Peña said the ", 1)
    qtbot.keyClick(window.reader.view, "H")
    qtbot.waitUntil(lambda: window.picker is not None and window.picker.isVisible())
    new_picker = window.picker
    assert new_picker is not None
    type_text(new_picker.filter, "Drug")
    qtbot.keyClick(new_picker.filter, Qt.Key.Key_Down)  # move onto "＋ Create tag “Drug”"
    qtbot.keyClick(new_picker.filter, Qt.Key.Key_Down)
    qtbot.keyClick(new_picker.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 3)
    assert sorted(t for a in window.lib.annotations() for t in a.tags) == [
        "Drug", "Drugs", "Drugs/Fentanyl"]


def test_favourite_keys_and_last_tag(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    select_by_keys(qtbot, window, "", len("Hearing"))
    pick(qtbot, window, "Alpha")
    select_by_keys(qtbot, window, "Hearing on the ", len("Mérida"))
    pick(qtbot, window, "Beta")
    select_by_keys(qtbot, window, "cartels were ", len("laundering"))
    qtbot.keyClick(window.reader.view, "1")  # favourites keep the order of first use: 1 = Alpha
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 3)
    select_by_keys(qtbot, window, "Peña said ", len("the"))
    qtbot.keyClick(window.reader.view, "R")  # the last tag applied (Alpha, by key 1)
    select_by_keys(qtbot, window, "Peña ", len("said"))
    qtbot.keyClick(window.reader.view, "2")
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 5)
    by_quote = {a.quote: a.tags for a in window.lib.annotations()}
    assert by_quote["laundering"] == ("Alpha",)
    assert by_quote["the"] == ("Alpha",)
    assert by_quote["said"] == ("Beta",)


def test_undo_redo_create_edit_delete(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    select_by_keys(qtbot, window, "", len("Hearing"))
    pick(qtbot, window, "Start")
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 1)
    undo_key = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    redo_key = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window, *undo_key)
    qtbot.waitUntil(lambda: window.lib.annotations() == [])
    assert [t.path for t in window.lib.tags()] == []  # the tag it created went too
    qtbot.keyClick(window, *redo_key)
    qtbot.waitUntil(lambda: len(window.lib.annotations()) == 1)
    [ann] = window.lib.annotations()
    assert ann.tags == ("Start",)

    # Edit in the inspector: a tag chip added, a note, a colour; each undoable.
    window.select_annotation(ann.id)
    inspector = window.inspector
    qtbot.keyClicks(inspector.add_tag, "Extra")
    qtbot.keyClick(inspector.add_tag, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).tags == ("Extra", "Start"))
    inspector.note.setFocus()
    type_text(inspector.note, "Nota: revisar cifras")
    qtbot.keyClick(inspector.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).note == "Nota: revisar cifras")
    inspector.color.setFocus()
    inspector.color.setCurrentIndex(inspector.color.findData("red"))
    inspector.color.activated.emit(inspector.color.currentIndex())
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).color == "red")
    assert [window.undo_stack.text(i) for i in range(window.undo_stack.count())] == [
        "Add highlight", "Add tag", "Edit note", "Change colour"]
    qtbot.keyClick(window, *undo_key)
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).color != "red")
    qtbot.keyClick(window, *undo_key)
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).note == "")
    qtbot.keyClick(window, *undo_key)
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).tags == ("Start",))
    qtbot.keyClick(window, *redo_key)
    qtbot.waitUntil(lambda: window.lib.annotation(ann.id).tags == ("Extra", "Start"))

    # Delete from the inspector, then undo brings back the same highlight.
    qtbot.mouseClick(inspector.delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.lib.annotations() == [])
    qtbot.keyClick(window, *undo_key)
    qtbot.waitUntil(lambda: [a.id for a in window.lib.annotations()] == [ann.id])
    assert window.lib.wait_for_index(10)
    assert window.lib.check() == []


def test_clicking_a_highlight_selects_it(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    start = TEXT.index("laundering")
    ann = window.lib.add_annotation(window.reader.view.doc_id or 0, start, start + 10, ["Money"], note="n")
    qtbot.waitUntil(lambda: len(window.reader.view.extraSelections()) == 1)
    view = window.reader.view
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.map.to_qt(start + 3))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())
    qtbot.waitUntil(lambda: window.inspector.annotation is not None)
    assert window.inspector.annotation is not None and window.inspector.annotation.id == ann.id
    chips = [c.text() for c in window.inspector.chips.findChildren(type(window.inspector.delete), "tagChip")]
    assert chips == ["Money  ×"]


def test_delete_document_with_confirmation_and_undo(doc_window: MainWindow, qtbot: QtBot,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    window = doc_window
    doc_id = window.reader.view.doc_id
    assert doc_id is not None
    window.lib.add_annotation(doc_id, 0, 7, ["T"])
    monkeypatch.setattr(dialogs, "confirm", lambda *a: False)
    window.library_panel.view.setFocus()
    qtbot.keyClick(window.library_panel.view, Qt.Key.Key_Delete)
    assert len(window.lib.documents()) == 1
    monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
    qtbot.keyClick(window.library_panel.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 0)
    assert window.reader.view.doc_id is None
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 1)
    assert len(window.lib.annotations(doc_id)) == 1


def test_edit_metadata_dialog(doc_window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = doc_window
    doc_id = window.reader.view.doc_id
    assert doc_id is not None
    monkeypatch.setattr(dialogs.MetadataDialog, "ask", classmethod(
        lambda cls, parent, doc: {"title": "Senate hearing", "author": "Senado", "published": "2024-03-12",
                                  "source": None}))
    window.library_panel.view.setFocus()
    qtbot.keyClick(window.library_panel.view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: "Senate hearing" in window.reader.header.text())
    assert window.lib.document(doc_id).author == "Senado"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lib.document(doc_id).author is None)
