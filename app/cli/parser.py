"""The argument parser: commands and options as DESIGN.md's contract states."""

from __future__ import annotations

import argparse


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage, as the contract asks."""


def span(value: str) -> tuple[int, int]:
    start, sep, end = value.partition(":")
    try:
        if not sep:
            raise ValueError
        return int(start), int(end)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected START:END, got {value!r}") from exc


def build() -> Parser:
    p = Parser(
        prog="dossier",
        description="Annotate sources, find highlights again, and export cited briefing memos.",
    )
    p.add_argument("--project", metavar="FILE", help="project file (default: $DOSSIER_PROJECT, "
                   "else the default project in the user data folder)")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p.add_argument("--verbose", action="store_true", help="log what the libraries do (migrations…) on stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", help="open the window (the default with no command)")

    c = sub.add_parser("import", help="import files or folders")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--recursive", "-r", action="store_true", help="descend into sub-folders")
    c.add_argument("--tag", action="append", default=[], help="tag the imported documents")

    sub.add_parser("docs", help="list documents")

    c = sub.add_parser("show", help="a document's metadata (and text with --text)")
    c.add_argument("doc", type=int, metavar="DOC")
    c.add_argument("--text", action="store_true")
    c.add_argument("--set-aside", action="store_true",
                   help="also the page furniture (banners, menus) set aside on import")

    c = sub.add_parser("meta", help="edit a document's citation metadata")
    c.add_argument("doc", type=int, metavar="DOC")
    for name in ("title", "author", "published", "source", "language"):
        c.add_argument(f"--{name}")

    c = sub.add_parser("delete", help="delete a document with its highlights")
    c.add_argument("doc", type=int, metavar="DOC")

    c = sub.add_parser("highlight", help="highlight a passage")
    c.add_argument("doc", type=int, metavar="DOC")
    where = c.add_mutually_exclusive_group(required=True)
    where.add_argument("--quote", help="exact text to highlight")
    where.add_argument("--span", type=span, metavar="START:END", help="code-point offsets")
    c.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote (1-based)")
    c.add_argument("--tag", action="append", default=[])
    c.add_argument("--note", default="")
    c.add_argument("--color")

    c = sub.add_parser("annotations", help="list highlights")
    c.add_argument("--doc", type=int)
    c.add_argument("--tag")
    c.add_argument("--orphaned", action="store_true",
                   help="only highlights a new version of their document could not place")
    c.add_argument("--author", help="only highlights this analyst made")

    c = sub.add_parser("reimport", help="replace a document with a newer version; highlights follow")
    c.add_argument("doc", type=int, metavar="DOC")
    c.add_argument("path", metavar="PATH")

    c = sub.add_parser("versions", help="a document's versions, oldest first")
    c.add_argument("doc", type=int, metavar="DOC")

    c = sub.add_parser("place", help="anchor an orphaned highlight to text of its document")
    c.add_argument("annotation", type=int, metavar="ANNOTATION")
    where = c.add_mutually_exclusive_group(required=True)
    where.add_argument("--quote", help="exact text to anchor it to")
    where.add_argument("--span", type=span, metavar="START:END", help="code-point offsets")
    c.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote (1-based)")

    c = sub.add_parser("unhighlight", help="delete a highlight")
    c.add_argument("annotation", type=int, metavar="ANNOTATION")

    sub.add_parser("tags", help="tag tree with counts")
    c = sub.add_parser("tag", help="rename or merge tags")
    tag_sub = c.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    t = tag_sub.add_parser("rename", help="rename (a new parent path moves it)")
    t.add_argument("old")
    t.add_argument("new")
    t = tag_sub.add_parser("merge", help="merge FROM into INTO, keeping every highlight")
    t.add_argument("source", metavar="FROM")
    t.add_argument("into", metavar="INTO")
    t = tag_sub.add_parser("delete", help="delete a tag (highlights stay)")
    t.add_argument("name")

    c = sub.add_parser("search", help="full-text search over passages and highlights")
    c.add_argument("query", nargs="*", help="words in the search syntax (optional with a filter)")
    c.add_argument("--limit", type=int, default=20)
    c.add_argument("--kind", choices=("passage", "annotation"))
    c.add_argument("--doc", type=int, action="append", default=[], metavar="DOC",
                   help="only in this document (repeat for any of several)")
    c.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="only highlights with this tag or one under it (repeat for any of several)")
    c.add_argument("--color", action="append", default=[], metavar="COLOUR",
                   help="only this highlight colour")
    c.add_argument("--from", dest="since", metavar="DATE", help="documents dated on or after DATE")
    c.add_argument("--to", dest="until", metavar="DATE", help="documents dated on or before DATE")

    c = sub.add_parser("brief", help="briefings")
    b_sub = c.add_subparsers(dest="brief_command", metavar="ACTION", required=True)
    b = b_sub.add_parser("new", help="create a briefing")
    b.add_argument("title")
    _header_options(b)
    b = b_sub.add_parser("edit", help="change a briefing's header or summary")
    b.add_argument("brief", type=int, metavar="BRIEF")
    b.add_argument("--title")
    _header_options(b)
    b = b_sub.add_parser("add", help="add highlights to a briefing")
    b.add_argument("brief", type=int, metavar="BRIEF")
    b.add_argument("annotations", type=int, nargs="+", metavar="ANNOTATION")
    b.add_argument("--section", metavar="HEADING")
    b.add_argument("--comment", default="")
    b = b_sub.add_parser("from-query", help="add matching highlights, a section per tag")
    b.add_argument("brief", type=int, metavar="BRIEF")
    b.add_argument("query", nargs="+")
    b_sub.add_parser("list", help="list briefings")
    b = b_sub.add_parser("show", help="a briefing with its sections and items")
    b.add_argument("brief", type=int, metavar="BRIEF")
    b = b_sub.add_parser("trim", help="shorten an excerpt: \"…\" omits words, \"[…]\" adds yours")
    b.add_argument("item", type=int, metavar="ITEM")
    g = b.add_mutually_exclusive_group(required=True)
    g.add_argument("--quote", metavar="TEXT")
    g.add_argument("--reset", action="store_true", help="quote the whole highlight again")
    b = b_sub.add_parser("export", help="write the memo (.docx, .md, .html, .pdf)")
    b.add_argument("brief", type=int, metavar="BRIEF")
    b.add_argument("--out", required=True, metavar="FILE")
    b.add_argument("--template", metavar="FILE.docx|.dotx")
    b.add_argument("--style", help="citation style for this export (see `dossier styles`)")
    b.add_argument("--force", action="store_true",
                   help="replace the file even if it is read-only or open in a word processor")

    c = sub.add_parser("styles", help="citation styles available to memos; add or remove a house style")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--add", metavar="FILE.csl", help="check a CSL style file and keep it as a house style")
    g.add_argument("--remove", metavar="NAME", help="remove a house style")
    c = sub.add_parser("push", help="copy a project file to an empty database on a server")
    c.add_argument("file", metavar="FILE")
    c.add_argument("url", metavar="URL")
    c = sub.add_parser("pull", help="copy a server project to a new project file")
    c.add_argument("url", metavar="URL")
    c.add_argument("file", metavar="FILE")
    sub.add_parser("reindex", help="rebuild the search index from the project")
    c = sub.add_parser("check", help="verify the project file and index; exit 1 on a problem")
    c.add_argument("--repair", action="store_true",
                   help="rebuild the search index if it has a problem (then exit 0 if all is well)")
    return p


def _header_options(b: argparse.ArgumentParser) -> None:
    b.add_argument("--subject")
    b.add_argument("--to")
    b.add_argument("--from", dest="from_")
    b.add_argument("--date")
    b.add_argument("--classification")
    b.add_argument("--summary")
    b.add_argument("--style", help="citation style (see `dossier styles`; default chicago)")
    b.add_argument("--language", help="memo language for its fixed words and quotation marks (en, es, fr)")
    b.add_argument("--portion-marking", dest="portion_marking", metavar="MARK",
                   help='mark each paragraph, e.g. "U" or "U//FOUO" ("" for none)')
