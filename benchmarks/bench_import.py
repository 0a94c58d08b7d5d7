"""Import throughput per format: MB of text per second, files per second and the peak
memory of the importing process, each format in a fresh process. Besides the generated
formats, "html-site" is pages with a real site's structure (header, navigation, sidebar,
scripts, styles, related links, footer: about 60 KB of markup around each article) and
"txt-capture" the same pages saved from the browser as text (furniture set aside).
Each format's time is also given as a ratio to a reference measured in the same process
just before: reading the same files, hashing them and storing their bytes in SQLite.

usage: python benchmarks/bench_import.py [--docs N] [--chars N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx

from app.library import Library
from benchmarks.corpus import document, emit, git_rev


def write_corpus(folder: Path, fmt: str, count: int, chars: int) -> tuple[list[Path], int]:
    rng = random.Random(hash(fmt) & 0xFFFF)
    paths, total = [], 0
    for n in range(count):
        text, _lang = document(rng, n, chars)
        total += len(text)
        paras = text.split("\n\n")
        path = folder / f"doc{n}.{fmt}"
        if fmt == "txt":
            path.write_text(text, encoding="utf-8")
        elif fmt == "md":
            path.write_text(f"# {paras[0]}\n\n" + "\n\n".join(paras[1:]), encoding="utf-8")
        elif fmt == "html":
            body = "".join(f"<p>{p}</p>" for p in paras[1:])
            path.write_text(f"<html><head><title>{paras[0]}</title></head><body><nav>Home | News</nav>"
                            f"<article><h1>{paras[0]}</h1>{body}</article><footer>Contact</footer>"
                            "</body></html>", encoding="utf-8")
        elif fmt == "docx":
            d = docx.Document()
            d.add_heading(paras[0], 1)
            for p in paras[1:]:
                d.add_paragraph(p)
            d.save(str(path))
        elif fmt == "pptx":
            from pptx import Presentation

            deck = Presentation()
            for i in range(0, len(paras), 3):
                slide = deck.slides.add_slide(deck.slide_layouts[1])
                slide.shapes.title.text = paras[i][:60]
                slide.placeholders[1].text = "\n".join(paras[i + 1 : i + 3])
            deck.save(str(path))
        elif fmt == "html-site":
            path = folder / f"doc{n}.html"
            path.write_text(site_page(rng, paras), encoding="utf-8")
        elif fmt == "txt-capture":
            path = folder / f"doc{n}.txt"
            path.write_text(capture_text(rng, paras), encoding="utf-8")
        elif fmt == "pdf":
            from fpdf import FPDF

            pdf = FPDF()
            pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
            pdf.add_page()
            pdf.set_font("DejaVu", size=10)
            for p in paras:
                pdf.multi_cell(0, 5, p)
                pdf.ln(2)
            pdf.output(str(path))
        paths.append(path)
    return paths, total


MENU = ["Home", "About", "News", "Press Releases", "Speeches", "Reports", "Data", "Careers", "Contact"]


def site_page(rng: random.Random, paras: list[str]) -> str:
    """An article inside a government site's template."""
    menu = "".join(f'<li class="nav-item"><a href="/{m.lower()}">{m}</a>'
                   f'<ul class="sub">{"".join(f"<li><a href=/x{i}>{m} item {i}</a></li>" for i in range(12))}'
                   "</ul></li>" for m in MENU)
    related = "".join(f'<li><a href="/news/{i}">{paras[rng.randrange(len(paras))][:70]}</a></li>'
                      for i in range(10))
    script = "<script>" + "var cfg = {analytics: true, id: 'UA-0000'};" * 200 + "</script>"
    style = "<style>" + ".nav-item a { color: #005ea2; padding: 4px; }" * 300 + "</style>"
    body = "".join(f"<p>{p}</p>" if i % 6 else f"<h2>{p[:60]}</h2><p>{p}</p>" for i, p in enumerate(paras[1:]))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{paras[0][:80]} | Agency"
            f"</title><meta name='author' content='Office of Public Affairs'>{style}{script}</head><body>"
            "<div class='banner'>An official website of the United States government</div>"
            f"<a class='skip' href='#main'>Skip to main content</a><header><nav><ul>{menu}</ul></nav></header>"
            "<ol class='breadcrumb'><li>Home</li><li>News</li><li>Press Releases</li></ol>"
            f"<main id='main'><article><h1>{paras[0][:80]}</h1><p class='date'>Release Date: April 2, 2014"
            f"</p>{body}</article><aside><h3>Related</h3><ul>{related}</ul></aside></main>"
            "<div class='share'>Share: Facebook Twitter Email</div><footer><ul>"
            + "".join(f"<li><a href='/f{i}'>Footer link {i}</a></li>" for i in range(40))
            + f"</ul></footer>{script}</body></html>")


