"""Hostile files for import tests, written by the tests (never stored)."""

from __future__ import annotations

import zlib
from pathlib import Path

CHUNK = 1 << 24  # 16 MiB of spaces per deflate block


def _deflated_spaces(total: int) -> bytes:
    """``total`` bytes of spaces, deflated, without compressing them all: after a full
    flush, each identical block compresses to identical bytes."""
    c = zlib.compressobj(9)
    block = b" " * CHUNK
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    steady = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(block) + c.flush(zlib.Z_FULL_FLUSH) == steady
    return first + steady * (total // CHUNK - 2) + c.compress(block) + c.flush()


def pdf_bomb(path: Path, inflated: int = 1 << 30) -> Path:
    """A PDF of about 2 KB whose one content stream, deflated twice, inflates to ``inflated``
    bytes."""
    stream = zlib.compress(_deflated_spaces(inflated), 9)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        b"<</Length %d/Filter[/FlateDecode/FlateDecode]>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path
