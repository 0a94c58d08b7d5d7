"""The command-line contract, driven in process through ``app.cli.main.run`` (one test runs
the real ``main.py`` in a subprocess)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from app.cli import main as cli_main
from tests import corpus

REPO = Path(__file__).resolve().parents[2]


def run(project: Path | None, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a script would run it, in this process: exit status, stdout, stderr."""
    argv = [*(["--project", str(project)] if project is not None else []), *args]
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli_main.run(argv)
            except SystemExit as exc:  # argparse: bad usage, --help
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def test_main_py_runs_as_a_script(tmp_path: Path) -> None:
    """The one subprocess: ``main.py`` is the ``dossier`` command."""
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--project", str(tmp_path / "s.dossier"),
                             "--json", "docs"], capture_output=True, text=True, timeout=120, cwd=REPO,
                            check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


def js(project: Path, *args: str) -> object:
    result = run(project, "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_help_lists_commands() -> None:
    out = run(None, "--help").stdout
    for command in ("import", "docs", "show", "highlight", "annotations", "tags", "tag", "search",
                    "brief", "reindex", "check", "gui"):
        assert command in out


def test_new_project_prints_empty_list_and_creates_file(tmp_path: Path) -> None:
    project = tmp_path / "NEW.dossier"
    result = run(project, "--json", "docs")
    assert (result.returncode, result.stdout.strip()) == (0, "[]")
    assert project.exists()


def test_default_project_from_env_and_data_dir(tmp_path: Path) -> None:
    env_project = tmp_path / "env.dossier"
    result = run(None, "--json", "docs", env={"DOSSIER_PROJECT": str(env_project)})
    assert result.returncode == 0 and env_project.exists()
    data = tmp_path / "data"
    result = run(None, "--json", "docs", env={"DOSSIER_DATA_DIR": str(data)})
    assert result.returncode == 0 and (data / "default.dossier").exists()


def test_bad_project_paths_exit_1_untouched(tmp_path: Path) -> None:
    result = run(tmp_path / "missing" / "x.dossier", "docs")
    assert result.returncode == 1 and "does not exist" in result.stderr
    fake = tmp_path / "notes.dossier"
    fake.write_text("my shopping list\n")
    result = run(fake, "--json", "docs")
    assert result.returncode == 1
    assert "not a Dossier project" in result.stderr and result.stdout == ""
    assert fake.read_text() == "my shopping list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.dossier"]


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run(tmp_path / "p.dossier", "frobnicate").returncode == 2
    assert run(tmp_path / "p.dossier", "highlight", "1").returncode == 2
    assert run(tmp_path / "p.dossier", "highlight", "1", "--span", "x").returncode == 2


