"""One colour per tag everywhere (issue 21): the tree, the highlight list, the reader's
fill, the inspector's chip and the favourites strip show the same colour; overlaps show a
stronger fill."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT
from ui.main_window import MainWindow
from ui.models import color_of


def test_one_colour_per_tag(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    lib = window.lib
    doc = window.reader.view.doc_id
    assert doc is not None
    lib.create_tag("Finance", color="green")
    lib.create_tag("Places", color="purple")
    start = TEXT.index("laundering")
    ann = lib.add_annotation(doc, start, start + len("laundering money"), ["Finance"])
    mexico = TEXT.index("Mérida")
    lib.add_annotation(doc, mexico, mexico + len("Mérida"), ["Places"])
    both = TEXT.index("money")
    lib.add_annotation(doc, both, both + len("money"), ["Places"])  # overlaps the Finance one
    lib.set_favourite(1, "Finance")
    green = color_of("green")
    qtbot.waitUntil(lambda: window.tags.index_of("Finance").isValid())

    tree = window.tags.index_of("Finance").data(Qt.ItemDataRole.DecorationRole)
    assert tree == green
    model = window.highlights.model
    rows = [model.index(r, 0) for r in range(model.rowCount())]
    fills = {index.data(Qt.ItemDataRole.DisplayRole): index.data(Qt.ItemDataRole.DecorationRole) for index in rows}
    assert fills["laundering money"] == green
    view = window.reader.view
    qtbot.waitUntil(lambda: len(view.annotations) == 3)
    backgrounds = [(s.cursor.selectionStart(), s.format.background().color()) for s in view.extraSelections()]
    finance_start = view.map.to_qt(start)
    assert (finance_start, green) in backgrounds
    overlap = [c for pos, c in backgrounds if pos == view.map.to_qt(both)]
    assert color_of("purple").darker(135) in overlap  # the overlap is visibly stronger
    window.select_annotation(ann.id)
    chip = next(c for c in window.inspector.findChildren(QPushButton, "tagChip") if c.text().startswith("Finance"))
    assert green.name() in chip.styleSheet()
    icon = window.favourites.buttons[0].icon().pixmap(14, 14).toImage().pixelColor(7, 7)
    assert icon == green
