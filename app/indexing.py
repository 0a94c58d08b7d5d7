"""Keeping the search index in step with the project file.

Edits write rows to ``index_outbox`` in their own transaction; ``Indexer.drain``
turns those rows into index records, commits the index, then deletes the rows.
A crash in between leaves the rows, so the next drain repairs the index.
In the window a background thread drains; the CLI drains after each command.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, true
from sqlalchemy.orm import Session

from app import rebuild
from app.index_records import RecordSource
from app.rebuild import Progress
from storage.index import SearchIndex
from storage.index.folder import IndexBusy
from storage.index.merge import ChildMerge
from storage.models import Annotation, Document, IndexOutbox
from storage.project_file import ProjectFile, outbox_position

BATCH = 500
LOCK_WAIT_S = 2.0  # for another process's index write; then the work waits in the outbox
REBUILD_WAIT_S = 30.0


@dataclass(frozen=True)
class Batch:
    """Outbox rows taken for one index commit, and the records they make."""

    seqs: list[int]
    doc_ids: set[int]
    ann_ids: set[int]
    records: list[dict[str, Any]]


HOLE_WAIT_S = 60.0  # how long a skipped change number is awaited (a transaction still open)


class Indexer:
    """Applies the outbox to the index; safe to call from one thread at a time."""

    def __init__(self, project: ProjectFile, index: SearchIndex) -> None:
        self.project = project
        self.index = index
        self._lock = threading.Lock()
        self._merge: ChildMerge | None = None  # a merge running in a child process
        # On a server, sequence numbers are handed out when a change is written and seen
        # when its transaction commits: a number skipped over may still arrive (a longer
        # transaction) or never (one rolled back). Skipped numbers are looked for again
        # until HOLE_WAIT_S has passed.
        self._holes: dict[int, float] = {}

    @property
    def shared(self) -> bool:
        """A project on a server: its outbox is every client's change log, read from each
        index's own position and never emptied by one client."""
        return self.project.server is not None

    def _unapplied(self) -> ColumnElement[bool]:
        if not self.shared:
            return true()
        after = IndexOutbox.seq > self.index.position
        return or_(after, IndexOutbox.seq.in_(list(self._holes))) if self._holes else after

    def _note_holes(self, before: int, seqs: list[int]) -> None:
        now = time.monotonic()
        taken = set(seqs)
        for seq in taken:
            self._holes.pop(seq, None)
        for seq in range(before + 1, max(seqs)):
            if seq not in taken:
                self._holes.setdefault(seq, now)
        self._holes = {seq: t for seq, t in self._holes.items() if now - t < HOLE_WAIT_S}

    def pending(self) -> int:
        with self.project.session() as s:
            return s.scalar(select(func.count(IndexOutbox.seq)).where(self._unapplied())) or 0

    def drain(self, wait: float = LOCK_WAIT_S) -> int:
        """Apply every pending outbox row; returns how many were applied. Waits at most
        ``wait`` seconds for another process writing the index (then ``IndexBusy``)."""
        done = 0
        with self._lock, self.index.lock.held(wait):
            while True:
                batch = self.take()
                if batch is None:
                    return done
                self.apply(batch)
                done += len(batch.seqs)

    def take(self) -> Batch | None:
        """The oldest pending rows, as index records (None: nothing pending)."""
        with self.project.session() as s:
            rows = s.execute(
                select(IndexOutbox.seq, IndexOutbox.kind, IndexOutbox.object_id)
                .where(self._unapplied())
                .order_by(IndexOutbox.seq)
                .limit(BATCH)
            ).all()
            if not rows:
                return None
            doc_ids = {r.object_id for r in rows if r.kind == "document"}
            ann_ids = {r.object_id for r in rows if r.kind == "annotation"}
            return Batch([r.seq for r in rows], doc_ids, ann_ids, self._records(s, doc_ids, ann_ids))

    def apply(self, batch: Batch) -> None:
        """Commit ``batch`` to the index, then delete exactly its rows from the outbox
        (rows written meanwhile, whatever their number, stay for the next drain)."""
        before = self.index.position
        if batch.doc_ids or batch.ann_ids:
            self.index.apply(batch.doc_ids, batch.ann_ids, batch.records, position=batch.seqs[-1])
        else:  # briefing or tag changes: nothing to index, only news for other clients
            self.index.advance(batch.seqs[-1])
        if self.shared:
            self._note_holes(before, batch.seqs)
            return  # other clients read these rows too
        with self.project.transaction() as s:
            s.execute(delete(IndexOutbox).where(IndexOutbox.seq.in_(batch.seqs)))

    def _records(self, s: Session, doc_ids: set[int], ann_ids: set[int]) -> list[dict[str, Any]]:
        source = RecordSource(s)
        return [*source.documents(Document.id.in_(doc_ids)), *source.annotations(Annotation.id.in_(ann_ids))]

    @property
    def merging(self) -> bool:
        return self._merge is not None

    def start_merge(self) -> None:
        """Start merging or combining segments in a child process, if none is running;
        edits go on being applied meanwhile. ``merge_finished`` tells when it is done."""
        with self._lock:
            if self._merge is None:
                self._merge = self.index.start_merge()

    def merge_finished(self) -> bool:
        """Whether a merge was running and has ended (the index then reads the merged
        segments); raises RuntimeError if it failed."""
        with self._lock:
            merge = self._merge
            if merge is None or not merge.done():
                return False
            failure = merge.failure()
            self._stop_merge()
        if failure:
            raise RuntimeError(failure)
        return True

    def stop_merge(self) -> None:
        """End a running merge (a combine ended midway leaves the index as it was)."""
        with self._lock:
            self._stop_merge()

    def _stop_merge(self) -> None:
        if self._merge is not None:
            self._merge.stop()
            self._merge = None
            self.index.merged()

    def rebuild(self, progress: Progress | None = None, procs: int = rebuild.PROCS,
                wait: float = REBUILD_WAIT_S) -> int:
        """Rebuild the whole index from the project file; returns records written.

        ``procs`` > 1 builds large projects in that many worker processes.
        Cancelling (``progress`` returning False) leaves the index marked
        incomplete, so the next open rebuilds it again.
        """
        with self._lock, self.index.lock.held(wait):
            self._stop_merge()  # it reads the segments the rebuild deletes
            with self.project.session() as s:
                frequent = rebuild.frequent_words(s)
            self.index.reset(frequent)
            with self.project.transaction() as s:
                if not self.shared:
                    s.execute(delete(IndexOutbox))
                position = outbox_position(s)  # the index holds every edit up to here
            try:
                segments, written = rebuild.rebuild(self.project, self.index.whoosh, progress, procs)
            except rebuild.Cancelled:
                return 0
            self.index.add_segments(segments)
            self.index.finish_rebuild(position)
            return written