def test_full_workflow(tmp_path: Path) -> None:
    p = tmp_path / "w.dossier"
    good = corpus.write(tmp_path / "src" / "hearing.txt",
                        "Hearing\n\nFunding for Mérida rose. Cartels launder money. Mérida again.\n")
    corpus.write(tmp_path / "src" / "sub" / "deck.md", "# Deck\n\nSlides on fentanyl seizures.\n")
    bad = corpus.write(tmp_path / "src" / "broken.pdf", b"%PDF-1.4 nothing")

    result = run(p, "--json", "import", str(tmp_path / "src"), "--recursive", "--tag", "Hearings")
    assert result.returncode == 1  # one file failed, the good ones stay
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["status"] for r in lines) == ["error", "imported", "imported"]
    error = next(r for r in lines if r["status"] == "error")
    assert error["path"] == str(bad) and str(bad) in error["error"]
    assert str(bad) in result.stderr

    again = run(p, "--json", "import", str(good))
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "duplicate"

    docs = js(p, "docs")
    assert isinstance(docs, list) and len(docs) == 2
    assert set(docs[0]) >= {"id", "title", "format", "chars", "sha256", "author", "published", "source"}
    doc_id = next(d["id"] for d in docs if d["format"] == "txt")
    shown = js(p, "show", str(doc_id), "--text")
    assert isinstance(shown, dict) and "Mérida" in shown["text"] and shown["tags"] == ["Hearings"]
    meta = js(p, "meta", str(doc_id), "--author", "US Senate", "--published", "2021-02-03")
    assert isinstance(meta, dict) and meta["author"] == "US Senate"

    ann = js(p, "highlight", str(doc_id), "--quote", "Mérida", "--occurrence", "2",
             "--tag", "Places/Mexico", "--note", "second", "--color", "blue")
    assert isinstance(ann, dict)
    text = shown["text"]
    assert text[ann["start"]:ann["end"]] == "Mérida" and ann["start"] == text.rindex("Mérida")
    assert set(ann) >= {"id", "doc_id", "start", "end", "quote", "tags", "note", "color"}
    assert ann["tags"] == ["Places/Mexico"]
    span = js(p, "highlight", str(doc_id), "--span", f"{text.index('launder')}:{text.index('launder') + 13}",
              "--tag", "Finance")
    assert isinstance(span, dict) and span["quote"] == "launder money"
    missing = run(p, "highlight", str(doc_id), "--quote", "Atlantis")
    assert missing.returncode == 1 and "not found" in missing.stderr

    assert [a["id"] for a in js(p, "annotations", "--tag", "Places")] == [ann["id"]]  # type: ignore[index]
    tags = js(p, "tags")
    assert {t["name"]: t["count"] for t in tags} == {  # type: ignore[union-attr]
        "Finance": 1, "Hearings": 0, "Places": 0, "Places/Mexico": 1}
    js(p, "tag", "rename", "Places/Mexico", "Places/México")
    js(p, "tag", "merge", "Finance", "Places")
    assert js(p, "annotations", "--tag", "Places") and len(js(p, "annotations", "--tag", "Places")) == 2  # type: ignore[arg-type]

    hits = js(p, "search", "merida", "--limit", "5")
    assert isinstance(hits, list) and hits
    for hit in hits:
        assert set(hit) >= {"kind", "doc_id", "doc_title", "start", "end", "score", "snippet"}
        assert text[hit["start"]:hit["end"]].lower() == "mérida"
    ann_hit = next(h for h in hits if h["kind"] == "annotation")
    assert ann_hit["annotation_id"] == ann["id"]
    assert ann_hit["tags"] == ["Places/México"]  # full paths, as DESIGN's contract says

    brief = js(p, "brief", "new", "Weekly", "--subject", "Mexico", "--to", "Boss", "--from", "Me",
               "--classification", "UNCLASSIFIED")
    assert isinstance(brief, dict)
    assert {k: brief[k] for k in ("title", "subject", "to", "from", "classification")} == {
        "title": "Weekly", "subject": "Mexico", "to": "Boss", "from": "Me", "classification": "UNCLASSIFIED"}
    js(p, "brief", "add", str(brief["id"]), str(ann["id"]), "--section", "Places", "--comment", "Why it matters")
    js(p, "brief", "from-query", str(brief["id"]), "tag:places")
    shown_brief = js(p, "brief", "show", str(brief["id"]))
    assert isinstance(shown_brief, dict)
    # The merge gave the second highlight the tag Places itself: it joins that section.
    assert [s["heading"] for s in shown_brief["sections"]] == ["Places"]
    assert [i["annotation_id"] for i in shown_brief["sections"][0]["items"]] == [ann["id"], span["id"]]
    assert [b["title"] for b in js(p, "brief", "list")] == ["Weekly"]  # type: ignore[union-attr]
    out = tmp_path / "memo.docx"
    exported = js(p, "brief", "export", str(brief["id"]), "--out", str(out))
    assert isinstance(exported, dict) and Path(exported["out"]) == out
    assert "“Mérida…”" in [para.text for para in docx.Document(str(out)).paragraphs]

    assert js(p, "reindex") == {"records": 4}
    assert js(p, "check") == {"ok": True, "problems": []}
    plain = run(p, "check")
    assert plain.returncode == 0 and "ok" in plain.stdout


def test_check_exits_1_on_a_problem(tmp_path: Path) -> None:
    import sqlite3

    p = tmp_path / "c.dossier"
    corpus.write(tmp_path / "a.txt", "Some text to highlight here.")
    run(p, "import", str(tmp_path / "a.txt"))
    run(p, "highlight", "1", "--quote", "text")
    con = sqlite3.connect(p)
    con.execute("UPDATE annotations SET quote = 'tampered'")
    con.commit()
    con.close()
    result = run(p, "--json", "check")
    assert result.returncode == 1
    assert "quote does not match" in json.loads(result.stdout)["problems"][0]


@pytest.mark.parametrize("args", [["show", "99"], ["brief", "show", "5"], ["tag", "rename", "Nope", "X"],
                                  ["search", "tag:"], ["brief", "export", "1", "--out", "x.odt"]])
def test_user_errors_exit_1_with_message(tmp_path: Path, args: list[str]) -> None:
    p = tmp_path / "e.dossier"
    if args[:2] == ["brief", "export"]:
        run(p, "brief", "new", "B")
    result = run(p, "--json", *args)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert result.stdout == ""
