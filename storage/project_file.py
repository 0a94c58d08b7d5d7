"""Opening a project file: validate, back up, migrate, then hand out sessions.

A file we do not recognise is never written to: it is inspected read-only
first, so a text file renamed ``.dossier`` stays byte-for-byte as it was, and
nothing (no ``-wal``/``-shm``) is left beside it.

Schema work is transactional: the SQLite driver would commit each ``CREATE
TABLE`` on its own, so the engine emits ``BEGIN`` itself (and ``BEGIN
IMMEDIATE`` for writes, so a read-then-write transaction never fails on a
concurrent writer's commit). Creating a project and each migration either
complete or leave the file as it was.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from storage.errors import EditConflict, KnownError
from storage.models import ProjectInfo
from storage.server import display, is_server_url, server_engine, server_error, server_revision

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where it is used: a rebuild worker, which opens a project its
# parent has already brought up to date, is spared its modules.

SQLITE_MAGIC = b"SQLite format 3\x00"
APPLICATION_ID = 0x446F7373  # "Doss" in the SQLite header: this file is ours
MIGRATIONS = Path(__file__).with_name("migrations")
WRITE = {"dossier_write": True}  # execution option: a transaction that will write


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest schema this Dossier knows (its migrations do not change while it runs)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def refuse_newer(where: str, revision: str | None) -> None:
    """A schema this Dossier does not know was made by a newer one: refused, saying so."""
    from alembic.script import ScriptDirectory

    if revision is None or revision == head_revision():
        return
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise KnownError(f"{where}: made by a newer Dossier (schema {revision}); update Dossier to open it")


def sqlite_url(path: Path) -> URL:
    """The URL of a file, built rather than formatted: ``?``, ``#`` and ``%`` in a file
    name stay part of the name."""
    return URL.create("sqlite", database=str(path))


def canonical_uuid(value: object) -> str | None:
    """``value`` if it is a UUID in canonical form (it names a cache folder), else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = uuidlib.UUID(value)
    except ValueError:
        return None
    return value if str(parsed) == value else None


@contextmanager
def _no_leftovers(path: Path) -> Iterator[None]:
    """Remove the ``-wal``/``-shm`` files that inspecting ``path`` made, if it made any."""
    extra = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = {p for p in extra if p.exists()}
    try:
        yield
    finally:
        for p in extra:
            if p not in existed:
                p.unlink(missing_ok=True)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _inspect_existing(path: Path) -> str | None:
    """Return the file's Alembic revision (None: an empty database to set up), or raise
    if it is not a project."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise KnownError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if magic != SQLITE_MAGIC:
        raise KnownError(f"{path}: not a Dossier project (not an SQLite database)")
    foreign = KnownError(f"{path}: not a Dossier project (an SQLite file of another program)")
    try:
        with _no_leftovers(path):
            con = _read_only(path)
            try:
                objects = con.execute("SELECT type, name FROM sqlite_master").fetchall()
                app_id = con.execute("PRAGMA application_id").fetchone()[0]
                user_version = con.execute("PRAGMA user_version").fetchone()[0]
                if app_id not in (0, APPLICATION_ID):
                    raise foreign
                if not objects:
                    if user_version:
                        raise foreign
                    return None  # a database with nothing in it: a creation cut short
                tables = {name for kind, name in objects if kind == "table"}
                if "alembic_version" not in tables or "project_info" not in tables:
                    raise foreign
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                con.close()
    except sqlite3.OperationalError as exc:
        raise KnownError(f"{path}: cannot open the project ({exc}): is the folder readable "
                         "and the disk not full?") from exc
    except sqlite3.DatabaseError as exc:
        raise KnownError(f"{path}: not a Dossier project or damaged ({exc})") from exc
    return row[0] if row else None


def peek_identity(path: Path) -> tuple[str, str] | None:
    """The (uuid, instance) of another project file, read-only; None if it has none."""
    if not path.is_file():
        return None
    try:
        with _no_leftovers(path):
            con = _read_only(path)
            try:
                rows = dict(con.execute("SELECT key, value FROM project_info "
                                        "WHERE key IN ('uuid', 'instance')").fetchall())
            finally:
                con.close()
    except sqlite3.Error:
        return None
    if "uuid" not in rows or "instance" not in rows:
        return None
    return rows["uuid"], rows["instance"]


def _backup(path: Path, revision: str) -> Path:
    """A copy of the file as it is before migrating from ``revision``: one per revision,
    replaced (never added to) when a migration is retried."""
    target = path.with_name(f"{path.name}.{revision}.bak")
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)
    return target


def _on_connect(dbapi_con: Any, _record: Any) -> None:
    dbapi_con.isolation_level = None  # BEGIN comes from _on_begin, DDL included
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _on_begin(con: Connection) -> None:
    writing = con.get_execution_options().get("dossier_write")
    con.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _engine(path: Path) -> Engine:
    engine = create_engine(sqlite_url(path), connect_args={"check_same_thread": False, "timeout": 10})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _storage_error(path: Path, exc: OperationalError) -> KnownError:
    """A one-line message for the file's own errors (full disk, read-only, locked)."""
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = detail.lower()
    if "full" in lowered:
        why = "the disk is full"
    elif "readonly" in lowered or "read-only" in lowered:
        why = "the file or its folder is read-only"
    elif "locked" in lowered or "busy" in lowered:
        why = "another program is holding it"
    else:
        why = detail
    return KnownError(f"{path}: cannot write the project: {why} ({detail})")


