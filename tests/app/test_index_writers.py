"""Writers of the index in several processes, edits that must reach it, and an index that
cannot be written or read (issue 18: D4, D5, D6, D8, D10, damaged segments)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli.main import run
from app.errors import KnownError
from app.library import Library
from app.paths import index_folder
from storage.index.folder import IndexLock
from storage.index.merge import ChildMerge

REPO = Path(__file__).resolve().parents[2]


def _add(lib: Library, doc: int, quote: str, tags: list[str], note: str = "") -> int:
    start, end = lib.find_quote(doc, quote)
    return lib.add_annotation(doc, start, end, tags, note=note).id


# -- D4: the outbox never loses an entry -------------------------------------------------

def test_a_drain_in_another_process_never_deletes_an_unindexed_edit(lib: Library, text_doc: int) -> None:
    """The race, forced step by step: A reads the outbox; B drains it; an edit is saved
    but not yet indexed (its writer found the index busy); A finishes. Before, the new
    row took the number A had read and A deleted it."""
    other = Library.open(lib.path)
    writer = Library.open(lib.path)
    writer.index_lock_wait = 0.01
    held = IndexLock(index_folder(lib.uuid))
    try:
        with held.held(1):
            first = _add(writer, text_doc, "Cartels", ["A"])  # saved, indexing deferred
        assert writer.notes and "deferred" in writer.notes[0]
        batch = other._indexer.take()  # A reads the pending row
        assert batch is not None
        lib._indexer.drain()  # B applies and deletes it
        with held.held(1):
            second = _add(writer, text_doc, "Fentanyl", ["B"])  # saved, not yet indexed
        other._indexer.apply(batch)  # A ends its drain
        assert writer._indexer.pending() == 1
        lib._indexer.drain()
        found = {h.annotation_id for h in lib.search("cartels OR fentanyl", kind="annotation")}
        assert found == {first, second}
        assert lib.check() == []
    finally:
        other.close()
        writer.close()


# -- D5: one index writer across processes -------------------------------------------------

def test_a_command_finding_the_index_busy_saves_and_says_indexing_was_deferred(
        lib: Library, text_doc: int, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(lib.path)
    lib.close()
    held = IndexLock(index_folder(lib.uuid))
    with held.held(1):
        code = run(["--project", path, "--json", "highlight", str(text_doc), "--quote", "Fentanyl",
                    "--tag", "Drugs"])
    out, err = capsys.readouterr()
    assert code == 0
    assert '"quote": "Fentanyl"' in out
    assert "indexing deferred" in err and "Traceback" not in err
    assert run(["--project", path, "--json", "search", "fentanyl", "--kind", "annotation"]) == 0
    out, _ = capsys.readouterr()
    assert '"tags": ["Drugs"]' in out  # caught up by the next command
    assert run(["--project", path, "check"]) == 0


ADD_MANY = r"""
import sys
from pathlib import Path
from app.library import Library
lib = Library.open(Path(sys.argv[1]))
for n in range(int(sys.argv[3])):
    start, end = lib.find_quote(1, "Cartels")
    lib.add_annotation(1, start, end, [sys.argv[2]], note=f"{sys.argv[2]}-{n}")
