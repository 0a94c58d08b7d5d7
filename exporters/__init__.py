"""Briefing writers: Word (.docx), Markdown, HTML and PDF (through LibreOffice)."""

from exporters.dispatch import FORMATS, export
from exporters.model import Excerpt, Memo, MemoSection, Source

__all__ = ["FORMATS", "Excerpt", "Memo", "MemoSection", "Source", "export"]
