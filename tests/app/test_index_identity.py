"""The search index belongs to exactly one project, lives only where it should, and is
never opened when it is not ours (issue 18: D1, D3)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from app.errors import KnownError
from app.library import Library
from app.paths import cache_root, index_folder


def _set_uuid(project: Path, value: str) -> None:
    con = sqlite3.connect(project)
    con.execute("UPDATE project_info SET value = ? WHERE key = 'uuid'", (value,))
    con.commit()
    con.close()


def _add(lib: Library, doc: int, quote: str, tag: str) -> int:
    start, end = lib.find_quote(doc, quote)
    return lib.add_annotation(doc, start, end, [tag]).id


def _found(lib: Library, query: str) -> set[int]:
    return {h.annotation_id for h in lib.search(query, kind="annotation", snippets=False)
            if h.annotation_id is not None}


@pytest.mark.parametrize("crafted", ["../../victim", "ABSOLUTE"])
def test_a_uuid_that_is_a_path_is_refused_and_the_folder_untouched(
        tmp_path: Path, project_path: Path, crafted: str) -> None:
    Library.open(project_path).close()
    victim = tmp_path / "victim-abs" if crafted == "ABSOLUTE" else cache_root().parent / "victim"
    victim.mkdir(parents=True, exist_ok=True)
    (victim / "thesis.txt").write_text("years of work")
    (victim / "_MAIN_1.toc").write_bytes(b"not a pickle we would ever load")
    _set_uuid(project_path, str(victim) if crafted == "ABSOLUTE" else crafted)
    with pytest.raises(KnownError, match="identity record is damaged"):
        Library.open(project_path)
    assert sorted(p.name for p in victim.iterdir()) == ["_MAIN_1.toc", "thesis.txt"]
    assert (victim / "thesis.txt").read_text() == "years of work"


@pytest.mark.parametrize("value", ["{%s}", "%s ", "urn:uuid:%s"])
def test_only_the_canonical_form_is_accepted(project_path: Path, value: str) -> None:
    Library.open(project_path).close()
    _set_uuid(project_path, value % "0e2f6a3c-5d0c-4a43-9b1c-0a5e0f0c7e11")
    with pytest.raises(KnownError, match="identity record is damaged"):
        Library.open(project_path)
    with pytest.raises(KnownError):
        index_folder("../x")


class _Trap:
    """Unpickling this writes a marker file: what a crafted table of contents could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_a_crafted_index_in_the_projects_folder_is_set_aside_never_unpickled(
        tmp_path: Path, lib: Library, text_doc: int) -> None:
    folder = index_folder(lib.uuid)
    lib.close()
    marker = tmp_path / "pwned"
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "_MAIN_1.toc").write_bytes(pickle.dumps(_Trap(marker)))
    with Library.open(lib.path) as again:
        assert "not made by this Dossier" in (again.index_message or "")
        assert again.search("cartels")
    assert not marker.exists()
    aside = [p for p in folder.parent.iterdir() if p.name.startswith(f"{lib.uuid}.set-aside-")]
    assert len(aside) == 1 and (aside[0] / "_MAIN_1.toc").exists()


def test_index_folder_is_private_and_emptied_only_of_index_files(lib: Library, text_doc: int) -> None:
    folder = index_folder(lib.uuid)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    (folder / "keep-me.txt").write_text("someone's file")
    lib.reindex()  # starts the index afresh: Whoosh's files go, the stranger is set aside
    assert not (folder / "keep-me.txt").exists()
    [aside] = [p for p in folder.parent.iterdir() if ".set-aside-" in p.name]
    assert (aside / "keep-me.txt").read_text() == "someone's file"
    assert not any(p.name.startswith("_MAIN_") for p in aside.iterdir())
    assert lib.search("cartels")


def test_a_copied_project_gets_its_own_index(tmp_path: Path, lib: Library, text_doc: int) -> None:
    original = _add(lib, text_doc, "Cartels were laundering money", "Finance")
    lib.close()
    copy = tmp_path / "copy.dossier"
    shutil.copyfile(lib.path, copy)
    with Library.open(copy) as theirs:
        assert theirs.uuid != lib.uuid
        assert "copy" in (theirs.index_message or "")
        assert _found(theirs, "laundering") == {original}
        only_copy = _add(theirs, text_doc, "Fentanyl seizures", "Drugs")
        theirs.delete_annotation(original)
        assert _found(theirs, "laundering") == set()
    with Library.open(lib.path) as ours:
        assert ours.uuid == lib.uuid
        assert _found(ours, "laundering") == {original}
        assert _found(ours, "fentanyl") == set()
        assert ours.check() == []
    with Library.open(copy) as theirs:
        assert _found(theirs, "fentanyl") == {only_copy}
        assert theirs.check() == []


def test_a_moved_project_keeps_its_index(tmp_path: Path, lib: Library, text_doc: int) -> None:
    _add(lib, text_doc, "Cartels were laundering money", "Finance")
    uuid = lib.uuid
    lib.close()
    moved = tmp_path / "moved.dossier"
    os.replace(lib.path, moved)
    with Library.open(moved) as again:
        assert again.uuid == uuid
        assert again.index_message is None  # no rebuild: the same project, elsewhere
        assert again.check() == []


def test_another_projects_index_swapped_in_is_set_aside(tmp_path: Path, lib: Library, text_doc: int) -> None:
    _add(lib, text_doc, "Cartels were laundering money", "Finance")
    lib.close()
    with Library.open(tmp_path / "other.dossier") as other:
        doc = tmp_path / "other.txt"
        doc.write_text("Laundering in another project entirely.\n")
        other_doc = other.import_file(doc).id
        assert other_doc is not None
        _add(other, other_doc, "Laundering", "Other")
        other_folder = index_folder(other.uuid)
    ours = index_folder(lib.uuid)
    shutil.rmtree(ours)
    shutil.copytree(other_folder, ours)
    with Library.open(lib.path) as again:
        assert "another project" in (again.index_message or "")
        assert [h.doc_id for h in again.search("laundering", kind="annotation")] == [text_doc]
        assert again.check() == []


def test_an_index_ahead_of_a_restored_backup_is_rebuilt(tmp_path: Path, lib: Library, text_doc: int) -> None:
    _add(lib, text_doc, "Cartels were laundering money", "Finance")
    lib.close()
    backup = tmp_path / "backup.dossier"
    src = sqlite3.connect(lib.path)
    dst = sqlite3.connect(backup)
    src.backup(dst)
    src.close()
    dst.close()
    with Library.open(lib.path) as later:
        _add(later, text_doc, "Fentanyl seizures", "Drugs")
        assert _found(later, "fentanyl")
    for suffix in ("-wal", "-shm"):
        Path(str(lib.path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(backup, lib.path)  # the user restores yesterday's copy
    with Library.open(lib.path) as restored:
        assert "ahead of the project file" in (restored.index_message or "")
        assert _found(restored, "fentanyl") == set()
        assert restored.check() == []


def test_state_records_identity_and_position(lib: Library, text_doc: int) -> None:
    _add(lib, text_doc, "Cartels were laundering money", "Finance")
    state = json.loads((index_folder(lib.uuid) / "dossier-index.json").read_text())
    assert state["project"] == lib.uuid
    con = sqlite3.connect(lib.path)
    [(instance,)] = con.execute("SELECT value FROM project_info WHERE key = 'instance'").fetchall()
    con.close()
    assert state["instance"] == instance
    assert state["path"] == str(lib.path.resolve())
    assert state["position"] >= 2 and state["complete"] is True
