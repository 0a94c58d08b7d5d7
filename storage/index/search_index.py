"""The Whoosh index of one project: open/repair, write batches, search.

Whoosh never fsyncs and a commit spans several files, so a crash can leave it
damaged: opening checks it and starts afresh (the caller then rebuilds from the
project file). A marker file records whether the last full build finished.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.codec.base import Segment
from whoosh.collectors import TimeLimit, TimeLimitCollector, TopCollector
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from storage.errors import KnownError
from storage.index.bulk import build_segments, commit_segments
from storage.index.codec import create_index, open_index, segment_writer
from storage.index.filters import Filters, filter_query
from storage.index.folder import IndexBusy, IndexLock, empty, prepare, set_aside
from storage.index.merge import ChildMerge
from storage.index.phrase import adjacent_phrases
from storage.index.query import MAX_EXPANSION, Parser, bound_expansions, shorter_prefixes, typed_stems
from storage.index.schema import SCHEMA_VERSION, TEXT_FIELDS, Frequent, build_schema, with_pairs
from storage.index.snippets import Sought, locate_marks, starred
from storage.index.term_union import FILTER_CACHE, top_hits, warm_filter
from storage.index.vocabulary import Vocabulary

log = logging.getLogger(__name__)

STATE_FILE = "dossier-index.json"
OPEN_WAIT_S = 30.0  # for another process's rebuild to end before starting afresh
MERGE_AFTER = 12  # segments
# Documents from which a segment is large (a rebuild's or a big import's): two such are
# combined into one segment when idle (each segment costs every search a term lookup
# per word and field).
COMBINE_MIN = 2000
BULK_MIN = 200  # records in one batch from which the bulk writer is faster
# Matches between the collector's attempts to prune the query tree against its current
# lowest top score (Whoosh: 10). Each attempt walks the whole tree; with a 4-letter prefix
# or a fuzzy term's expansions that cost more than it saved (docs/BENCHMARKS.md).
REPLACE_EVERY = 40


@dataclass(frozen=True)
class Owner:
    """Who an index belongs to: a project (uuid), one file's line of it (instance), where
    that file is, and how far its outbox has gone (an index beyond it is stale)."""

    project: str
    instance: str
    path: str
    position: int


class IndexDamaged(KnownError):
    """Reading the index failed: it is rebuilt on the next open or ``check --repair``."""


class IndexHit(NamedTuple):
    """A hit as the index holds it (a tuple: made for every hit of every keystroke)."""

    kind: str
    doc_id: int
    doc_title: str
    start: int
    end: int
    score: float
    snippet: str
    matches: tuple[tuple[int, int], ...]
    annotation_id: int | None
    tags: tuple[str, ...]
    note: str
    color: str | None
    snippet_text: str = ""  # the snippet without marks, and where its matched words are
    snippet_marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SearchOutcome:
    """Hits, plus how the query was read: ``literal`` after a syntax problem (plain words),
    ``partial`` when a time limit cut the search short (best found in time, not overall)."""

    hits: list[IndexHit]
    literal: bool = False
    partial: bool = False


def _probe(ix: FileIndex) -> None:
    """Check each segment's files are all there and whole: a commit cut short shows
    as a missing or truncated file. No searcher: Whoosh copies a segment's
    postings and terms into memory on opening one (hundreds of MB for a large project),
    which a rebuild or a command that never searches should not pay."""
    storage = ix.storage
    for segment in ix._segments():  # private, but the TOC's own list
        if not segment.is_compound():
            for name in segment.list_files(storage):
                storage.file_length(name)
            continue
        size = storage.file_length(segment.make_filename(segment.COMPOUND_EXT))
        compound = segment.open_compound_file(storage)
        try:
            for name in compound.list():
                offset, length = compound.range(name)
                if offset + length > size:
                    raise ValueError(f"{name} runs past the end of its segment file")
        finally:
            compound.close()


def read_state(folder: Path) -> dict[str, Any]:
    """The index's state record: {} if there is none (or it is not ours to read)."""
    try:
        data = json.loads((folder / STATE_FILE).read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def recorded_path(folder: Path) -> str | None:
    """The project file the index in ``folder`` was last written for."""
    value = read_state(folder).get("path")
    return value if isinstance(value, str) else None


def _combine_due(segments: list[Segment]) -> bool:
    return sum(s.doc_count_all() >= COMBINE_MIN for s in segments) >= 2


def _stored(searcher: Searcher, docnum: int) -> dict[str, Any]:
    """A record's stored fields. Whoosh's reader copies each record into a new dict of the
    fields still in the schema, a third of reading a hit's record; an index never loses a
    field (a new schema version rebuilds it), so the per-document reader's dict is taken."""
    reader: Any = searcher.reader()
    if not reader.is_atomic():
        segment, docnum = reader._segment_and_docnum(docnum)  # private, as MultiReader's own
        reader = reader.readers[segment]
    found: dict[str, Any] = getattr(reader, "_perdoc", reader).stored_fields(docnum)
    return found


class _Readers:
    """What Whoosh's ``reuse`` argument reads: the segment readers that may be kept."""

    def __init__(self, readers: list[Any]) -> None:
        self._readers = readers

    def leaf_readers(self) -> list[tuple[Any, int]]:
        return [(r, 0) for r in self._readers]

    def segments(self) -> list[Any]:
        # Whoosh adds these to the index's segments if missing; all of them are present.
        return [r.segment() for r in self._readers]


class SearchIndex:
    def __init__(self, folder: Path, owner: Owner | None = None, defer_busy: bool = False) -> None:
        """``owner``: the project the index must belong to (None: not checked, for tests
        of the index alone). ``defer_busy``: if the index must be started afresh while
        another process writes it, leave that to the rebuild (``reset``) rather than wait."""
        self.defer_busy = defer_busy
        self.folder = folder
        self.owner = owner
        self.lock = IndexLock(folder)
        self.position = 0  # the last outbox entry the index holds
        self.repair_reason: str | None = None  # why the index was started afresh
        self._lock = threading.RLock()
        self._made: FileIndex | None = self._open()
        self._parser = Parser(self._made.schema if self._made is not None else build_schema())
        self._searcher: Searcher | None = None
        self._stale = False  # commits since the searcher opened
        self._vocabulary = Vocabulary()  # terms of the fields fuzzy and prefix terms expanded in
        # Whether a commit may merge small segments itself. The window turns this off and
        # merges in a child process when idle (start_merge); the command line merges here.
        self.merge_inline = True

    @property
    def _ix(self) -> FileIndex:
        """The Whoosh index; there is none yet only while a deferred start waits for the
        rebuild (``defer_busy``), when nothing reads it."""
        if self._made is None:
            raise IndexBusy("the search index is being built")
        return self._made

    # -- opening and state -------------------------------------------------
    def _open(self) -> FileIndex | None:
        """Open the index if it is this project's and whole; else start it afresh (set
        aside if it is not ours) and say why in ``repair_reason``."""
        state = self._state()
        owner = self.owner
        if not self.folder.is_dir():
            if self.folder.exists() or self.folder.is_symlink():
                set_aside(self.folder)
            self.repair_reason = "search index missing; rebuilding it"
        elif not state:
            if any(self.folder.iterdir()):
                self._set_aside("search index not made by this Dossier; set aside, rebuilding it")
            else:
                self.repair_reason = "search index missing; rebuilding it"
        elif "project" not in state:
            self.repair_reason = "search index from another version; rebuilding it"
        elif owner is not None and (state.get("project"), state.get("instance")) != (
                owner.project, owner.instance):
            self._set_aside("search index belongs to another project or copy; set aside, rebuilding it")
        elif state.get("schema") != SCHEMA_VERSION:
            self.repair_reason = "search index from another version; rebuilding it"
        elif state.get("complete") is not True:
            self.repair_reason = "search index build was interrupted; rebuilding it"
        elif owner is not None and int(state.get("position") or 0) > owner.position:
            self.repair_reason = ("search index is ahead of the project file (restored from a backup, "
                                  "or its last changes lost); rebuilding it")
        else:
            try:
                ix = open_index(self.folder)
                _probe(ix)
                self.position = int(state.get("position") or 0)
                return ix
            except Exception as exc:  # any damage: rebuild from the project file
                self.repair_reason = f"search index damaged ({type(exc).__name__}); rebuilding it"
        try:
            return self._create(wait=0.2 if self.defer_busy else OPEN_WAIT_S)
        except IndexBusy:
            if not self.defer_busy:
                raise
            return None  # made by the rebuild that follows

    def _set_aside(self, reason: str) -> None:
        with self.lock.held(OPEN_WAIT_S):
            set_aside(self.folder)
        self.repair_reason = reason

    def _create(self, frequent: Frequent | None = None, wait: float = OPEN_WAIT_S) -> FileIndex:
        with self.lock.held(wait):
            prepare(self.folder)
            if empty(self.folder):  # something that is not ours: keep it, elsewhere
                set_aside(self.folder)
                prepare(self.folder)
            self.position = 0
            self._write_state(complete=False)
            return create_index(self.folder, build_schema(frequent))

    def _state(self) -> dict[str, Any]:
        return read_state(self.folder)

    def _write_state(self, complete: bool) -> None:
        owner = self.owner
        state: dict[str, Any] = {"schema": SCHEMA_VERSION, "complete": complete, "position": self.position}
        if owner is not None:
            state.update(project=owner.project, instance=owner.instance, path=owner.path)
        else:
            state.update(project=None, instance=None, path=None)
        tmp = self.folder / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.folder / STATE_FILE)

    @property
    def needs_rebuild(self) -> bool:
        return self.repair_reason is not None

    def mark_damaged(self) -> None:
        """Have the next open rebuild the index."""
        with contextlib.suppress(OSError):
            self._write_state(complete=False)

    # -- writing -------------------------------------------------------------
    def reset(self, frequent: Frequent | None = None) -> None:
        """Empty the index before a full rebuild; ``frequent``: each text field's frequent
        terms, whose adjacent pairs the new index holds (``storage.index.pairs``)."""
        with self._lock:
            self._close_searcher()
            if self._made is not None:
                self._made.close()
            self._made = self._create(frequent)
            self._vocabulary = Vocabulary()
            self._parser = Parser(self._ix.schema)

    def finish_rebuild(self, position: int = 0) -> None:
        """Mark the rebuilt index whole, holding the outbox up to ``position``."""
        self.position = position
        self._write_state(complete=True)
        self.repair_reason = None

    def apply(
        self,
        delete_docs: Iterable[int] = (),
        delete_annotations: Iterable[int] = (),
        add: Iterable[dict[str, Any]] = (),
        position: int | None = None,
    ) -> None:
        """One index commit: deletions, then additions (``merge=False`` keeps it ~ms);
        ``position``: the last outbox entry the commit brings in. Call with ``lock`` held.

        A large batch (an import, a catch-up after a crash) is written by the bulk
        writer first, then joins the deletions in the same commit.
        """
        records = list(add)
        segments: list[Segment] = []
        if len(records) >= BULK_MIN:
            segments, _count = build_segments(self._ix, records)
            records = []
        writer = segment_writer(self._ix, timeout=30, limitmb=64)
        try:
            for doc_id in delete_docs:
                writer.delete_by_term("pdoc", str(doc_id))
            for ann_id in delete_annotations:
                writer.delete_by_term("ann", str(ann_id))
            for record in records:
                writer.add_document(**with_pairs(record))
        except BaseException:
            writer.cancel()
            raise
        # Small commits stay cheap; once small segments pile up, merge them (or leave it
        # to an idle-time merge in another process).
        commit_segments(self._ix, segments, writer,
                        merge=self.merge_inline and self.segment_count() >= MERGE_AFTER)
        self.advance(position)
        with self._lock:
            self._stale = True  # the next search reopens, keeping unchanged segments' readers

    def advance(self, position: int | None) -> None:
        """Record that the index holds the outbox up to ``position`` (changes that needed no
        index work, such as a briefing edit, move it too). Call with ``lock`` held."""
        if position is not None and position > self.position:
            self.position = position
            self._write_state(complete=True)

    def segment_count(self) -> int:
        return len(self._ix._segments())  # private, but the only way to ask

    @property
    def merge_due(self) -> bool:
        """Whether there are small segments to merge or large ones to combine."""
        segments = self._ix._segments()
        return len(segments) > MERGE_AFTER or _combine_due(segments)

    @property
    def combine_due(self) -> bool:
        return _combine_due(self._ix._segments())

    def start_merge(self) -> ChildMerge:
        """Start merging in a separate process (no GIL taken from the window): combining
        all segments into one if ``combine_due``, else merging small ones. Call
        ``merged()`` once it is done."""
        return ChildMerge(self.folder, self.combine_due)

    def merged(self) -> None:
        with self._lock:
            self._stale = True

    @property
    def whoosh(self) -> FileIndex:
        """The Whoosh index, for ``storage.index.bulk`` writers building a rebuild's segments."""
        return self._ix

    def add_segments(self, segments: list[Segment]) -> None:
        """Make segments built by bulk writers live, in one commit (the end of a rebuild)."""
        commit_segments(self._ix, segments)
        with self._lock:
            self._close_searcher()

    # -- reading -------------------------------------------------------------
    def _searcher_now(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        elif self._stale:
            self._searcher = self._reopened(self._searcher)
        self._stale = False
        return self._searcher

    def _reopened(self, old: Searcher) -> Searcher:
        """A searcher on the index as committed now, keeping the old one's reader of each
        segment that is unchanged, deletions included.

        Opening a segment copies its postings and terms into memory (Whoosh), which
        takes long for a large one; a new highlight adds a small segment, so
        reopening everything made it wait for all of them. Whoosh's own refresh()
        reuses readers by segment id alone and so keeps deletions made since.
        """
        info = self._ix._read_toc()  # private, like the reader below: one TOC for both
        now = {seg.segment_id(): seg for seg in info.segments}
        keep = []
        for reader, _base in old.reader().leaf_readers():
            seg = reader.segment() if hasattr(reader, "segment") else None  # not an empty index's
            new = now.get(seg.segment_id()) if seg is not None else None
            if seg is not None and new is not None and set(new.deleted_docs()) == set(seg.deleted_docs()):
                keep.append(reader)
            else:
                reader.close()
        reader = self._ix._reader(self._ix.storage, info.schema, info.segments, info.generation,
                                  reuse=_Readers(keep))
        return Searcher(reader, fromindex=self._ix)

    def warm(self, fields: tuple[str, ...] = TEXT_FIELDS) -> None:
        """Read the fields' terms into memory for fuzzy and prefix expansion, a segment at
        a time so that a search waits for one segment's terms at most (tens of ms), then
        the most frequent tags' postings for tag filters and each segment's stored records."""
        for field in fields:
            done = False
            while not done:
                with self._lock:
                    done = self._vocabulary.grow(self._searcher_now().reader(), field)
        with self._lock:  # a tag's postings read once here, then a lookup each search
            searcher = self._searcher_now()
            warm_filter(searcher, "tag", FILTER_CACHE // 2 // max(1, len(searcher.leaf_searchers())))
        # A segment's stored records are opened by its first hit, which the first search
        # would otherwise pay for every segment. One segment at a time.
        n = 0
        while True:
            with self._lock:
                leaves = self._searcher_now().leaf_searchers()
                if n >= len(leaves):
                    return
                if leaves[n][0].doc_count_all():
                    leaves[n][0].stored_fields(0)
            n += 1

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        kind: str | None = None,
        snippets: bool = True,
        expansions: int = MAX_EXPANSION,
        time_limit: float | None = None,
        filters: Filters | None = None,
    ) -> SearchOutcome:
        """Ranked hits of ``text`` that match ``filters`` (and ``kind``); with no text, the
        records the filters match. ``time_limit`` (seconds) bounds the collecting."""
        if filters is None:
            filters = Filters(kind=kind)
        elif kind and kind != filters.kind:
            filters = replace(filters, kind=kind)
        with self._damage_reported():
            return self._search(text, limit, filters, snippets, expansions=expansions, time_limit=time_limit)

    @contextlib.contextmanager
    def _damage_reported(self) -> Iterator[None]:
        """A failure reading the index (a damaged file) as ``IndexDamaged``, the index
        marked for a rebuild on the next open."""
        try:
            yield
        except KnownError:
            raise
        except Exception as exc:
            log.debug("reading the search index failed", exc_info=True)
            self.mark_damaged()
            raise IndexDamaged(f"search index damaged ({type(exc).__name__}: {exc}); it is rebuilt "
                               "when the project is next opened, or by `dossier check --repair`") from exc

    def _search(self, text: str, limit: int, filters: Filters, snippets: bool, *, expansions: int,
                time_limit: float | None) -> SearchOutcome:
        with self._lock:
            searcher = self._searcher_now()
            only = filter_query(filters) if not text.strip() else None
            if only is not None:  # no words: the records the filters match
                found = searcher.search(only, limit=limit)
                hits = [self._hit(_stored(searcher, h.docnum), None, snippets, Sought(frozenset(), ()))
                        for h in found]
                return SearchOutcome(hits)
            parsed, literal = self._parser.parse(text)
            deadline = None if time_limit is None else time.perf_counter() + time_limit
            top: list[tuple[float, int]] = []
            partial, words = False, Sought(frozenset(), ())
            for attempt in self._attempts(searcher, parsed):
                left = None if deadline is None else deadline - time.perf_counter()
                if left is not None and left <= 0:
                    partial = True  # out of time: a search without a limit tries it
                    break
                query = bound_expansions(attempt, searcher, expansions, self._vocabulary)
                # The words to mark, taken before a phrase may become a term of word pairs.
                words = Sought.of(query)
                query = adjacent_phrases(query, searcher.schema)
                top, partial = self._collect(searcher, query, limit, filters, left)
                if top:
                    break
            hits = [self._hit(_stored(searcher, d), score, snippets, words) for score, d in top]
        return SearchOutcome(hits, literal, partial)

    def _attempts(self, searcher: Searcher, parsed: wq.Query) -> Iterator[wq.Query]:
        """The query, then (each made only if the one before found nothing) its retries:
        a word being typed whose stem is shorter than what is typed ("fundi", on its way
        to "funding", indexed as "fund") matches no term, so it is searched by the stems
        it starts with, else by its first four letters."""
        yield parsed
        reader = searcher.reader()

        def stems(field: str) -> dict[str, int] | None:
            complete = self._vocabulary.terms(reader, field, build=False) is not None
            return self._vocabulary.frequency(field) if complete else None

        for retry in (lambda: typed_stems(parsed, stems), lambda: shorter_prefixes(parsed)):
            found = retry()
            if found is not None:
                yield found

    @staticmethod
    def _collect(searcher: Any, query: wq.Query, limit: int, filters: Filters,
                 time_limit: float | None) -> tuple[list[tuple[float, int]], bool]:
        """The top (score, docnum) pairs, and whether ``time_limit`` cut the search short."""
        kind = filters.kind
        rest = filter_query(replace(filters, kind=None)) if filters.narrows_more_than_kind else None
        if rest is not None:
            # Terms of unscored fields (a date range scores a constant): they narrow the
            # hits without reordering them, and an AND of terms keeps the fast ranking.
            query = wq.And([query, rest])
        only = wq.Term("kind", kind) if kind else None
        fast = top_hits(searcher, query, limit, only, time_limit)  # None: not an OR of plain terms
        if fast is not None:
            return fast
        if only is not None:
            # In the query, not as a collector filter: TimeLimitCollector bypasses those.
            # Whoosh scores a constant 0 as 1 (and its Require trips an assertion when
            # skipping); 1e-300 adds nothing to any real score.
            query = wq.And([query, wq.ConstantScoreQuery(only, score=1e-300)])
        collector: TopCollector | TimeLimitCollector = TopCollector(limit=limit, replace=REPLACE_EVERY)
        if time_limit is not None:
            collector = TimeLimitCollector(collector, timelimit=time_limit, use_alarm=False)
        partial = False
        try:
            searcher.search_with_collector(query, collector)
        except TimeLimit:
            partial = True
        return [(r.score, r.docnum) for r in collector.results()], partial

    def _hit(self, fields: dict[str, Any], score: float | None, snippets: bool,
             words: Sought) -> IndexHit:
        body: str = fields.get("body") or ""
        start = int(fields["start"])
        marks: tuple[tuple[int, int], ...] = ()
        if snippets:
            (text, marks), matches = locate_marks(body, fields.get("lang"), words)
            snippet = starred(text, marks)
        else:
            text = snippet = body[:200]
            matches = ()
        tags = tuple(fields.get("tag_paths") or ())
        return IndexHit(
            kind=fields["kind"],
            doc_id=int(fields["doc_id"]),
            doc_title=fields.get("doc") or "",
            start=start + matches[0][0] if matches else start,
            end=start + matches[0][1] if matches else int(fields["end"]),
            score=round(float(score or 0.0), 4),
            snippet=snippet,
            matches=tuple((start + a, start + b) for a, b in matches),
            annotation_id=fields.get("annotation_id"),
            tags=tags,
            note=fields.get("note") or "",
            color=fields.get("color"),
            snippet_text=text,
            snippet_marks=marks,
        )

    def keys(self) -> list[str]:
        """Every record's key, reading every stored record."""
        with self._damage_reported(), self._lock:
            searcher = self._searcher_now()
            return [fields["key"] for fields in searcher.reader().all_stored_fields()]

    def verify(self) -> list[str]:
        """``keys``, after reading every term of every segment (``check``): damage in
        either raises ``IndexDamaged``."""
        with self._damage_reported(), self._lock:
            for _term in self._searcher_now().reader().all_terms():
                pass
        return self.keys()

    def doc_count(self) -> int:
        with self._lock:
            return int(self._searcher_now().doc_count())

    def close(self) -> None:
        with self._lock:
            self._close_searcher()
            if self._made is not None:
                self._made.close()
