"""Projects on a PostgreSQL server (issue 22): the same migrations on both databases, the
command-line contract on a server project, and push then pull giving the same project.
A real server (tests/pg.py); no mocks of the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from app.cli.main import run
from app.library import Library
from storage.errors import KnownError
from storage.project_file import ProjectFile, alembic_config
from storage.server import server_url

pytestmark = pytest.mark.pg


@contextmanager
def two_analysts(pg_url: str, tmp_path: Path) -> Iterator[tuple[Library, Library, int]]:
    """Alice and Bob with the same server project open, and a document in it."""
    source = tmp_path / "s.txt"
    source.write_text("Title\n\nAlpha bravo charlie delta.\n", encoding="utf-8")
    with Library.open(pg_url) as alice, Library.open(pg_url) as bob:
        alice.author, bob.author = "Alice", "Bob"
        doc = alice.import_file(source).id
        assert doc is not None
        yield alice, bob, doc


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_every_migration_up_and_down(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from alembic import command

    url: Any = f"sqlite:///{tmp_path / 'm.dossier'}" if database == "sqlite" else \
        server_url(request.getfixturevalue("pg_url"))
    engine = create_engine(url)
    revisions = _revisions()
    assert revisions[0] == "0001" and len(revisions) >= 6
    for revision in revisions:  # one step at a time, as older projects meet them
        with engine.begin() as con:
            cfg = alembic_config()
            cfg.attributes["connection"] = con
            command.upgrade(cfg, revision)
    assert {"documents", "document_versions", "annotations", "index_outbox"} <= set(inspect(engine).get_table_names())
    for revision in [*reversed(revisions[:-1]), "base"]:
        with engine.begin() as con:
            cfg = alembic_config()
            cfg.attributes["connection"] = con
            command.downgrade(cfg, revision)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def cli(capsys: pytest.CaptureFixture[str], project: str, *args: str) -> tuple[int, Any]:
    code = run(["--project", project, "--json", *args])
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    return code, (lines[0] if len(lines) == 1 else lines)


def test_the_command_line_on_a_server_project(pg_url: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    hearing = tmp_path / "hearing.txt"
    hearing.write_text("Senate Hearing on Border Finance\n\nCartels launder money through shell firms.\n\n"
                       "The committee heard that seizures of fentanyl doubled.\n", encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("# Field notes\n\nShell firms in Panama moved the money.\n", encoding="utf-8")
    code, imported = cli(capsys, pg_url, "import", str(hearing), str(notes))
    assert code == 0 and [r["status"] for r in imported] == ["imported", "imported"]
    assert cli(capsys, pg_url, "meta", "1", "--published", "2021-06-01", "--author", "US Senate")[0] == 0
    code, ann = cli(capsys, pg_url, "highlight", "1", "--quote", "shell firms", "--tag", "Finance/Shell")
    assert code == 0 and ann["tags"] == ["Finance/Shell"]
    code, hits = cli(capsys, pg_url, "search", "shell", "--doc", "1")
    assert code == 0 and hits and {h["doc_id"] for h in hits} == {1}
    code, tagged = cli(capsys, pg_url, "search", "--tag", "Finance")
    assert code == 0 and [h["annotation_id"] for h in tagged] == [ann["id"]]
    assert cli(capsys, pg_url, "tags")[1][0]["total"] == 1
    code, brief = cli(capsys, pg_url, "brief", "new", "Weekly", "--subject", "Finance")
    assert code == 0
    assert cli(capsys, pg_url, "brief", "add", str(brief["id"]), str(ann["id"]))[0] == 0
    assert cli(capsys, pg_url, "brief", "export", str(brief["id"]), "--out", str(tmp_path / "memo.docx"))[0] == 0
    assert (tmp_path / "memo.docx").stat().st_size > 0
    assert run(["--project", pg_url, "check"]) == 0
    capsys.readouterr()
    code, docs = cli(capsys, pg_url, "docs")
    assert [d["title"] for d in docs] == ["Senate Hearing on Border Finance", "Field notes"]
    # The rest of the contract: versions, orphans, tags, trims, deletions, index upkeep.
    newer = tmp_path / "hearing-v2.txt"
    newer.write_text("Senate Hearing on Border Finance\n\nA new opening.\n\n"
                     "Cartels launder money through shell firms.\n", encoding="utf-8")
    code, moved = cli(capsys, pg_url, "reimport", "1", str(newer))
    assert code == 0 and moved["version"] == 2 and moved["orphaned"] == []
    assert [v["current"] for v in cli(capsys, pg_url, "versions", "1")[1]] == [False, True]
    assert cli(capsys, pg_url, "annotations", "--orphaned")[1] == []
    code, shown = cli(capsys, pg_url, "show", "1", "--text", "--set-aside")
    assert code == 0 and "A new opening." in shown["text"] and shown["version"] == 2
    assert cli(capsys, pg_url, "tag", "rename", "Finance/Shell", "Finance/Shell firms")[0] == 0
    assert cli(capsys, pg_url, "tag", "merge", "Finance/Shell firms", "Finance")[0] == 0
    code, item = cli(capsys, pg_url, "brief", "show", str(brief["id"]))
    item_id = item["sections"][0]["items"][0]["id"]
    assert cli(capsys, pg_url, "brief", "trim", str(item_id), "--quote", "shell firms")[0] == 0
    assert cli(capsys, pg_url, "brief", "edit", str(brief["id"]), "--title", "Weekly brief")[0] == 0
    assert [b["title"] for b in cli(capsys, pg_url, "brief", "list")[1]] == ["Weekly brief"]
    assert cli(capsys, pg_url, "styles")[0] == 0
    code, second = cli(capsys, pg_url, "highlight", "2", "--quote", "Panama")
    assert code == 0 and cli(capsys, pg_url, "unhighlight", str(second["id"]))[0] == 0
    assert cli(capsys, pg_url, "delete", "2")[0] == 0
    assert cli(capsys, pg_url, "reindex")[0] == 0
    assert run(["--project", pg_url, "check", "--repair"]) == 0
    capsys.readouterr()
    code, docs = cli(capsys, pg_url, "docs")
    assert [d["id"] for d in docs] == [1]


def test_refused_urls_and_databases(pg_url: str) -> None:
    with pytest.raises(KnownError, match="password in the project URL is refused"):
        ProjectFile.open(pg_url.replace("dossier@", "dossier:secret@"))
    engine = create_engine(server_url(pg_url))
    with engine.begin() as con:
        con.exec_driver_sql("CREATE TABLE payroll (id integer)")
    engine.dispose()
    with pytest.raises(KnownError, match="holds other tables"):
        ProjectFile.open(pg_url)
    with pytest.raises(KnownError, match="cannot reach the project's server"):
        ProjectFile.open(pg_url.rsplit(":", 1)[0] + ":1/nothing")


def _snapshot(lib: Library) -> dict[str, Any]:
    """A project's content, ids aside where a copy may renumber nothing anyway."""
    docs = lib.documents()
    return {
        "documents": sorted((d.title, d.sha256, d.published, d.version) for d in docs),
        "bytes": sorted(hashlib.sha256(lib.document_text(d.id).encode()).hexdigest() for d in docs),
        "annotations": sorted((a.doc_id, a.start, a.end, a.quote, a.tags, a.note, a.orphaned)
                              for a in lib.annotations()),
        "tags": sorted((t.path, t.color, t.count) for t in lib.tags()),
        "briefings": [(b.title, b.subject, [(s.heading, [(i.annotation.id, i.commentary, i.quote)
                                                         for i in s.items]) for s in b.sections])
                      for b in (lib.briefing(x.id) for x in lib.briefings())],
        "versions": sorted(len(lib.versions(d.id)) for d in docs),
    }


