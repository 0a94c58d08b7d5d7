"""Export time for a briefing of 300 excerpts from 30 documents (docx, md, html), with
the citation processor in the loop (Chicago notes; APA and Chicago 16th too), against python-docx writing
the same number of plain paragraphs in the same run. Target: the .docx under 2 s.

usage: python benchmarks/bench_export.py [--excerpts 300]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx

from app.library import Library
from benchmarks.corpus import TAGS, document, emit, git_rev, percentiles
from exporters.citation_style import cite_all


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--excerpts", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dossier-export-"))
    os.environ["DOSSIER_CACHE_DIR"] = str(tmp / "cache")
    rng = random.Random(5)
    lib = Library.open(tmp / "export.dossier")
    docs = []
    with lib.deferred_indexing():
        for n in range(30):
            text, _ = document(rng, n, 20_000)
            (tmp / f"d{n}.txt").write_text(text, encoding="utf-8")
            doc_id = lib.import_file(tmp / f"d{n}.txt").id
            assert doc_id is not None
            lib.update_document(doc_id, author=f"Agency {n % 7}", published=f"2024-0{1 + n % 9}-1{n % 10}")
            docs.append((doc_id, text))
        ids = []
        for i in range(args.excerpts):
            doc_id, text = docs[i % len(docs)]
            start = text.index(" ", rng.randrange(len(text) - 400)) + 1
            ann = lib.add_annotation(doc_id, start, text.index(" ", start + 150), [TAGS[i % len(TAGS)]])
            ids.append(ann.id)
    brief = lib.create_briefing("Benchmark memo", subject="Export timing", to="Director", from_="Analyst",
                                classification="UNCLASSIFIED", summary="Three hundred excerpts.")
    for tag in TAGS:
        lib.add_items(brief.id, [a.id for a in lib.annotations(tag=tag)], section=tag)
    figures = {}
    # Cold: the citations rendered anew (a memo's first export); warm: the same citations
    # again (a re-export, a preview after editing commentary), which are kept.
    for suffix, style, cold in (("docx", None, True), ("docx", "apa", True), ("docx", "chicago-16th", True),
                                ("docx", None, False), ("md", None, False), ("html", None, False)):
        samples = []
        if not cold:  # the citations of the memo as it stands, as after its first export
            lib.export_briefing(brief.id, tmp / f"memo.{suffix}", style=style)
        for _ in range(3 if cold else 5):
            if cold:
                cite_all.cache_clear()
            start = time.perf_counter()
            lib.export_briefing(brief.id, tmp / f"memo.{suffix}", style=style)
            samples.append((time.perf_counter() - start) * 1000)
        figures[f"{suffix}-{style or 'chicago'}-{'cold' if cold else 'warm'}"] = percentiles(samples)
    memo_samples = []
    for _ in range(5):
        start = time.perf_counter()
        lib.memo(brief.id)  # reading the briefing, quoting and citing: no file written
        memo_samples.append((time.perf_counter() - start) * 1000)
    reference = []
    for _ in range(5):
        start = time.perf_counter()
        plain = docx.Document()
        for i in range(args.excerpts * 2):
            plain.add_paragraph(f"Paragraph {i} of a plain document written by python-docx.")
        plain.save(str(tmp / "reference.docx"))
        reference.append((time.perf_counter() - start) * 1000)
    paragraphs = len(docx.Document(str(tmp / "memo.docx")).paragraphs)
    lib.close()
    docx_p50 = figures["docx-chicago-cold"]["p50"]
    ref_p50 = percentiles(reference)["p50"]
    emit("export", {"commit": git_rev(), "excerpts": args.excerpts, "documents": len(docs),
                    "docx_paragraphs": paragraphs, "export_ms": figures,
                    "memo_model_ms": percentiles(memo_samples),
                    "reference_plain_docx_ms": percentiles(reference),
                    "docx_vs_reference": round(docx_p50 / ref_p50, 2),
                    "target_docx_ms": 2000,
                    "met": {k: v["p95"] < 2000 for k, v in figures.items() if k.startswith("docx")}})


if __name__ == "__main__":
    main()
