"""Small dialogs, each with an ``ask()`` that tests can replace."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFontDialog,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from app.domain import DocumentInfo

FIELDS = (
    ("title", "Title"),
    ("author", "Author or organisation"),
    ("published", "Published (2014-04-02 or April 2, 2014)"),
    ("source", "Source (URL or path)"),
)


class MetadataDialog(QDialog):
    def __init__(self, doc: DocumentInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metadataDialog")
        self.setWindowTitle("Document details")
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for key, label in FIELDS:
            edit = QLineEdit(getattr(doc, key) or "")
            edit.setObjectName(f"meta_{key}")
            self.edits[key] = edit
            form.addRow(label, edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 0)

    def values(self) -> dict[str, str | None]:
        return {k: e.text().strip() or None for k, e in self.edits.items()}

    @classmethod
    def ask(cls, parent: QWidget, doc: DocumentInfo) -> dict[str, str | None] | None:
        dialog = cls(doc, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget, title: str, label: str, value: str = "") -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, value)
    return text.strip() if ok and text.strip() else None


def ask_item(parent: QWidget, title: str, label: str, items: list[str]) -> str | None:
    if not items:
        return None
    choice, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return str(choice) if ok else None


def ask_font(parent: QWidget, current: QFont) -> QFont | None:
    ok, font = QFontDialog.getFont(current, parent, "Reader font")
    return font if ok else None


def show_error(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)
