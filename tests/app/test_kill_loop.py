"""Kill -9 a writer at random moments, again and again (issue 18): no damage, no lost
acknowledged edit, index and database in agreement after the next open.
``scripts/killtest.py --kills 200`` runs the same loop for longer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "killtest.py"


@pytest.mark.slow
def test_kill_loop(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("killtest", SCRIPT)
    assert spec is not None and spec.loader is not None
    killtest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(killtest)
    summary = killtest.run(kills=12, seed=7, project=tmp_path / "killed.dossier")
    assert summary["failures"] == []
    assert summary["acknowledged_edits"] > 12
