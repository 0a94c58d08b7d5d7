"""An organisation's memo template (.docx or .dotx), read with a cap on what it unpacks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from storage.errors import KnownError

MAX_UNPACKED = 64 * 1024 * 1024  # a template is letterhead and styles, never this large
TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _unpacked(path: Path) -> bytes:
    """The package re-zipped from its members, read as streams with a running count (no
    trust in declared sizes), the main part declared a document (a .dotx says template)."""
    out = io.BytesIO()
    total = 0
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise KnownError(f"{path}: not a usable Word template (unsupported compression)")
                chunks = []
                with src.open(info) as member:
                    while chunk := member.read(1 << 16):
                        total += len(chunk)
                        if total > MAX_UNPACKED:
                            raise KnownError(f"{path}: not a usable Word template (unpacks to over "
                                             f"{MAX_UNPACKED // 2**20} MB)")
                        chunks.append(chunk)
                data = b"".join(chunks)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(TEMPLATE_TYPE, DOCUMENT_TYPE)
                dst.writestr(info.filename, data)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise KnownError(f"{path}: not a usable Word template ({exc})") from exc
    return out.getvalue()


def open_template(path: Path) -> DocxDocument:
    """The template as a document to write the memo into: its styles, page set-up,
    headers and footers kept, its body emptied."""
    try:
        doc = docx.Document(io.BytesIO(_unpacked(path)))
    except KnownError:
        raise
    except Exception as exc:  # python-docx raises several types for a bad package
        raise KnownError(f"{path}: not a usable Word template ({exc})") from exc
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc
