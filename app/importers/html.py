"""Saved web pages: main content only (trafilatura), metadata from the page.

trafilatura works on the string it is given and fetches nothing; images,
frames, scripts and styles are dropped, so no remote resource is ever loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html
import trafilatura

from app.importers.base import Extracted, Limits, TextBuilder, fail, first_title
from app.importers.encoding import decode

# A heading's or definition's anchor link ("¶", "#", "§") left at the end of its text.
_ANCHOR_MARKS = "¶#§ \t\n"
_SPACES = re.compile(r"[ \t]+")
_SAFE_XML = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _text(element: lxml.etree._Element) -> str:
    """An element's visible text, <lb/> as a line break, anchor marks dropped."""
    parts: list[str] = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    text = _SPACES.sub(" ", "".join(parts).replace("¶", ""))
    return text.strip(_ANCHOR_MARKS).strip()


def _walk(element: lxml.etree._Element, builder: TextBuilder) -> None:
    """trafilatura's XML, block by block, as the page has them: headings, paragraphs,
    list items (a definition list's terms and definitions kept), table rows, quotes, code."""
    for child in element:
        tag = child.tag
        if tag == "head":
            rend = str(child.get("rend") or "h2")
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            builder.add("heading", _text(child), level)
        elif tag in ("p", "code", "quote") and not any(c.tag in ("p", "list", "table") for c in child):
            builder.add("paragraph", _text(child))
        elif tag == "list":
            for item in child:
                if any(c.tag in ("p", "list", "table", "quote") for c in item):
                    _walk(item, builder)
                else:
                    builder.add("list_item", _text(item))
        elif tag == "table":
            for row in child.iter("row"):
                builder.add("paragraph", " | ".join(_text(cell) for cell in row.iter("cell")))
        elif tag in ("div", "quote", "p", "item", "main"):
            _walk(child, builder)
        elif tag not in ("graphic", "ref", "comments"):
            builder.add("paragraph", _text(child))


def extract(data: bytes, path: Path, limits: Limits) -> Extracted:
    html, _encoding = decode(data)
    if not html.strip():
        raise fail(path, "empty file")
    xml = trafilatura.extract(
        html,
        output_format="xml",
        include_comments=False,
        include_images=False,
        include_links=False,
        include_tables=True,
        include_formatting=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not xml or not xml.strip():
        raise fail(path, "no readable text found in the page")
    root = lxml.etree.fromstring(xml.encode("utf-8"), _SAFE_XML)
    builder = TextBuilder()
    for main in root.iter("main"):
        _walk(main, builder)
    text = builder.text()
    result = Extracted(text, builder.spans, "html", title=first_title(text, builder.spans))
    meta = trafilatura.extract_metadata(html)
    if meta is not None:
        result.title = meta.title or result.title
        # trafilatura drops organisations as authors, and rewrites a name it splits
        # ("U.S. Customs and Border Protection" → "U S Customs; Border Protection"): the
        # page's own words are kept where they name the same.
        stated = _meta_author(html)
        if meta.author and stated and _letters(meta.author) != _letters(stated):
            stated = None
        result.author = stated or meta.author or meta.sitename or None
        result.published = meta.date or None
        result.source = meta.url or None
    return result


def _letters(name: str) -> str:
    return re.sub(r"\W|_|\band\b|\by\b|\bet\b", "", name.lower())


def _meta_author(html: str) -> str | None:
    try:
        tree = lxml.html.fromstring(html.encode("utf-8"))
    except (ValueError, lxml.etree.ParserError):
        return None
    for value in tree.xpath("//meta[@name='author' or @property='article:author']/@content"):
        if str(value).strip() and not str(value).startswith("http"):
            return str(value).strip()
    return None
