"""The cached-negative fix must not change what the index returns or how it scores."""

from __future__ import annotations

from pathlib import Path

from storage.index import SearchIndex, whoosh_fixes

RECORDS = [
    {"key": f"p:{i}:0", "kind": "passage", "pdoc": str(i), "doc_id": i, "doc": f"Doc {i}", "start": 0,
     "end": 10, "body": text, "lang": "en", "text_en": text, "tag": "drugs,drugs/fentanyl" if i % 2 else "", "tag_paths": ["Drugs/Fentanyl"] if i % 2 else []}
    for i, text in enumerate([
        "funding for the initiative rose", "cartels launder money through shell firms",
        "money money money laundering again", "seizures of fentanyl at the border",
        "the committee heard about funding and money",
    ])
]


def results(folder: Path) -> list[tuple[int, float]]:
    index = SearchIndex(folder)
    index.apply(add=RECORDS)
    index.apply(add=[dict(RECORDS[0], key="p:9:0", doc_id=9, pdoc="9")])
    hits = index.search("money OR funding tag:drugs", limit=10, snippets=False).hits
    index.close()
    return [(h.doc_id, h.score) for h in hits]


def test_scores_identical_with_and_without_the_fix(tmp_path: Path) -> None:
    with_fix = results(tmp_path / "a")
    whoosh_fixes.revert()
    try:
        without = results(tmp_path / "b")
    finally:
        whoosh_fixes.apply()
    assert with_fix == without and with_fix
