"""The tag tree: hierarchy, counts and colours; rename, merge, re-parent by drag, delete."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView, QVBoxLayout, QWidget

from app.domain import TagInfo
from ui.bridge import Update
from ui.models import color_of

TAG_MIME = "application/x-dossier-tag"
PATH_ROLE = Qt.ItemDataRole.UserRole + 10


class TagModel(QStandardItemModel):
    """Drops ask for a re-parent instead of moving items; the tree is rebuilt after."""

    reparent_requested = Signal(str, str)  # tag path, new parent path ("" for top level)
    rename_requested = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        self.itemChanged.connect(self._on_item_changed)
        self._loading = False

    def load(self, tags: list[TagInfo]) -> None:
        self._loading = True
        self.clear()
        self.setHorizontalHeaderLabels(["Tag", "Highlights"])
        items: dict[int, QStandardItem] = {}
        for tag in sorted(tags, key=lambda t: t.path.count("/")):
            name = QStandardItem(tag.name)
            name.setData(tag.path, PATH_ROLE)
            name.setData(color_of(tag.color), Qt.ItemDataRole.DecorationRole)
            name.setToolTip(tag.description or tag.path)
            name.setFlags(name.flags() | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
                          | Qt.ItemFlag.ItemIsEditable)
            shown = str(tag.total) if tag.total == tag.count else f"{tag.total} ({tag.count} own)"
            count = QStandardItem(shown)
            count.setToolTip(f"{tag.total} highlight(s) here and under it; "
                             f"{tag.count} tagged {tag.name} itself")
            count.setEditable(False)
            count.setFlags(count.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
            parent = items.get(tag.parent_id) if tag.parent_id is not None else None
            (parent or self.invisibleRootItem()).appendRow([name, count])
            items[tag.id] = name
        self._loading = False

    def _on_item_changed(self, item: QStandardItem) -> None:
        if self._loading or item.column() != 0:
            return
        old = str(item.data(PATH_ROLE))
        parent = old.rsplit("/", 1)[0] + "/" if "/" in old else ""
        new = item.text().strip()
        if new and parent + new != old:
            self.rename_requested.emit(old, parent + new)

    def mimeTypes(self) -> list[str]:
        return [TAG_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        paths = [str(i.data(PATH_ROLE)) for i in indexes if i.column() == 0]
        mime.setData(TAG_MIME, "\n".join(paths).encode())
        return mime

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not data.hasFormat(TAG_MIME):
            return False
        target = str(parent.model().index(parent.row(), 0, parent.parent()).data(PATH_ROLE)) \
            if parent.isValid() else ""
        for path in bytes(data.data(TAG_MIME).data()).decode().splitlines():
            if path and path != target:
                self.reparent_requested.emit(path, target)
        return False  # the library changes; the tree is rebuilt from it


class TagPanel(QWidget):
    tag_selected = Signal(str)
    rename_requested = Signal(str, str)
    reparent_requested = Signal(str, str)
    merge_requested = Signal(str)
    delete_requested = Signal(str)
    color_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TagModel()
        self.model.rename_requested.connect(self.rename_requested)
        self.model.reparent_requested.connect(self.reparent_requested)
        self.view = QTreeView()
        self.view.setObjectName("tagTree")
        self.view.setModel(self.model)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        delete = QAction("Delete tag…", self.view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(partial(self._emit, self.delete_requested))
        self.view.addAction(delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)

    def refresh_for(self, update: Update) -> None:
        if update.changes.tags:
            self.set_tags(update.tags)

    def set_tags(self, tags: list[TagInfo]) -> None:
        current = self.current_path()
        expanded = self._expanded_paths()
        self.model.load(tags)
        self.view.expandAll() if not expanded else self._expand(expanded)
        self.view.resizeColumnToContents(0)
        if current:
            self.select(current, emit=False)

    def _expanded_paths(self) -> set[str]:
        found: set[str] = set()

        def walk(parent: QModelIndex) -> None:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if self.view.isExpanded(index):
                    found.add(str(index.data(PATH_ROLE)))
                walk(index)

        walk(QModelIndex())
        return found

    def _expand(self, paths: set[str]) -> None:
        def walk(parent: QModelIndex) -> None:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if str(index.data(PATH_ROLE)) in paths:
                    self.view.expand(index)
                walk(index)

        walk(QModelIndex())

    def index_of(self, path: str) -> QModelIndex:
        def walk(parent: QModelIndex) -> QModelIndex:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if index.data(PATH_ROLE) == path:
                    return index
                found = walk(index)
                if found.isValid():
                    return found
            return QModelIndex()

        return walk(QModelIndex())

    def select(self, path: str, emit: bool = True) -> None:
        index = self.index_of(path)
        if index.isValid():
            self.view.selectionModel().blockSignals(not emit)
            self.view.setCurrentIndex(index)
            self.view.selectionModel().blockSignals(False)
            if emit:
                self.tag_selected.emit(path)

    def current_path(self) -> str | None:
        index = self.view.currentIndex()
        return str(index.siblingAtColumn(0).data(PATH_ROLE)) if index.isValid() else None

    def _on_current(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if index.isValid():
            self.tag_selected.emit(str(index.siblingAtColumn(0).data(PATH_ROLE)))

    def _emit(self, signal: SignalInstance) -> None:
        path = self.current_path()
        if path:
            signal.emit(path)

    def _menu(self, pos: QPoint) -> None:
        if self.current_path() is None:
            return
        menu = QMenu(self)
        menu.addAction("Rename", lambda: self.view.edit(self.view.currentIndex().siblingAtColumn(0)))
        menu.addAction("Merge into…", lambda: self._emit(self.merge_requested))
        menu.addAction("Colour…", lambda: self._emit(self.color_requested))
        menu.addAction("Move to top level", self._top_level)
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self._emit(self.delete_requested))
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _top_level(self) -> None:
        path = self.current_path()
        if path and "/" in path:
            self.reparent_requested.emit(path, "")
