"""What a file is, from its first bytes, before its name is trusted: a PDF saved as .txt
is read as a PDF; a program, an image or an old binary Office file is named as such."""

from __future__ import annotations

import io
import re
import zipfile

# Signatures of things that are not text and that no importer reads.
REFUSED_MAGIC = (
    (b"\x7fELF", "a program (ELF executable), not a document"),
    (b"MZ", "a program (Windows executable), not a document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE
     "an old binary Office file (.doc, .ppt or .xls); save it as .docx or .pptx"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG); Dossier reads text: run OCR on it first"),
    (b"\xff\xd8\xff", "an image (JPEG); Dossier reads text: run OCR on it first"),
    (b"GIF8", "an image (GIF); Dossier reads text: run OCR on it first"),
)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes, suffix: str) -> tuple[str | None, str | None]:
    """(the suffix whose importer should read ``data``, or None to go by the name;
    why no importer can, or None). A .docx or .pptx in an OLE container is a password-
    protected one, which their importers name as such."""
    head = data[:8]
    for magic, why in REFUSED_MAGIC:
        if magic == OLE and suffix in (".docx", ".pptx"):
            continue
        if head.startswith(magic) and not (magic == b"MZ" and b"\x00" not in data[:64]):
            return None, why
    if data.lstrip()[:5].startswith(b"%PDF"):
        return ".pdf", None
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None, None
        if "word/document.xml" in names:
            return ".docx", None
        if "ppt/presentation.xml" in names:
            return ".pptx", None
    return None, None


# Signs of Markdown in a text file: headings, emphasis, escapes, links, list markers.
_MARKDOWN_SIGNS = (
    re.compile(rb"^#{1,6} \S", re.M),
    re.compile(rb"\*\*[^*\n]+\*\*|__[^_\n]+__"),
    re.compile(rb"\\[$*_#\[\]`]"),
    re.compile(rb"\[[^\]\n]+\]\([^)\s]+\)"),
    re.compile(rb"^(?:[-*+]|\d+\.) \S", re.M),
)


def looks_like_markdown(data: bytes) -> bool:
    """A .txt that is really Markdown (exported slide decks and notes often are): at least
    two kinds of Markdown sign, so prose with one list does not count."""
    sample = data[:200_000]
    return sum(1 for sign in _MARKDOWN_SIGNS if sign.search(sample)) >= 2
