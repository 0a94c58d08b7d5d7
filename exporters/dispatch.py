"""Choose the writer from the target's suffix; write atomically."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from exporters.atomic import write_atomically
from exporters.docx_writer import write_docx
from exporters.model import Memo
from exporters.text_writers import write_html, write_markdown
from storage.errors import KnownError

Writer = Callable[[Memo, Path, Path | None], None]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# Tagged (accessible) PDF, bookmarks from the headings, links kept clickable.
PDF_OPTIONS = json.dumps({
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ExportNotes": {"type": "boolean", "value": "false"},
    "ConvertOOoTargetToPDFTarget": {"type": "boolean", "value": "true"},
}, separators=(",", ":"))


def write_pdf(memo: Memo, target: Path, template: Path | None = None) -> None:
    """Through LibreOffice: write the .docx, convert it headless."""
    binary = soffice()
    if binary is None:
        raise KnownError("PDF export needs LibreOffice (soffice) installed; "
                         "export .docx and print it to PDF instead")
    with tempfile.TemporaryDirectory(prefix="dossier-pdf-") as tmp:
        source = Path(tmp) / "memo.docx"
        write_docx(memo, source, template)
        profile = Path(tmp) / "profile"
        result = subprocess.run(
            [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", f"pdf:writer_pdf_Export:{PDF_OPTIONS}", "--outdir", tmp, str(source)],
            capture_output=True, timeout=180, check=False,
        )
        produced = Path(tmp) / "memo.pdf"
        if result.returncode != 0 or not produced.exists():
            detail = result.stderr.decode(errors="replace").strip()[:300]
            raise KnownError(f"LibreOffice could not convert the memo to PDF ({detail})")
        shutil.copyfile(produced, target)


FORMATS: dict[str, Writer] = {
    ".docx": write_docx,
    ".md": write_markdown,
    ".markdown": write_markdown,
    ".html": write_html,
    ".htm": write_html,
    ".pdf": write_pdf,
}


def export(memo: Memo, target: Path, template: Path | None = None, force: bool = False) -> Path:
    writer = FORMATS.get(target.suffix.lower())
    if writer is None:
        raise KnownError(f"{target}: unknown export format {target.suffix or '(none)'}; "
                         f"use one of {', '.join(FORMATS)}")
    if template is not None and not template.is_file():
        raise KnownError(f"{template}: no such template file")
    return write_atomically(target, lambda tmp: writer(memo, tmp, template), force=force)
