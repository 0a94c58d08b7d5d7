"""Guard against the PySide6 6.12.0 bug that killed long sessions on Python 3.11.

Every Qt call returning None dropped one reference to None; after a few
thousand calls CPython aborted with "none_dealloc". pyproject.toml pins a
version without it; this test fails if an upgrade brings it back.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_calls_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        QCoreApplication.sendPostedEvents()
    assert sys.getrefcount(None) - before > -50
