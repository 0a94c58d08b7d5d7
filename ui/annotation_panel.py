"""Highlights of the current document, or every excerpt under a selected tag."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import AnnotationInfo
from ui.filtered_table import FilteredTable
from ui.models import AnnotationModel


class AnnotationPanel(QWidget):
    annotation_selected = Signal(int)
    open_requested = Signal(int, int)  # doc id, annotation id
    mode_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AnnotationModel()
        table = FilteredTable(self, self.model, "annotationList", "annotationFilter", "Filter highlights…")
        table.sort_by()
        self.proxy, self.filter, self.view = table.proxy, table.filter, table.view
        self.title = QLabel("Highlights")
        self.title.setObjectName("annotationListTitle")
        self.back = QPushButton("Back to document")
        self.back.setVisible(False)
        self.back.clicked.connect(self.mode_cleared.emit)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setMinimumHeight(150)
        self.view.doubleClicked.connect(self._on_double)
        self.view.activated.connect(self._on_double)  # Enter opens the excerpt too
        self.view.selectionModel().currentRowChanged.connect(self._on_current)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def show_annotations(self, title: str, annotations: list[AnnotationInfo], tag_mode: bool) -> None:
        self.title.setText(title)
        self.back.setVisible(tag_mode)
        self.model.set_rows(annotations)

    def select(self, annotation_id: int) -> None:
        row = self.model.row_of(annotation_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.selectionModel().blockSignals(True)
            self.view.setCurrentIndex(index)
            self.view.selectionModel().blockSignals(False)
            self.view.scrollTo(index)

    def _record(self, index: QModelIndex) -> AnnotationInfo:
        return self.model.record(self.proxy.mapToSource(index).row())

    def _on_current(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if index.isValid():
            self.annotation_selected.emit(self._record(index).id)

    def _on_double(self, index: QModelIndex) -> None:
        if index.isValid():
            ann = self._record(index)
            self.open_requested.emit(ann.doc_id, ann.id)
