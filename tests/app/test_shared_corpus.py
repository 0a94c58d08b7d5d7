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
