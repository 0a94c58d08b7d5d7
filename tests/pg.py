"""A throw-away PostgreSQL cluster for the tests that need a server: initdb into a
temporary folder, a free port on 127.0.0.1, trust authentication, fsync off; run as the
unprivileged ``postgres`` user when the tests run as root (the server refuses root).
Stopped and removed at the end of the session."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

USER = "dossier"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")  # KeyError: no unprivileged user to run the server as
    return ["runuser", "-u", "postgres", "--"]


def _base_folder() -> str:
    """A temporary folder the server's user can reach (pytest's own are root's alone)."""
    for candidate in (tempfile.gettempdir(), "/var/tmp", "/dev/shm"):
        mode = os.stat(candidate).st_mode
        if os.geteuid() != 0 or mode & stat.S_IXOTH:
            return candidate
    return tempfile.gettempdir()


class Cluster:
    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL is not installed (no initdb)")
        self.prefix = _as_server_user()
        self.root = Path(tempfile.mkdtemp(prefix="dossier-pg-", dir=_base_folder()))
        if self.prefix:
            shutil.chown(self.root, user="postgres")
        self.port = _free_port()
        self.pg_ctl = str(bin_dir / "pg_ctl")
        data = self.root / "data"
        subprocess.run([*self.prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER,
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off " \
                  "-c full_page_writes=off -c synchronous_commit=off"
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(data), "-o", options, "-l",
                        str(self.root / "log"), "-w", "start"], check=True, capture_output=True)
        self.data = data

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """An empty database of its own, as a project URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def cluster() -> Iterator[Cluster]:
    made = Cluster()
    try:
        yield made
    finally:
        made.stop()