def test_push_then_pull_gives_the_same_project(pg_url: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    original = tmp_path / "original.dossier"
    with Library.open(original) as lib:
        v1, v2 = tmp_path / "s1.txt", tmp_path / "s2.txt"
        v1.write_text("Statement\n\nOfficers seized 40 kilos at the bridge.\n\nA passage that will go.\n")
        v2.write_text("Statement\n\nA new opening.\n\nOfficers seized 40 kilos at the bridge.\n")
        doc = lib.import_file(v1).id
        assert doc is not None
        a = lib.add_annotation(doc, *lib.find_quote(doc, "seized 40 kilos"), ["Drugs/Cocaine", "Places"],
                               note="key")
        lib.add_annotation(doc, *lib.find_quote(doc, "will go"), ["Drugs"])
        lib.reimport(doc, v2)  # a second version and an orphan travel too
        b = lib.create_briefing("Weekly", subject="Seizures")
        lib.add_items(b.id, [a.id], section="Drugs", comment="Up again.")
        before = _snapshot(lib)
    assert run(["--json", "push", str(original), pg_url]) == 0
    pushed = json.loads(capsys.readouterr().out)
    assert pushed["copied"]["annotations"] == 2 and pushed["problems"] == []
    with Library.open(pg_url) as lib:
        assert _snapshot(lib) == before
    copy = tmp_path / "copy.dossier"
    assert run(["--json", "pull", pg_url, str(copy)]) == 0
    capsys.readouterr()
    with Library.open(copy) as lib, Library.open(original) as first:
        assert _snapshot(lib) == before
        assert lib.uuid != first.uuid  # a copy has an identity of its own
    assert run(["push", str(original), pg_url]) == 1  # never into a project that has content
    assert "not empty" in capsys.readouterr().err


WRITER = """
import sys
from app.library import Library
url, name = sys.argv[1], sys.argv[2]
with Library.open(url) as lib:
    doc = lib.documents()[0].id
    text = lib.document_text(doc)
    for n in range(200):
        start = (n * 7) % (len(text) - 10)
        lib.add_annotation(doc, start, start + 5, ["Shared", f"Writer/{name}"], note=f"{name} {n}")
print("ok")
"""


def test_two_processes_add_200_highlights_each_at_once(pg_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    source = tmp_path / "long.txt"
    source.write_text("Title\n\n" + " ".join(f"word{n}" for n in range(3000)) + "\n", encoding="utf-8")
    with Library.open(pg_url) as lib:
        assert lib.import_file(source).status == "imported"
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, name], cwd=repo, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
        assert "Traceback" not in err
    with Library.open(pg_url) as lib:
        notes = sorted(a.note for a in lib.annotations())
        assert len(notes) == 400 and len(set(notes)) == 400
        assert {t.path: t.count for t in lib.tags()}["Shared"] == 400
        assert lib.wait_for_index(30)
        assert len(lib.search("note:a", limit=500, kind="annotation")) == 200


def test_a_change_committed_after_a_later_one_still_reaches_the_index(pg_url: str, tmp_path: Path) -> None:
    """Change numbers are taken at write time but seen at commit: a client that read a
    later change first must still pick up the earlier one when its transaction commits."""
    from sqlalchemy import insert as sql_insert

    from storage.models import Annotation, IndexOutbox

    source = tmp_path / "s.txt"
    source.write_text("Title\n\nAlpha bravo charlie delta echo foxtrot.\n", encoding="utf-8")
    with Library.open(pg_url) as lib:
        doc = lib.import_file(source).id
        assert doc is not None and lib.wait_for_index()
        engine = create_engine(server_url(pg_url))
        slow = engine.connect()
        tx = slow.begin()  # an analyst's edit, still being written
        now = lib.document(doc).imported_at
        ann = slow.execute(sql_insert(Annotation).values(
            uuid="5e0b2f0e-0000-4000-8000-000000000001", document_id=doc, start=7, end=12, quote="Alpha",
            prefix="", suffix="", color=None, note="slowpoke", created_at=now, updated_at=now,
        ).returning(Annotation.id)).scalar_one()
        slow.execute(sql_insert(IndexOutbox).values(kind="annotation", object_id=ann))
        lib.add_annotation(doc, *lib.find_quote(doc, "echo"), note="quick")  # a later number, committed first
        assert lib.wait_for_index()
        assert [h.note for h in lib.search("note:quick", kind="annotation")] == ["quick"]
        assert lib.search("note:slowpoke", kind="annotation") == []
        tx.commit()
        slow.close()
        engine.dispose()
        assert lib.wait_for_index()  # looks at the change log again, as a command or the window does
        assert [h.note for h in lib.search("note:slowpoke", kind="annotation")] == ["slowpoke"]


def test_a_conflicting_edit_is_refused_and_authors_recorded(pg_url: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from app.errors import EditConflict

    with two_analysts(pg_url, tmp_path) as (alice, bob, doc):
        made = alice.add_annotation(doc, *alice.find_quote(doc, "bravo"), ["T"])
        seen_by_bob = bob.annotation(made.id)  # both have it open
        alice.update_annotation(made.id, note="Alice's note", expected_version=made.version)
        with pytest.raises(EditConflict, match="changed by Alice"):
            bob.update_annotation(made.id, note="Bob's note", expected_version=seen_by_bob.version)
        now = bob.annotation(made.id)  # the refresh shows Alice's
        assert (now.note, now.author, now.updated_by) == ("Alice's note", "Alice", "Alice")
        bob.update_annotation(made.id, note="Bob's note", expected_version=now.version)
        assert alice.annotation(made.id).updated_by == "Bob"
    assert run(["--project", pg_url, "--json", "annotations", "--author", "Alice"]) == 0
    assert [a["author"] for a in json.loads(capsys.readouterr().out)] == ["Alice"]
    assert run(["--project", pg_url, "--json", "annotations", "--author", "Bob"]) == 0
    assert json.loads(capsys.readouterr().out) == []


KILLED = """
import sys
from app.library import Library
with Library.open(sys.argv[1]) as lib:
    doc = lib.documents()[0].id
    for n in range(100000):
        a = lib.add_annotation(doc, n % 200, n % 200 + 4, ["Batch"], note=f"edit {n}")
        print(a.id, flush=True)
"""


def test_a_client_killed_mid_batch_loses_at_most_the_edit_in_flight(pg_url: str, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    source = tmp_path / "long.txt"
    source.write_text("Title\n\n" + "word " * 400 + "\n", encoding="utf-8")
    with Library.open(pg_url) as lib:
        assert lib.import_file(source).status == "imported"
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", KILLED, pg_url], cwd=repo, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(repo)})
    assert proc.stdout is not None
    confirmed = [int(proc.stdout.readline()) for _ in range(60)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    confirmed += [int(line) for line in proc.stdout.read().split()]
    with Library.open(pg_url) as after:  # the client's next start
        ids = {a.id for a in after.annotations()}
        assert set(confirmed) <= ids and len(ids - set(confirmed)) <= 1
        assert after.wait_for_index(30)
        assert after.check() == []  # every saved highlight is in this client's index
        from app.domain import SearchQuery

        assert len(after.search(SearchQuery(tags=("Batch",)), limit=100000)) == len(ids)


def test_briefing_and_tag_edits_record_their_author_and_conflict(pg_url: str, tmp_path: Path) -> None:
    from app.errors import EditConflict

    with two_analysts(pg_url, tmp_path) as (alice, bob, doc):
        ann = alice.add_annotation(doc, *alice.find_quote(doc, "bravo"), ["Old"])
        brief = alice.create_briefing("Weekly")
        seen_by_bob = bob.briefing(brief.id)
        alice.add_items(brief.id, [ann.id])  # an edit inside the briefing changes the briefing
        after = bob.briefing(brief.id)
        assert (after.updated_by, after.version > seen_by_bob.version) == ("Alice", True)
        with pytest.raises(EditConflict, match="changed by Alice"):
            bob.update_briefing(brief.id, expected_version=seen_by_bob.version, subject="Bob's subject")
        bob.update_briefing(brief.id, expected_version=after.version, subject="Bob's subject")
        assert alice.briefing(brief.id).updated_by == "Bob"
        bob.rename_tag("Old", "New")
        assert {t.path: t.updated_by for t in alice.tags()}["New"] == "Bob"


def test_undo_only_undoes_your_own_edit(pg_url: str, tmp_path: Path) -> None:
    from app import undo
    from app.errors import EditConflict

    with two_analysts(pg_url, tmp_path) as (alice, bob, doc):
        ann = alice.add_annotation(doc, *alice.find_quote(doc, "bravo"), ["T"])
        edit = undo.UpdateAnnotation(ann.id, note="Alice's", expected_version=ann.version)
        edit.redo(alice)
        bob.update_annotation(ann.id, note="Bob's", expected_version=alice.annotation(ann.id).version)
        with pytest.raises(EditConflict, match="changed by Bob"):
            edit.undo(alice)  # would put back the empty note over Bob's
        assert alice.annotation(ann.id).note == "Bob's"
        brief = alice.create_briefing("Weekly")
        add = undo.BriefingEdit("Add", brief.id, lambda lib: lib.add_items(brief.id, [ann.id]))
        add.redo(alice)
        bob.update_briefing(brief.id, subject="Bob's subject")
        with pytest.raises(EditConflict, match="changed by Bob"):
            add.undo(alice)
        assert bob.briefing(brief.id).subject == "Bob's subject"
        mine = undo.AddAnnotation(doc, 0, 5, ["Mine"])
        mine.redo(alice)
        mine.undo(alice)  # nobody touched it: undone
        assert mine.annotation_id not in {a.id for a in alice.annotations()}
