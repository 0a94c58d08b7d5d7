"""Search as you type: debounced, run off the UI thread, stale answers dropped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QKeyEvent, QPainter, QResizeEvent, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import DocumentInfo, SearchHit, SearchQuery, SearchResult, TagInfo
from app.errors import KnownError
from app.library import Library
from app.query_text import as_you_type
from ui.bridge import Update
from ui.models import annotation_mime

DEBOUNCE_MS = 120
REFINE_MS = 350  # after a time-limited answer, search in full once typing pauses
LIMIT = 50
HIT_ROLE = Qt.ItemDataRole.UserRole + 20
def marked_html(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """``text`` escaped, the spans in ``marks`` bold on yellow: placed by offsets, so a
    ``**`` or ``<b>`` in the text itself is only text."""
    out, pos = [], 0
    for a, b in marks:
        out += [escape(text[pos:a]), f"<b style='background:#ffe066'>{escape(text[a:b])}</b>"]
        pos = b
    out.append(escape(text[pos:]))
    return "".join(out)


def snippet_html(hit: SearchHit) -> str:
    body = marked_html(hit.snippet_text or hit.snippet, hit.snippet_marks)
    kind = "Highlight" if hit.kind == "annotation" else "Passage"
    tags = f" · {escape(', '.join(hit.tags))}" if hit.tags else ""
    return (f"<span style='color:#555'>{kind} · <b>{escape(hit.doc_title)}</b>{tags}</span>"
            f"<br>{body}")


class _Signals(QObject):
    done = Signal(int, object, str)  # generation, SearchResult (None on error), error


class _SearchJob(QRunnable):
    def __init__(self, lib: Library, generation: int, query: SearchQuery, typing: bool) -> None:
        super().__init__()
        self.lib, self.generation, self.query = lib, generation, query
        self.typing = typing
        self.signals = _Signals()

    def run(self) -> None:
        try:
            outcome = self.lib.find(self.query, limit=LIMIT, typing=self.typing)
            self.signals.done.emit(self.generation, outcome, "")
        except KnownError as exc:
            self.signals.done.emit(self.generation, None, str(exc))


class HtmlDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        self.initStyleOption(option, index)
        doc = QTextDocument()
        doc.setHtml(option.text)
        doc.setTextWidth(option.rect.width())
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.translate(option.rect.topLeft())
        doc.documentLayout().draw(painter, QAbstractTextDocumentLayout.PaintContext())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """The height the row's text takes at the width it is painted at (the list's), so
        rows never overlap, selected or not."""
        self.initStyleOption(option, index)
        doc = QTextDocument()
        doc.setHtml(option.text)
        view = option.widget
        width = view.viewport().width() if isinstance(view, QAbstractItemView) else option.rect.width()
        doc.setTextWidth(max(width, 120))
        return QSize(int(doc.textWidth()), int(doc.size().height()) + 6)


class ResultList(QListWidget):
    """Highlights dragged from the results carry their ids (drop them on a briefing)."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()  # row heights follow the new width

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        hits = [i.data(HIT_ROLE) for i in items]
        return annotation_mime([int(h.annotation_id) for h in hits if h.annotation_id])


