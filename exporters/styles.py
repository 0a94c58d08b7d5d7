"""The citation styles a memo can use: the CSL files Dossier ships (resources/csl), and an
organisation's house styles, added to the user's styles folder once they pass a check.

A house style is untrusted input: it is read with a parser that loads no DTD, resolves no
entity and fetches nothing, refused if it declares a DOCTYPE or is not an independent CSL
style, and tried on a citation before it is kept. Its name comes from its file name, made
safe; nothing in the file becomes a path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.etree

from exporters.pandoc_citeproc import render
from resources import CSL
from storage.errors import KnownError

CSL_NS = "{http://purl.org/net/xbiblio/csl}"
MAX_STYLE_BYTES = 2 * 1024 * 1024  # the largest style in the CSL repository is under 400 KB
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                               remove_comments=True)


@dataclass(frozen=True)
class StyleInfo:
    name: str  # what --style takes
    path: Path  # the CSL file
    title: str
    note: bool  # a note style (footnotes), else in-text
    house: bool = False  # added by the user
    stamp: int = 0  # a house file's modification time: a replaced file is read anew


BUILT_IN = {
    s.name: s
    for s in (
        StyleInfo("chicago", CSL / "chicago-notes-bibliography.csl",
                  "Chicago Manual of Style, 18th edition, notes and bibliography", note=True),
        StyleInfo("chicago-author-date", CSL / "chicago-author-date.csl",
                  "Chicago Manual of Style, author-date", note=False),
        StyleInfo("chicago-16th", CSL / "chicago-notes-bibliography-16th-edition.csl",
                  "Chicago Manual of Style, 16th edition, notes (with Ibid.)", note=True),
        StyleInfo("apa", CSL / "apa.csl", "APA, 7th edition", note=False),
        StyleInfo("mla", CSL / "modern-language-association.csl", "MLA Handbook, 9th edition", note=False),
        StyleInfo("harvard", CSL / "harvard-cite-them-right.csl", "Harvard (Cite Them Right)", note=False),
    )
}
DEFAULT_STYLE = "chicago"
_TRIAL = {"id": "k", "type": "report", "title": "Trial", "issued": {"date-parts": [[2024]]}}


def available(folder: Path | None) -> list[StyleInfo]:
    """The built-in styles, then the house styles in ``folder`` (unreadable ones left out)."""
    house = []
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.csl")):
            try:
                house.append(_house(path))
            except KnownError:
                continue
    return [*BUILT_IN.values(), *house]


def find_style(name: str, folder: Path | None) -> StyleInfo:
    if name in BUILT_IN:
        return BUILT_IN[name]
    if folder is not None and _NAME.fullmatch(name) and (folder / f"{name}.csl").is_file():
        return _house(folder / f"{name}.csl")
    known = ", ".join(s.name for s in available(folder))
    raise KnownError(f"unknown citation style {name!r}: use one of {known}, or add a house style "
                     "(`dossier styles --add FILE.csl`)")


def style_name(file_name: str) -> str:
    """A house style's name from its file's: lower case, letters, digits and hyphens."""
    stem = Path(file_name).stem.lower()
    name = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:63]
    return name or "house-style"


def install_style(source: Path, folder: Path) -> StyleInfo:
    """Check a .csl file and keep a copy in ``folder`` under a name from its file name
    (replacing a house style of that name)."""
    name = style_name(source.name)
    if name in BUILT_IN:
        raise KnownError(f"{source}: {name!r} is the name of a built-in style; rename the file")
    try:
        with source.open("rb") as f:
            data = f.read(MAX_STYLE_BYTES + 1)
    except OSError as e:
        raise KnownError(f"{source}: cannot read the file ({e.strerror or e})") from None
    if len(data) > MAX_STYLE_BYTES:
        raise KnownError(f"{source}: over {MAX_STYLE_BYTES // (1024 * 1024)} MB, too large for a "
                         "citation style")
    title, note = _check(data, source)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.csl"
    trial = folder / f".{name}.csl.part"
    trial.write_bytes(data)
    try:
        render(trial, "en-US", [_TRIAL], [("k", None)], ("“", "”", "‘", "’"))
    except KnownError as e:
        trial.unlink(missing_ok=True)
        raise KnownError(f"{source}: the citation processor cannot use this style ({e})") from None
    os.replace(trial, target)
    return StyleInfo(name, target, title, note, house=True, stamp=target.stat().st_mtime_ns)


def remove_style(name: str, folder: Path) -> None:
    if name in BUILT_IN:
        raise KnownError(f"{name!r} is a built-in style; only house styles can be removed")
    style = find_style(name, folder)
    style.path.unlink()


def _house(path: Path) -> StyleInfo:
    try:
        data = path.read_bytes()[:MAX_STYLE_BYTES + 1]
    except OSError as e:
        raise KnownError(f"{path}: cannot read the style ({e.strerror or e})") from None
    title, note = _check(data, path)
    return StyleInfo(path.stem, path, title, note, house=True, stamp=path.stat().st_mtime_ns)


def _check(data: bytes, source: Path) -> tuple[str, bool]:
    """(title, note style?) of an independent CSL style, or a KnownError saying why not."""
    try:
        tree = lxml.etree.fromstring(data, _PARSER).getroottree()
    except lxml.etree.XMLSyntaxError as e:
        raise KnownError(f"{source}: not a citation style (not well-formed XML: {e.msg})") from None
    if tree.docinfo.doctype:
        raise KnownError(f"{source}: a citation style declares no DOCTYPE; this one does, so it is refused")
    root = tree.getroot()
    if root.tag != f"{CSL_NS}style":
        raise KnownError(f"{source}: not a citation style (a CSL file's root is <style>, in the "
                         "CSL namespace)")
    if root.find(f"{CSL_NS}citation/{CSL_NS}layout") is None:
        parent = root.find(f"{CSL_NS}info/{CSL_NS}link[@rel='independent-parent']")
        hint = f" (its parent: {parent.get('href')})" if parent is not None else ""
        raise KnownError(f"{source}: a dependent style, which only names its parent style{hint}; "
                         "add the parent's .csl file instead")
    kind = root.get("class")
    if kind not in ("note", "in-text"):
        raise KnownError(f"{source}: a citation style's class is note or in-text, not {kind!r}")
    title = " ".join((root.findtext(f"{CSL_NS}info/{CSL_NS}title") or "").split())[:200]
    return title or source.stem, kind == "note"
