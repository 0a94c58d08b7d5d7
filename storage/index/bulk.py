"""A faster writer for full rebuilds: Whoosh's own segment files, built in memory.

Whoosh's ``SegmentWriter`` sends every value through a chain of token
generators, pushes each posting through an external-sort pool, and reads each
posting's field length back from disk while writing: slow, in pure Python. A
rebuild knows more than an edit does:
records arrive in docnum order; the same words recur, so each value's words are
numbered once for all the fields indexing it (``Words``) and each distinct word is
analysed once per analyzer chain (``WordIds``); a text field's words are logged as
numbers and sorted into postings with numpy (``TokenLog``), and so are the values of
keyword-like fields (``ValueLog``); and a range of terms' blocks is written at a time
(``TermWriter``). The files are Whoosh's own: tests
compare every term, posting, block header, length and stored field with what
``SegmentWriter`` writes for the same records.

It leans on ``SegmentWriter`` internals, so ``pyproject.toml`` pins whoosh3 exactly.
"""

from __future__ import annotations

import io
import math
import pickle
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from whoosh import columns
from whoosh.analysis import Analyzer, IDTokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.codec import whoosh3
from whoosh.codec.base import Segment
from whoosh.fields import ID, TEXT
from whoosh.filedb.filetables import OrderedHashWriter, crc_hash
from whoosh.formats import Existence, Frequency, Positions
from whoosh.index import FileIndex
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from storage.index.analysis import PairFilter, WordCache
from storage.index.block_data import BlockValues, value_item
from storage.index.codec import CODEC, open_index, segment_writer
from storage.index.deflate import compress_record
from storage.index.schema import with_pairs
from storage.index.term_writer import FastHashTables, TermWriter
from storage.index.token_log import Postings, TokenLog, WordIds, Words
from storage.index.value_log import ValueLog, WholeLog

if TYPE_CHECKING:
    import numpy as np

# A segment is written out once it holds this many postings (words, for text
# fields): the bound on a rebuild worker's memory. Every segment costs each query, and
# a Whoosh merge of them takes longer than the rebuild; this makes a few segments a
# worker, which the window combines into one when idle (storage.index.combine).
# docs/BENCHMARKS.md has the measurements behind the figure.
MAX_POSTINGS = 3_500_000
# Distinct words (per tokenizer) a segment may hold: the bound on their lookup's memory.
MAX_WORDS = 400_000
# Whoosh's length byte of n tokens is the first byte whose length is n or more (length_to_byte).
_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]

_POSITIONS = Positions()  # its encode() is the one every plain TEXT field uses
_HASH_HEADER = 13  # HashWriter's header: its magic, hash type and two unused ints
_CRC32 = 1  # HashWriter's hash types: 0 MD5, 1 CRC32, 2 CDB


@dataclass(frozen=True)
class _Plan:
    stored: bool
    words: WordIds | None  # a text field's chain: its words are logged
    values: ValueLog | WholeLog | None  # other indexed fields: their values are logged


