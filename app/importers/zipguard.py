"""Checks on zip-based formats (docx, pptx) before any library opens them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from app.importers.base import MB, Limits, fail

CHUNK = 1 << 20
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
    # Declared sizes are the file's word only: every member is inflated as a stream with a
    # running count against the caps, before any library opens the archive.
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise fail(path, f"damaged .{kind} file (part {info.filename} uses compression "
                           f"method {info.compress_type}; Word and PowerPoint use only deflate)")
            cap = limits.max_xml_part_bytes if info.filename.endswith((".xml", ".rels")) else None
            size = 0
            try:
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if cap is not None and size > cap:
                            raise fail(path, f"part {info.filename} decompresses to over {cap // MB} MB, "
                                       "the cap for one XML part (a decompression bomb?)")
                        if total > limits.max_unzipped_bytes:
                            raise fail(path, f"decompresses to over {limits.max_unzipped_bytes // MB} MB, "
                                       "the cap (set DOSSIER_MAX_UNZIPPED_MB to raise it)")
            except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
                raise fail(path, f"damaged .{kind} file ({info.filename}: {exc})") from exc
