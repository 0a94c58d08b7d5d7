"""Help ▸ Keyboard Shortcuts: every action's keys, read from the actions themselves."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Keys handled by widgets rather than actions.
WIDGET_KEYS = (
    ("Down (in the search box)", "Go to the search results"),
    ("Enter (on a result or an excerpt)", "Open it in the reader"),
    ("Ctrl+Enter (in a note or comment)", "Save it"),
    ("F2 (in the tag tree)", "Rename the tag"),
    ("H (in the reader)", "Highlight the selection and tag it"),
    ("1–9 (in the reader)", "Highlight with a favourite tag"),
)


def unique_keys(standard: QKeySequence.StandardKey, *extra: str) -> list[QKeySequence]:
    """The platform's keys for ``standard`` plus ``extra``, each once: a key bound twice to
    one action is ambiguous to Qt, which then does nothing."""
    keys: dict[str, QKeySequence] = {}
    for key in [*QKeySequence.keyBindings(standard), *(QKeySequence(e) for e in extra)]:
        if not key.isEmpty():
            keys.setdefault(key.toString(), key)
    return list(keys.values())


def redo_keys() -> list[QKeySequence]:
    return unique_keys(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z", "Ctrl+Y")


class ShortcutSheet(QDialog):
    def __init__(self, parent: QWidget, actions: Iterable[QAction]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcutSheet")
        rows: dict[str, str] = {}
        for action in actions:
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
            name = action.text().replace("&", "").rstrip("…").strip()
            if keys and name:
                rows.setdefault(name, keys)
        self.table = QTableWidget(len(rows) + len(WIDGET_KEYS), 2)
        self.table.setObjectName("shortcutTable")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        entries = sorted(((keys, name) for name, keys in rows.items()), key=lambda r: r[1].lower())
        for n, (keys, name) in enumerate([*entries, *WIDGET_KEYS]):
            self.table.setItem(n, 0, QTableWidgetItem(keys))
            self.table.setItem(n, 1, QTableWidgetItem(name))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(0)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 520)

    def shortcuts(self) -> dict[str, str]:
        """What the sheet shows: description -> keys."""
        out = {}
        for n in range(self.table.rowCount()):
            keys, name = self.table.item(n, 0), self.table.item(n, 1)
            if keys is not None and name is not None:
                out[name.text()] = keys.text()
        return out
