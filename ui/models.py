"""Table models over the façade's records, with a simple row cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QTableView

from app.domain import PALETTE, AnnotationInfo, DocumentInfo

ANNOTATION_MIME = "application/x-dossier-annotations"
Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


TINT = 0.45  # how much of a palette colour a fill keeps (the rest is white)


def color_of(name: str) -> QColor:
    """A tag's or highlight's colour as every view shows it: the palette colour's light
    tint, which the reader fills highlights with (the same everywhere)."""
    base = QColor(PALETTE.get(name, name))
    return QColor(*(round(TINT * c + (1 - TINT) * 255) for c in (base.red(), base.green(), base.blue())))


def color_icon(name: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(color_of(name))
    return QIcon(pixmap)


class RecordModel(QAbstractTableModel, Generic[T]):
    """Display and sort values are computed once per row, so sorting 1,000 rows
    through a proxy does not call back into Python for each comparison's work."""

    headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[T] = []
        self._display: list[tuple[Any, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        self._row_of: dict[int, int] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._fill(list(rows))
        self.endResetModel()

    def _fill(self, rows: list[T]) -> None:
        triples = [(self.sort_keys(r), self.display(r), r) for r in rows]
        if self._sort_column >= 0:
            col = self._sort_column
            triples.sort(key=lambda t: t[0][col], reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self._sort = [t[0] for t in triples]
        self._display = [t[1] for t in triples]
        self.rows = [t[2] for t in triples]
        self._row_of = {getattr(r, "id", i): i for i, r in enumerate(self.rows)}

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here, in one C-level sort, rather than by a proxy calling data() per comparison."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self._fill(self.rows)
        self.layoutChanged.emit()

    def row_of(self, ident: int) -> int | None:
        return self._row_of.get(ident)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display[row][col]
        if role == SORT_ROLE:
            return self._sort[row][col]
        if role == ID_ROLE:
            return getattr(self.rows[row], "id", None)
        return self.extra(self.rows[row], col, role)

    def extra(self, record: T, column: int, role: int) -> Any:
        """Roles beyond text, sort key and id (tooltips, colour swatches)."""
        return None

    def display(self, record: T) -> tuple[Any, ...]:
        raise NotImplementedError

    def sort_keys(self, record: T) -> tuple[Any, ...]:
        return self.display(record)

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

    def display(self, doc: DocumentInfo) -> tuple[Any, ...]:
        return (doc.title, doc.published or "", doc.imported_at.strftime("%Y-%m-%d"), doc.annotation_count)

    def sort_keys(self, doc: DocumentInfo) -> tuple[Any, ...]:
        return (doc.title.lower(), doc.published or "", doc.imported_at.isoformat(), doc.annotation_count)

    def extra(self, doc: DocumentInfo, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [doc.title, doc.author or "", doc.source or "", f"{doc.format}, {doc.chars:,} characters"]
            return "\n".join(p for p in parts if p)
        return None


class AnnotationModel(RecordModel[AnnotationInfo]):
    headers = ("Quote", "Tags", "Note", "Document", "By")

    def display(self, ann: AnnotationInfo) -> tuple[Any, ...]:
        quote = " ".join(ann.quote.split())
        # An orphan has no place in its document's current version (Edit ▸ Orphaned Highlights).
        return (f"(orphaned) {quote}" if ann.orphaned else quote, ", ".join(ann.tags), ann.note,
                ann.doc_title, ann.author or "")

    def sort_keys(self, ann: AnnotationInfo) -> tuple[Any, ...]:
        return tuple(v.lower() for v in self.display(ann))

    def extra(self, ann: AnnotationInfo, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return color_of(ann.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            who = f"\n\nby {ann.author}" if ann.author else ""
            return f"{ann.quote}\n\n{', '.join(ann.tags)}\n{ann.note}".strip() + who
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
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


def sort_by_header(view: QTableView, model: RecordModel[Any], column: int = -1,
                   order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
    """Clicking a header sorts the source model (the filter proxy keeps its order)."""
    header = view.horizontalHeader()
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    header.sortIndicatorChanged.connect(model.sort)
    if column >= 0:
        header.setSortIndicator(column, order)
