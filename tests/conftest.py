"""Shared fixtures: every test gets its own data, cache and project folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.library import Library

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
REAL_HOME = os.environ.get("HOME")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the user's data, cache and settings folders out of every test."""
    root = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(root / "cache"))
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(root / "data"))
    monkeypatch.delenv("DOSSIER_PROJECT", raising=False)
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    yield
    # A test that called monkeypatch.undo() ran on with the user's real folders (a test may
    # point them elsewhere itself, never back).
    assert "DOSSIER_CACHE_DIR" in os.environ and os.environ.get("HOME") != REAL_HOME, \
        "the test undid the folder isolation"


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "test.dossier"


@pytest.fixture
def lib(project_path: Path) -> Iterator[Library]:
    library = Library.open(project_path)
    yield library
    library.close()


@pytest.fixture
def text_doc(lib: Library, tmp_path: Path) -> int:
    """A small English document already imported; returns its id."""
    path = tmp_path / "testimony.txt"
    path.write_text(
        "Testimony on the Mérida Initiative\n\n"
        "The committee heard that funding for Mérida programmes rose in 2021.\n\n"
        "Cartels were laundering money through front companies in Peña Blanca.\n\n"
        "Fentanyl seizures at the border doubled.\n",
        encoding="utf-8",
    )
    result = lib.import_file(path)
    assert result.status == "imported", result.error
    assert result.id is not None
    return result.id


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """One PostgreSQL server for the session (tests.pg); skips only when none is installed."""
    from tests import pg

    if pg.binaries() is None:
        pytest.skip("PostgreSQL is not installed here (initdb not found); CI installs it")
    yield from pg.cluster()


@pytest.fixture
def pg_url(pg_cluster: object) -> str:
    """A new, empty database on the session's server, as a project URL."""
    from tests.pg import Cluster

    assert isinstance(pg_cluster, Cluster)
    return pg_cluster.new_database()
