"""Full rebuilds: in process and in spawned workers, the same index; cancel and failure are safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app import rebuild
from app.errors import KnownError
from app.library import Library
from storage.index import pairs
from storage.index.schema import pair_filter
from storage.models import Annotation
from tests import corpus

PARAS = [
    "Funding for the Mérida programmes rose sharply after the cartels were found laundering money.",
    "Mr Peña testified that résumés of border officers were reviewed in Nogales.",
    "Los cárteles lavaban dinero mediante empresas fachada en Culiacán.",
    "Fentanyl precursors were seized at the port of entry in Laredo.",
]


@pytest.fixture
def filled(lib: Library, tmp_path: Path) -> Library:
    for n in range(12):
        body = "\n\n".join(PARAS[(n + i) % 4] + f" Report {n} paragraph {i}." for i in range(6))
        doc = lib.import_file(corpus.write(tmp_path / f"doc{n}.txt", f"Report {n}\n\n{body}\n")).id
        assert doc is not None
        for word, tag in (("laundering", "Finance/Laundering"), ("cárteles", "Crime"), ("Fentanyl", "Drugs")):
            try:
                s, e = lib.find_quote(doc, word)
            except KnownError:
                continue
            lib.add_annotation(doc, s, e, [tag], note=f"note {n}")
    return lib


QUERIES = ["Merida", "laundered", "carteles", '"port of entry"', "tag:Finance", "note:note", "Nogal*",
           "kind:annotation fentanyl", "Pena~1/1"]


def answers(lib: Library) -> dict[str, list[tuple[str, int, int, int]]]:
    return {q: sorted((h.kind, h.doc_id, h.start, h.end) for h in lib.search(q, limit=500)) for q in QUERIES}


def test_parallel_rebuild_equals_in_process(filled: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    filled.reindex(procs=1)
    expected = answers(filled)
    assert all(expected.values())
    monkeypatch.setattr(rebuild, "PARALLEL_MIN_CHARS", 0)  # small project, real worker processes
    with filled._project.session() as s:  # more shares than workers: they take turns
        assert len(rebuild.plan(s, 2 * rebuild.SHARES_PER_WORKER)[0]) > 4
    seen: list[tuple[int, int]] = []
    written = filled.reindex(lambda done, total: seen.append((done, total)) and None, procs=2)
    assert written == filled._index.doc_count()
    assert answers(filled) == expected
    assert filled.check() == []
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the total


def test_shares_split_text_and_highlights(filled: Library) -> None:
    with filled._project.session() as s:
        shares, chars = rebuild.plan(s, 2)
    assert len(shares) == 2 and chars > 0
    assert shares[0].docs and shares[1].docs and shares[0].docs[1] < shares[1].docs[0]
    assert shares[0].anns and shares[1].anns and shares[0].anns[1] < shares[1].anns[0]
    with filled._project.session() as s:
        ann_ids = sorted(s.scalars(select(Annotation.id)))
        quotes = sum(len(q) + len(n) for q, n in s.execute(select(Annotation.quote, Annotation.note)))
    covered = [i for i in ann_ids for sh in shares if sh.anns and sh.anns[0] <= i <= sh.anns[1]]
    assert covered == ann_ids  # every highlight in exactly one share
    assert sum(sh.chars for sh in shares) == chars + quotes
    assert sum(sh.units for sh in shares) == 12 + len(ann_ids)


def test_more_shares_than_highlights(filled: Library) -> None:
    with filled._project.session() as s:
        ann_count = len(list(s.scalars(select(Annotation.id))))
        shares, _ = rebuild.plan(s, ann_count + 5)
    assert sum(1 for sh in shares if sh.anns) == ann_count
    assert all(sh.anns is None or sh.anns[0] == sh.anns[1] for sh in shares)


@pytest.mark.parametrize("procs", [1, 2])
def test_cancelled_rebuild_is_redone_on_open(filled: Library, project_path: Path,
                                             monkeypatch: pytest.MonkeyPatch, procs: int) -> None:
    monkeypatch.setattr(rebuild, "PARALLEL_MIN_CHARS", 0)
    assert filled.reindex(lambda done, total: False, procs=procs) == 0
    filled.close()
    with Library.open(project_path) as again:
        assert again.index_message and "interrupted" in again.index_message
        assert again.search("Merida") and again.check() == []


def test_worker_failure_is_a_clear_error(filled: Library, project_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Patched for this block only: undoing the whole monkeypatch would also undo the
    # fixture that keeps the user's real cache folder out of the tests.
    with monkeypatch.context() as patch:
        patch.setattr(rebuild, "PARALLEL_MIN_CHARS", 0)
        # The workers open the project by path: point them at a file that is not a project.
        patch.setattr(filled._project, "path", project_path.with_name("missing.dossier"))
        with pytest.raises(KnownError, match="search index rebuild failed: .*no such project file"):
            filled.reindex(procs=2)
    filled.close()
    with Library.open(project_path) as again:  # the half-built index is not trusted
        assert again.index_message and "rebuilding" in again.index_message
        assert again.search("Merida") and again.check() == []


def test_rebuild_falls_back_to_one_process_when_workers_cannot_start(
        filled: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A spawned worker re-imports the caller's main module; from stdin there is none."""
    import sys

    main = sys.modules["__main__"]
    used: list[str] = []
    in_process = rebuild._in_process
    with monkeypatch.context() as patch:  # not monkeypatch.undo(): see the test above
        patch.setattr(rebuild, "PARALLEL_MIN_CHARS", 0)
        patch.setattr(main, "__spec__", None, raising=False)
        patch.setattr(main, "__file__", str(tmp_path / "<stdin>"), raising=False)
        patch.setattr(rebuild, "_in_process", lambda *a: used.append("here") or in_process(*a))
        filled.reindex(procs=2)
    assert used == ["here"]
    assert filled.search("Merida") and filled.check() == []


PHRASES = ['"port of entry"', '"the cartels"', '"lavaban dinero"', '"were found laundering"', '"of the"',
           '"for the"', '"paragraph 3"']


def phrase_hits(lib: Library) -> dict[str, list[tuple[str, int, tuple[tuple[int, int], ...]]]]:
    return {q: sorted((h.kind, h.doc_id, h.matches) for h in lib.search(q, limit=500)) for q in PHRASES}


def test_rebuild_indexes_frequent_word_pairs_and_phrases_find_the_same(
        filled: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    expected = phrase_hits(filled)  # written as the project grew: no pairs yet
    assert pair_filter(filled._index.whoosh.schema, "text_en") is None
    assert all(expected[q] for q in PHRASES if q != '"of the"')
    monkeypatch.setattr(pairs, "MIN_SAMPLE", 10)  # a small project's sample is enough here
    filled.reindex(procs=1)
    frequent = pair_filter(filled._index.whoosh.schema, "text_en")
    assert frequent is not None and {"the", "for", "paragraph"} <= frequent.frequent.keys()
    assert phrase_hits(filled) == expected
    # a document added since the rebuild is written by Whoosh's own writer, pairs included
    doc = filled.import_file(corpus.write(tmp_path / "new.txt", "New\n\nThe cartels paid for the port.\n")).id
    assert filled.wait_for_index(5)
    new = [h for h in filled.search('"the cartels"', limit=500) if h.doc_id == doc]
    assert new and "**The cartels**" in new[0].snippet  # the phrase marked as one
