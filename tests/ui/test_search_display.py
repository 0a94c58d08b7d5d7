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
