"""Every real Word file from other projects imports with text or a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import KnownError
from app.importers import Limits, extract_file, read_file
from tests.conftest import SHARED_CORPUS

FILES = sorted((SHARED_CORPUS / "docx").rglob("*.docx")) if SHARED_CORPUS.exists() else []


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
def test_corpus_is_there() -> None:
    assert len(FILES) >= 100


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_docx(path: Path) -> None:
    limits = Limits()
    try:
        result = extract_file(path, read_file(path, limits), limits)
    except KnownError as exc:
        assert str(exc).startswith(f"{path}: ")
        return
    assert result.text.strip() and result.title
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(result.text)


KNOWN = {
    "mwilliamson__mammoth.js/test__test-data__footnotes.docx": "Ouch[1].[2]",
    "mwilliamson__mammoth.js/test__test-data__tables.docx": "Top left | Top right",
    "ShayHill__docx2python/tests__resources__soft_line_breaks.docx": "Line1\nLine2\nLine3",
    "ShayHill__docx2python/tests__resources__symbols.docx": "≠∞×÷≥≤±™®©¥£€µαβπΩ∑",
    "mwilliamson__mammoth.js/test__test-data__text-box.docx": "Datum plane",
}


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize(("name", "expected"), sorted(KNOWN.items()))
def test_known_text(name: str, expected: str) -> None:
    path = SHARED_CORPUS / "docx" / name
    limits = Limits()
    assert expected in extract_file(path, read_file(path, limits), limits).text


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
def test_strict_ooxml_is_named() -> None:
    path = SHARED_CORPUS / "docx" / "ShayHill__docx2python" / "tests__resources__strict.docx"
    with pytest.raises(KnownError, match="Strict Open XML"):
        extract_file(path, read_file(path, Limits()), Limits())


# What the corpus gives today, by outcome: a change that imports more files, or refuses one
# for another reason, shows here (then update the numbers on purpose).
EXPECTED_OUTCOMES = {
    "imported": 75,
    # empty documents, pictures only; one whose missing image part once refused it whole
    "no text found in the file": 25,
    "no text in the body: its only text is in the page headers or footers": 1,
    "Strict Open XML Word document": 2,
}


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
def test_outcome_counts() -> None:
    limits = Limits()
    outcomes: dict[str, int] = {}
    for path in FILES:
        try:
            extract_file(path, read_file(path, limits), limits)
            key = "imported"
        except KnownError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            key = next((k for k in EXPECTED_OUTCOMES if reason.startswith(k)), reason)
        outcomes[key] = outcomes.get(key, 0) + 1
    assert outcomes == EXPECTED_OUTCOMES
