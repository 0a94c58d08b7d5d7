"""Robust batch import (issue 19, item 7): a folder mixing good files, a name that is not
UTF-8, a PDF bomb and a FIFO; a FIFO and a link to /dev/zero named directly. Every good
file is imported and reported, every bad one is a clear error line, memory stays bounded,
and ``check`` is clean. One subprocess, so the peak memory of the whole process tree is
the real command's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.corpus_bombs import pdf_bomb

REPO = Path(__file__).resolve().parents[2]
GB = 1 << 30


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs POSIX")
def test_a_hostile_folder_imports_every_good_file(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "statement.txt").write_text("Statement\n\nThe ministry confirmed the seizure on Monday.\n")
    (folder / "notes.md").write_text("# Notes\n\nThe witness named three routes.\n")
    odd = os.fsdecode(bytes(folder) + b"/caf\xe9-report.txt")  # Latin-1 bytes in a UTF-8 world
    Path(odd).write_text("Report\n\nThe cafe owner testified about payments.\n")
    pdf_bomb(folder / "bomb.pdf")
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(tmp_path / "named.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    project = tmp_path / "p.dossier"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    argv = [sys.executable, str(REPO / "main.py"), "--project", str(project), "--json", "import",
            str(folder), str(tmp_path / "named.txt"), str(tmp_path / "zero.txt")]
    with (tmp_path / "out").open("wb") as stdout, (tmp_path / "err").open("wb") as stderr:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env, cwd=REPO)
        watchdog = threading.Timer(120, proc.kill)  # a FIFO read would hang here
        watchdog.start()
        # wait4: the command's own rusage, which takes in the parser child it waited for.
        _pid, status, usage = os.wait4(proc.pid, 0)
        watchdog.cancel()
    returncode = os.waitstatus_to_exitcode(status)
    out, err = (tmp_path / "out").read_bytes(), (tmp_path / "err").read_bytes()
    print(f"peak memory of the import: {usage.ru_maxrss // 1024} MB")
    assert usage.ru_maxrss * 1024 < GB, f"peak memory {usage.ru_maxrss // 1024} MB"
    lines = [json.loads(line) for line in out.decode().splitlines()]
    by_name = {Path(r["path"]).name: r for r in lines}
    assert returncode == 1, err  # some files failed
    for good in ("statement.txt", "notes.md", "caf\ufffd-report.txt"):
        assert by_name[good]["status"] == "imported", by_name[good]
    assert "decompression bomb" in by_name["bomb.pdf"]["error"]
    assert "named pipe" in by_name["named.txt"]["error"]
    assert "device" in by_name["zero.txt"]["error"]
    assert "pipe.txt" not in by_name  # a FIFO inside a folder is not a document file
    assert b"Traceback" not in err
    check = subprocess.run([sys.executable, str(REPO / "main.py"), "--project", str(project), "check"],
                           capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
