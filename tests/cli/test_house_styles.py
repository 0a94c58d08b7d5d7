"""An organisation's own citation style (a .csl file): added, listed, chosen for a briefing,
used in its memo, removed; and the files refused, each with the reason (issue 20)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from app.paths import styles_folder
from exporters.styles import BUILT_IN
from tests.cli.test_memo_cli import cli, memo_project  # noqa: F401  (the fixture)


def house_style(folder: Path, name: str = "Agency House Style.csl") -> Path:
    """Chicago's 16th-edition notes under another title: a note style with Ibid."""
    text = BUILT_IN["chicago-16th"].path.read_text(encoding="utf-8")
    text = re.sub(r"<title>[^<]*</title>", "<title>Agency House Style</title>", text, count=1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_house_style_is_added_chosen_used_and_removed(memo_project: Path, tmp_path: Path,  # noqa: F811
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, memo_project, "--json", "styles", "--add", str(house_style(tmp_path)))
    assert code == 0
    assert json.loads(out) == {"name": "agency-house-style", "title": "Agency House Style",
                               "csl": "agency-house-style", "note": True, "house": True}
    assert (styles_folder() / "agency-house-style.csl").is_file()  # the user's (test) data folder
    listed = json.loads(cli(capsys, memo_project, "--json", "styles")[1])
    assert [s["name"] for s in listed][-1] == "agency-house-style"
    assert cli(capsys, memo_project, "styles")[1].splitlines()[-1].endswith("(house style)")

    assert cli(capsys, memo_project, "brief", "new", "Weekly", "--style", "agency-house-style")[0] == 0
    assert cli(capsys, memo_project, "brief", "add", "1", "1", "1", "--section", "Money")[0] == 0
    memo = tmp_path / "memo.md"
    assert cli(capsys, memo_project, "brief", "export", "1", "--out", str(memo))[0] == 0
    notes = [line for line in memo.read_text(encoding="utf-8").splitlines() if line.startswith("[^")]
    assert notes[0].startswith("[^1]: US Senate, ") and notes[1] == "[^2]: Ibid."  # the house rules

    code, _, err = cli(capsys, memo_project, "styles", "--remove", "chicago")
    assert code == 1 and "built-in" in err
    assert cli(capsys, memo_project, "styles", "--remove", "agency-house-style")[0] == 0
    code, _, err = cli(capsys, memo_project, "brief", "export", "1", "--out", str(memo), "--force")
    assert code == 1 and "unknown citation style 'agency-house-style'" in err and "styles --add" in err


BAD = {
    "not-xml.csl": ("<style", "not well-formed XML"),
    "entities.csl": ('<?xml version="1.0"?><!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                     '<style xmlns="http://purl.org/net/xbiblio/csl" class="note"><info><title>&x;</title></info>'
                     "<citation><layout><text variable='title'/></layout></citation></style>",
                     "declares no DOCTYPE"),
    "not-csl.csl": ("<html><body>hello</body></html>", "not a citation style"),
    "dependent.csl": ('<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0"><info>'
                      "<title>Some Journal</title><link href='http://www.zotero.org/styles/apa' "
                      "rel='independent-parent'/></info></style>", "add the parent's .csl file instead"),
    "odd-class.csl": ('<style xmlns="http://purl.org/net/xbiblio/csl" class="sideways" version="1.0">'
                      "<citation><layout><text variable='title'/></layout></citation></style>",
                      "class is note or in-text"),
    "apa.csl": (BUILT_IN["apa"].path.read_text(encoding="utf-8"), "name of a built-in style"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_files_that_are_not_usable_styles_are_refused_saying_why(
        memo_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:  # noqa: F811
    content, reason = BAD[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, _, err = cli(capsys, memo_project, "styles", "--add", str(path))
    assert code == 1 and reason in err and str(path) in err and "Traceback" not in err
    assert not styles_folder().exists() or not list(styles_folder().iterdir())


def test_too_large_and_unreadable_files_are_refused(memo_project: Path, tmp_path: Path,  # noqa: F811
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    big = house_style(tmp_path, "big.csl")
    with big.open("a", encoding="utf-8") as f:
        f.write("<!-- " + "x" * (2 * 1024 * 1024) + " -->")
    code, _, err = cli(capsys, memo_project, "styles", "--add", str(big))
    assert code == 1 and "too large" in err
    code, _, err = cli(capsys, memo_project, "styles", "--add", str(tmp_path / "missing.csl"))
    assert code == 1 and "cannot read the file" in err
    assert cli(capsys, memo_project, "brief", "new", "Weekly", "--style", "../../etc/passwd")[0] == 1


def test_a_replaced_house_style_is_read_anew(memo_project: Path, tmp_path: Path,  # noqa: F811
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = house_style(tmp_path, "house.csl")
    assert cli(capsys, memo_project, "styles", "--add", str(path))[0] == 0
    cli(capsys, memo_project, "brief", "new", "Weekly", "--style", "house")
    cli(capsys, memo_project, "brief", "add", "1", "1", "1", "--section", "Money")
    memo = tmp_path / "memo.md"
    cli(capsys, memo_project, "brief", "export", "1", "--out", str(memo))
    assert "[^2]: Ibid." in memo.read_text(encoding="utf-8")
    # The organisation drops "Ibid." (Chicago's 18th edition): the same name and title,
    # another file; the memo follows it at once.
    text = BUILT_IN["chicago"].path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"<title>[^<]*</title>", "<title>Agency House Style</title>", text, count=1),
                    encoding="utf-8")
    assert cli(capsys, memo_project, "styles", "--add", str(path))[0] == 0
    stamp = (styles_folder() / "house.csl").stat().st_mtime_ns
    os.utime(styles_folder() / "house.csl", ns=(stamp + 10**9, stamp + 10**9))
    cli(capsys, memo_project, "brief", "export", "1", "--out", str(memo), "--force")
    assert "[^2]: US Senate, " in memo.read_text(encoding="utf-8")
