"""Search results marked by offsets, never by markers that can collide with the text, in
rows that never overlap (issue 21)."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.ui.conftest import type_text
from ui.main_window import MainWindow


def test_marks_by_offsets_on_text_with_stars(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    source = tmp_path / "stars.txt"  # plain text keeps its ** (a .txt that is really Markdown)
    source.write_text(
        "Notes\n\n"
        "**Fentanyl** seizures and **overdose deaths** rose while heroin use **quadrupled** in 2021.\n\n"
        + "\n\n".join(f"Heroin and fentanyl paragraph {n} about the **border**." for n in range(6)),
        encoding="utf-8")
    assert window.lib.import_file(source).id is not None
    assert window.lib.wait_for_index(10)
    with qtbot.waitSignal(window.search.searched, timeout=5000):
        type_text(window.search.box, "fentanyl heroin")
    results = window.search.results
    assert results.count() >= 2
    for row in range(results.count()):
        html = results.item(row).text()
        marked = {m.lower() for m in re.findall(r"<b style='background:#ffe066'>([^<]*)</b>", html)}
        assert marked and marked <= {"fentanyl", "heroin"}, html
    first = results.item(0).text()
    assert re.search(r"<b style='background:#ffe066'>heroin</b>", first, re.IGNORECASE)

    results.setCurrentRow(0)
    qtbot.wait(50)
    rects = [results.visualItemRect(results.item(r)) for r in range(results.count())]
    for upper, lower in pairwise(rects):
        assert upper.bottom() < lower.top()


def test_the_document_filter_is_the_document_not_its_title(window: MainWindow, qtbot: QtBot,
                                                          tmp_path: Path) -> None:
    """Filtering on "Report" used to be the query text doc:"Report", which "Report annex"
    matched too."""
    from PySide6.QtCore import Qt

    from ui.search_panel import HIT_ROLE

    lib = window.lib
    for name, title in (("a.txt", "Report"), ("b.txt", "Report annex")):
        (tmp_path / name).write_text(f"{title}\n\nCartels moved money through the port.\n", encoding="utf-8")
        doc = lib.import_file(tmp_path / name).id
        assert doc is not None
        lib.update_document(doc, title=title)
    assert lib.wait_for_index(10)
    qtbot.waitUntil(lambda: window.search.doc.count() == 3)
    combo = window.search.doc
    combo.setCurrentIndex(combo.findText("Report", Qt.MatchFlag.MatchExactly))
    with qtbot.waitSignal(window.search.searched, timeout=5000):
        type_text(window.search.box, "cartels")
    results = window.search.results
    qtbot.waitUntil(lambda: results.count() > 0)
    hits = [results.item(r).data(HIT_ROLE) for r in range(results.count())]
    assert {h.doc_title for h in hits} == {"Report"}
