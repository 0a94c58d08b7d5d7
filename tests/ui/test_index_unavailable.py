"""The window on a project whose search index cannot be written (issue 18): it opens, says
why search is unavailable, and every edit is still saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.library import Library
from tests.ui.conftest import type_text
from ui.main_window import MainWindow
from ui.settings import Settings


def test_window_without_a_writable_cache(qtbot: QtBot, tmp_path: Path, project_path: Path,
                                         settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(blocked))
    window = MainWindow(Library.open(project_path, background_index=True), settings)
    qtbot.addWidget(window)
    window.show()
    assert "search is unavailable" in window.statusBar().currentMessage()
    source = tmp_path / "note.txt"
    source.write_text("Cartels were laundering money.\n", encoding="utf-8")
    doc = window.lib.import_file(source).id
    assert doc is not None
    start, end = window.lib.find_quote(doc, "Cartels")
    window.lib.add_annotation(doc, start, end, ["Finance"])
    with qtbot.waitSignal(window.search.failed, timeout=5000) as blocker:
        type_text(window.search.box, "cartels")
    assert "search is unavailable" in blocker.args[0]
    assert [a.quote for a in window.lib.annotations()] == ["Cartels"]
    window.close()
