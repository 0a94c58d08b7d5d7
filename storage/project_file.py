"""Opening a project file: validate, back up, migrate, then hand out sessions.

A file we do not recognise is never written to: it is inspected read-only
first, so a text file renamed ``.dossier`` stays byte-for-byte as it was.
"""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import KnownError
from storage.models import ProjectInfo

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where it is used: a rebuild worker, which opens a project its
# parent has already brought up to date, is spared about 17 MB of modules.

SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _inspect_existing(path: Path) -> str | None:
    """Return the file's Alembic revision, or raise if it is not a project."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise KnownError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if magic != SQLITE_MAGIC:
        raise KnownError(f"{path}: not a Dossier project (not an SQLite database)")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None
            if "alembic_version" not in tables or "project_info" not in tables:
                raise KnownError(f"{path}: not a Dossier project (an SQLite file of another program)")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise KnownError(f"{path}: not a Dossier project or damaged ({exc})") from exc
    return row[0] if row else None


def _backup(path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{revision}-{stamp}.bak")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _on_connect(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 10})
    event.listen(engine, "connect", _on_connect)
    return engine


class ProjectFile:
    """An open project: engine, session factory and the project's identity."""

    def __init__(self, path: Path, engine: Engine, backup: Path | None) -> None:
        self.path = path
        self.engine = engine
        self.backup = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        with self._sessions() as s:
            value = s.scalar(select(ProjectInfo.value).where(ProjectInfo.key == "uuid"))
        if value is None:
            raise KnownError(f"{path}: project has no identity record")
        self.uuid: str = value

    @classmethod
    def open(cls, path: Path, create: bool = True) -> ProjectFile:
        path = Path(path).expanduser()
        exists = path.exists()
        if exists and path.is_dir():
            raise KnownError(f"{path}: is a folder, not a project file")
        if not exists:
            if not create:
                raise KnownError(f"{path}: no such project file")
            if not path.parent.is_dir():
                raise KnownError(f"{path}: the folder {path.parent} does not exist")
            revision = None
        else:
            if path.stat().st_size == 0:
                raise KnownError(f"{path}: empty file, not a Dossier project")
            revision = _inspect_existing(path)
        from alembic import command
        from alembic.script import ScriptDirectory

        head = head_revision()
        script = ScriptDirectory.from_config(alembic_config())
        if revision is not None and revision != head:
            known = {rev.revision for rev in script.walk_revisions()}
            if revision not in known:
                raise KnownError(
                    f"{path}: made by a newer Dossier (schema {revision}); update Dossier to open it"
                )
        backup = _backup(path, revision) if revision is not None and revision != head else None

        engine = _engine(path)
        try:
            if revision != head:
                with engine.begin() as con:
                    cfg = alembic_config()
                    cfg.attributes["connection"] = con
                    command.upgrade(cfg, "head")
                    if revision is None:
                        now = datetime.now(UTC).isoformat()
                        con.execute(
                            insert(ProjectInfo),
                            [
                                {"key": "uuid", "value": str(uuidlib.uuid4())},
                                {"key": "created", "value": now},
                            ],
                        )
        except Exception as exc:
            engine.dispose()
            raise KnownError(f"{path}: could not prepare the project ({exc})") from exc
        return cls(path, engine, backup)

    @classmethod
    def open_current(cls, path: Path) -> ProjectFile:
        """Open a project that this program has already opened and brought up to date in
        another process (a rebuild worker's parent): no schema check, no Alembic."""
        path = Path(path)
        if not path.is_file():  # SQLite would make an empty one
            raise KnownError(f"{path}: no such project file")
        return cls(path, _engine(path), None)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as con:
            return MigrationContext.configure(con).get_current_revision()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed as a block, or rolled back whole."""
        with self._sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()
