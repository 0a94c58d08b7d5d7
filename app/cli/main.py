"""Entry point: parse, open the project, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app.cli.commands import COMMANDS
from app.cli.output import Output, message
from app.cli.parser import build
from app.errors import KnownError
from app.library import Library
from app.paths import project_from_env

GuiLauncher = Callable[[Path | str, bool], int]  # project (file or server URL), verbose


def run(argv: Sequence[str] | None = None, gui: GuiLauncher | None = None) -> int:
    parser = build()
    args = parser.parse_args(argv)
    project = project_from_env(args.project)
    if args.command in (None, "gui"):
        if gui is None:
            message("error: the window is not available from here; run `dossier gui`")
            return 1
        return gui(project, args.verbose)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    out = Output(args.json)
    if args.command in ("push", "pull"):  # two projects, neither of them --project
        return _transfer(args.command, args, out)
    try:
        lib = Library.open(project)
    except KnownError as exc:
        message(f"error: {exc}")
        return 1
    try:
        if lib.index_message:
            message(f"note: {lib.index_message}")
        status = COMMANDS[args.command](lib, args, out)
        for note in lib.notes:
            message(f"note: {note}")
        return status
    except KnownError as exc:
        message(f"error: {exc}")
        return 1
    except BrokenPipeError:
        return 0
    finally:
        lib.close()


def _transfer(command: str, args: argparse.Namespace, out: Output) -> int:
    from app import transfer

    try:
        if command == "push":
            result, problems = transfer.push(Path(args.file), args.url)
        else:
            result, problems = transfer.pull(args.url, Path(args.file))
    except KnownError as exc:
        message(f"error: {exc}")
        return 1
    copied = ", ".join(f"{n} {name}" for name, n in result.counts.items() if n)
    out.raw({**result.to_json(), "problems": problems}, f"copied {copied or 'an empty project'}")
    for problem in problems:
        message(f"problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(run())
