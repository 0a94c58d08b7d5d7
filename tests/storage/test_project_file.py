"""Opening, creating, refusing and migrating project files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from app.library import Library
from storage.errors import KnownError
from storage.models import Base
from storage.project_file import ProjectFile, alembic_config, head_revision


def _make_0001(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as con:
        cfg = alembic_config()
        cfg.attributes["connection"] = con
        command.upgrade(cfg, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO project_info VALUES ('uuid', '11111111-2222-3333-4444-555555555555');
        INSERT INTO tags (id, name, parent_id, color, description) VALUES (1, 'Drugs', NULL, 'red', '');
        """
    )
    con.commit()
    con.close()


def test_new_project_gets_schema_uuid_and_wal(project_path: Path) -> None:
    project = ProjectFile.open(project_path)
    try:
        assert project.current_revision() == head_revision()
        assert len(project.uuid) == 36
        con = sqlite3.connect(project_path)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        con.close()
    finally:
        project.close()


def test_reopening_keeps_identity(project_path: Path) -> None:
    first = ProjectFile.open(project_path)
    uuid = first.uuid
    first.close()
    second = ProjectFile.open(project_path, create=False)
    assert second.uuid == uuid
    second.close()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnownError, match="does not exist"):
        ProjectFile.open(tmp_path / "nope" / "x.dossier")


@pytest.mark.parametrize(
    "content",
    [b"just some notes\n", b"SQLite format 3\x00" + b"\x00" * 84 + b"garbage" * 100, b"\x00"],
)
def test_foreign_file_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.dossier"
    path.write_bytes(content)
    with pytest.raises(KnownError, match="not a Dossier project|damaged"):
        ProjectFile.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.dossier"]


def test_other_programs_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.dossier"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(KnownError, match="another program"):
        ProjectFile.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(project_path: Path) -> None:
    ProjectFile.open(project_path).close()
    con = sqlite3.connect(project_path)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    with pytest.raises(KnownError, match="newer Dossier"):
        ProjectFile.open(project_path)


def test_models_match_the_migrated_schema(project_path: Path) -> None:
    """The ORM classes and the head migration describe the same tables and columns."""
    ProjectFile.open(project_path).close()
    insp = inspect(create_engine(f"sqlite:///{project_path}"))
    for table in Base.metadata.sorted_tables:
        migrated = {c["name"] for c in insp.get_columns(table.name)}
        assert migrated == {c.name for c in table.columns}, table.name


def test_migration_from_first_revision_keeps_rows(tmp_path: Path) -> None:
    """A file made at revision 0001 with data opens with today's code, backed up first."""
    path = tmp_path / "old.dossier"
    _make_0001(path)
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO documents (id, uuid, title, format, imported_at, sha256, original, text,
                               structure, char_count)
        VALUES (1, 'd1', 'Old report', 'txt', '2024-01-01 00:00:00', 'abc', x'00',
                'Old text about Mérida', '[["paragraph", 0, 21, 0]]', 21);
        INSERT INTO annotations (id, uuid, document_id, start, "end", quote, prefix, suffix,
                                 color, note, created_at, updated_at)
        VALUES (1, 'a1', 1, 15, 21, 'Mérida', 'Old text about ', '', NULL, 'kept',
                '2024-01-01 00:00:00', '2024-01-01 00:00:00');
        INSERT INTO annotation_tags VALUES (1, 1);
        """
    )
    con.commit()
    con.close()

    with Library.open(path) as lib:
        assert lib.backup_path is not None and lib.backup_path.exists()
        assert [d.title for d in lib.documents()] == ["Old report"]
        [ann] = lib.annotations()
        assert (ann.quote, ann.tags, ann.note) == ("Mérida", ("Drugs",), "kept")
        # The migration queued old rows for the search index, which now finds them.
        assert [h.annotation_id for h in lib.search("merida", kind="annotation")] == [1]
        assert lib.check() == []
    backup = sqlite3.connect(lib.backup_path)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    backup.close()


# -- issue 18: atomic schema work (D2), URLs (D7), other programs' files (D9) ----------

KILL_AFTER_STATEMENT = r"""
import os, signal, sys
from pathlib import Path
from sqlalchemy import Engine, event

