"""Open the real window on a project and save a screenshot (run under Xvfb).

usage: python scripts/screenshot.py PROJECT OUT.png [DOC_ID [ANNOTATION_ID [QUERY]]]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.library import Library
from ui.main_window import MainWindow
from ui.settings import Settings


def main() -> int:
    project, out = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication(sys.argv[:1])
    window = MainWindow(Library.open(project, background_index=True), Settings(out.with_suffix(".ini")))
    window.resize(1500, 860)
    window.show()
    if len(sys.argv) > 3:
        window.show_document(int(sys.argv[3]))
    if len(sys.argv) > 4:
        window.select_annotation(int(sys.argv[4]), scroll=True)
    if len(sys.argv) > 5:
        window.search.box.setText(sys.argv[5])
        window.search.run_now()

    def shoot() -> None:
        screen = app.primaryScreen()
        screen.grabWindow(0).save(str(out)) if screen else window.grab().save(str(out))
        window.close()
        app.quit()

    QTimer.singleShot(1500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
