"""The library: documents with title, dates and highlight counts; drop files here."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QVBoxLayout, QWidget

from app.domain import DocumentInfo
from ui.bridge import Update
from ui.filtered_table import FilteredTable
from ui.models import ID_ROLE, DocumentModel


class LibraryPanel(QWidget):
    document_selected = Signal(int)
    files_dropped = Signal(list)  # list[Path]
    edit_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.model = DocumentModel()
        table = FilteredTable(self, self.model, "libraryView", "libraryFilter", "Filter documents…")
        table.sort_by(2, Qt.SortOrder.DescendingOrder)
        self.proxy, self.filter, self.view = table.proxy, table.filter, table.view
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._on_activated(cur))
        for text, shortcut, slot in (
            ("Edit details…", "F2", self._edit),
            ("Delete document…", QKeySequence.StandardKey.Delete, self._delete),
        ):
            action = QAction(text, self.view)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.view.addAction(action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def refresh_for(self, update: Update) -> None:
        if update.changes.documents or update.changes.annotations:  # titles, dates, highlight counts
            self.set_documents(update.documents)

    def set_documents(self, docs: list[DocumentInfo]) -> None:
        current = self.current_id()
        self.model.set_rows(docs)
        if current is not None:
            self.select(current, emit=False)

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return int(index.data(ID_ROLE)) if index.isValid() else None

    def select(self, doc_id: int, emit: bool = True) -> None:
        """Make ``doc_id`` the current, selected row (``emit``: as if the user chose it).
        The selection model's signals stay on: the view repaints from them."""
        row = self.model.row_of(doc_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else None
        if index is not None and index.isValid():
            self._quiet = not emit
            try:
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
            finally:
                self._quiet = False

    _quiet = False

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid() and not self._quiet:
            self.document_selected.emit(int(index.data(ID_ROLE)))

    def _edit(self) -> None:
        doc_id = self.current_id()
        if doc_id is not None:
            self.edit_requested.emit(doc_id)

    def _delete(self) -> None:
        doc_id = self.current_id()
        if doc_id is not None:
            self.delete_requested.emit(doc_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
