"""Long work off the UI thread: progress by signal, cancel by flag."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import KnownError

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], bool]


class Worker(QThread):
    """Runs ``job(progress)``; ``progress(done, total, label)`` returns False once cancelled."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, job: Callable[[Progress], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int, label: str) -> bool:
        self.progressed.emit(done, total, label)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self._job(self._progress)
        except KnownError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: keep the traceback in the log, tell the user plainly
            log.exception("background task failed")
            self.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")
        else:
            self.succeeded.emit(result)


def run_with_progress(parent: QWidget, title: str, job: Callable[[Progress], Any]) -> Worker:
    """Start ``job`` on a worker with a cancellable progress dialog."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    worker = Worker(job, parent)

    def on_progress(done: int, total: int, label: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        if label:
            dialog.setLabelText(f"{title}\n{label}")

    worker.progressed.connect(on_progress)
    dialog.canceled.connect(worker.cancel)
    worker.finished.connect(dialog.close)
    worker.finished.connect(dialog.deleteLater)
    worker.start()
    return worker