class SearchPanel(QWidget):
    hit_activated = Signal(object)  # SearchHit
    searched = Signal(int)  # number of hits shown (for tests and the status bar)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lib: Library | None = None
        self.generation = 0
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.box = QLineEdit()
        self.box.setObjectName("searchBox")
        self.box.setPlaceholderText("Search passages and highlights (Ctrl+F)… e.g. merida tag:Drugs")
        self.box.setClearButtonEnabled(True)
        self.kind = QComboBox()
        self.kind.setObjectName("searchKind")
        for label, value in (("Everything", None), ("Passages", "passage"), ("Highlights", "annotation")):
            self.kind.addItem(label, value)
        self.tag = QComboBox()
        self.tag.setObjectName("searchTag")
        self.doc = QComboBox()
        self.doc.setObjectName("searchDoc")
        self.since = QLineEdit()
        self.since.setObjectName("searchSince")
        self.since.setPlaceholderText("from YYYY[-MM-DD]")
        self.until = QLineEdit()
        self.until.setObjectName("searchUntil")
        self.until.setPlaceholderText("to YYYY[-MM-DD]")
        self.status = QLabel()
        self.status.setObjectName("searchStatus")
        self.results = ResultList()
        self.results.setObjectName("searchResults")
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setDragEnabled(True)
        self.results.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.itemActivated.connect(self._on_activated)
        self.results.itemDoubleClicked.connect(self._on_activated)
        filters = QGridLayout()
        filters.addWidget(self.kind, 0, 0)
        filters.addWidget(self.tag, 0, 1)
        filters.addWidget(self.doc, 1, 0, 1, 2)
        filters.addWidget(self.since, 2, 0)
        filters.addWidget(self.until, 2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.box)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.run_now)
        self.refine_timer = QTimer(self)
        self.refine_timer.setSingleShot(True)
        self.refine_timer.setInterval(REFINE_MS)
        self.refine_timer.timeout.connect(lambda: self.run_now(refine=True))
        self.box.textChanged.connect(lambda _t: self.timer.start())
        self.box.returnPressed.connect(lambda: self.run_now(refine=True))
        self.box.installEventFilter(self)
        for combo in (self.kind, self.tag, self.doc):
            combo.currentIndexChanged.connect(lambda _i: self.timer.start())
        for edit in (self.since, self.until):
            edit.textChanged.connect(lambda _t: self.timer.start())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box goes to the results (Enter there opens one)."""
        if (watched is self.box and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down
                and self.results.count()):
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)

    def set_library(self, lib: Library) -> None:
        self.lib = lib
        self.results.clear()

    def refresh_for(self, update: Update) -> None:
        changes = update.changes
        if changes.tags or changes.documents:
            self.set_filters(update.tags, update.documents)
        if changes.indexed and self.box.text().strip():
            self.run_now()  # it said "indexing…" while the index was being built

    def set_filters(self, tags: list[TagInfo], docs: list[DocumentInfo]) -> None:
        for combo, label, values in (
            (self.tag, "Any tag", [(t.path, t.path) for t in tags]),
            (self.doc, "Any document", [(d.title, str(d.id)) for d in docs]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for text, value in values:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def query(self) -> SearchQuery:
        """The box's words and the filters' choices: filters go as structured fields,
        never as query text (a document is its id, not a title others contain)."""
        tag, doc = self.tag.currentData(), self.doc.currentData()
        return SearchQuery(
            text=as_you_type(self.box.text()),
            doc_ids=(int(doc),) if doc else (),
            tags=(tag,) if tag else (),
            kind=self.kind.currentData(),
            since=self.since.text().strip() or None,
            until=self.until.text().strip() or None,
        )

    def run_now(self, refine: bool = False) -> None:
        """Search now; ``refine`` runs without the per-keystroke time budget."""
        self.timer.stop()
        self.refine_timer.stop()
        self.generation += 1
        query = self.query()
        if self.lib is None or not query:
            self.results.clear()
            self.status.setText("")
            return
        # Every keystroke gets the time budget (a partial answer is refined once typing
        # pauses): a finished common word ("lavado de") could otherwise stall typing.
        typing = not refine
        job = _SearchJob(self.lib, self.generation, query, typing)
        job.signals.done.connect(self._on_done)
        self.pool.start(job)

    def _on_done(self, generation: int, outcome: SearchResult | None, error: str) -> None:
        if generation != self.generation:
            return  # an older query answered late: drop it
        if outcome is not None and outcome.partial:
            self.refine_timer.start()  # the best found in time; the full answer if the user pauses
        self.results.clear()
        if error or outcome is None:
            self.status.setText(error)
            self.failed.emit(error)
            self.searched.emit(0)
            return
        hits = outcome.hits
        self.status.setText(f"{len(hits)} result{'s' if len(hits) != 1 else ''}"
                            + (" (shown as plain words: check quotes and brackets)"
                               if outcome.literal else ""))
        for hit in hits:
            item = QListWidgetItem(snippet_html(hit))
            item.setData(HIT_ROLE, hit)
            item.setToolTip(hit.doc_title)
            self.results.addItem(item)
        self.searched.emit(len(hits))

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.hit_activated.emit(item.data(HIT_ROLE))

