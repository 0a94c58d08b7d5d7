"""``dossier push FILE URL`` and ``dossier pull URL FILE``: a project copied whole between
a file and a server, then opened (its search index built) and checked on arrival."""

from __future__ import annotations

from pathlib import Path

from app.errors import KnownError
from app.library import Library
from storage.project_file import ProjectFile
from storage.server import is_server_url
from storage.transfer import TransferResult, copy_project, counts


def transfer(source: Path | str, target: Path | str) -> tuple[TransferResult, list[str]]:
    """Copy ``source`` into the empty ``target``; returns what was copied and the target's
    ``check`` (empty: all well). A missing target file is created."""
    if isinstance(target, Path) and target.exists() and target.stat().st_size:
        raise KnownError(f"{target}: already exists; pull makes a new project file")
    src = ProjectFile.open(source, create=False)
    try:
        dst = ProjectFile.open(target, create=True)
        try:
            result = copy_project(src, dst)
            if counts(dst) != result.counts:
                raise KnownError(f"{dst.location}: the copy's row counts differ from the source's")
        finally:
            dst.close()
    finally:
        src.close()
    with Library.open(target, create=False) as lib:
        lib.wait_for_index()
        problems = lib.check()
    return result, problems


def push(file: Path, url: str) -> tuple[TransferResult, list[str]]:
    if not is_server_url(url):
        raise KnownError(f"push copies a project file to a server: {url} is not a postgresql:// URL")
    return transfer(Path(file), url)


def pull(url: str, file: Path) -> tuple[TransferResult, list[str]]:
    if not is_server_url(url):
        raise KnownError(f"pull copies a server project to a file: {url} is not a postgresql:// URL")
    return transfer(url, Path(file))
