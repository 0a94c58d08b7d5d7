"""Starting the window prints nothing on the terminal unless --verbose (issue 21): an
older project's migration logs its steps only then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.storage.test_project_file import _make_0001

REPO = Path(__file__).resolve().parents[2]
START = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
QTimer.singleShot(500, app.quit)
from main import main
sys.exit(main(["--project", sys.argv[1], *sys.argv[2:], "gui"]))
"""


def _start(project: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", START, str(project), *flags], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_window_starts_quietly(tmp_path: Path) -> None:
    old = tmp_path / "old.dossier"
    _make_0001(old)
    quiet = _start(old)
    assert quiet.returncode == 0, quiet.stderr
    assert "alembic" not in quiet.stderr.lower() and "INFO" not in quiet.stderr
    _make_0001(tmp_path / "older.dossier")
    verbose = _start(tmp_path / "older.dossier", "--verbose")
    assert verbose.returncode == 0 and "Running upgrade" in verbose.stderr
