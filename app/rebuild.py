"""Rebuilding the whole search index from the project file, in parallel where it pays.

Each worker process takes shares of documents and highlights from a queue as it
finishes the last, reads them straight from the project file and writes its own
Whoosh segments (``BulkSegmentWriter``); the parent only plans the shares, reports
progress and makes the segments live in one commit. Workers are *spawned*, not
forked, so this is safe beside Qt's threads in the window as well as in the
command line.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise, zip_longest
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.index_records import RecordSource
from storage.index.bulk import build_segments, open_folder
from storage.index.pairs import frequent_terms
from storage.index.schema import TEXT_FIELDS
from storage.models import Annotation, Document
from storage.project_file import ProjectFile

Progress = Callable[[int, int], bool | None]
PROCS = min(2, os.cpu_count() or 1)  # the machines we aim at have two cores
# Workers take shares one at a time as they finish the last: two workers given half
# each do not run equally fast on a shared machine, and the faster would then idle.
# More shares even out the end; each costs a few queries.
SHARES_PER_WORKER = 8
PARALLEL_MIN_CHARS = 3_000_000  # below this, starting processes costs more than it saves
DOC_CHUNK = 50
ANN_CHUNK = 5000
SAMPLE_DOCS = 150  # documents read to choose the frequent words (with as many highlights in proportion)
SAMPLE_CHUNK = 500


class Cancelled(Exception):
    """A rebuild the user stopped."""


@dataclass(frozen=True)
class Share:
    """One worker's documents and highlights, as inclusive id ranges."""

    docs: tuple[int, int] | None
    anns: tuple[int, int] | None
    units: int  # documents + highlights, for progress
    chars: int  # text to index (documents, quotes and notes), to size segments evenly


