"""Projects on a PostgreSQL server: the same schema and migrations as a project file,
reached by a URL (``postgresql://user@host:port/dbname``) through psycopg 3.

Credentials come from libpq's own means (``~/.pgpass``, ``PGPASSWORD``, a service
file, peer or GSS authentication), never from the URL: a password there would end up
in shell history, process lists and recent-project lists, so it is refused.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import KnownError

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server_url(location: object) -> bool:
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


def server_url(location: str) -> URL:
    """The URL to connect with (driver psycopg); raises for a malformed URL or one that
    carries a password."""
    try:
        url = make_url(location.replace("postgres://", "postgresql://", 1))
    except ArgumentError as exc:
        raise KnownError(f"not a server project URL: {display(location)} ({exc})") from exc
    if url.password:
        raise KnownError("a password in the project URL is refused (it would show in process lists "
                         "and recent projects); put it in ~/.pgpass, PGPASSWORD or a service file")
    if not url.database:
        raise KnownError(f"{display(location)}: name the database (postgresql://user@host:port/dbname)")
    return url.set(drivername="postgresql+psycopg")


def display(location: str) -> str:
    """The URL as shown to the user: no password, no driver name."""
    try:
        url = make_url(location.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        return location.rsplit("@", maxsplit=1)[-1]
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=True)


def server_engine(location: str) -> Engine:
    # Every session is short; a connection dropped by the server is replaced, not reported.
    return create_engine(server_url(location), pool_pre_ping=True, connect_args={"connect_timeout": 10})


def server_error(location: str, exc: BaseException) -> KnownError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return KnownError(f"{display(location)}: cannot reach the project's server ({detail})")


def server_revision(engine: Engine) -> tuple[bool, str | None]:
    """(whether the database holds any table, its schema revision)."""
    with engine.connect() as con:
        tables = con.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )).scalars().all()
        if "alembic_version" not in tables:
            return bool(tables), None
        revision = con.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return True, revision