print(len(lib.notes))
lib.close()
"""


def test_two_processes_indexing_at_once(lib: Library, text_doc: int) -> None:
    path = str(lib.path)
    lib.close()
    procs = [subprocess.Popen([sys.executable, "-c", ADD_MANY, path, tag, "15"], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("Alpha", "Beta")]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "Traceback" not in err
    with Library.open(Path(path)) as again:
        assert len(again.annotations()) == 30
        assert again.check() == []
        assert len(again.search("tag:Alpha", kind="annotation", limit=100)) == 15
        assert len(again.search("tag:Beta", kind="annotation", limit=100)) == 15


def test_the_background_indexer_survives_a_busy_index(lib: Library, text_doc: int) -> None:
    window = Library.open(lib.path, background_index=True)
    try:
        held = IndexLock(index_folder(lib.uuid))
        with held.held(1):
            ann = _add(window, text_doc, "Fentanyl", ["Drugs"])
            assert not window.wait_for_index(0.3)  # busy: not yet
        assert window.wait_for_index(10)
        assert [h.annotation_id for h in window.search("fentanyl", kind="annotation")] == [ann]
        assert window.index_errors == []
    finally:
        window.close()


# -- D6: every edit reaches the index as a rebuild would have it ---------------------------

def _world(lib: Library, tmp_path: Path) -> dict[str, int]:
    second = tmp_path / "second.txt"
    second.write_text("Annex on money laundering.\n\nFront companies moved the proceeds.\n")
    result = lib.import_file(second, tags=["Region/Mexico", "Finance"])
    assert result.id is not None
    return {"doc2": result.id}


def _view(lib: Library) -> list[tuple[str, ...]]:
    queries = ["cartels", "laundering", "fentanyl", "mérida", "front companies", "annex"]
    queries += [f'tag:"{t.path}"' for t in lib.tags()]
    queries += ['tag:"Region/Mexico"', 'tag:"Places/Mexico"', "tag:finance", "tag:money",
                'doc:"Annex"', 'doc:"Testimony"']
    out = []
    for q in queries:
        hits = lib.search(q, limit=1000, snippets=False)
        out.append((q, *sorted(repr((h.kind, h.doc_id, h.annotation_id, h.tags, h.doc_title, h.note,
                                     h.color, h.start, h.end)) for h in hits)))
    return out


def _undone(lib: Library, edit: Callable[[], object]) -> None:
    state = lib.tag_state()
    edit()
    lib.restore_tag_state(state)


EDITS: dict[str, Callable[[Library, int, dict[str, int]], None]] = {
    "tag merge": lambda lib, d, w: lib.merge_tags("Finance", "Money"),
    "tag merge of a parent": lambda lib, d, w: lib.merge_tags("Region", "Places"),
    "tag rename of a parent": lambda lib, d, w: lib.rename_tag("Region", "Area"),
    "tag reparent": lambda lib, d, w: lib.reparent_tag("Finance", "Money"),
    "tag delete": lambda lib, d, w: lib.delete_tag("Region"),
    "tag colour": lambda lib, d, w: lib.set_tag_color("Finance", "green"),
    "undo of a merge": lambda lib, d, w: _undone(lib, lambda: lib.merge_tags("Region", "Places")),
    "highlight tags": lambda lib, d, w: lib.update_annotation(lib.annotations(d)[0].id, tags=["New/Leaf"]),
    "highlight note": lambda lib, d, w: lib.update_annotation(lib.annotations(d)[0].id, note="annex"),
    "highlight colour": lambda lib, d, w: lib.update_annotation(lib.annotations(d)[0].id, color="red"),
    "highlight delete": lambda lib, d, w: lib.delete_annotation(lib.annotations(d)[0].id),
    "highlight undelete": lambda lib, d, w: lib.restore_annotation(
        lib.delete_annotation(lib.annotations(d)[0].id)),
    "document title": lambda lib, d, w: lib.update_document(w["doc2"], title="Annex B"),
    "document published": lambda lib, d, w: lib.update_document(d, published="2021-03-03"),
    "document delete": lambda lib, d, w: lib.delete_document(w["doc2"]),
    "document undelete": lambda lib, d, w: lib.restore_document(lib.delete_document(w["doc2"])),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_each_edit_leaves_the_index_as_a_rebuild_would(
        lib: Library, text_doc: int, tmp_path: Path, edit: str) -> None:
    world = _world(lib, tmp_path)
    lib.create_tag("Money")
    lib.create_tag("Places")
    _add(lib, text_doc, "Cartels were laundering money", ["Finance", "Region/Mexico"], note="front")
    _add(lib, text_doc, "Fentanyl seizures", ["Region/Mexico/Border"])
    _add(lib, world["doc2"], "Front companies", ["Finance"])
    EDITS[edit](lib, text_doc, world)
    incremental = _view(lib)
    lib.reindex()
    assert incremental == _view(lib)
    assert lib.check() == []


# -- D8: an index that cannot be written; damaged segments -----------------------------------

def test_an_index_path_taken_by_a_file_is_set_aside(lib: Library, text_doc: int) -> None:
    folder = index_folder(lib.uuid)
    lib.close()
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
    folder.write_text("a file where the index belongs")
    with Library.open(lib.path) as again:
        assert again.search("cartels")
    assert folder.is_dir()


def test_no_cache_folder_to_write_in_leaves_the_project_readable(
        lib: Library, text_doc: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = str(lib.path)
    lib.close()
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(blocked))
    assert run(["--project", path, "docs"]) == 0
    out, err = capsys.readouterr()
    assert "Testimony" in out and "search is unavailable" in err
    assert run(["--project", path, "search", "cartels"]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("note: search is unavailable") and "Traceback" not in err
    assert run(["--project", path, "highlight", str(text_doc), "--quote", "Cartels"]) == 0
    capsys.readouterr()
    assert run(["--project", path, "check"]) == 1
    out, err = capsys.readouterr()
    assert "search index unavailable" in out and "Traceback" not in err
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache2"))
    assert run(["--project", path, "check"]) == 0  # a new cache: rebuilt from the project


FULL_DISK = r"""
import resource, sys
from app.cli.main import run
from app.errors import KnownError
resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))  # every larger write fails (EFBIG)
sys.exit(run(["--project", sys.argv[1], *sys.argv[2:]]))
"""


def test_an_index_that_cannot_be_written_is_a_note_not_a_traceback(
        lib: Library, text_doc: int, tmp_path: Path) -> None:
    """The index in a cache where no file can grow past 2 KB (as on a full disk); ``lib``
    stays open here so that the project's -shm file is there already, as it would be."""
    path = str(lib.path)
    env = {**os.environ, "DOSSIER_CACHE_DIR": str(tmp_path / "small-cache")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", FULL_DISK, path, *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=60, check=False)

    docs = cli("docs")
    assert docs.returncode == 0 and "Testimony" in docs.stdout, docs.stderr
    assert "search is unavailable" in docs.stderr and "Traceback" not in docs.stderr
    search = cli("search", "cartels")
    assert search.returncode == 1 and "Traceback" not in search.stderr
    assert "search is unavailable" in search.stderr
    check = cli("check")
    assert check.returncode == 1 and "search index unavailable" in check.stdout
    assert "Traceback" not in check.stderr


def _spoil(folder: Path) -> None:
    for seg in folder.glob("MAIN_*.seg"):
        data = bytearray(seg.read_bytes())
        for i in range(12, len(data) // 2, 7):  # records and terms; the directory at the end kept
            data[i] ^= 0xFF
        seg.write_bytes(bytes(data))


def test_a_segment_damaged_while_open_is_reported_by_check_and_repaired(
        lib: Library, text_doc: int) -> None:
    _add(lib, text_doc, "Cartels", ["A"])
    _spoil(index_folder(lib.uuid))
    [problem] = lib.check()
    assert problem.startswith("search index damaged") and "check --repair" in problem
    with pytest.raises(KnownError, match="search index damaged"):
        lib.search("cartels")
    assert lib.repair() == [problem]
    assert lib.check() == []
    assert lib.search("cartels")


def test_a_damaged_segment_found_on_opening_is_rebuilt(
        lib: Library, text_doc: int, capsys: pytest.CaptureFixture[str]) -> None:
    _add(lib, text_doc, "Cartels", ["A"])
    path = str(lib.path)
    lib.close()
    _spoil(index_folder(lib.uuid))
    assert run(["--project", path, "check"]) in (0, 1)
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    assert run(["--project", path, "check", "--repair"]) == 0
    assert run(["--project", path, "--json", "search", "cartels"]) == 0
    assert '"doc_id": 1' in capsys.readouterr().out


# -- D10: the merge child runs our code, whatever the current folder holds -----------------

def test_the_merge_child_ignores_a_merge_module_in_the_current_folder(
        lib: Library, text_doc: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trap = tmp_path / "work"
    (trap / "storage" / "index").mkdir(parents=True)
    marker = tmp_path / "trap-ran"
    (trap / "storage" / "__init__.py").write_text("")
    (trap / "storage" / "index" / "__init__.py").write_text("")
    (trap / "storage" / "index" / "merge.py").write_text(
        f"open({str(marker)!r}, 'w').close()\ndef main(argv): pass\n")
    monkeypatch.chdir(trap)
    monkeypatch.setenv("PYTHONPATH", str(trap))
    child = ChildMerge(index_folder(lib.uuid), combine=False)
    try:
        for _ in range(600):
            if child.done():
                break
            import time
            time.sleep(0.05)
        assert child.done() and child.failure() is None
    finally:
        child.stop()
    assert not marker.exists()
