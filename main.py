"""``python main.py`` is the ``dossier`` command; with no command it opens the window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def _gui(project: Path | str, verbose: bool = False) -> int:
    from ui.application import run_app  # Qt is loaded only when the window is wanted

    return run_app(project, verbose)


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli.main import run

    return run(argv, gui=_gui)


if __name__ == "__main__":
    sys.exit(main())
