"""Markdown and HTML memos: the same content and citations as the Word file."""

from __future__ import annotations

import html
from pathlib import Path

from exporters.model import Memo, citations, xml_safe


def _header_rows(memo: Memo) -> list[tuple[str, str]]:
    rows = [("To", memo.to), ("From", memo.from_), ("Date", memo.date), ("Subject", memo.subject)]
    return [(k, xml_safe(v)) for k, v in rows if v]


def _md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_[]#<>|" else ch for ch in text)


def write_markdown(memo: Memo, target: Path, template: Path | None = None) -> None:
    out: list[str] = []
    if memo.classification:
        out += [f"**{_md_escape(xml_safe(memo.classification))}**", ""]
    out += [f"# {_md_escape(xml_safe(memo.title))}", ""]
    for label, value in _header_rows(memo):
        out.append(f"**{label}:** {_md_escape(value)}  ")
    out.append("")
    if memo.summary.strip():
        out += ["## Bottom Line Up Front", "", _md_escape(xml_safe(memo.summary.strip())), ""]
    notes: list[str] = []
    cites = iter(citations(memo.sections))
    for section in memo.sections:
        out += [f"## {_md_escape(xml_safe(section.heading))}", ""]
        for ex in section.excerpts:
            notes.append(next(cites))
            quote = _md_escape(" ".join(xml_safe(ex.quote).split()))
            out += [f"> “{quote}”[^{len(notes)}]", ""]
            if ex.commentary.strip():
                out += [_md_escape(xml_safe(ex.commentary.strip())), ""]
    if memo.sources:
        out += ["## Sources", ""]
        out += [f"{s.number}. {_md_escape(xml_safe(s.reference()))}" for s in memo.sources]
        out.append("")
    out += [f"[^{n}]: {_md_escape(xml_safe(text))}" for n, text in enumerate(notes, 1)]
    if memo.classification:
        out += ["", f"**{_md_escape(xml_safe(memo.classification))}**"]
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_html(memo: Memo, target: Path, template: Path | None = None) -> None:
    target.write_text(render_html(memo), encoding="utf-8")


def render_html(memo: Memo) -> str:
    """The memo as one HTML page (also the window's live preview)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(xml_safe(memo.title))}</title>",
        "<style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.45}"
        "blockquote{font-style:italic;margin:1em 3em}.classification{text-align:center;"
        "font-weight:bold;color:#b00}.commentary{margin-left:1.5em}dt{font-weight:bold;float:left;"
        "width:6em}dd{margin-left:6em}sup a{text-decoration:none}</style></head><body>",
    ]
    if memo.classification:
        parts.append(f'<p class="classification">{e(xml_safe(memo.classification))}</p>')
    parts.append(f"<h1>{e(xml_safe(memo.title))}</h1>")
    rows = _header_rows(memo)
    if rows:
        parts.append("<dl>" + "".join(f"<dt>{k}:</dt><dd>{e(v)}</dd>" for k, v in rows) + "</dl>")
    if memo.summary.strip():
        parts.append("<h2>Bottom Line Up Front</h2>")
        parts += [f"<p>{e(xml_safe(p.strip()))}</p>" for p in memo.summary.strip().split("\n\n")]
    notes: list[str] = []
    cites = iter(citations(memo.sections))
    for section in memo.sections:
        parts.append(f"<h2>{e(xml_safe(section.heading))}</h2>")
        for ex in section.excerpts:
            notes.append(next(cites))
            n = len(notes)
            parts.append(
                f"<blockquote>“{e(xml_safe(ex.quote).strip())}”"
                f'<sup id="ref{n}"><a href="#fn{n}">{n}</a></sup></blockquote>'
            )
            if ex.commentary.strip():
                parts.append(f'<p class="commentary">{e(xml_safe(ex.commentary.strip()))}</p>')
    if memo.sources:
        parts.append("<h2>Sources</h2><ol>")
        parts += [f"<li>{e(xml_safe(s.reference()))}</li>" for s in memo.sources]
        parts.append("</ol>")
    if notes:
        parts.append('<hr><ol class="footnotes">')
        parts += [
            f'<li id="fn{n}">{e(xml_safe(t))} <a href="#ref{n}">↩</a></li>'
            for n, t in enumerate(notes, 1)
        ]
        parts.append("</ol>")
    if memo.classification:
        parts.append(f'<p class="classification">{e(xml_safe(memo.classification))}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