def _migrate(path: Path, engine: Engine, revision: str | None) -> None:
    """Bring the file to the head revision in one transaction (a new file: create it)."""
    from alembic import command

    with engine.connect() as con:
        raw = con.connection.driver_connection
        assert raw is not None
        # Table rebuilds (batch migrations) drop tables; with foreign keys on, that would
        # cascade. Checked before the commit instead.
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with con.execution_options(**WRITE).begin():
                cfg = alembic_config()
                cfg.attributes["connection"] = con
                command.upgrade(cfg, "head")
                broken = con.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise KnownError(f"{path}: migration would break references in {broken[0][0]}")
                if revision is None:
                    con.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                    con.execute(insert(ProjectInfo), [
                        {"key": "uuid", "value": str(uuidlib.uuid4())},
                        {"key": "instance", "value": str(uuidlib.uuid4())},
                        {"key": "created", "value": datetime.now(UTC).isoformat()},
                    ])
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


class ProjectFile:
    """An open project: engine, session factories and the project's identity."""

    def __init__(self, path: Path | None, engine: Engine, backup: Path | None,
                 server: str | None = None) -> None:
        self.path = path  # None for a project on a server
        self.server = server  # its URL (no password: refused), for a project on a server
        self.location = display(server) if server is not None else str(path)  # for messages
        self.engine = engine
        self.backup = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(engine.execution_options(**WRITE), expire_on_commit=False)
        try:
            with self._sessions() as s:
                rows = dict(s.execute(select(ProjectInfo.key, ProjectInfo.value)
                                      .where(ProjectInfo.key.in_(("uuid", "instance")))).all())
        except OperationalError as exc:
            raise self._error(exc) from exc
        value = rows.get("uuid")
        if value is None:
            raise KnownError(f"{self.location}: project has no identity record")
        uuid = canonical_uuid(value)
        if uuid is None:
            raise KnownError(f"{self.location}: the project's identity record is damaged (not a UUID); "
                             "Dossier will not open it")
        self.uuid: str = uuid
        self.instance: str = canonical_uuid(rows.get("instance")) or self._new_instance()

    def _new_instance(self) -> str:
        """Projects made before instance ids get one on first open (a read-only one, one
        for this session: its index is then rebuilt on each open)."""
        value = str(uuidlib.uuid4())
        try:
            with self.transaction() as s:
                s.merge(ProjectInfo(key="instance", value=value))
        except KnownError:
            pass
        return value

    def reidentify(self) -> None:
        """Give this file an identity of its own (it is a copy of another project)."""
        uuid, instance = str(uuidlib.uuid4()), str(uuidlib.uuid4())
        with self.transaction() as s:
            s.merge(ProjectInfo(key="uuid", value=uuid))
            s.merge(ProjectInfo(key="instance", value=instance))
        self.uuid, self.instance = uuid, instance

    def _error(self, exc: OperationalError) -> KnownError:
        if self.server is not None:
            return server_error(self.server, exc)
        assert self.path is not None
        return _storage_error(self.path, exc)

    @property
    def identity(self) -> str:
        """Where the project is, as its search index records it: the file's resolved path,
        or the server's URL (server, port and database)."""
        return self.location if self.path is None else str(self.path.resolve())

    @classmethod
    def open(cls, location: Path | str, create: bool = True) -> ProjectFile:
        """A project file (created if missing), or a project on a server by URL."""
        if is_server_url(location):
            return cls._open_server(str(location), create)
        path = Path(location).expanduser()
        exists = path.exists()
        if exists and path.is_dir():
            raise KnownError(f"{path}: is a folder, not a project file")
        if not exists:
            if not create:
                raise KnownError(f"{path}: no such project file")
            if not path.parent.is_dir():
                raise KnownError(f"{path}: the folder {path.parent} does not exist")
            revision = None
        elif path.stat().st_size == 0:
            revision = None  # a creation cut short before its first page
        else:
            revision = _inspect_existing(path)
        refuse_newer(str(path), revision)
        head = head_revision()
        try:
            backup = _backup(path, revision) if revision is not None and revision != head else None
        except (OSError, sqlite3.Error) as exc:
            raise KnownError(f"{path}: could not back the project up before upgrading it ({exc})") from exc

        engine = _engine(path)
        try:
            if revision != head:
                _migrate(path, engine, revision)
            return cls(path, engine, backup)
        except KnownError:
            engine.dispose()
            raise
        except OperationalError as exc:
            engine.dispose()
            raise _storage_error(path, exc) from exc
        except Exception as exc:
            engine.dispose()
            raise KnownError(f"{path}: could not prepare the project ({exc})") from exc

    @classmethod
    def _open_server(cls, location: str, create: bool) -> ProjectFile:
        """A project on a PostgreSQL server: an empty database becomes a new project; an
        older schema is migrated in one transaction (the server's own backups apply)."""
        engine = server_engine(location)
        try:
            has_tables, revision = server_revision(engine)
            if has_tables and revision is None:
                raise KnownError(f"{display(location)}: the database holds other tables; use an empty "
                                 "database for a new project")
            if revision is None and not create:
                raise KnownError(f"{display(location)}: no project in this database")
            refuse_newer(display(location), revision)
            if revision != head_revision():
                _migrate_server(engine, revision)
            return cls(None, engine, None, server=location)
        except KnownError:
            engine.dispose()
            raise
        except Exception as exc:  # the driver's errors: unreachable, refused, no such database
            engine.dispose()
            raise server_error(location, exc) from exc

    @classmethod
    def open_current(cls, location: Path | str) -> ProjectFile:
        """Open a project that this program has already opened and brought up to date in
        another process (a rebuild worker's parent): no schema check, no Alembic."""
        if is_server_url(location):
            return cls(None, server_engine(str(location)), None, server=str(location))
        path = Path(location)
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
        try:
            with self._writes() as session, session.begin():
                yield session
        except StaleDataError as exc:  # a row's version moved on under this transaction
            raise EditConflict("someone else changed this at the same moment; it now shows their "
                               "version: make your change again if it still applies") from exc
        except OperationalError as exc:
            raise self._error(exc) from exc

    def default_author(self) -> str:
        """Who edits, unless the analyst set a name: the server's role, else the login."""
        if self.server is not None:
            with self.engine.connect() as con:
                return str(con.execute(text("SELECT current_user")).scalar())
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()


def outbox_position(session: Session) -> int:
    """The last sequence number the index outbox has ever handed out (never reused)."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.execute(text(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM index_outbox_seq_seq")).scalar()
    else:
        value = session.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'index_outbox'")).scalar()
    return int(value or 0)


def _migrate_server(engine: Engine, revision: str | None) -> None:
    """Bring a server database to the head revision in one transaction (PostgreSQL's DDL
    is transactional); a new one also gets the project's identity."""
    from alembic import command

    with engine.begin() as con:
        cfg = alembic_config()
        cfg.attributes["connection"] = con
        command.upgrade(cfg, "head")
        if revision is None:
            con.execute(insert(ProjectInfo), [
                {"key": "uuid", "value": str(uuidlib.uuid4())},
                {"key": "instance", "value": str(uuidlib.uuid4())},
                {"key": "created", "value": datetime.now(UTC).isoformat()},
            ])
