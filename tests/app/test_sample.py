"""The sample project, built from documents that ship in resources/ (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import KnownError
from app.library import Library
from app.sample import build_sample


def test_sample_project(tmp_path: Path) -> None:
    path = build_sample(tmp_path / "sample.dossier")
    with Library.open(path) as lib:
        docs = lib.documents()
        assert [d.language for d in docs] == ["en", "es"]
        assert len(lib.annotations()) == 5
        assert {t.path for t in lib.tags()} >= {"Finance/Payments", "Drugs/Opioids", "Sample"}
        [brief] = lib.briefings()
        shown = lib.briefing(brief.id)
        assert [s.heading for s in shown.sections] == ["Seizures", "Money"]
        assert lib.search("empresas", kind="annotation")
        assert lib.check() == []
    with pytest.raises(KnownError, match="already exists"):
        build_sample(path)