class BulkSegmentWriter(SegmentWriter):
    """Writes one new segment from records added in order; no index lock taken.

    ``finish()`` returns the segment; ``commit_segments`` makes segments live.
    """

    def __init__(self, ix: FileIndex) -> None:
        super().__init__(ix, _lk=False, limitmb=1, codec=CODEC)  # the pool stays unused
        # Stored records go straight to the bytes of Whoosh's column (pickle, then deflate),
        # with a faster deflate.
        stored = self.perdocwriter._get_column("_stored")
        if not isinstance(getattr(stored, "_child", None), columns.CompressedBytesColumn.Writer):
            raise ValueError(f"bulk writer cannot write stored fields to {stored!r}")
        self._add_stored = partial(columns.VarBytesColumn.Writer.add, stored._child)
        self._pickle = _MemolessPickler().dump
        self._plans: dict[str, _Plan] = {}
        # The terms file: its header written again to name CRC32 as its hash, not MD5 (a
        # reader uses the hash the header names; an MD5 a term was a visible share of a rebuild), and
        # its hash tables written by FastHashTables.
        tindex = self.fieldwriter._tindex
        if type(tindex) is not OrderedHashWriter or tindex.dbfile.tell() != tindex.startoffset + _HASH_HEADER:
            raise ValueError(f"bulk writer cannot write a terms file with {tindex!r}")
        tindex.dbfile.seek(tindex.startoffset + 4)  # past its magic
        tindex.dbfile.write_byte(_CRC32)
        tindex.dbfile.seek(tindex.startoffset + _HASH_HEADER)
        tindex.hashtype, tindex.hashfn = _CRC32, crc_hash
        FastHashTables.adopt(tindex)
        self._values: dict[str, ValueLog | WholeLog] = {}  # fields without a word log -> their values
        self._lengths: dict[str, array] = {}  # text field -> length byte by docnum (0: none)
        self._logs: dict[str, TokenLog] = {}  # text and pair fields -> their words
        self._words: dict[str, WordIds] = {}  # text and pair fields -> their chain's term ids
        self._chains: list[WordIds] = []  # one per distinct analyzer chain
        self._frequent: dict[str, dict[bytes, float]] = {}  # pair fields -> frequent terms
        self._tokenizers: dict[Any, Words] = {}  # each tokenizer's expression -> its words
        self._numbered: dict[tuple[int, int], tuple[int, int]] = {}  # this record's, by (words, value)
        self._totals: dict[str, int] = {}  # text field -> its lengths added up
        self._mode: dict[str, str] = {}
        self._single: Any = None  # a one-position posting's value item, by position (numpy objects)
        self.postings = 0
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector or field.column_type is not None:
                raise ValueError(f"bulk writer cannot write field {name!r} (spelling, vectors or columns)")
            if not field.indexed:
                continue
            fmt = field.format
            if fmt.field_boost != 1.0:
                raise ValueError(f"bulk writer cannot write field {name!r} (a field boost)")
            # TEXT fields only: their lengths count tokens (KEYWORD fields store none).
            text = isinstance(field, TEXT) and field.scorable
            items = getattr(field.analyzer, "items", None)
            if text and items and isinstance(items[-1], PairFilter) and type(fmt) is Frequency:
                words = self._chain(CompositeAnalyzer(*items[:-1]))
                if words is not None:
                    self._words[name] = words
                    self._frequent[name] = {t.encode("utf-8"): f for t, f in items[-1].frequent.items()}
                    self._mode[name] = "pairs"
                    continue
            chain = self._chain(field.analyzer) if text else None
            if chain is not None and type(fmt) in (Positions, Frequency):
                self._words[name] = chain
                self._mode[name] = "count" if type(fmt) is Frequency else "positions"
            elif type(fmt) in (Existence, Frequency) and not field.scorable:
                self._mode[name] = "none" if type(fmt) is Existence else "count"
            else:  # its values or lengths would have to be kept a posting at a time
                raise ValueError(f"bulk writer cannot write field {name!r} ({type(fmt).__name__} "
                                 "postings without an analyzer it can reproduce)")

    def _chain(self, analyzer: Analyzer) -> WordIds | None:
        """The term ids of an analyzer chain, shared by the fields that use the chain."""
        for chain in self._chains:
            if chain.cache.analyzer == analyzer:
                return chain
        cache = WordCache.for_analyzer(analyzer)
        if cache is None:
            return None
        words = self._tokenizers.get(cache.expression)
        if words is None:
            words = Words()
            self._tokenizers[cache.expression] = words
        self._chains.append(WordIds(cache, words))
        return self._chains[-1]

    def _numbers(self, chain: WordIds, text: str) -> tuple[int, int]:
        """Where a value's word numbers start in its tokenizer's log, and how many: logged
        once for every field indexing it (a text field, its pair field and the prefix field)."""
        key = (id(chain.words), id(text))  # both live until the record is added
        found = self._numbered.get(key)
        if found is None:
            found = self._numbered[key] = chain.words.add(chain.cache.words(text))
        return found

    @property
    def words_full(self) -> bool:
        """Whether the segment holds so many distinct words that it should be written
        (its words' lookup grows about 110 bytes a word). Asked after every record: no
        generator, at a third of the cost."""
        return max(map(len, self._tokenizers.values()), default=0) > MAX_WORDS

    def add_document(self, **fields: Any) -> None:
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        self._numbered.clear()
        stored: dict[str, Any] = {}
        plans = self._plans
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            plan = plans.get(name) or self._plan(name)
            if plan.words is not None:  # its lengths come when the segment is written
                self._add_text(name, plan.words, value, docnum)
            elif plan.values is not None:
                self.postings += plan.values.add(docnum, value)
            if plan.stored:  # lengths are filed for the whole segment at the end
                stored[name] = value
        if stored:  # what W3PerDocWriter.finish_doc does, without its three layers of calls
            # Protocol 5, not Whoosh's 2: a tenth smaller deflated (Whoosh's reader takes any).
            self._add_stored(docnum, compress_record(self._pickle(stored)))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _plan(self, name: str) -> _Plan:
        """How ``add_document`` files a field's values, worked out on its first value."""
        if name.startswith("_"):
            raise ValueError(f"bulk writer does not support {name!r} (boosts, custom stored values)")
        field = self.schema[name]
        values: ValueLog | WholeLog | None = None
        if field.indexed and name not in self._words:
            whole = (type(field) is ID and type(field.format) is Existence
                     and field.analyzer == IDTokenizer())  # what Whoosh's ID makes of a value
            values = WholeLog() if whole else ValueLog(partial(_terms, field))
            self._values[name] = values
        plan = self._plans[name] = _Plan(field.stored, self._words.get(name), values)
        return plan

    def _add_text(self, name: str, words: WordIds, text: str, docnum: int) -> None:
        """Logs a text value's word numbers."""
        if name in self._frequent and not self._frequent[name]:  # a pair field, none frequent (not rebuilt)
            return
        start, count = self._numbers(words, text)
        log = self._logs.get(name)
        if log is None:
            log = self._logs[name] = TokenLog(words.words)
        log.add(docnum, start, count)
        self.postings += count

    def _block_values(self, mode: str, postings: Postings) -> BlockValues:
        """The values of a range of postings as ``W3PostingsWriter`` stores a block's
        (``_mini_values``)."""
        if mode == "none":
            return BlockValues("none")
        if mode in ("count", "pairs"):  # Frequency: each count as a big-endian uint
            return BlockValues("counts")
        import numpy as np

        assert postings.xs is not None
        xs = np.frombuffer(postings.xs, dtype=np.uint32)
        lone = np.frombuffer(postings.freqs, dtype=np.uint32) == 1
        positions = xs[lone]  # a posting with one position has it in xs
        top = int(positions.max()) if len(positions) else -1
        single = self._single
        if single is None or top >= len(single):  # a lone position's item, by position
            known = 0 if single is None else len(single)
            grown = np.empty(max(top + 1, known), dtype=object)
            grown[:known] = single
            grown[known:] = [value_item(_POSITIONS.encode([p])) for p in range(known, len(grown))]
            single = self._single = grown
        each = np.empty(len(xs), dtype=object)
        each[lone] = single[positions]
        each[~lone] = postings.encoded  # the others' xs count them in order
        return BlockValues("items", each.tolist())

    def _log_postings(self, name: str, mode: str, log: TokenLog) -> Iterator[Postings]:
        """The postings of a field with a word log (its words analysed); its lengths, the
        words its chain keeps or its pairs, are kept with the other fields'."""
        chain = self._words[name]
        table = chain.table
        if mode == "pairs":
            found, docs, counts = log.pairs(table, chain.terms, self._frequent[name])
        else:
            docs, counts = log.lengths(table)
            found = log.postings(table, chain.terms, positions=mode == "positions")
        self._set_lengths(name, docs, counts)
        return found

    def _set_lengths(self, name: str, docs: np.ndarray, counts: np.ndarray) -> None:
        """A field's lengths, all at once: ``counts[i]`` tokens in document ``docs[i]``."""
        import numpy as np

        lengths = np.zeros(self.docnum, dtype=np.uint8)
        lengths[docs] = length_bytes(counts)
        self._lengths[name] = array("B", lengths.tobytes())
        self._totals[name] = int(counts.sum())

    def _write_lengths(self) -> None:
        """Each field's length column, as ``W3PerDocWriter.add_field`` writes it a document
        at a time: a length byte a document, up to the last one with a length."""
        perdoc = self.perdocwriter
        for name in sorted(self._lengths):
            data = self._lengths[name].tobytes().rstrip(b"\0")
            if not data:
                continue
            column = whoosh3._lenfield(name)
            perdoc._create_column(column, whoosh3.LENGTHS_COLUMN)
            writer = perdoc._get_column(column)
            writer._dbfile.write(data)
            writer._count = len(data)
            perdoc._fieldlengths[name] += self._totals[name]

    def _analyse(self) -> None:
        """Every logged word analysed by its fields' chains; then the words and their
        lookups go, before the postings are sorted."""
        for name, log in self._logs.items():
            self._words[name].analyse(log.numbers())
        for chain in self._chains:
            chain.forget_words()
        for words in self._tokenizers.values():
            words.forget()

    def _flush_segment(self) -> None:
        self._analyse()
        fieldwriter = self.fieldwriter
        for name in sorted({*self._values, *self._logs}):
            mode = self._mode[name]
            field = self.schema[name]
            log = self._logs.pop(name, None)
            chunks: Iterable[Postings]
            if log is None:
                chunks = [self._values.pop(name).postings()]
            else:
                chunks = self._log_postings(name, mode, log)
                if not any(other.source is log.source for other in self._logs.values()):
                    log.source.log = array("i")  # no field left reads it
                del log  # its words are in the chunks now
            fieldwriter.start_field(name, field)
            postwriter = fieldwriter._postwriter
            out = TermWriter(fieldwriter, level=postwriter._compression, limit=postwriter._blocklimit,
                             lengths=self._lengths.get(name, array("B")))
            for postings in chunks:  # a range of terms at a time
                out.add_terms(postings.terms, postings.starts, postings.docs, postings.freqs,
                              self._block_values(mode, postings))
            out.close()
            fieldwriter.finish_field()
        # Last: pair fields' lengths are known once their postings are.
        self._write_lengths()
        self.perdocwriter.close()
        self.fieldwriter.close()

    def _finish(self) -> None:
        # Every writer of an index shares its temp folder (MAIN.tmp) and SegmentWriter
        # deletes it here, under the feet of bulk writers in other processes: leave it
        # to the writer in commit_segments, which runs once they are all done.
        self.is_closed = True

    def finish(self) -> Segment | None:
        """Write the segment's files and return it (None if nothing was added)."""
        if not self._added:
            self.cancel()
            return None
        segment = self._finalize_segment()
        self._finish()
        return segment