def plan(s: Session, parts: int) -> tuple[list[Share], int]:
    """Split the project into ``parts`` shares of about equal text and highlights."""
    docs = s.execute(select(Document.id, Document.char_count).order_by(Document.id)).all()
    ann_count = s.scalar(select(func.count(Annotation.id))) or 0
    total_chars = sum(c for _, c in docs)
    # Each share's highlights: from the a0-th to before the a-th by id.
    ends = [ann_count * part // parts for part in range(parts + 1)]
    ids = _ids_at(s, {n for a0, a in pairwise(ends) if a > a0 for n in (a0, a - 1)})
    shares = []
    d = a = chars = 0  # documents, highlights and document text planned so far
    for part in range(parts):
        goal = total_chars * (part + 1) / parts
        d0, chars0 = d, chars
        while d < len(docs) and (chars < goal or part == parts - 1):
            chars += docs[d][1]
            d += 1
        a0, a = a, ends[part + 1]
        anns = (ids[a0], ids[a - 1]) if a > a0 else None
        shares.append(Share(
            (docs[d0][0], docs[d - 1][0]) if d > d0 else None,
            anns,
            (d - d0) + (a - a0),
            chars - chars0 + (_annotation_chars(s, anns) if anns else 0),
        ))
    return [sh for sh in shares if sh.units], total_chars


def frequent_words(s: Session) -> dict[str, dict[str, float]]:
    """Each text field's frequent terms, measured on an even sample of the documents and
    highlights, for the index's word pairs. The sample is picked in SQL: a list of every
    highlight id would be held in the window's memory."""
    doc_count = s.scalar(select(func.count(Document.id))) or 0
    step = max(1, round(doc_count / SAMPLE_DOCS))
    source = RecordSource(s)
    samples: dict[str, list[str]] = {field: [] for field in TEXT_FIELDS}
    for read, column in ((source.documents, Document.id), (source.annotations, Annotation.id)):
        picked = list(s.scalars(select(column).where(column % step == 0).order_by(column)))
        for i in range(0, len(picked), SAMPLE_CHUNK):  # few enough to look tags up by id
            for record in read(column.in_(picked[i : i + SAMPLE_CHUNK])):
                for field in TEXT_FIELDS:
                    if record.get(field):
                        samples[field].append(record[field])
    return frequent_terms(samples)


def _ids_at(s: Session, ranks: set[int]) -> dict[int, int]:
    """The id of the ``n``-th highlight by id, for each ``n`` of ``ranks``, in one query
    (asked of SQLite rather than loading 100,000 rows into the window's process; one
    OFFSET query a bound took twice as long to plan sixteen shares)."""
    numbered = select(Annotation.id, (func.row_number().over(order_by=Annotation.id) - 1)
                      .label("n")).subquery()
    rows = s.execute(select(numbered.c.n, numbered.c.id).where(numbered.c.n.in_(ranks)))
    return {int(n): int(i) for n, i in rows}


def _annotation_chars(s: Session, ids: tuple[int, int]) -> int:
    total = s.scalar(select(func.sum(func.length(Annotation.quote) + func.length(Annotation.note)))
                     .where(Annotation.id.between(*ids)))
    return int(total or 0)


def records(source: RecordSource, share: Share, tick: Callable[[int], None]) -> Iterator[dict[str, Any]]:
    """The share's records, calling ``tick(units)`` after each chunk (one ``source`` serves
    all the shares of a process).

    Documents and highlights come interleaved, a chunk of each in turn: a highlight
    holds about twice the postings per character of a passage, and the bulk writer
    sizes segments by the postings per character seen so far.
    """
    s = source.s
    doc_chunks = list(_chunks(s, Document.id, share.docs, DOC_CHUNK)) if share.docs else []
    ann_ids = _ids(s, Annotation.id, share.anns) if share.anns else []
    ann_size = min(ANN_CHUNK, math.ceil(len(ann_ids) / max(1, len(doc_chunks))) or 1)
    ann_chunks = list(_chunks_of(Annotation.id, ann_ids, ann_size))
    for doc_chunk, ann_chunk in zip_longest(doc_chunks, ann_chunks):
        for chunk, read in ((doc_chunk, source.documents), (ann_chunk, source.annotations)):
            if chunk is not None:
                where, count = chunk
                yield from read(where)
                tick(count)


def _ids(s: Session, column: Any, bounds: tuple[int, int]) -> list[int]:
    return list(s.scalars(select(column).where(column.between(*bounds)).order_by(column)))


def _chunks(s: Session, column: Any, bounds: tuple[int, int],
            size: int) -> Iterator[tuple[ColumnElement[bool], int]]:
    """Id ranges of at most ``size`` rows within ``bounds``, and their row counts."""
    return _chunks_of(column, _ids(s, column, bounds), size)


def _chunks_of(column: Any, ids: list[int], size: int) -> Iterator[tuple[ColumnElement[bool], int]]:
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        yield column.between(chunk[0], chunk[-1]), len(chunk)


def rebuild(project: ProjectFile, ix: Any, progress: Progress | None,
            procs: int) -> tuple[list[Any], int]:
    """Write every record into new segments; returns (segments, records). Raises Cancelled."""
    with project.session() as s:
        shares, chars = plan(s, max(1, procs) * SHARES_PER_WORKER)
    total = sum(sh.units for sh in shares)
    if procs <= 1 or len(shares) <= 1 or chars < PARALLEL_MIN_CHARS:
        return _in_process(project, ix, shares, total, progress)
    try:
        where = project.server or str(project.path)  # a worker opens the project again
        return _in_workers(where, Path(ix.storage.folder), shares, total, progress,
                           procs=min(procs, len(shares)))
    except _NotStarted:
        # A spawned worker re-imports the caller's main module, which some callers
        # cannot offer (a script read from stdin, an unguarded script): do it here.
        # Files a worker may have left are not in the index and go at the commit.
        return _in_process(project, ix, shares, total, progress)


class _NotStarted(Exception):
    """Worker processes died before saying anything."""


def _in_process(project: ProjectFile, ix: Any, shares: list[Share], total: int,
                progress: Progress | None) -> tuple[list[Any], int]:
    done = 0

    def tick(units: int) -> None:
        nonlocal done
        done += units
        if progress and progress(done, total) is False:
            raise Cancelled

    with project.session() as s:
        source = RecordSource(s)
        return build_segments(ix, (r for share in shares for r in records(source, share, tick)),
                              expected_chars=sum(sh.chars for sh in shares))


def _in_workers(project_path: str, folder: Path, shares: list[Share], total: int,
                progress: Progress | None, *, procs: int) -> tuple[list[Any], int]:
    ctx = mp.get_context("spawn")
    messages: Any = ctx.Queue()
    tasks: Any = ctx.Queue()
    for share in [*shares, *[None] * procs]:  # a None a worker: no more shares
        tasks.put(share)
    expected = sum(sh.chars for sh in shares) // procs  # about what each worker will take
    workers = [ctx.Process(target=_worker, args=(str(project_path), str(folder), n, messages),
                           kwargs={"tasks": tasks, "expected_chars": expected},
                           name=f"dossier-reindex-{n}", daemon=True)
               for n in range(procs)]
    for w in workers:
        w.start()
    done_units = 0
    segments: list[Any] = []
    count = 0
    finished: set[int] = set()
    try:
        while len(finished) < len(workers):
            try:
                kind, part, *rest = messages.get(timeout=0.25)
            except queue.Empty:
                _check_alive(workers, finished, heard=done_units > 0 or bool(finished))
                continue
            if kind == "progress":
                done_units += rest[0]
                if progress and progress(min(done_units, total), total) is False:
                    raise Cancelled
            elif kind == "done":
                segments += rest[0]
                count += rest[1]
                finished.add(part)
            else:
                raise KnownError(f"search index rebuild failed: {rest[0]}")
    except BaseException:
        for w in workers:
            w.terminate()
        raise
    finally:
        for w in workers:
            w.join(timeout=30)
        messages.close()
        tasks.close()
    return segments, count


def _check_alive(workers: list[Any], finished: set[int], heard: bool) -> None:
    for n, w in enumerate(workers):
        if n not in finished and not w.is_alive() and w.exitcode != 0:
            if not heard:
                raise _NotStarted
            raise KnownError(f"search index rebuild: worker {n} stopped (exit code {w.exitcode})")


def _worker(project_path: str, folder: str, part: int, messages: Any, *, tasks: Any,
            expected_chars: int) -> None:
    """Runs in a spawned process: build segments of the shares taken from ``tasks``
    until a None, and send them back."""
    try:
        project = ProjectFile.open_current(project_path)  # a file's path or a server's URL
        ix = open_folder(folder)
        try:
            with project.session() as s:
                def tick(units: int) -> None:
                    messages.put(("progress", part, units))

                taken = iter(tasks.get, None)
                source = RecordSource(s)
                found, n = build_segments(ix, (r for share in taken for r in records(source, share, tick)),
                                          expected_chars=expected_chars)
        finally:
            ix.close()
            project.close()
        messages.put(("done", part, found, n))
    except Exception as exc:  # sent to the parent, which reports it
        messages.put(("error", part, f"{type(exc).__name__}: {exc}"))

