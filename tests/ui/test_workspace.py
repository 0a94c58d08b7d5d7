"""The briefing workspace (issue 21): a mode of the window where the memo gets the centre,
every control of its editor inside the window on a 1366×768 laptop, the page preview
beside the editor, updated as the commentary is typed."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QTextBrowser, QTreeWidget, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT, type_text
from ui.main_window import MainWindow


def _inside(window: MainWindow, widget: QWidget) -> bool:
    """On show whole: inside the window and not scrolled or covered out of sight."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    shown = widget.visibleRegion().boundingRect().size() == widget.size()
    return (widget.isVisible() and shown and rect.width() > 10 and rect.height() > 10
            and window.rect().contains(rect))


def test_workspace_fits_a_laptop_and_previews_as_you_type(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    lib = window.lib
    doc = window.reader.view.doc_id
    assert doc is not None
    start = TEXT.index("laundering")
    ann = lib.add_annotation(doc, start, start + len("laundering money"), ["Finance"])
    briefing = lib.create_briefing("Weekly")
    lib.add_items(briefing.id, [ann.id], section="Money")
    window.resize(1366, 768)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.modes.currentIndex() == 1
    window.briefings.refresh(select=briefing.id)
    editor = window.briefings.editor
    qtbot.waitUntil(lambda: editor.outline.topLevelItemCount() == 1)
    qtbot.wait(50)
    controls = [*editor.findChildren(QLineEdit), *editor.findChildren(QComboBox),
                *editor.findChildren(QPushButton), editor.outline, editor.commentary, editor.summary]
    assert len(controls) > 12
    outside = [c.objectName() or type(c).__name__ for c in controls if not _inside(window, c)]
    assert outside == []
    assert editor.outline.height() >= 120  # room for more than two lines
    preview = window.findChild(QTextBrowser, "briefingPreview")
    assert preview is not None and _inside(window, preview)
    outline_right = editor.outline.mapTo(window, QPoint(editor.outline.width(), 0)).x()
    assert preview.mapTo(window, QPoint(0, 0)).x() >= outline_right  # beside, not behind a tab
    assert not window.library_dock.isVisible() and window.search_dock.isVisible()

    editor.outline.setCurrentItem(editor.outline.topLevelItem(0).child(0))
    editor.commentary.setFocus()
    type_text(editor.commentary, "Typed, not yet saved")
    qtbot.waitUntil(lambda: "Typed, not yet saved" in preview.toPlainText(), timeout=5000)
    assert lib.briefing(briefing.id).sections[0].items[0].commentary == ""

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.modes.currentIndex() == 0 and window.library_dock.isVisible()
    assert window.highlights_dock.isVisible()
    assert isinstance(editor.outline, QTreeWidget)
