"""The window on a server project (issue 22): another analyst's new highlight shows in the
library counts, the highlight list and search within 2 seconds, without losing a note
being typed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.library import Library
from tests.ui.conftest import type_text
from ui.main_window import MainWindow
from ui.settings import Settings

pytestmark = pytest.mark.pg


def test_another_analyst_s_highlight_shows_within_two_seconds(pg_url: str, tmp_path: Path,
                                                               qtbot: QtBot) -> None:
    source = tmp_path / "hearing.txt"
    source.write_text("Hearing\n\nCartels launder money through shell firms in the port.\n", encoding="utf-8")
    with Library.open(pg_url) as setup:
        doc = setup.import_file(source).id
        assert doc is not None
        mine = setup.add_annotation(doc, *setup.find_quote(setup.documents()[0].id, "Cartels"), ["Mine"])
    window = MainWindow(Library.open(pg_url, background_index=True), Settings(tmp_path / "s.ini"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.reader.view.doc_id == doc, timeout=10000)
    try:
        window.select_annotation(mine.id)
        window.inspector.note.setFocus()
        type_text(window.inspector.note, "typing, not saved")
        with Library.open(pg_url) as colleague:  # another analyst, another connection
            colleague.add_annotation(doc, *colleague.find_quote(doc, "shell firms"), ["Theirs"],
                                     note="from B")
            started = time.monotonic()
        qtbot.waitUntil(lambda: window.highlights.model.rowCount() == 2, timeout=2000)
        assert time.monotonic() - started < 2.0
        assert window.library_panel.model.rowCount() == 1
        assert "typing, not saved" in window.inspector.note.toPlainText()  # the refresh kept it
        hits = window.lib.search("note:from", kind="annotation")
        assert [h.note for h in hits] == ["from B"]
    finally:
        window.close()


def test_a_colleague_s_briefing_change_keeps_what_you_are_typing(pg_url: str, tmp_path: Path,
                                                                  qtbot: QtBot) -> None:
    with Library.open(pg_url) as setup:
        brief = setup.create_briefing("Weekly", subject="Old subject")
    window = MainWindow(Library.open(pg_url, background_index=True), Settings(tmp_path / "s.ini"))
    qtbot.addWidget(window)
    window.show()
    window.modes.setCurrentIndex(1)
    editor = window.briefings.editor
    qtbot.waitUntil(lambda: editor.briefing is not None and editor.briefing.id == brief.id, timeout=10000)
    try:
        summary = editor.summary
        summary.setFocus()
        type_text(summary, "my bottom line, not saved yet")
        with Library.open(pg_url) as colleague:
            colleague.author = "Bob"
            colleague.update_briefing(brief.id, subject="Bob's subject")
        qtbot.waitUntil(lambda: editor.fields["subject"].text() == "Bob's subject", timeout=2000)
        assert "my bottom line, not saved yet" in summary.toPlainText()
    finally:
        window.close()
