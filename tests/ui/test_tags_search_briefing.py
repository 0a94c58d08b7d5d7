"""Tag tree edits, search as you type, and the briefing workspace, through real widgets."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT, drop, type_text
from ui import dialogs
from ui.main_window import MainWindow
from ui.models import annotation_mime
from ui.tag_panel import PATH_ROLE


@pytest.fixture
def tagged(doc_window: MainWindow, qtbot: QtBot) -> MainWindow:
    lib = doc_window.lib
    doc = doc_window.reader.view.doc_id
    assert doc is not None
    for quote, tags in (("Mérida", ["Places/Mexico"]), ("laundering", ["Finance"]),
                        ("report", ["Narcotics/Heroin", "Finance"])):
        start = TEXT.index(quote)
        lib.add_annotation(doc, start, start + len(quote), tags)
    qtbot.waitUntil(lambda: doc_window.tags.index_of("Narcotics/Heroin").isValid())
    return doc_window


def tree_paths(window: MainWindow) -> list[str]:
    model = window.tags.model
    out: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            out.append(f"{index.data(PATH_ROLE)}:{index.siblingAtColumn(1).data()}")
            walk(index)

    walk(QModelIndex())
    return out


def test_tag_tree_rename_by_editing(tagged: MainWindow, qtbot: QtBot) -> None:
    window = tagged
    view = window.tags.view
    view.setFocus()
    view.setCurrentIndex(window.tags.index_of("Places/Mexico"))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.focusWidget()
    assert editor is not view
    editor.selectAll()  # type: ignore[attr-defined]
    type_text(editor, "México")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Places/México:1" in tree_paths(window))
    assert window.lib.annotations(tag="Places")[0].tags == ("Places/México",)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Places/Mexico:1" in tree_paths(window))


def test_tag_tree_merge_delete_and_undo(tagged: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = tagged
    monkeypatch.setattr(dialogs, "ask_item", lambda parent, title, label, items: "Finance")
    window.tags.select("Narcotics")
    window.tags.merge_requested.emit("Narcotics")  # the context menu's "Merge into…"
    qtbot.waitUntil(lambda: "Finance/Heroin:1" in tree_paths(window))
    assert not any(p.startswith("Narcotics") for p in tree_paths(window))
    assert "Finance:2" in tree_paths(window)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Narcotics/Heroin:1" in tree_paths(window))

    monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
    view = window.tags.view
    view.setFocus()
    view.setCurrentIndex(window.tags.index_of("Places"))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not window.tags.index_of("Places").isValid())
    assert all("Places" not in a.tags for a in window.lib.annotations())
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tags.index_of("Places/Mexico").isValid())


def test_reparent_by_dragging_in_the_tree(tagged: MainWindow, qtbot: QtBot) -> None:
    window = tagged
    view = window.tags.view
    source = window.tags.index_of("Narcotics/Heroin")
    target = window.tags.index_of("Finance")
    mime = window.tags.model.mimeData([source])
    view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
    drop(view.viewport(), mime, view.visualRect(target).center())
    qtbot.waitUntil(lambda: "Finance/Heroin:1" in tree_paths(window))


def test_selecting_a_tag_lists_its_excerpts_and_opens_the_reader(tagged: MainWindow, qtbot: QtBot) -> None:
    window = tagged
    view = window.tags.view
    view.setFocus()
    view.setCurrentIndex(window.tags.index_of("Finance"))
    qtbot.waitUntil(lambda: window.highlights.model.rowCount() == 2)
    assert "Finance" in window.highlights.title.text()
    table = window.highlights.view
    table.setFocus()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(0, 0)).center())
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter (or a double-click) opens the reader at it
    qtbot.waitUntil(lambda: window.inspector.annotation is not None)
    ann = window.inspector.annotation
    assert ann is not None
    view = window.reader.view
    assert view.map.from_qt(view.textCursor().position()) == ann.start


def test_search_as_you_type_and_open_hit(tagged: MainWindow, qtbot: QtBot) -> None:
    window = tagged
    assert window.lib.wait_for_index(10)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    box = window.search.box
    assert box.hasFocus()
    with qtbot.waitSignal(window.search.searched, timeout=5000) as blocker:
        type_text(box, "merida")
    assert blocker.args and blocker.args[0] >= 1
    results = window.search.results
    assert results.count() >= 2
    assert "<b" in results.item(0).text()  # the snippet marks the matched word
    first = results.item(0)
    results.setFocus()
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=results.visualItemRect(first).center())
    qtbot.keyClick(results, Qt.Key.Key_Return)
    hit = first.data(Qt.ItemDataRole.UserRole + 20)
    qtbot.waitUntil(lambda: window.reader.view.doc_id == hit.doc_id)
    assert window.reader.view._marks  # the matched words are marked in the reader
    # Filters: highlights only, then a tag filter.
    window.search.kind.setCurrentIndex(window.search.kind.findData("annotation"))
    with qtbot.waitSignal(window.search.searched, timeout=5000) as blocker:
        pass
    assert blocker.args[0] == 1
    box.clear()
    window.search.tag.setCurrentIndex(window.search.tag.findData("Finance"))
    with qtbot.waitSignal(window.search.searched, timeout=5000) as blocker:
        pass
    assert blocker.args[0] == 2


def test_bad_query_is_explained(tagged: MainWindow, qtbot: QtBot) -> None:
    window = tagged
    with qtbot.waitSignal(window.search.searched, timeout=5000):
        type_text(window.search.box, "m*")
    assert "too short" in window.search.status.text()


def test_briefing_workspace(tagged: MainWindow, qtbot: QtBot, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    window = tagged
    assert window.lib.wait_for_index(10)
    window.modes.setCurrentIndex(1)  # the briefing workspace
    panel = window.briefings
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "tag:Finance")
    qtbot.mouseClick(panel.findChild(QPushButton, "newBriefingFromQuery"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.lib.briefings()) == 1)
    editor = panel.editor
    qtbot.waitUntil(lambda: editor.outline.topLevelItemCount() == 1)
    assert editor.outline.topLevelItem(0).text(0) == "Finance"
    assert editor.outline.topLevelItem(0).childCount() == 2

    # Header fields commit on Enter; one undo step each.
    field = editor.fields["subject"]
    field.setFocus()
    type_text(field, "Trafficking finance")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    bid = panel.current_id()
    assert bid is not None
    qtbot.waitUntil(lambda: window.lib.briefing(bid).subject == "Trafficking finance")

    # Drop the Mexico highlight from the highlight list onto the outline.
    mexico = next(a for a in window.lib.annotations() if "Places/Mexico" in a.tags)
    outline = editor.outline
    section = outline.topLevelItem(0)
    drop(outline.viewport(), annotation_mime([mexico.id]), outline.visualItemRect(section).center())
    qtbot.waitUntil(lambda: len(window.lib.briefing(bid).sections[0].items) == 3)

    # Reorder with the Down button, then undo the move.
    outline.setCurrentItem(outline.topLevelItem(0).child(0))
    before = [i.annotation.id for i in window.lib.briefing(bid).sections[0].items]
    qtbot.mouseClick(editor.findChild(QPushButton, "moveDown"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [i.annotation.id for i in window.lib.briefing(bid).sections[0].items]
                    == [before[1], before[0], before[2]])
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: [i.annotation.id for i in window.lib.briefing(bid).sections[0].items] == before)

    outline.setCurrentItem(outline.topLevelItem(0).child(0))
    editor.commentary.setFocus()
    type_text(editor.commentary, "Shows the money trail.")
    qtbot.keyClick(editor.commentary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lib.briefing(bid).sections[0].items[0].commentary == "Shows the money trail.")

    # The preview shows the memo; export writes a Word file off the UI thread.
    qtbot.waitUntil(lambda: "Shows the money trail." in editor.preview.toPlainText())
    out = tmp_path / "memo.docx"
    worker = window.export_to(bid, out)
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "Comment: Shows the money trail." in texts
    assert "Trafficking finance" in " ".join(texts)