class _MemolessPickler:
    """``pickle.dumps(obj, 5)`` without the memo (``Pickler.fast``), for records: they hold
    no object twice that must stay one, and pickle a fifth faster and unpickle a third faster."""

    def __init__(self) -> None:
        self._buf = io.BytesIO()
        self._pickler = pickle.Pickler(self._buf, 5)
        self._pickler.fast = True

    def dump(self, obj: Any) -> bytes:
        buf = self._buf
        buf.seek(0)
        buf.truncate()
        self._pickler.dump(obj)
        return buf.getvalue()


def _terms(field: Any, value: Any) -> Iterator[tuple[bytes, int]]:
    """A value's terms and counts, as the field indexes it (weights are counts here)."""
    for term, count, weight, _value in field.index(value):
        if weight != count:
            raise ValueError("bulk writer does not support weighted postings")
        yield term, count


def length_bytes(counts: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` of each count: the first byte standing for that length or more."""
    import numpy as np

    return np.minimum(np.searchsorted(_BYTE_LENGTHS, counts, side="left"), 255).astype(np.uint8)


def build_segments(ix: FileIndex, records: Iterable[dict[str, Any]], max_postings: int = MAX_POSTINGS,
                   expected_chars: int | None = None) -> tuple[list[Segment], int]:
    """Write records into new segments (not yet live); returns them and the record count.

    ``expected_chars``, the length of all the records' text (``body`` and ``note``) if
    known, lets segments come out about equal in size, not full ones and a small rest.
    """
    segments: list[Segment] = []
    count = 0
    chars = postings = 0  # all segments so far
    writer = BulkSegmentWriter(ix)
    try:
        for record in records:
            writer.add_document(**with_pairs(record))
            count += 1
            chars += len(record.get("body") or "") + len(record.get("note") or "")
            if writer.words_full or flush_due(writer.postings, postings + writer.postings, chars,
                                              expected_chars, max_postings):
                postings += writer.postings
                segment = writer.finish()
                if segment is not None:
                    segments.append(segment)
                writer = BulkSegmentWriter(ix)
    except BaseException:
        writer.cancel()
        raise
    segment = writer.finish()
    if segment is not None:
        segments.append(segment)
    return segments, count


def flush_due(segment: int, done: int, chars: int, expected_chars: int | None, max_postings: int) -> bool:
    """Whether a segment holding ``segment`` postings is complete, ``done`` postings and
    ``chars`` characters into the build. The build's postings are extrapolated from its
    postings per character so far and split into as few equal segments as
    ``max_postings`` allows; what would be left for a last one is kept in this one,
    up to ``max_postings``, rather than written as a tiny segment."""
    if segment >= max_postings:
        return True
    if not expected_chars or not chars or segment < max_postings // 2:
        return False
    expected = done * max(expected_chars, chars) / chars
    target = expected / math.ceil(expected / max_postings)
    return segment >= target and expected - done > target / 4


def commit_segments(ix: FileIndex, segments: list[Segment], writer: SegmentWriter | None = None,
                    merge: bool = False) -> None:
    """Make segments written by ``BulkSegmentWriter`` (here or in other processes) live.

    ``writer``: an open writer whose own deletions and additions go in the same
    commit (SegmentWriter.commit, with the new segments appended to its list).
    """
    writer = writer or segment_writer(ix, timeout=30)
    try:
        final = writer._merge_segments(None, None, merge)
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final + segments)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()


def open_folder(folder: str) -> Any:
    """The Whoosh index in ``folder``, for a rebuild worker writing segments into it (the
    parent process commits them)."""
    return open_index(folder)
