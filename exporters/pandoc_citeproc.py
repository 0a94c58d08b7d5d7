"""Pandoc's CSL processor (the Haskell ``citeproc`` library, in the pandoc binary that
pypandoc_binary ships), run as a child process and read back as runs.

Pandoc gets a document of one paragraph a citation, as its own JSON, on standard input,
and the references as a CSL-JSON file. It runs with ``--sandbox`` (it reads only the
files on its command line) and an empty data directory, so neither a document's text nor
a user's pandoc set-up can make it read, fetch or run anything else.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from exporters.rich import Rich, Run
from storage.errors import KnownError

TIMEOUT_S = 120
_NO_WINDOW = 0x08000000 if sys.platform == "win32" else 0  # no console flashing up on Windows

Json = Any  # pandoc's JSON: nested lists and dicts


@dataclass(frozen=True)
class Rendered:
    citations: tuple[Rich, ...]  # in the order given (a note style's notes, or in-text)
    bibliography: tuple[Rich, ...]  # in the style's order, the entries it gives


@lru_cache(maxsize=1)
def pandoc() -> Path:
    """The pandoc binary pypandoc_binary installs beside its package (not one on PATH, whose
    version would change the memos)."""
    spec = importlib.util.find_spec("pypandoc")
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "files" / ("pandoc.exe" if sys.platform == "win32" else "pandoc")
        if binary.is_file():
            return binary
    raise KnownError("cannot cite sources: pandoc, the citation processor, is not installed "
                     "(run scripts/dev to set Dossier up again)")


def _run(args: list[str], stdin: str) -> str:
    try:
        done = subprocess.run([str(pandoc()), *args], input=stdin, capture_output=True, text=True,
                              encoding="utf-8", timeout=TIMEOUT_S, check=False,
                              creationflags=_NO_WINDOW)
    except subprocess.TimeoutExpired:
        raise KnownError(f"the citation processor took over {TIMEOUT_S} s and was stopped") from None
    except OSError as e:
        raise KnownError(f"cannot run the citation processor {pandoc()}: {e.strerror or e}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise KnownError(f"the citation processor failed: {last}")
    return done.stdout


@lru_cache(maxsize=1)
def api_version() -> list[int]:
    """The document-format version this pandoc reads (its JSON input must name it)."""
    version = json.loads(_run(["-f", "markdown", "-t", "json"], ""))["pandoc-api-version"]
    return [int(n) for n in version]


def render(csl: Path, locale: str, references: list[dict[str, Any]],
           cites: list[tuple[str, str | None]], quotes: tuple[str, str, str, str]) -> Rendered:
    """Each citation (key, the text after it: its locator) in order, positions (first,
    subsequent, ibid) counted in that order, one note each; then the bibliography.
    ``quotes`` are the memo language's outer and inner marks, for a quotation pandoc
    leaves unlocalised."""
    blocks = [{"t": "Para", "c": [{"t": "Cite", "c": [[{
        "citationId": key, "citationPrefix": [], "citationSuffix": _words(f", {after}" if after else ""),
        "citationMode": {"t": "NormalCitation"}, "citationNoteNum": n, "citationHash": 0}], []]}]}
        for n, (key, after) in enumerate(cites, 1)]
    document = {"pandoc-api-version": api_version(), "blocks": blocks,
                "meta": {"lang": {"t": "MetaString", "c": locale}}}
    with tempfile.TemporaryDirectory(prefix="dossier-cite-") as tmp:
        bibliography = Path(tmp) / "references.json"
        bibliography.write_text(json.dumps(references), encoding="utf-8")
        (Path(tmp) / "data").mkdir()
        out = json.loads(_run(["--sandbox", "--data-dir", str(Path(tmp) / "data"), "-f", "json", "-t", "json",
                               "--citeproc", "--csl", str(csl), "--bibliography", str(bibliography)],
                              json.dumps(document)))
    citations: list[Rich] = []
    entries: list[Rich] = []
    for block in out["blocks"]:
        if block["t"] == "Para":
            citations.append(_runs(block["c"], quotes))
        elif block["t"] == "Div":  # the bibliography: a div of entries, each a div
            entries.extend(_runs(_inlines(entry["c"][1]), quotes) for entry in block["c"][1]
                           if entry["t"] == "Div")
    # A style may leave a source out of its bibliography (Chicago's 18th edition omits
    # unpublished talks and papers, CMOS 14.115): an empty entry is not a line.
    entries = [entry for entry in entries if any(run.text.strip() for run in entry)]
    if len(citations) != len(cites):
        raise KnownError(f"the citation processor gave {len(citations)} citations for {len(cites)}")
    return Rendered(tuple(citations), tuple(entries))


def _words(text: str) -> list[Json]:
    """Plain text as pandoc inlines (words and spaces)."""
    out: list[Json] = []
    for n, word in enumerate(text.split(" ")):
        if n:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def _inlines(blocks: list[Json]) -> list[Json]:
    out: list[Json] = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            if out:
                out.append({"t": "Space"})
            out.extend(block["c"])
        elif block["t"] == "Div":
            out.extend(_inlines(block["c"][1]))
    return out


def _runs(inlines: list[Json], quotes: tuple[str, str, str, str]) -> Rich:
    runs: list[Run] = []

    def add(text: str, style: Run) -> None:
        if not text:
            return
        last = runs[-1] if runs else None
        if last and (last.italic, last.bold, last.small_caps, last.url) == (
                style.italic, style.bold, style.small_caps, style.url):
            runs[-1] = Run(last.text + text, last.italic, last.bold, last.small_caps, last.url)
        else:
            runs.append(Run(text, style.italic, style.bold, style.small_caps, style.url))

    def walk(items: list[Json], style: Run) -> None:
        for item in items:
            kind, content = item["t"], item.get("c")
            if kind == "Str":
                add(content, style)
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                add(" ", style)
            elif kind == "Emph":
                walk(content, Run("", not style.italic, style.bold, style.small_caps, style.url))
            elif kind == "Strong":
                walk(content, Run("", style.italic, True, style.small_caps, style.url))
            elif kind == "SmallCaps":
                walk(content, Run("", style.italic, style.bold, True, style.url))
            elif kind in ("Underline", "Strikeout", "Superscript", "Subscript"):
                walk(content, style)
            elif kind in ("Span", "Cite"):
                walk(content[1], style)
            elif kind == "Link":
                walk(content[1], Run("", style.italic, style.bold, style.small_caps, content[2][0]))
            elif kind == "Quoted":
                open_, close = quotes[:2] if content[0]["t"] == "DoubleQuote" else quotes[2:]
                walk([{"t": "Str", "c": open_}, *content[1], {"t": "Str", "c": close}], style)
            elif kind == "Note":
                walk(_inlines(content), style)
            elif kind in ("Code", "Math"):
                add(content[1], style)

    walk(inlines, Run(""))
    return tuple(runs)
