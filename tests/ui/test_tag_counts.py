"""A parent tag's count includes its children's highlights (issue 21)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.conftest import TEXT
from ui.main_window import MainWindow
from ui.tag_panel import PATH_ROLE


def test_parent_counts_include_children(doc_window: MainWindow, qtbot: QtBot) -> None:
    window = doc_window
    lib = window.lib
    doc = window.reader.view.doc_id
    assert doc is not None
    for quote, tags in (("Mérida", ["Drugs/Fentanyl"]), ("laundering", ["Drugs/Heroin", "Drugs"]),
                        ("report", ["Drugs/Heroin"])):
        start = TEXT.index(quote)
        lib.add_annotation(doc, start, start + len(quote), tags)
    totals = {t.path: (t.total, t.count) for t in lib.tags()}
    assert totals["Drugs"] == (3, 1) and totals["Drugs/Heroin"] == (2, 2)
    model = window.tags.model

    def shown(path: str) -> str | None:
        index = window.tags.index_of(path)
        return index.siblingAtColumn(1).data() if index.isValid() else None

    qtbot.waitUntil(lambda: shown("Drugs") == "3 (1 own)")
    assert shown("Drugs/Heroin") == "2" and shown("Drugs/Fentanyl") == "1"
    assert model.data(window.tags.index_of("Drugs"), PATH_ROLE) == "Drugs"
