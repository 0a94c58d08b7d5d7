"""Briefing writers: Word (.docx), Markdown, HTML and PDF (through LibreOffice)."""

from exporters.dispatch import FORMATS, export
from exporters.model import Excerpt, Memo, MemoSection, Source
from exporters.text_writers import render_html

__all__ = ["FORMATS", "Excerpt", "Memo", "MemoSection", "Source", "export", "render_html"]
