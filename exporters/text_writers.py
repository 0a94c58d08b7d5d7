"""Markdown and HTML memos: the same content and citations as the Word file."""

from __future__ import annotations

import html
from pathlib import Path

from exporters.labels import labels
from exporters.model import Memo, xml_safe
from exporters.rich import to_html, to_markdown


def _header_rows(memo: Memo) -> list[tuple[str, str]]:
    words = labels(memo.language)
    rows = [(words["to"], memo.to), (words["from"], memo.from_), (words["date"], memo.date),
            (words["subject"], memo.subject)]
    return [(k.capitalize(), xml_safe(v)) for k, v in rows if v]


def _md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_[]#<>|" else ch for ch in text)


def write_markdown(memo: Memo, target: Path, template: Path | None = None) -> None:
    words = labels(memo.language)
    out: list[str] = []
    if memo.classification:
        out += [f"**{_md_escape(xml_safe(memo.classification))}**", ""]
    out += [f"# {_md_escape(xml_safe(memo.title))}", ""]
    for label, value in _header_rows(memo):
        out.append(f"**{label}:** {_md_escape(value)}  ")
    out.append("")
    if memo.summary.strip():
        out += [f"## {memo.portion(words['summary'])}", "",
                _md_escape(memo.portion(xml_safe(memo.summary.strip()))), ""]
    notes: list[str] = []
    for section in memo.sections:
        out += [f"## {_md_escape(memo.portion(xml_safe(section.heading)))}", ""]
        for ex in section.excerpts:
            quote = _md_escape(memo.portion(xml_safe(ex.quote)))
            cite = to_markdown(ex.citation, _md_escape)
            if memo.note_style:
                notes.append(cite)
                out += [f"> {quote}[^{len(notes)}]", ""]
            else:
                out += [f"> {quote} {cite}", ""]
            if ex.commentary.strip():
                comment = _md_escape(memo.portion(xml_safe(ex.commentary.strip())))
                out += [f"*{words['comment']}:* {comment}", ""]
    if memo.bibliography:
        out += [f"## {words['sources']}", ""]
        out += [f"- {to_markdown(entry, _md_escape)}" for entry in memo.bibliography]
        out.append("")
    out += [f"[^{n}]: {text}" for n, text in enumerate(notes, 1)]
    if memo.classification:
        out += ["", f"**{_md_escape(xml_safe(memo.classification))}**"]
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_html(memo: Memo, target: Path, template: Path | None = None) -> None:
    target.write_text(render_html(memo), encoding="utf-8")


STYLE = (
    "body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.45}"
    "blockquote{margin:1em 3em}.classification{text-align:center;font-weight:bold;color:#b00}"
    ".commentary{margin-left:3em;color:#1f3a5f}.label{font-weight:bold}"
    "table.header th{text-align:left;vertical-align:top;padding-right:1em}sup a{text-decoration:none}"
    ".sources li{padding-left:2em;text-indent:-2em;list-style:none}"
)


def render_html(memo: Memo) -> str:
    """The memo as one HTML page (also the window's live preview)."""
    e = html.escape
    words = labels(memo.language)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(memo.language)}"><head><meta charset="utf-8">',
        f"<title>{e(xml_safe(memo.title))}</title>",
        f"<style>{STYLE}</style></head><body>",
    ]
    if memo.classification:
        parts.append(f'<p class="classification">{e(xml_safe(memo.classification))}</p>')
    parts.append(f"<h1>{e(xml_safe(memo.title))}</h1>")
    rows = _header_rows(memo)
    if rows:  # a table, which every renderer (the window's preview too) lays out
        parts.append('<table class="header">' + "".join(
            f'<tr><th scope="row">{k}:</th><td>{e(v)}</td></tr>' for k, v in rows) + "</table>")
    if memo.summary.strip():
        parts.append(f"<h2>{e(memo.portion(words['summary']))}</h2>")
        paragraphs = memo.summary.strip().split("\n\n")
        parts += [f"<p>{e(memo.portion(xml_safe(p.strip())))}</p>" for p in paragraphs]
    notes: list[str] = []
    for section in memo.sections:
        parts.append(f"<h2>{e(memo.portion(xml_safe(section.heading)))}</h2>")
        for ex in section.excerpts:
            direction = ' dir="rtl"' if ex.rtl else ""
            quote = e(memo.portion(xml_safe(ex.quote)))
            if memo.note_style:
                notes.append(to_html(ex.citation))
                n = len(notes)
                parts.append(f'<blockquote{direction}>{quote}<sup id="ref{n}"><a href="#fn{n}">{n}</a>'
                             "</sup></blockquote>")
            else:
                parts.append(f"<blockquote{direction}>{quote} {to_html(ex.citation)}</blockquote>")
            if ex.commentary.strip():
                parts.append(f'<p class="commentary"><span class="label">{e(words["comment"])}:</span> '
                             f"{e(memo.portion(xml_safe(ex.commentary.strip())))}</p>")
    if memo.bibliography:
        parts.append(f'<h2>{e(words["sources"])}</h2><ul class="sources">')
        parts += [f"<li>{to_html(entry)}</li>" for entry in memo.bibliography]
        parts.append("</ul>")
    if notes:
        parts.append('<hr><ol class="footnotes">')
        parts += [f'<li id="fn{n}">{t} <a href="#ref{n}">↩</a></li>' for n, t in enumerate(notes, 1)]
        parts.append("</ol>")
    if memo.classification:
        parts.append(f'<p class="classification">{e(xml_safe(memo.classification))}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
