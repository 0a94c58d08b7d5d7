"""The review list of orphaned highlights: those a new version of their document could
not place. Each can be placed on a selection in the reader, or deleted."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import AnnotationInfo
from app.library import Library
from ui.bridge import Update


class OrphansDialog(QDialog):
    place_requested = Signal(int)  # annotation id: anchor it to the reader's selection
    delete_requested = Signal(int)
    open_requested = Signal(int)  # document id

    def __init__(self, lib: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self.setObjectName("orphansDialog")
        self.setWindowTitle("Orphaned highlights")
        self.setModal(False)
        self.resize(520, 360)
        intro = QLabel("A new version of these documents had no confident place for these "
                       "highlights. They keep their quote, tags, note and briefing excerpts. Select "
                       "the passage in the reader and press <b>Place at Selection</b>, or delete them.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("orphanList")
        self.list.itemActivated.connect(self._open)
        self.place_button = QPushButton("&Place at Selection")
        self.place_button.setObjectName("placeOrphan")
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setObjectName("deleteOrphan")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.place_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.place_button.clicked.connect(lambda: self._emit(self.place_requested))
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def refresh_for(self, update: Update) -> None:
        if update.changes.annotations and self.isVisible():
            self.refresh()

    def orphans(self) -> list[AnnotationInfo]:
        return [a for a in self.lib.annotations() if a.orphaned]

    def refresh(self) -> None:
        current = self.current_id()
        self.list.clear()
        for ann in self.orphans():
            tags = f"  #{' #'.join(ann.tags)}" if ann.tags else ""
            item = QListWidgetItem(f"“{' '.join(ann.quote.split())[:90]}” — {ann.doc_title}{tags}")
            item.setData(Qt.ItemDataRole.UserRole, (ann.id, ann.doc_id))
            item.setToolTip(ann.quote + (f"\n\nNote: {ann.note}" if ann.note else ""))
            self.list.addItem(item)
            if ann.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        empty = self.list.count() == 0
        self.place_button.setEnabled(not empty)
        self.delete_button.setEnabled(not empty)
        self.setWindowTitle("Orphaned highlights" + ("" if empty else f" ({self.list.count()})"))

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole)[0])

    def _emit(self, signal: SignalInstance) -> None:
        ann_id = self.current_id()
        if ann_id is not None:
            signal.emit(ann_id)

    def _open(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)[1]))
