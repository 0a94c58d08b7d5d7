"""A record table with a filter box above it, sorted by the model (see ``RecordModel.sort``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget

from ui.models import RecordModel, sort_by_header


class FilteredTable:
    """The filter edit, proxy and view that the library and highlight lists share."""

    def __init__(self, owner: QWidget, model: RecordModel[Any], view_name: str, filter_name: str,
                 placeholder: str) -> None:
        self.model = model
        self.proxy = QSortFilterProxyModel(owner)
        self.proxy.setSourceModel(model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter = QLineEdit()
        self.filter.setObjectName(filter_name)
        self.filter.setPlaceholderText(placeholder)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView()
        self.view.setObjectName(view_name)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def sort_by(self, column: int = -1, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sort_by_header(self.view, self.model, column, order)
