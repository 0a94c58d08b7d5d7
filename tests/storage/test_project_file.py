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
        INSERT INTO documents (id, uuid, title, format, imported_at, sha256, original, text,
                               structure, char_count)
        VALUES (1, 'd1', 'Old report', 'txt', '2024-01-01 00:00:00', 'abc', x'00',
                'Old text about Mérida', '[["paragraph", 0, 21, 0]]', 21);
        INSERT INTO tags (id, name, parent_id, color, description) VALUES (1, 'Drugs', NULL, 'red', '');
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