def capture_text(rng: random.Random, paras: list[str]) -> str:
    """The same page saved from the browser as text: furniture lines around the article."""
    head = ["An official website of the United States government", "Here's how you know",
            "Skip to main content", "Menu", *MENU, "1. Home", "2. News", "3. Press Releases",
            paras[0][:80], "Release Date: April 2, 2014"]
    tail = ["Share this page", "Facebook", "Twitter", "Email", "Was this page helpful?", "Yes", "No",
            "Last Updated: 04/03/2014", "Most Popular",
            *(f"{i}. {paras[rng.randrange(len(paras))][:60]}" for i in range(1, 6))]
    return "\n".join([*head, *paras[1:], *tail]) + "\n"


FORMATS = ("txt", "txt-capture", "md", "html", "html-site", "docx", "pptx", "pdf")


def reference_seconds(paths: list[Path], folder: Path) -> float:
    """Reading, hashing and storing the same files' bytes: the floor any import stands on."""
    start = time.perf_counter()
    with sqlite3.connect(folder / "reference.sqlite") as db:
        db.execute("create table f (sha text, data blob)")
        for path in paths:
            data = path.read_bytes()
            db.execute("insert into f values (?, ?)", (hashlib.sha256(data).hexdigest(), data))
    return time.perf_counter() - start


def one_format(fmt: str, docs: int, chars: int) -> dict[str, Any]:
    """Runs in its own process, so its peak memory is its own."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / fmt
        folder.mkdir()
        paths, _chars = write_corpus(folder, fmt, docs, chars)
        reference = reference_seconds(paths, root)
        lib = Library.open(root / f"{fmt}.dossier")
        start = time.perf_counter()
        out = lib.import_many(paths)
        elapsed = time.perf_counter() - start
        assert all(r.status == "imported" for r in out), [r.error for r in out if r.error]
        text_mb = sum(d.chars for d in lib.documents()) / 1e6
        file_mb = sum(p.stat().st_size for p in paths) / 1e6
        lib.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024  # the PDF parser
    return {"docs": len(paths), "file_mb": round(file_mb, 2), "text_mb": round(text_mb, 2),
            "seconds": round(elapsed, 2), "mb_text_per_s": round(text_mb / elapsed, 2),
            "files_per_s": round(len(paths) / elapsed, 1), "peak_mb": max(peak, children),
            "vs_reference": round(elapsed / max(reference, 1e-6), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=40, help="documents per format")
    parser.add_argument("--chars", type=int, default=20_000, help="characters per document")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one format, print its JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_format(args.one, args.docs, args.chars)))
        return
    results = {}
    for fmt in args.formats.split(","):
        child = subprocess.run([sys.executable, __file__, "--one", fmt, "--docs", str(args.docs),
                                "--chars", str(args.chars)], capture_output=True, text=True, check=True)
        results[fmt] = json.loads(child.stdout.strip().splitlines()[-1])
    emit("import", {"commit": git_rev(), "docs_per_format": args.docs,
                    "chars_per_doc": args.chars, "formats": results})


if __name__ == "__main__":
    main()
