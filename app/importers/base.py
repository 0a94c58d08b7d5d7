"""The importer interface: bytes in, normalised text + structure + metadata out."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from app.domain import Span
from app.errors import ImportFailed

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps against hostile files; override with DOSSIER_MAX_FILE_MB / DOSSIER_MAX_UNZIPPED_MB."""

    max_file_bytes: int = 200 * MB
    max_unzipped_bytes: int = 512 * MB
    max_zip_entries: int = 20_000
    max_xml_part_bytes: int = 64 * MB  # one XML part of a .docx/.pptx, inflated
    max_parser_bytes: int = 768 * MB  # address space of the child process that parses a PDF

    @classmethod
    def from_env(cls) -> Limits:
        def mb(name: str, default: int) -> int:
            raw = os.environ.get(name)
            try:
                return int(float(raw) * MB) if raw else default
            except ValueError:
                return default

        return cls(
            max_file_bytes=mb("DOSSIER_MAX_FILE_MB", cls.max_file_bytes),
            max_unzipped_bytes=mb("DOSSIER_MAX_UNZIPPED_MB", cls.max_unzipped_bytes),
            max_parser_bytes=mb("DOSSIER_PARSER_MEMORY_MB", cls.max_parser_bytes),
        )


@dataclass
class Extracted:
    text: str
    spans: list[Span]
    format: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    source: str | None = None
    language: str | None = None
    set_aside: list[str] = field(default_factory=list)  # a saved page's furniture
    warning: str | None = None  # imported, but the analyst should look (garbled text...)
    file_date: str | None = None  # the file's own date (when it was made), ISO: not its publication


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_ENDS = re.compile(r"\r\n?|\u2028|\u2029|\x85")


def clean(text: str) -> str:
    """NFC, ``\\n`` line ends, no control characters, no lone surrogates."""
    text = _LINE_ENDS.sub("\n", text)
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


@dataclass
class TextBuilder:
    """Assembles blocks separated by blank lines, recording their spans."""

    parts: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    length: int = 0

    def add(self, kind: str, text: str, extra: int = 0) -> None:
        text = clean(text).strip()
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        self.parts.append(text)
        self.spans.append(Span(kind, self.length, self.length + len(text), extra))
        self.length += len(text)

    def mark(self) -> int:
        """Where the next block will start (for page/slide/table spans)."""
        return self.length + (2 if self.parts else 0)

    def enclose(self, kind: str, start: int, extra: int = 0) -> None:
        if self.length > start:
            self.spans.append(Span(kind, start, self.length, extra))

    def text(self) -> str:
        return "".join(self.parts)


_TITLE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Titles that tools write for a file, not its author: "Microsoft Word - Document1",
# "Binder1.pdf", "dvips.dvi", python-docx's "Word Document", "Untitled".
_TOOL_TITLE = re.compile(
    r"(?:microsoft (?:word|powerpoint|excel) - .*|.*\.(?:pdf|docx?|pptx?|xlsx?|dvi|tex|txt|rtf|odt|html?|md)"
    r"|word document|document\d*|untitled(?: document)?\d*|binder\d*|presentation\d*|slide \d+)",
    re.IGNORECASE)


def clean_title(value: str | None) -> str | None:
    """A title as a citation can use it: control characters and a trailing pilcrow (a
    heading's anchor link) gone, white space single; None for a tool's default or a file
    name."""
    if not value:
        return None
    text = " ".join(_TITLE_CONTROL.sub(" ", value).split()).rstrip("¶#§ ").strip()
    if not text or _TOOL_TITLE.fullmatch(text):
        return None
    return text


def first_title(text: str, spans: list[Span]) -> str | None:
    """A fallback title: the first heading, else the first line."""
    for span in spans:
        if span.kind == "heading":
            return text[span.start : span.end].strip()[:200] or None
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 120 else line[:117].rstrip() + "…"
    return None


def shown(path: Path) -> str:
    """A path as text that can be printed and stored: a name that is not valid UTF-8 shows
    its undecodable bytes as U+FFFD instead of failing the report."""
    return os.fsencode(path).decode("utf-8", "replace")


def fail(path: Path, reason: str) -> ImportFailed:
    return ImportFailed(f"{shown(path)}: {reason}")
