"""Importers: one module per format behind ``extract_file``."""

from __future__ import annotations

import importlib
import stat
from collections.abc import Callable
from pathlib import Path

from app.errors import KnownError
from app.importers.base import MB, Extracted, Limits, fail
from app.importers.language import detect
from app.importers.sniff import looks_like_markdown, sniff

Extractor = Callable[[bytes, Path, Limits], Extracted]

# Format modules load on first use: the heavy parsers stay off the CLI's start-up.
EXTRACTORS: dict[str, str] = {
    ".txt": "plaintext",
    ".text": "plaintext",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".pptx": "pptx",
}
REFUSED = {
    ".docm": "a macro-enabled Word document (.docm); save it as .docx",
    ".dotx": "a Word template (.dotx); save it as .docx",
    ".dotm": "a macro-enabled Word template (.dotm); save it as .docx",
    ".doc": "the old binary Word format (.doc); save it as .docx",
    ".ppt": "the old binary PowerPoint format (.ppt); save it as .pptx",
}
SUPPORTED = tuple(EXTRACTORS)

__all__ = ["SUPPORTED", "Extracted", "Limits", "extract_file", "is_supported", "read_file"]


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in EXTRACTORS


def read_file(path: Path, limits: Limits) -> bytes:
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        raise fail(path, REFUSED[suffix])
    if suffix not in EXTRACTORS:
        raise fail(path, f"unsupported format {suffix or '(no extension)'}; Dossier reads "
                   + ", ".join(SUPPORTED))
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never end
            kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else
                    "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                    "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
            raise fail(path, f"{kind}, not a document file")
        size = info.st_size
        if size > limits.max_file_bytes:
            raise fail(path, f"file is {size // MB} MB, over the {limits.max_file_bytes // MB} MB "
                       "cap (set DOSSIER_MAX_FILE_MB to raise it)")
        data = path.read_bytes()
    except OSError as exc:
        raise fail(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise fail(path, "empty file")
    return data


def extract_file(path: Path, data: bytes, limits: Limits) -> Extracted:
    """Extract a file's text; every failure is an ``ImportFailed`` naming file and cause.
    The bytes say what the file is before its name does (a PDF saved as .txt is a PDF)."""
    actual, refused = sniff(data, path.suffix.lower())
    if refused is not None:
        raise fail(path, refused)
    suffix = actual or path.suffix.lower()
    markdown_txt = suffix in (".txt", ".text") and looks_like_markdown(data)
    if markdown_txt:
        suffix = ".md"  # no markup reaches the text, the snippets or the memo
    module = importlib.import_module(f"app.importers.{EXTRACTORS[suffix]}")
    extractor: Extractor = module.extract
    try:
        result = extractor(data, path, limits)
    except KnownError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise fail(path, f"too large or too deeply nested to read ({type(exc).__name__})") from exc
    except Exception as exc:  # a library choking on hostile input is still the file's fault
        raise fail(path, f"could not read the file ({type(exc).__name__}: {exc})") from exc
    if not result.text.strip():
        raise fail(path, "no text found in the file")
    if markdown_txt:
        result.format = "txt"  # the file's own kind, for the analyst and the citation
    result.language = detect(result.text)
    if not result.title:
        result.title = path.stem
    return result
