"""A newer version of a source (issue 19, item 6): highlights follow by exact quote, by a
close match, or become orphans; briefing items follow; undo puts the old version back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import run
from app.errors import KnownError
from app.library import Library

OLD = (
    "Statement on Border Security\n\n"
    "The minister said the border was secure. 🙂 Officers seized 40 kilos at the bridge.\n\n"
    "A second paragraph talks about money laundering through shell companies in the region.\n\n"
    "This passage about tunnels will be deleted from the newer edition of the text.\n\n"
    "Officers seized 40 kilos again, in a later raid that week.\n"
)
NEW = (
    "Statement on Border Security\n\n"
    "A new opening paragraph, inserted before everything else, with 🚨 emoji.\n\n"
    "The minister said the border was secure. 🙂 Officers seized 40 kilos at the bridge.\n\n"
    "A second paragraph discusses money laundering through shell companies in the region.\n\n"
    "Officers seized 40 kilos again, in a later raid that week.\n"
)


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "statement-v1.txt", tmp_path / "statement-v2.txt"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    return old, new


def _quote(lib: Library, ann_id: int) -> str:
    a = lib.annotation(ann_id)
    return lib.document_text(a.doc_id)[a.start : a.end]


def test_highlights_follow_the_new_version(lib: Library, versions: tuple[Path, Path]) -> None:
    old, new = versions
    doc = lib.import_file(old).id
    assert doc is not None
    bridge = lib.add_annotation(doc, *lib.find_quote(doc, "Officers seized 40 kilos at the bridge"), ["Drugs"])
    again = lib.add_annotation(doc, *lib.find_quote(doc, "Officers seized 40 kilos", 2), ["Drugs"])
    overlap = lib.add_annotation(doc, *lib.find_quote(doc, "secure. 🙂 Officers"), ["Emoji"])
    reworded = lib.add_annotation(doc, *lib.find_quote(doc, "talks about money laundering through shell "
                                                            "companies"), ["Finance"], note="key")
    gone = lib.add_annotation(doc, *lib.find_quote(doc, "about tunnels will be deleted"), ["Tunnels"])
    briefing = lib.create_briefing("Weekly")
    lib.add_items(briefing.id, [reworded.id, gone.id])

    result, snapshot = lib.reimport(doc, new)

    assert result.version == 2
    assert (result.exact, result.fuzzy, result.orphaned) == (3, 1, (gone.id,))
    assert result.moved == 4
    assert _quote(lib, bridge.id) == "Officers seized 40 kilos at the bridge"
    assert _quote(lib, again.id) == "Officers seized 40 kilos"
    assert lib.document_text(doc)[lib.annotation(again.id).end:].startswith(" again")
    assert _quote(lib, overlap.id) == "secure. 🙂 Officers"
    assert _quote(lib, reworded.id) == "discusses money laundering through shell companies"
    assert lib.annotation(reworded.id).note == "key"
    orphan = lib.annotation(gone.id)
    assert orphan.orphaned and orphan.quote == "about tunnels will be deleted" and orphan.tags == ("Tunnels",)
    items = lib.briefing(briefing.id).sections[0].items
    assert [i.annotation.id for i in items] == [reworded.id, gone.id]  # briefing items stay
    assert items[0].quote == "discusses money laundering through shell companies"
    assert [v.version for v in lib.versions(doc)] == [1, 2]
    memo = lib.memo(briefing.id)
    assert "para." not in memo.sections[0].excerpts[1].citation  # an orphan has no locator

    lib.undo_reimport(snapshot)
    assert lib.document(doc).version == 1
    assert _quote(lib, reworded.id) == "talks about money laundering through shell companies"
    assert not lib.annotation(gone.id).orphaned
    assert [v.version for v in lib.versions(doc)] == [1]


def test_an_orphan_is_placed_by_hand(lib: Library, versions: tuple[Path, Path]) -> None:
    old, new = versions
    doc = lib.import_file(old).id
    assert doc is not None
    gone = lib.add_annotation(doc, *lib.find_quote(doc, "about tunnels will be deleted"))
    lib.reimport(doc, new)
    before = lib.place_orphan(gone.id, *lib.find_quote(doc, "a later raid"))
    placed = lib.annotation(gone.id)
    assert not placed.orphaned and placed.quote == "a later raid"
    lib.restore_anchor(before)
    assert lib.annotation(gone.id).orphaned


def test_same_version_and_old_version_refused(lib: Library, versions: tuple[Path, Path]) -> None:
    old, new = versions
    doc = lib.import_file(old).id
    assert doc is not None
    with pytest.raises(KnownError, match="current version already"):
        lib.reimport(doc, old)
    lib.reimport(doc, new)
    again = lib.import_file(old)  # the earlier version's bytes are still this document
    assert (again.status, again.id) == ("duplicate", doc)


def test_reimport_from_the_command_line(tmp_path: Path, versions: tuple[Path, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    old, new = versions
    project = str(tmp_path / "p.dossier")
    assert run(["--project", project, "import", str(old)]) == 0
    assert run(["--project", project, "highlight", "1", "--quote", "about tunnels will be deleted"]) == 0
    assert run(["--project", project, "highlight", "1", "--quote", "at the bridge"]) == 0
    capsys.readouterr()
    assert run(["--project", project, "--json", "reimport", "1", str(new)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"id": 1, "version": 2, "moved": 1, "exact": 1, "fuzzy": 0, "orphaned": [1]}
    assert run(["--project", project, "--json", "annotations", "--orphaned"]) == 0
    assert [a["id"] for a in json.loads(capsys.readouterr().out)] == [1]
    assert run(["--project", project, "place", "1", "--quote", "a later raid"]) == 0
    capsys.readouterr()
    assert run(["--project", project, "annotations", "--orphaned"]) == 0
    captured = capsys.readouterr()
    assert "no orphaned highlights" in captured.out + captured.err
    assert run(["--project", project, "--json", "versions", "1"]) == 0
    assert [v["current"] for v in json.loads(capsys.readouterr().out)] == [False, True]
    assert run(["--project", project, "reimport", "1", str(tmp_path / "missing.txt")]) != 0
    assert "missing.txt" in capsys.readouterr().err


def test_check_is_clean_with_orphans(lib: Library, versions: tuple[Path, Path]) -> None:
    old, new = versions
    doc = lib.import_file(old).id
    assert doc is not None
    lib.add_annotation(doc, *lib.find_quote(doc, "about tunnels will be deleted"))
    lib.reimport(doc, new)
    assert lib.wait_for_index()
    assert lib.check() == []
