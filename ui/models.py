"""Table models over the façade's records, with a simple row cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap

from app.domain import PALETTE, AnnotationInfo, DocumentInfo

ANNOTATION_MIME = "application/x-dossier-annotations"
Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def color_of(name: str) -> QColor:
    return QColor(PALETTE.get(name, name))


def color_icon(name: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(color_of(name))
    return QIcon(pixmap)


class RecordModel(QAbstractTableModel, Generic[T]):
    headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def record(self, row: int) -> T:
        return self.rows[row]


class DocumentModel(RecordModel[DocumentInfo]):
    headers = ("Title", "Published", "Imported", "✎")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        doc = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (doc.title, doc.published or "", doc.imported_at.strftime("%Y-%m-%d"),
                    doc.annotation_count)[col]
        if role == SORT_ROLE:
            return (doc.title.lower(), doc.published or "", doc.imported_at.isoformat(),
                    doc.annotation_count)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [doc.title, doc.author or "", doc.source or "", f"{doc.format}, {doc.chars:,} characters"]
            return "\n".join(p for p in parts if p)
        if role == ID_ROLE:
            return doc.id
        return None


class AnnotationModel(RecordModel[AnnotationInfo]):
    headers = ("Quote", "Tags", "Note", "Document")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ann = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            quote = " ".join(ann.quote.split())
            value = (quote, ", ".join(ann.tags), ann.note, ann.doc_title)[col]
            return value.lower() if role == SORT_ROLE else value
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return color_of(ann.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{ann.quote}\n\n{', '.join(ann.tags)}\n{ann.note}".strip()
        if role == ID_ROLE:
            return ann.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [ANNOTATION_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        return annotation_mime(sorted({self.rows[i.row()].id for i in indexes if i.isValid()}))


def annotation_mime(ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(ANNOTATION_MIME, ",".join(map(str, ids)).encode())
    mime.setText("\n".join(f"highlight {i}" for i in ids))
    return mime


def annotation_ids(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(ANNOTATION_MIME):
        return []
    raw = bytes(mime.data(ANNOTATION_MIME).data()).decode()
    return [int(x) for x in raw.split(",") if x.strip().isdigit()]