target, seen = int(sys.argv[2]), 0

@event.listens_for(Engine, "after_cursor_execute")
def _kill(conn, cursor, statement, *args):
    global seen
    if statement.lstrip().upper().startswith(("CREATE", "INSERT", "DROP", "ALTER", "PRAGMA APP")):
        seen += 1
        if seen == target:
            os.kill(os.getpid(), signal.SIGKILL)

from storage.project_file import ProjectFile
ProjectFile.open(Path(sys.argv[1])).close()
"""
REPO = Path(__file__).resolve().parents[2]


def _killed_at(path: Path, statement: int) -> int:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", KILL_AFTER_STATEMENT, str(path), str(statement)],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    return done.returncode


@pytest.mark.parametrize("statement", [1, 2, 5, 9, 14])
def test_a_kill_during_creation_leaves_a_file_that_opens(tmp_path: Path, statement: int) -> None:
    path = tmp_path / "new.dossier"
    assert _killed_at(path, statement) == -9
    project = ProjectFile.open(path)
    try:
        assert project.current_revision() == head_revision()
    finally:
        project.close()


def test_a_kill_during_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.dossier"
    _make_0001(path)
    for statement in (1, 2, 3):  # each try is killed before it can commit
        assert _killed_at(path, statement) == -9
        con = sqlite3.connect(path)
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        con.close()
    project = ProjectFile.open(path)
    try:
        assert project.current_revision() == head_revision()
        assert project.uuid == "11111111-2222-3333-4444-555555555555"
    finally:
        project.close()
    backups = [p.name for p in tmp_path.iterdir() if p.name.endswith(".bak")]
    assert backups == ["old.dossier.0001.bak"]  # one per migration, not one per try


def test_an_empty_file_left_by_a_crash_becomes_the_project(tmp_path: Path) -> None:
    path = tmp_path / "default.dossier"
    path.write_bytes(b"")
    project = ProjectFile.open(path)
    project.close()
    assert path.stat().st_size > 0


@pytest.mark.parametrize("name", ["Who paid?.dossier", "a#b.dossier", "Q3%20review.dossier",
                                  "two words.dossier", "other.db?x.dossier"])
def test_project_names_are_names_not_url_parts(tmp_path: Path, name: str) -> None:
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE mine (x)")
    con.commit()
    con.close()
    before = other.read_bytes()
    path = tmp_path / name
    with Library.open(path) as lib:
        assert lib.path == path
    assert path.is_file() and ProjectFile.open(path, create=False).uuid
    assert other.read_bytes() == before
    names = {p.name for p in tmp_path.iterdir()} - {"other.db"}
    assert {n for n in names if not n.startswith(name)} == set()


@pytest.mark.parametrize("setup", [
    "CREATE VIEW v AS SELECT 1",
    "PRAGMA application_id = 1234",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = WAL; CREATE VIEW v AS SELECT 1",
])
def test_other_programs_files_without_tables_are_refused_untouched(tmp_path: Path, setup: str) -> None:
    path = tmp_path / "theirs.dossier"
    con = sqlite3.connect(path)
    con.executescript(setup)
    con.commit()
    con.close()
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(KnownError, match="another program"):
        ProjectFile.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal or -shm left


def test_new_projects_say_they_are_ours(project_path: Path) -> None:
    ProjectFile.open(project_path).close()
    con = sqlite3.connect(project_path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x446F7373
    con.close()


def test_a_full_project_disk_is_one_clear_error(lib: Library, text_doc: int) -> None:
    from sqlalchemy import event

    engine = lib._project.engine
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _tiny(dbapi_con: sqlite3.Connection, _record: object) -> None:
        pages = dbapi_con.execute("PRAGMA page_count").fetchone()[0]
        dbapi_con.execute(f"PRAGMA max_page_count = {pages}")

    big = "x" * 200_000
    with pytest.raises(KnownError, match="disk is full"):
        start, end = lib.find_quote(text_doc, "Cartels")
        lib.add_annotation(text_doc, start, end, ["T"], note=big)
    assert lib.documents()  # reading goes on