IDLE_MERGE_S = 3.0  # quiet time before merging segments
MERGE_POLL_S = 0.25  # how often a running merge is looked at
BUSY_WAIT_S = 0.5  # for another process's index write, before trying again later
RETRY_S = 1.0  # before retrying a drain that could not finish
SERVER_POLL_S = 1.0  # how often the window looks for other analysts' edits on a server


class BackgroundIndexer(threading.Thread):
    """The one index writer of the window: wakes on each commit and drains; when the
    project has been quiet for a while, merges segments in a child process, draining
    on meanwhile."""

    def __init__(self, indexer: Indexer, on_error: Callable[[BaseException], None],
                 on_rebuilt: Callable[[int], None] | None = None,
                 on_remote: Callable[[], None] | None = None) -> None:
        super().__init__(name="dossier-indexer", daemon=True)
        self.indexer = indexer
        self.on_error = on_error
        self.on_rebuilt = on_rebuilt
        self.on_remote = on_remote  # others' edits arrived (a project on a server)
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stopping = False
        self._merge_failed = False
        # A rebuild the window needs is done here, not on the UI thread: until it ends,
        # ``progress`` says how far it is (records done, records in all).
        self.rebuilding = indexer.index.needs_rebuild
        self.progress: tuple[int, int] = (0, 0)

    def kick(self) -> None:
        self._idle.clear()
        self._wake.set()

    def _rebuild(self) -> None:
        """Rebuild until it succeeds or the window closes (another process may hold the
        index a while); then apply whatever was edited meanwhile."""
        def progress(done: int, total: int) -> bool:
            self.progress = (done, total)
            return not self._stopping

        while self.indexer.index.needs_rebuild and not self._stopping:
            try:
                written = self.indexer.rebuild(progress, wait=BUSY_WAIT_S)
            except IndexBusy:
                self._wake.wait(RETRY_S)
                continue
            except Exception as exc:  # reported; tried again after a pause
                self.on_error(exc)
                self._wake.wait(RETRY_S * 5)
                continue
            self.rebuilding = False
            if self.on_rebuilt is not None and not self._stopping:
                self.on_rebuilt(written)
        self.rebuilding = False

    def run(self) -> None:
        self.indexer.index.merge_inline = False
        self._merge_failed = False  # don't retry a failed merge before the next write
        self._rebuild()
        # Edits the index has not seen (a crash's leftovers, or made during the rebuild).
        retry = not self._drain()  # a drain that could not finish: try again
        self._warm()
        if not retry and not self._wake.is_set():
            self._idle.set()
        active = time.monotonic()  # the last edit or retry: merges wait for quiet after it
        while not self._stopping:
            merge_wait = self._timeout()
            wait = RETRY_S if retry else merge_wait
            if self.indexer.shared:  # look for other analysts' edits at least this often
                wait = SERVER_POLL_S if wait is None else min(wait, SERVER_POLL_S)
            woke = self._wake.wait(timeout=wait)
            if self._stopping:
                break
            now = time.monotonic()
            if woke or retry:
                active = now
            quiet = merge_wait is not None and now - active >= merge_wait
            try:
                if woke or retry or quiet:
                    self._look_after_merge(woke or retry)
            except Exception as exc:  # reported; the segments stay as they were
                self._merge_failed = True
                self.on_error(exc)
            if not (woke or retry):
                self._poll()
                continue
            self._merge_failed = False
            self._wake.clear()
            retry = not self._drain()
            self._warm()
            if not retry and not self._wake.is_set():
                self._idle.set()
        try:
            self.indexer.stop_merge()
        except Exception as exc:
            self.on_error(exc)
        self._idle.set()

    def _poll(self) -> None:
        """On a server: apply what other analysts changed since the last look, and say so."""
        if not self.indexer.shared:
            return
        try:
            if not self.indexer.pending():
                return
        except Exception as exc:  # the server is unreachable a while: reported, tried again
            self.on_error(exc)
            return
        if self._drain() and self.on_remote is not None:
            self.on_remote()

    def _timeout(self) -> float | None:
        """How long to sleep before looking after merges (None: until the next edit)."""
        if self.indexer.merging:
            return MERGE_POLL_S
        try:
            due = not self._merge_failed and self.indexer.index.merge_due
        except Exception as exc:  # the index read failed: reported; no merge until an edit
            self.on_error(exc)
            return None
        return IDLE_MERGE_S if due else None

    def _look_after_merge(self, woke: bool) -> None:
        indexer = self.indexer
        if indexer.merging:
            if indexer.merge_finished():
                self._warm()
        elif not woke and not self._merge_failed:
            indexer.start_merge()

    def _drain(self) -> bool:
        """Apply the outbox; False if it must be tried again (reported unless busy)."""
        try:
            self.indexer.drain(wait=BUSY_WAIT_S)
            return True
        except IndexBusy:  # another process is writing: its turn ends soon
            return False
        except Exception as exc:  # reported; the rows stay for the next try
            self.on_error(exc)
            return False

    def _warm(self) -> None:
        """Bring the index's in-memory term lists up to date (fuzzy and prefix searches)."""
        try:
            self.indexer.index.warm()
        except Exception as exc:  # reported; searches expand segment by segment meanwhile
            self.on_error(exc)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self.join(timeout=30)
