"""One place that knows every background job of the window, so closing cancels and
waits for all of them (a late signal must not reach a closed project)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool

from ui.workers import Worker


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[Worker] = []  # in the order started
        self.pools: list[QThreadPool] = [QThreadPool.globalInstance()]  # search and preview jobs

    def track(self, worker: Worker) -> Worker:
        """Keep ``worker`` (started or about to be) until it finishes."""
        self._running.append(worker)
        worker.finished.connect(lambda: self._forget(worker))
        return worker

    def _forget(self, worker: Worker) -> None:
        if worker in self._running:
            self._running.remove(worker)

    @property
    def running(self) -> list[Worker]:
        return [w for w in self._running if w.isRunning()]

    def latest(self) -> Worker | None:
        """The most recently started job still running."""
        return self._running[-1] if self._running else None

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Cancel every job, then wait for each; their late signals are dropped."""
        for worker in list(self._running):
            worker.blockSignals(True)
            worker.cancel()
        for worker in list(self._running):
            worker.wait(wait_ms)
        self._running.clear()
        for pool in self.pools:
            pool.waitForDone(10_000)
