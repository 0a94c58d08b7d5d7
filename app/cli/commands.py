"""One function per command: arguments in, ``Library`` call, output out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from app.cli.output import Output, message
from app.domain import (
    AnnotationInfo,
    BriefingInfo,
    DocumentInfo,
    ImportResult,
    SearchHit,
    SearchQuery,
    TagInfo,
)
from app.errors import InvalidInput
from app.importers.base import shown
from app.library import Library
from exporters.styles import StyleInfo

HEADER = ("subject", "to", "from_", "date", "classification", "summary", "style", "language",
          "portion_marking")


def _doc_line(d: DocumentInfo) -> str:
    meta = ", ".join(x for x in (d.author, d.published) if x)
    return f"{d.id:>4}  {d.title}  [{d.format}, {d.chars} chars{', ' + meta if meta else ''}]"


def _ann_line(a: AnnotationInfo) -> str:
    tags = f"  #{' #'.join(a.tags)}" if a.tags else ""
    quote = " ".join(a.quote.split())
    quote = quote if len(quote) <= 70 else quote[:69] + "…"
    where = "orphaned" if a.orphaned else f"{a.start}:{a.end}"
    return f"{a.id:>4}  doc {a.doc_id} {where}  “{quote}”{tags}"


def _tag_line(t: TagInfo) -> str:
    depth = t.path.count("/")
    shown = str(t.total) if t.total == t.count else f"{t.total}, {t.count} own"
    return f"{'  ' * depth}{t.name}  ({shown})  {t.color}"


def _brief_text(b: BriefingInfo) -> str:
    lines = [f"{b.id}  {b.title}"]
    for label, value in (("To", b.to), ("From", b.from_), ("Date", b.date),
                         ("Subject", b.subject), ("Classification", b.classification),
                         ("Style", b.style), ("Language", b.language),
                         ("Portion marking", b.portion_marking)):
        if value:
            lines.append(f"    {label}: {value}")
    if b.summary:
        lines.append(f"    Summary: {b.summary}")
    for sec in b.sections:
        lines.append(f"  ## {sec.heading}")
        for item in sec.items:
            trimmed = " (trimmed)" if item.trimmed is not None else ""
            quote = " ".join(item.quote.split())
            lines.append(f"    - item {item.id} [{item.annotation.id}] “{quote}”{trimmed}")
            if item.commentary:
                lines.append(f"      {item.commentary}")
    return "\n".join(lines)


def cmd_import(lib: Library, args: argparse.Namespace, out: Output) -> int:
    paths = [Path(p) for p in args.paths]
    failed = 0
    count = 0
    bar = tqdm(total=0, unit="file", file=sys.stderr, disable=None, leave=False)

    def progress(done: int, total: int, path: Path) -> bool:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(shown(Path(path.name))[:30], refresh=True)
        return True

    def report(r: ImportResult) -> None:
        """Each file's line as soon as it is done: a long import shows progress without a
        terminal, and an interrupted one has reported every file it committed."""
        nonlocal failed, count
        count += 1
        bar.clear()
        if r.status == "error":
            failed += 1
            out.line(r, f"error     {r.error}")
            if out.as_json:
                message(f"error: {r.error}")
        else:
            out.line(r, f"{r.status:<9} {r.id:>4}  {r.title}  ({r.path})")
            if r.warning:
                message(f"warning: {r.warning}")

    for path in paths:
        if not path.exists():
            message(f"error: {shown(path)}: no such file or folder")
            failed += 1
    try:
        lib.import_many([p for p in paths if p.exists()], args.recursive, args.tag, progress, report)
    except KeyboardInterrupt:
        bar.close()
        message(f"stopped: {count} file(s) reported above; those imported are in the project")
        return 130
    bar.close()
    if not count and not failed:
        message("nothing to import (no supported files found)")
    return 1 if failed else 0


def cmd_docs(lib: Library, args: argparse.Namespace, out: Output) -> int:
    out.many(lib.documents(), _doc_line, empty="no documents yet; add some with: dossier import FILE")
    return 0


def cmd_show(lib: Library, args: argparse.Namespace, out: Output) -> int:
    doc = lib.document(args.doc)
    data = doc.to_json()
    data["tags"] = lib.document_tags(doc.id)
    text = [f"{k}: {v}" for k, v in data.items() if v not in (None, [], "")]
    if args.text:
        body = lib.document_text(doc.id)
        data["text"] = body
        text.append("")
        text.append(body)
    if args.set_aside:
        furniture = lib.set_aside(doc.id)
        data["set_aside"] = furniture
        text.extend(["", "set aside on import:", *(f"  {line}" for line in furniture)])
    out.raw(data, "\n".join(text))
    return 0


def cmd_meta(lib: Library, args: argparse.Namespace, out: Output) -> int:
    fields = {k: getattr(args, k) for k in ("title", "author", "published", "source", "language")
              if getattr(args, k) is not None}
    if not fields:
        raise InvalidInput("give at least one of --title, --author, --published, --source, --language")
    doc = lib.update_document(args.doc, **fields)
    out.one(doc, _doc_line(doc))
    return 0


def cmd_delete(lib: Library, args: argparse.Namespace, out: Output) -> int:
    snap = lib.delete_document(args.doc)
    out.raw({"deleted": args.doc, "annotations": len(snap.annotations)},
            f"deleted document {args.doc} and {len(snap.annotations)} highlight(s)")
    return 0


def cmd_highlight(lib: Library, args: argparse.Namespace, out: Output) -> int:
    if args.quote is not None:
        start, end = lib.find_quote(args.doc, args.quote, args.occurrence)
    else:
        start, end = args.span
    ann = lib.add_annotation(args.doc, start, end, args.tag, note=args.note, color=args.color)
    out.one(ann, _ann_line(ann))
    return 0


def cmd_annotations(lib: Library, args: argparse.Namespace, out: Output) -> int:
    found = lib.annotations(args.doc, args.tag)
    if args.orphaned:
        found = [a for a in found if a.orphaned]
    if args.author:
        found = [a for a in found if a.author == args.author]
    out.many(found, _ann_line, empty="no orphaned highlights" if args.orphaned else "no highlights")
    return 0


def cmd_reimport(lib: Library, args: argparse.Namespace, out: Output) -> int:
    result, _snapshot = lib.reimport(args.doc, Path(args.path))
    orphans = f"; orphaned: {', '.join(map(str, result.orphaned))}" if result.orphaned else ""
    out.raw(result.to_json(), f"document {result.doc_id} is now version {result.version}: "
            f"{result.exact} highlight(s) placed exactly, {result.fuzzy} by a close match, "
            f"{result.moved} moved{orphans}")
    return 0


def cmd_versions(lib: Library, args: argparse.Namespace, out: Output) -> int:
    out.many(lib.versions(args.doc), lambda v: f"v{v.version}  {v.imported_at[:19]}  "
             f"{v.published or '(no date)'}  {v.sha256[:12]}{'  (current)' if v.current else ''}")
    return 0


def cmd_place(lib: Library, args: argparse.Namespace, out: Output) -> int:
    ann = lib.annotation(args.annotation)
    if args.quote is not None:
        start, end = lib.find_quote(ann.doc_id, args.quote, args.occurrence)
    else:
        start, end = args.span
    lib.place_orphan(ann.id, start, end)
    placed = lib.annotation(ann.id)
    out.one(placed, _ann_line(placed))
    return 0


def cmd_unhighlight(lib: Library, args: argparse.Namespace, out: Output) -> int:
    lib.delete_annotation(args.annotation)
    out.raw({"deleted": args.annotation}, f"deleted highlight {args.annotation}")
    return 0


def cmd_tags(lib: Library, args: argparse.Namespace, out: Output) -> int:
    out.many(lib.tags(), _tag_line, empty="no tags yet")
    return 0


def cmd_tag(lib: Library, args: argparse.Namespace, out: Output) -> int:
    if args.tag_command == "rename":
        tag = lib.rename_tag(args.old, args.new)
    elif args.tag_command == "merge":
        tag = lib.merge_tags(args.source, args.into)
    else:
        lib.delete_tag(args.name)
        out.raw({"deleted": args.name}, f"deleted tag {args.name}")
        return 0
    out.one(tag, _tag_line(tag))
    return 0


def cmd_search(lib: Library, args: argparse.Namespace, out: Output) -> int:
    query = SearchQuery(" ".join(args.query), doc_ids=tuple(args.doc), tags=tuple(args.tag), kind=args.kind,
                        since=args.since, until=args.until, colors=tuple(args.color))
    if not query:
        raise InvalidInput("give words to search for, or a filter (--doc, --tag, --color, --from, --to)")
    outcome = lib.find(query, limit=args.limit)
    if outcome.literal:
        message("note: the query could not be parsed as written; searched for its words instead")

    def line(h: SearchHit) -> str:
        where = f"doc {h.doc_id} {h.start}:{h.end}"
        label = f"highlight {h.annotation_id}" if h.kind == "annotation" else "passage"
        return f"{h.score:7.2f}  {label:<14} {where:<18} {h.doc_title[:40]}\n         {h.snippet}"

    out.many(outcome.hits, line, empty="no matches")
    return 0


def cmd_brief(lib: Library, args: argparse.Namespace, out: Output) -> int:
    action = args.brief_command
    if action == "new":
        fields = {k: getattr(args, k) for k in HEADER if getattr(args, k) is not None}
        b = lib.create_briefing(args.title, **fields)
        out.one(b, _brief_text(b))
    elif action == "edit":
        fields = {k: getattr(args, k) for k in ("title", *HEADER) if getattr(args, k) is not None}
        b = lib.update_briefing(args.brief, **fields)
        out.one(b, _brief_text(b))
    elif action == "add":
        b = lib.add_items(args.brief, args.annotations, args.section, args.comment)
        out.one(b, _brief_text(b))
    elif action == "from-query":
        b, added = lib.brief_from_query(args.brief, " ".join(args.query))
        message(f"added {added} highlight(s)")
        out.one(b, _brief_text(b))
    elif action == "list":
        out.many(lib.briefings(), lambda b: f"{b.id:>4}  {b.title}", empty="no briefings yet")
    elif action == "show":
        b = lib.briefing(args.brief)
        out.one(b, _brief_text(b))
    elif action == "trim":
        item = lib.trim_item(args.item, None if args.reset else args.quote)
        out.raw(item.to_json(), f"item {item.id}: “{' '.join(item.quote.split())}”")
    elif action == "export":
        target = lib.export_briefing(args.brief, Path(args.out),
                                     Path(args.template) if args.template else None,
                                     style=args.style, force=args.force)
        out.raw({"id": args.brief, "out": str(target)}, f"wrote {target}")
    return 0


def cmd_styles(lib: Library, args: argparse.Namespace, out: Output) -> int:
    if args.add:
        added = lib.add_citation_style(Path(args.add))
        out.raw(_style_row(added), f"added {added.name}: {added.title}")
        return 0
    if args.remove:
        lib.remove_citation_style(args.remove)
        out.raw({"removed": args.remove}, f"removed {args.remove}")
        return 0
    rows = [_style_row(s) for s in lib.citation_styles()]
    out.raw(rows, "\n".join(f"{r['name']:<20} {r['title']}{'  (house style)' if r['house'] else ''}"
                            for r in rows))
    return 0


def _style_row(style: StyleInfo) -> dict[str, object]:
    return {"name": style.name, "title": style.title, "csl": style.path.stem,
            "note": style.note, "house": style.house}


def cmd_reindex(lib: Library, args: argparse.Namespace, out: Output) -> int:
    bar = tqdm(total=0, unit="rec", file=sys.stderr, disable=None, leave=False)

    def progress(done: int, total: int) -> bool:
        bar.total = total
        bar.n = done
        bar.refresh()
        return True

    written = lib.reindex(progress)
    bar.close()
    out.raw({"records": written}, f"rebuilt the search index: {written} records")
    return 0


def cmd_check(lib: Library, args: argparse.Namespace, out: Output) -> int:
    if args.repair:
        found = lib.repair()
        problems = lib.check()
        repaired = [p for p in found if p not in problems]
        for p in repaired:
            message(f"repaired: {p}")
        out.raw({"ok": not problems, "problems": problems, "repaired": repaired},
                "\n".join(problems) if problems else "ok: project file and search index agree")
        return 1 if problems else 0
    problems = lib.check()
    out.raw({"ok": not problems, "problems": problems},
            "\n".join(problems) if problems else "ok: project file and search index agree")
    return 1 if problems else 0


COMMANDS = {
    "import": cmd_import,
    "docs": cmd_docs,
    "show": cmd_show,
    "meta": cmd_meta,
    "delete": cmd_delete,
    "highlight": cmd_highlight,
    "annotations": cmd_annotations,
    "reimport": cmd_reimport,
    "versions": cmd_versions,
    "place": cmd_place,
    "unhighlight": cmd_unhighlight,
    "tags": cmd_tags,
    "tag": cmd_tag,
    "search": cmd_search,
    "brief": cmd_brief,
    "styles": cmd_styles,
    "reindex": cmd_reindex,
    "check": cmd_check,
}
