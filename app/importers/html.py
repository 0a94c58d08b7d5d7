"""Saved web pages: main content only (trafilatura), metadata from the page.

trafilatura works on the string it is given and fetches nothing; images,
frames, scripts and styles are dropped, so no remote resource is ever loaded.
"""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import lxml.html
import trafilatura

from app.importers.base import Extracted, Limits, fail
from app.importers.encoding import decode
from app.importers.markdown import from_markdown


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    html, _encoding = decode(data)
    if not html.strip():
        raise fail(path, "empty file")
    markdown = trafilatura.extract(
        html,
        output_format="markdown",
        include_comments=False,
        include_images=False,
        include_links=False,
        include_tables=True,
        favor_recall=True,
        deduplicate=False,
    )
    if not markdown or not markdown.strip():
        raise fail(path, "no readable text found in the page")
    result = from_markdown(markdown, fmt="html")
    meta = trafilatura.extract_metadata(html)
    if meta is not None:
        result.title = meta.title or result.title
        # trafilatura drops organisations as authors; a citation wants them.
        result.author = meta.author or _meta_author(html) or meta.sitename or None
        result.published = meta.date or None
        result.source = meta.url or None
    return result


def _meta_author(html: str) -> str | None:
    try:
        tree = lxml.html.fromstring(html.encode("utf-8"))
    except (ValueError, lxml.etree.ParserError):
        return None
    for value in tree.xpath("//meta[@name='author' or @property='article:author']/@content"):
        if str(value).strip() and not str(value).startswith("http"):
            return str(value).strip()
    return None
