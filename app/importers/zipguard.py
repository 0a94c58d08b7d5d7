"""Checks on zip-based formats (docx, pptx) before any library opens them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from app.importers.base import MB, Limits, fail

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip(data: bytes, path: Path, limits: Limits, kind: str) -> None:
    """Refuse encrypted, non-zip or zip-bomb files with a message naming the cause."""
    if data.startswith(OLE_MAGIC):
        raise fail(
            path,
            f"password-protected or old binary format ({kind} files saved with a password "
            "are encrypted; remove the password or save as a normal .{kind})",
        )
    if not data.startswith(b"PK"):
        raise fail(path, f"not a valid .{kind} file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise fail(path, f"damaged .{kind} file ({exc})") from exc
    if len(infos) > limits.max_zip_entries:
        raise fail(path, f"too many parts in the archive ({len(infos)})")
    total = sum(info.file_size for info in infos)
    if total > limits.max_unzipped_bytes:
        raise fail(
            path,
            f"decompresses to {total // MB} MB, over the {limits.max_unzipped_bytes // MB} MB cap "
            "(set DOSSIER_MAX_UNZIPPED_MB to raise it)",
        )
