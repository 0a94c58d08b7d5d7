"""Import throughput per format on generated files: MB of text/s and documents/s.

usage: python benchmarks/bench_import.py [--docs N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=40, help="documents per format")
    parser.add_argument("--chars", type=int, default=20_000, help="characters per document")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for fmt in ("txt", "md", "html", "docx", "pptx", "pdf"):
            folder = root / fmt
            folder.mkdir()
            paths, _chars = write_corpus(folder, fmt, args.docs, args.chars)
            lib = Library.open(root / f"{fmt}.dossier")
            start = time.perf_counter()
            out = lib.import_many(paths)
            elapsed = time.perf_counter() - start
            assert all(r.status == "imported" for r in out), [r.error for r in out if r.error]
            text_mb = sum(d.chars for d in lib.documents()) / 1e6
            lib.close()
            results[fmt] = {"docs": len(paths), "text_mb": round(text_mb, 2), "seconds": round(elapsed, 2),
                            "mb_per_s": round(text_mb / elapsed, 2), "docs_per_s": round(len(paths) / elapsed, 1)}
    emit("import", {"commit": git_rev(), "docs_per_format": args.docs,
                    "chars_per_doc": args.chars, "formats": results})


if __name__ == "__main__":
    main()
