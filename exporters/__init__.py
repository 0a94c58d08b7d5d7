"""Briefing writers: Word (.docx), Markdown, HTML and PDF (through LibreOffice)."""

from exporters.dispatch import FORMATS, export
from exporters.model import Excerpt, Memo, MemoSection
from exporters.text_writers import render_html

__all__ = ["FORMATS", "Excerpt", "Memo", "MemoSection", "export", "render_html"]
