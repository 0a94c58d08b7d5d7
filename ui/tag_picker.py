"""The tag picker: type to filter, Enter to apply, new names create a tag."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import PALETTE, TagInfo
from ui.models import color_icon


class TagPicker(QDialog):
    def __init__(self, tags: list[TagInfo], quote: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagPicker")
        self.setWindowTitle("Highlight")
        self.chosen: list[str] = []
        self.note = ""
        self.color: str | None = None
        preview = " ".join(quote.split())
        label = QLabel(f"“{preview[:120]}{'…' if len(preview) > 120 else ''}”")
        label.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setObjectName("tagFilter")
        self.filter.setPlaceholderText("Tag (type to filter; a new name creates it; Parent/Child)")
        self.list = QListWidget()
        self.list.setObjectName("tagList")
        for tag in tags:
            item = QListWidgetItem(f"{tag.path}  ({tag.total})")
            item.setData(Qt.ItemDataRole.UserRole, tag.path)
            item.setIcon(color_icon(tag.color))
            self.list.addItem(item)
        self.create_item = QListWidgetItem()
        self.create_item.setData(Qt.ItemDataRole.UserRole, "")
        self.list.addItem(self.create_item)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("tagPickerNote")
        self.color_box = QComboBox()
        self.color_box.setObjectName("tagPickerColor")
        self.color_box.addItem("Tag colour", None)
        for name in PALETTE:
            self.color_box.addItem(color_icon(name), name.capitalize(), name)
        form = QFormLayout()
        form.addRow("Note", self.note_edit)
        form.addRow("Colour", self.color_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._on_filter)
        self.filter.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self._accept())
        self.resize(420, 380)
        self._on_filter("")

    def _on_filter(self, text: str) -> None:
        typed = text.strip()
        needle = typed.lower()
        first = None
        exact = False
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is self.create_item:
                continue
            path = str(item.data(Qt.ItemDataRole.UserRole)).lower()
            visible = not needle or needle in path
            exact = exact or path == needle
            item.setHidden(not visible)
            if visible and first is None:
                first = item
        # A name that is not there yet gets its own row, so "Drug" can exist beside "Drugs".
        creating = bool(typed) and not exact and "," not in typed
        self.create_item.setHidden(not creating)
        self.create_item.setText(f"＋ Create tag “{typed}”" if creating else "")
        self.create_item.setData(Qt.ItemDataRole.UserRole, typed if creating else "")
        current = first if needle and first else self.create_item if creating else None
        if current is None:
            self.list.setCurrentRow(-1)
        else:
            self.list.setCurrentItem(current)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down in the filter move through the list, as in a completer.
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._accept()
                return True
        return super().eventFilter(watched, event)

    def _step(self, delta: int) -> None:
        rows = [r for r in range(self.list.count()) if not self.list.item(r).isHidden()]
        if not rows:
            return
        current = self.list.currentRow()
        index = rows.index(current) + delta if current in rows else 0
        self.list.setCurrentRow(rows[max(0, min(index, len(rows) - 1))])

    def _accept(self) -> None:
        typed = [t.strip() for t in self.filter.text().split(",") if t.strip()]
        item = self.list.currentItem()
        if len(typed) <= 1 and item is not None and not item.isHidden():
            typed = [str(item.data(Qt.ItemDataRole.UserRole))]  # the row the user is on
        self.chosen = [t for t in typed if t]
        self.note = self.note_edit.text().strip()
        self.color = self.color_box.currentData()
        self.accept()
