"""Write to a temporary file beside the target, then move it into place, never over a
file someone protected or has open."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from storage.errors import KnownError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def lock_files(target: Path) -> list[Path]:
    """Word's and LibreOffice's marks that someone has ``target`` open."""
    name = target.name
    candidates = [f"~${name}", f"~${name[2:]}" if len(target.stem) > 6 else None, f".~lock.{name}#"]
    return [target.with_name(c) for c in candidates if c and target.with_name(c).exists()]


def check_replaceable(target: Path) -> None:
    """Refuse to replace a read-only file, or one a word processor has open."""
    if target.exists():
        if not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise KnownError(f"{target}: the file is read-only; not replaced "
                             "(--force replaces it anyway)")
        locks = lock_files(target)
        if locks:
            raise KnownError(f"{target}: the file is open in a word processor ({locks[0].name} is "
                             "beside it); close it first, or --force replaces it anyway")


def write_atomically(target: Path, write: Callable[[Path], None], force: bool = False) -> Path:
    """Call ``write(tmp)``; on success replace ``target``, on failure leave it as it was.
    The file gets the mode any new file gets (the umask), not the temporary file's 0600."""
    target = Path(target).expanduser()
    if not target.parent.is_dir():
        raise KnownError(f"{target}: the folder {target.parent} does not exist")
    if not force:
        check_replaceable(target)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise KnownError(f"{target}: cannot write in {target.parent} ({exc.strerror or exc})") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        raise KnownError(f"{target}: could not write the file ({exc.strerror or exc})") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(title: str, suffix: str = ".docx", limit: int = 120) -> str:
    """A file name from a title, valid on Windows, macOS and Linux."""
    cleaned = "".join("-" if ch in '<>:"/\\\\|?*' or ord(ch) < 32 else ch for ch in title)
    cleaned = " ".join(cleaned.split()).strip(" .")[:limit].strip(" .")
    if not cleaned or cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = f"memo {cleaned}".strip()
    return cleaned + suffix
