"""Start the window: QApplication, error reporting, the first project."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import KnownError
from app.library import Library
from app.paths import default_project
from ui.main_window import MainWindow
from ui.settings import Settings

log = logging.getLogger("dossier")


def _report_bug(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """A bug (not a known error): keep the traceback in the log, show it to the user."""
    text = "".join(traceback.format_exception(kind, value, tb))
    log.error("unexpected error\n%s", text)
    box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                      f"Something went wrong: {value}\nYour work up to the last edit is saved.")
    box.setDetailedText(text)
    box.exec()


def open_library(project: Path | str) -> Library | None:
    try:
        return Library.open(project, background_index=True)
    except KnownError as exc:
        QMessageBox.critical(None, "Cannot open project", str(exc))
    fallback = default_project()
    if fallback == project:
        return None
    try:
        return Library.open(fallback, background_index=True)
    except KnownError as exc:
        QMessageBox.critical(None, "Cannot open the default project", str(exc))
        return None


def run_app(project: Path | str, verbose: bool = False) -> int:
    # Quiet on the terminal unless asked: warnings and errors only (Alembic logs each
    # migration step at INFO).
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Dossier")
    app.setOrganizationName("Dossier")
    sys.excepthook = _report_bug
    lib = open_library(project)
    if lib is None:
        return 1
    window = MainWindow(lib, Settings())
    window.show()
    return app.exec()
