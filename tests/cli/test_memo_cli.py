"""The memo's command line (issue 20), in process: styles, per-briefing style and
language, trimming, the quote-integrity check and files that must not be replaced."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import docx
import pytest

from app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    code = run(["--project", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def memo_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    project = tmp_path / "p.dossier"
    source = tmp_path / "hearing.txt"
    source.write_text("Hearing\n\nCartels were laundering money through front companies, the witness said.\n",
                      encoding="utf-8")
    assert cli(capsys, project, "import", str(source))[0] == 0
    assert cli(capsys, project, "meta", "1", "--author", "US Senate", "--published", "2021-06-01")[0] == 0
    assert cli(capsys, project, "highlight", "1", "--quote",
               "Cartels were laundering money through front companies", "--tag", "Finance")[0] == 0
    return project


def test_styles_are_listed(memo_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, memo_project, "--json", "styles")
    assert code == 0
    names = [s["name"] for s in json.loads(out)]
    assert names[0] == "chicago" and {"apa", "mla", "harvard", "chicago-author-date"} <= set(names)


def test_briefing_style_language_trim_and_export(memo_project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, memo_project, "--json", "brief", "new", "Weekly", "--style", "apa",
                       "--language", "es", "--portion-marking", "U")
    brief = json.loads(out)
    assert code == 0 and (brief["style"], brief["language"], brief["portion_marking"]) == ("apa", "es", "U")
    assert cli(capsys, memo_project, "brief", "edit", "1", "--style", "nope")[0] == 1
    cli(capsys, memo_project, "brief", "add", "1", "1", "--section", "Money")
    code, out, _ = cli(capsys, memo_project, "--json", "brief", "trim", "1", "--quote",
                       "Cartels were laundering money … companies")
    item = json.loads(out)
    assert code == 0 and item["trimmed"] and item["quote"] == "Cartels were laundering money … companies"
    code, _, err = cli(capsys, memo_project, "brief", "trim", "1", "--quote", "Cartels were hiding money")
    assert code == 1 and "not in the highlighted text" in err and "Traceback" not in err
    shown = json.loads(cli(capsys, memo_project, "--json", "brief", "show", "1")[1])
    assert shown["sections"][0]["items"][0]["quote"] == "Cartels were laundering money … companies"

    out_file = tmp_path / "memo.docx"
    assert cli(capsys, memo_project, "brief", "export", "1", "--out", str(out_file))[0] == 0
    texts = [p.text for p in docx.Document(str(out_file)).paragraphs]
    assert "(U) «Cartels were laundering money … companies…» (US Senate, 2021, párr. 2)" in texts
    assert cli(capsys, memo_project, "brief", "export", "1", "--out", str(out_file), "--style", "chicago")[0] == 0
    texts = [p.text for p in docx.Document(str(out_file)).paragraphs]
    assert "(U) «Cartels were laundering money … companies…»" in texts  # Chicago: a footnote

    # The quote-integrity check: a trim that no longer matches stops the export, naming the item.
    con = sqlite3.connect(memo_project)
    con.execute("UPDATE briefing_items SET quote = 'Cartels were hiding money' WHERE id = 1")
    con.commit()
    con.close()
    before = out_file.read_bytes()
    code, _, err = cli(capsys, memo_project, "brief", "export", "1", "--out", str(out_file))
    assert code == 1 and "briefing item 1" in err and "Traceback" not in err
    assert out_file.read_bytes() == before
    assert cli(capsys, memo_project, "brief", "trim", "1", "--reset")[0] == 0


def test_protected_targets_need_force(memo_project: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, memo_project, "brief", "new", "Weekly")
    cli(capsys, memo_project, "brief", "add", "1", "1")
    target = tmp_path / "memo.docx"
    assert cli(capsys, memo_project, "brief", "export", "1", "--out", str(target))[0] == 0
    before = target.read_bytes()
    (tmp_path / "~$memo.docx").write_text("Word has it open")
    code, _, err = cli(capsys, memo_project, "brief", "export", "1", "--out", str(target))
    assert code == 1 and "open in a word processor" in err and target.read_bytes() == before
    assert cli(capsys, memo_project, "brief", "export", "1", "--out", str(target), "--force")[0] == 0
    code, _, err = cli(capsys, memo_project, "brief", "export", "1", "--out", str(tmp_path / "no" / "m.docx"))
    assert code == 1 and "does not exist" in err
