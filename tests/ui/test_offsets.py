"""Code points <-> UTF-16 positions, checked against Python's own encoding."""

from __future__ import annotations

import random

from PySide6.QtCore import Qt

from ui.offsets import OffsetMap


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_round_trip_on_mixed_text() -> None:
    rng = random.Random(7)
    alphabet = ["a", "é", "ñ", "🚀", "𝔘", "\u0301", "中", " ", "\n", "😀"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        offsets = OffsetMap(text)
        for cp in range(len(text) + 1):
            qt = offsets.to_qt(cp)
            assert qt == utf16_len(text[:cp])
            assert offsets.from_qt(qt) == cp


def test_table_models_pass_qt_model_checks(qtmodeltester: object, lib: object, text_doc: int) -> None:
    from app.library import Library
    from ui.models import AnnotationModel, DocumentModel

    assert isinstance(lib, Library)
    lib.add_annotation(text_doc, 0, 9, ["A"])
    lib.add_annotation(text_doc, 10, 20, ["B"], note="n")
    docs = DocumentModel()
    docs.set_rows(lib.documents())
    anns = AnnotationModel()
    anns.set_rows(lib.annotations())
    anns.sort(1, Qt.SortOrder.DescendingOrder)
    assert [a.tags for a in anns.rows] == [("B",), ("A",)]
    assert anns.row_of(anns.rows[0].id) == 0
    qtmodeltester.check(docs)  # type: ignore[attr-defined]
    qtmodeltester.check(anns)  # type: ignore[attr-defined]
