"""The briefing editor's memo controls (issue 20): citation style, memo language and a
trimmed excerpt, driven by keys and checked in the project and the preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QFileDialog
from pytestqt.qtbot import QtBot

from app.domain import BriefingInfo
from tests.cli.test_house_styles import house_style
from tests.ui.conftest import TEXT, type_text
from ui import dialogs
from ui.main_window import MainWindow


def _choose(qtbot: QtBot, combo: QComboBox, value: str) -> None:
    combo.setFocus()
    target = combo.findData(value)
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(target - combo.currentIndex())):
        qtbot.keyClick(combo, key)


QUOTE = "Funding for Mérida rose while cartels were laundering money."


def _open_briefing(window: MainWindow, qtbot: QtBot, copies: int) -> BriefingInfo:
    """A briefing quoting the open document ``copies`` times, shown in the workspace."""
    doc = window.reader.view.doc_id
    assert doc is not None
    start = TEXT.index(QUOTE)
    ann = window.lib.add_annotation(doc, start, start + len(QUOTE), ["Finance"])
    briefing = window.lib.create_briefing("Weekly")
    window.lib.add_items(briefing.id, [ann.id] * copies, section="Money")
    window.modes.setCurrentIndex(1)  # the briefing workspace
    window.briefings.refresh(select=briefing.id)
    qtbot.waitUntil(lambda: window.briefings.editor.outline.topLevelItemCount() == 1)
    return briefing


def test_style_language_and_trim_from_the_editor(doc_window: MainWindow, qtbot: QtBot,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window = doc_window
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, _title, text: errors.append(text))
    lib = window.lib
    quote = QUOTE
    briefing = _open_briefing(window, qtbot, 1)
    editor = window.briefings.editor

    _choose(qtbot, editor.style_choice, "apa")
    qtbot.waitUntil(lambda: lib.briefing(briefing.id).style == "apa")
    _choose(qtbot, editor.language_choice, "es")
    qtbot.waitUntil(lambda: lib.briefing(briefing.id).language == "es")
    # The outline quotes as the memo does, in the memo language's marks.
    qtbot.waitUntil(lambda: editor.outline.topLevelItem(0).child(0).text(0).startswith("«Funding for Mérida"))

    item = editor.outline.topLevelItem(0).child(0)
    editor.outline.setCurrentItem(item)
    assert editor.trim.isEnabled() and editor.trim.text() == quote
    editor.trim.setFocus()
    editor.trim.selectAll()
    type_text(editor.trim, "Funding for Mérida rose … [as] cartels were laundering money.")
    qtbot.keyClick(editor.trim, Qt.Key.Key_Return)
    item_id = lib.briefing(briefing.id).sections[0].items[0].id
    qtbot.waitUntil(lambda: lib.briefing(briefing.id).sections[0].items[0].trimmed is not None)

    qtbot.waitUntil(lambda: "Funding for Mérida rose … [as] cartels" in editor.preview.toPlainText())
    assert "«" in editor.preview.toPlainText()  # Spanish marks
    assert "(" in editor.preview.toPlainText()  # APA cites in the text

    # A trim that changes the source's words is refused, and says why.
    editor.outline.setCurrentItem(editor.outline.topLevelItem(0).child(0))
    editor.trim.setFocus()
    editor.trim.selectAll()
    type_text(editor.trim, "Funding for Mérida fell")
    qtbot.keyClick(editor.trim, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any("not in the highlighted text" in e for e in errors))
    assert lib.briefing(briefing.id).sections[0].items[0].trimmed.startswith("Funding for Mérida rose …")

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the trim
    qtbot.waitUntil(lambda: lib.briefing(briefing.id).sections[0].items[0].trimmed is None)
    assert item_id == lib.briefing(briefing.id).sections[0].items[0].id


def test_a_house_style_added_from_the_file_menu_is_offered_and_used(
        doc_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = doc_window
    lib = window.lib
    briefing = _open_briefing(window, qtbot, 2)
    editor = window.briefings.editor
    assert editor.style_choice.findData("agency-house-style") < 0

    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, _title, text: errors.append(text))
    not_a_style = tmp_path / "notes.csl"
    not_a_style.write_text("<html>not a style</html>", encoding="utf-8")
    chosen = [not_a_style, house_style(tmp_path)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(chosen.pop(0)), ""))
    action = window.findChild(QAction, "addCitationStyleAction")
    action.trigger()  # a file that is not a style: refused, saying why
    assert errors and "not a citation style" in errors[0]
    action.trigger()
    qtbot.waitUntil(lambda: editor.style_choice.findData("agency-house-style") >= 0)
    assert editor.style_choice.itemText(editor.style_choice.findData("agency-house-style")) == (
        "Agency House Style (house style)")

    _choose(qtbot, editor.style_choice, "agency-house-style")
    qtbot.waitUntil(lambda: lib.briefing(briefing.id).style == "agency-house-style")
    qtbot.waitUntil(lambda: "Ibid." in editor.preview.toPlainText())  # the house rules in the page

    # On a computer without the file, the briefing says which style it wants.
    lib.remove_citation_style("agency-house-style")
    editor.set_styles(lib.citation_styles())
    assert editor.style_choice.currentText() == "agency-house-style (not on this computer)"
