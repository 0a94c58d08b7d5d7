"""The briefing workspace: list, memo header, outline with drag and drop, preview."""

from __future__ import annotations

import html
import time
from dataclasses import replace

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import undo
from app.domain import BriefingInfo, ItemInfo
from app.errors import KnownError
from app.library import Library
from exporters import Memo, render_html
from exporters.labels import LANGUAGES
from exporters.quotation import excerpt
from exporters.styles import StyleInfo
from ui.bridge import Update
from ui.inspector import NoteEdit
from ui.models import ANNOTATION_MIME, annotation_ids

KIND_ROLE = Qt.ItemDataRole.UserRole + 30
ID_ROLE = Qt.ItemDataRole.UserRole + 31
HEADER = (("title", "Title"), ("to", "To"), ("from_", "From"), ("date", "Date"), ("subject", "Subject"),
          ("classification", "Classification"))
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français"}
PAIRED = {"to": "from_", "date": "classification"}  # fields that share a row
PREVIEW_DELAY_MS = 40  # after a keystroke: long enough to take a burst of keys as one


class OutlineTree(QTreeWidget):
    """Sections and their excerpts; drops become library edits, never local moves."""

    move_item = Signal(int, int, int)  # item id, section id, position
    move_section = Signal(int, int)  # section id, position
    add_annotations = Signal(list, int, int)  # annotation ids, section id (0: new), position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("briefingOutline")
        self.setHeaderHidden(True)
        self.setWordWrap(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(ANNOTATION_MIME) or event.source() is self:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)
        if event.mimeData().hasFormat(ANNOTATION_MIME) or event.source() is self:
            event.acceptProposedAction()

    def drop_target(self, item: QTreeWidgetItem | None, below: bool, on: bool) -> tuple[int, int]:
        """(section id, position) for a drop on/around ``item``; (0, 0) = a new section."""
        if item is None:
            last = self.topLevelItem(self.topLevelItemCount() - 1)
            return (int(last.data(0, ID_ROLE)), last.childCount()) if last else (0, 0)
        if item.data(0, KIND_ROLE) == "section":
            if on or below:
                return int(item.data(0, ID_ROLE)), item.childCount() if on else 0
            return int(item.data(0, ID_ROLE)), 0
        section = item.parent()
        assert section is not None
        return int(section.data(0, ID_ROLE)), section.indexOfChild(item) + (1 if below else 0)

    def dropEvent(self, event: QDropEvent) -> None:
        target = self.itemAt(event.position().toPoint())
        indicator = self.dropIndicatorPosition()
        below = indicator == QAbstractItemView.DropIndicatorPosition.BelowItem
        on = indicator == QAbstractItemView.DropIndicatorPosition.OnItem
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        ids = annotation_ids(event.mimeData())
        if ids and event.source() is not self:
            section, position = self.drop_target(target, below, on)
            self.add_annotations.emit(ids, section, position)
            return
        dragged = self.currentItem()
        if dragged is None or dragged is target:
            return
        if dragged.data(0, KIND_ROLE) == "section":
            while target is not None and target.data(0, KIND_ROLE) != "section":
                target = target.parent()
            index = self.indexOfTopLevelItem(target) if target else self.topLevelItemCount()
            current = self.indexOfTopLevelItem(dragged)
            index += 1 if below else 0
            index -= 1 if current < index else 0
            self.move_section.emit(int(dragged.data(0, ID_ROLE)), index)
        else:
            section, position = self.drop_target(target, below, on)
            parent = dragged.parent()
            same_section = parent is not None and int(parent.data(0, ID_ROLE)) == section
            if same_section and parent is not None and parent.indexOfChild(dragged) < position:
                position -= 1
            if section:
                self.move_item.emit(int(dragged.data(0, ID_ROLE)), section, position)


class _PreviewSignals(QObject):
    done = Signal(int, str)  # generation, the page (or the reason there is none)


class _PreviewJob(QRunnable):
    def __init__(self, lib: Library, briefing: BriefingInfo, generation: int,
                 typing: tuple[int, str] | None) -> None:
        super().__init__()
        self.lib, self.briefing, self.generation, self.typing = lib, briefing, generation, typing
        self.signals = _PreviewSignals()

    def run(self) -> None:
        try:
            memo = self.lib.memo(self.briefing.id)
            if self.typing is not None:
                memo = with_commentary(memo, self.briefing, *self.typing)
            page = render_html(memo)
        except KnownError as exc:
            page = f"<p>{html.escape(str(exc))}</p>"
        self.signals.done.emit(self.generation, page)


def with_commentary(memo: Memo, briefing: BriefingInfo, item_id: int, text: str) -> Memo:
    """``memo`` with one item's commentary as it is being typed (not yet saved)."""
    sections = []
    for sec_info, sec in zip(briefing.sections, memo.sections, strict=False):
        excerpts = tuple(replace(ex, commentary=text) if item.id == item_id else ex
                         for item, ex in zip(sec_info.items, sec.excerpts, strict=False))
        sections.append(replace(sec, excerpts=excerpts))
    return replace(memo, sections=tuple(sections))


class BriefingEditor(QWidget):
    command_requested = Signal(object)
    export_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("briefingEditor")
        self.lib: Library | None = None
        self.briefing: BriefingInfo | None = None
        self._same = False  # the last show_briefing showed the briefing already shown
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label in HEADER:
            edit = QLineEdit()
            edit.setObjectName(f"brief_{key}")
            edit.setPlaceholderText(label if key in PAIRED else "")
            edit.editingFinished.connect(lambda k=key: self._on_field(k))
            self.fields[key] = edit
        # Two short fields a row: the outline below gets the height.
        for key, label in HEADER:
            if key in PAIRED.values():
                continue
            if key in PAIRED:
                row = QHBoxLayout()
                row.addWidget(self.fields[key])
                row.addWidget(self.fields[PAIRED[key]])
                form.addRow(f"{label} / {dict(HEADER)[PAIRED[key]]}", row)
            else:
                form.addRow(label, self.fields[key])
        portion = QLineEdit()
        portion.setObjectName("brief_portion_marking")
        portion.setPlaceholderText("(U)…")
        portion.setToolTip("Portion marking: e.g. U or U//FOUO starts each paragraph with (U)")
        portion.setMaximumWidth(90)
        portion.editingFinished.connect(lambda: self._on_field("portion_marking"))
        self.fields["portion_marking"] = portion
        self.style_choice = QComboBox()  # filled by set_styles once a project is open
        self.style_choice.setObjectName("brief_style")
        self.style_choice.activated.connect(
            lambda _i: self._update("style", str(self.style_choice.currentData())))
        self.language_choice = QComboBox()
        self.language_choice.setObjectName("brief_language")
        for code in LANGUAGES:
            self.language_choice.addItem(LANGUAGE_NAMES.get(code, code), code)
        self.language_choice.activated.connect(
            lambda _i: self._update("language", str(self.language_choice.currentData())))
        self.style_choice.setToolTip("Citation style of the notes and the sources list")
        for combo in (self.style_choice, self.language_choice):  # long style names must not widen the editor
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.language_choice.setToolTip("Memo language: its fixed words and quotation marks")
        memo_row = QHBoxLayout()  # one row: the editor shares the window with the reader
        memo_row.addWidget(self.style_choice, 1)
        memo_row.addWidget(self.language_choice)
        memo_row.addWidget(portion)
        form.addRow("Citations", memo_row)
        self.summary = NoteEdit()
        self.summary.setObjectName("brief_summary")
        self.summary.setPlaceholderText("Bottom line up front")
        self.summary.setMaximumHeight(64)
        self.summary.committed.connect(lambda text: self._update("summary", text))
        form.addRow("Summary", self.summary)
        self.outline = OutlineTree()
        self.outline.move_item.connect(self._on_move_item)
        self.outline.move_section.connect(self._on_move_section)
        self.outline.add_annotations.connect(self._on_add)
        self.outline.currentItemChanged.connect(self._on_current)
        self.outline.itemChanged.connect(self._on_renamed)
        self.commentary = NoteEdit()
        self.commentary.setObjectName("brief_commentary")
        self.commentary.setPlaceholderText("Your commentary on the selected excerpt")
        self.commentary.setMaximumHeight(90)
        self.commentary.committed.connect(self._on_commentary)
        self.trim = QLineEdit()
        self.trim.setObjectName("brief_trim")
        self.trim.setPlaceholderText("The excerpt as quoted: … leaves words out, [ ] adds yours")
        self.trim.setToolTip("Shorten the quote: “…” where words are left out, “[…]” around words of "
                             "your own. The export checks every other word is the source's, in order.")
        self.trim.editingFinished.connect(self._on_trim)
        buttons = QHBoxLayout()
        for text, name, slot in (("Add section", "addSection", self._add_section),
                                 ("Up", "moveUp", lambda: self._move(-1)),
                                 ("Down", "moveDown", lambda: self._move(1)),
                                 ("Remove", "removeOutline", self._remove),
                                 ("Export…", "exportBriefing", self._export)):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.preview = QTextBrowser()
        self.preview.setObjectName("briefingPreview")
        self.preview.setOpenLinks(False)
        edit_page = QWidget()
        edit_layout = QVBoxLayout(edit_page)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        edit_layout.addLayout(form)
        edit_layout.addWidget(QLabel("Sections and excerpts (drag to reorder; drop highlights here)"))
        edit_layout.addWidget(self.outline, 1)
        edit_layout.addWidget(self.trim)
        edit_layout.addWidget(self.commentary)
        edit_layout.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit_page)
        self.commentary.textChanged.connect(self._preview_timer_start)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._refresh_preview)
        self._preview_generation = 0
        self.preview_shown_at = 0.0  # perf_counter() when the last page was shown (benchmarks)
        self.show_briefing(None)

    # -- showing ----------------------------------------------------------------
    def set_styles(self, styles: list[StyleInfo]) -> None:
        """The citation styles on offer: the built-in ones, then this computer's house styles."""
        self.style_choice.clear()
        for info in styles:
            self.style_choice.addItem(f"{info.title} (house style)" if info.house else info.title, info.name)
        self.show_briefing(self.briefing)

    def show_briefing(self, briefing: BriefingInfo | None) -> None:
        # The same briefing shown again (a colleague's change, or ours): what is being typed
        # stays as typed; it is saved when the field is left.
        self._same = self.briefing is not None and briefing is not None and self.briefing.id == briefing.id
        self.briefing = briefing
        self.setEnabled(briefing is not None)
        selected = self._selected()
        for key, edit in self.fields.items():
            value = getattr(briefing, key) if briefing else ""
            if edit.text() != value and not (self._same and edit.hasFocus()):
                edit.setText(value)
        typing = self._same and self.summary.hasFocus()
        if briefing is None or (self.summary.toPlainText() != briefing.summary and not typing):
            self.summary.setPlainText(briefing.summary if briefing else "")
        styles = self.style_choice
        if briefing is not None and styles.count() and styles.findData(briefing.style) < 0:
            # A colleague's house style this computer lacks: said, not silently replaced.
            self.style_choice.addItem(f"{briefing.style} (not on this computer)", briefing.style)
        for combo, value in ((self.style_choice, briefing.style if briefing else None),
                             (self.language_choice, briefing.language if briefing else None)):
            index = combo.findData(value)
            if index >= 0:
                combo.setCurrentIndex(index)
        self.outline.blockSignals(True)
        self.outline.clear()
        if briefing is not None:
            for sec in briefing.sections:
                top = QTreeWidgetItem([sec.heading])
                top.setData(0, KIND_ROLE, "section")
                top.setData(0, ID_ROLE, sec.id)
                top.setFlags(top.flags() | Qt.ItemFlag.ItemIsEditable)
                font = top.font(0)
                font.setBold(True)
                top.setFont(0, font)
                self.outline.addTopLevelItem(top)
                for item in sec.items:
                    quote = " ".join(item.quote.split())
                    # In the memo language's marks, its own quotes nested, as the memo prints it.
                    shown = excerpt(quote, briefing.language)
                    child = QTreeWidgetItem([f"{shown} — {item.annotation.doc_title}"])
                    child.setData(0, KIND_ROLE, "item")
                    child.setData(0, ID_ROLE, item.id)
                    child.setToolTip(0, item.commentary or quote)
                    child.setFlags(child.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
                    top.addChild(child)
                top.setExpanded(True)
        self.outline.blockSignals(False)
        if selected:
            self._reselect(*selected)
        self._on_current(self.outline.currentItem(), None)
        self._preview_timer.start()

    def _selected(self) -> tuple[str, int] | None:
        item = self.outline.currentItem()
        return (str(item.data(0, KIND_ROLE)), int(item.data(0, ID_ROLE))) if item else None

    def _reselect(self, kind: str, ident: int) -> None:
        for i in range(self.outline.topLevelItemCount()):
            top = self.outline.topLevelItem(i)
            if top is None:
                continue
            for item in [top, *(top.child(j) for j in range(top.childCount()))]:
                if item is not None and item.data(0, KIND_ROLE) == kind and item.data(0, ID_ROLE) == ident:
                    self.outline.setCurrentItem(item)
                    return

    def refresh_preview(self) -> None:
        """Redraw the preview soon (it is drawn only while on show)."""
        self._preview_timer.start()

    def _preview_timer_start(self) -> None:
        if self.preview.isVisible():
            self._preview_timer.start()

    def _refresh_preview(self) -> None:
        """Render the memo off the UI thread (citing runs the citation processor as a child
        process), with the commentary being typed; only the latest request's page is shown."""
        if self.briefing is not None and self.lib is not None and self.preview.isVisible():
            self._preview_generation += 1
            typing = None
            item = self.outline.currentItem()
            if item is not None and item.data(0, KIND_ROLE) == "item":
                typing = (int(item.data(0, ID_ROLE)), self.commentary.toPlainText())
            job = _PreviewJob(self.lib, self.briefing, self._preview_generation, typing)
            job.signals.done.connect(self._on_preview)
            QThreadPool.globalInstance().start(job)

    def _on_preview(self, generation: int, page: str) -> None:
        if generation == self._preview_generation:
            self.preview.setHtml(page)
            self.preview_shown_at = time.perf_counter()

    # -- edits ------------------------------------------------------------------
    def _edit(self, text: str, action: object) -> None:
        if self.briefing is not None:
            self.command_requested.emit(undo.BriefingEdit(text, self.briefing.id, action))  # type: ignore[arg-type]

    def _update(self, key: str, value: str) -> None:
        if self.briefing is not None and getattr(self.briefing, key) != value:
            bid, seen = self.briefing.id, self.briefing.version
            # As of the version shown: a colleague's change since then makes this a conflict.
            self._edit("Edit briefing", lambda lib: lib.update_briefing(bid, expected_version=seen,
                                                                        **{key: value}))
            if self.briefing is not None and self.briefing.id == bid:
                self.briefing = replace(self.briefing, version=seen + 1)  # our own change raised it

    def _on_field(self, key: str) -> None:
        value = self.fields[key].text().strip()
        if key == "title" and not value and self.briefing is not None:
            self.fields[key].setText(self.briefing.title)
            return
        self._update(key, value)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        is_item = item is not None and item.data(0, KIND_ROLE) == "item"
        self.commentary.setEnabled(is_item)
        self.trim.setEnabled(is_item)
        text = quote = ""
        if is_item and self.briefing is not None:
            assert item is not None
            found = self._item(int(item.data(0, ID_ROLE)))
            if found is not None:
                text, quote = found.commentary, found.quote
        if not (self._same and self.commentary.hasFocus()):
            self.commentary.blockSignals(True)
            self.commentary.setPlainText(text)
            self.commentary.blockSignals(False)
        if not (self._same and self.trim.hasFocus()):
            self.trim.setText(" ".join(quote.split()))

    def _item(self, ident: int) -> ItemInfo | None:
        if self.briefing is None:
            return None
        return next((i for s in self.briefing.sections for i in s.items if i.id == ident), None)

    def _on_trim(self) -> None:
        item = self.outline.currentItem()
        if item is None or item.data(0, KIND_ROLE) != "item":
            return
        ident = int(item.data(0, ID_ROLE))
        found = self._item(ident)
        text = self.trim.text().strip()
        if found is None or text == " ".join(found.quote.split()):
            return
        whole = " ".join(found.annotation.quote.split())
        quote = None if not text or text == whole else text
        self._edit("Trim excerpt", lambda lib: lib.trim_item(ident, quote))

    def _on_commentary(self, text: str) -> None:
        item = self.outline.currentItem()
        if item is None or item.data(0, KIND_ROLE) != "item" or self.briefing is None:
            return
        ident = int(item.data(0, ID_ROLE))
        old = next((i.commentary for s in self.briefing.sections for i in s.items if i.id == ident), "")
        if text != old:
            self._edit("Edit commentary", lambda lib: lib.update_item(ident, text))

    def _on_renamed(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, KIND_ROLE) == "section" and item.text(0).strip():
            ident, heading = int(item.data(0, ID_ROLE)), item.text(0).strip()
            self._edit("Rename section", lambda lib: lib.rename_section(ident, heading))

    def _on_move_item(self, item_id: int, section_id: int, position: int) -> None:
        self._edit("Move excerpt", lambda lib: lib.move_item(item_id, section_id, position))

    def _on_move_section(self, section_id: int, position: int) -> None:
        self._edit("Move section", lambda lib: lib.move_section(section_id, position))

    def _on_add(self, ids: list[int], section_id: int, position: int) -> None:
        if self.briefing is None:
            return
        bid = self.briefing.id
        heading = next((s.heading for s in self.briefing.sections if s.id == section_id), None)

        def add(lib: Library) -> None:
            before = {i.id for s in lib.briefing(bid).sections for i in s.items}
            after = lib.add_items(bid, ids, section=heading)
            new = [i for s in after.sections for i in s.items if i.id not in before]
            for offset, item in enumerate(new):
                target = section_id or next(s.id for s in after.sections if item in s.items)
                lib.move_item(item.id, target, position + offset)

        self._edit("Add excerpts", add)

    def _add_section(self) -> None:
        if self.briefing is None:
            return
        bid = self.briefing.id
        names = {s.heading for s in self.briefing.sections}
        n = 1
        while f"New section {n}" in names:
            n += 1
        heading = f"New section {n}"
        self._edit("Add section", lambda lib: lib.add_section(bid, heading))

    def _move(self, delta: int) -> None:
        selected = self._selected()
        item = self.outline.currentItem()
        if selected is None or item is None:
            return
        kind, ident = selected
        if kind == "section":
            index = self.outline.indexOfTopLevelItem(item) + delta
            if 0 <= index < self.outline.topLevelItemCount():
                self._on_move_section(ident, index)
        else:
            parent = item.parent()
            assert parent is not None
            index = parent.indexOfChild(item) + delta
            if 0 <= index < parent.childCount():
                self._on_move_item(ident, int(parent.data(0, ID_ROLE)), index)

    def _remove(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        kind, ident = selected
        if kind == "section":
            self._edit("Delete section", lambda lib: lib.delete_section(ident))
        else:
            self._edit("Remove excerpt", lambda lib: lib.remove_item(ident))

    def _export(self) -> None:
        if self.briefing is not None:
            self.export_requested.emit(self.briefing.id)


class BriefingPanel(QWidget):
    """Briefing list above the editor."""

    command_requested = Signal(object)
    new_from_query = Signal()
    export_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lib: Library | None = None
        self.list = QListWidget()
        self.list.setObjectName("briefingList")
        self.list.currentItemChanged.connect(lambda cur, _prev: self._show_current())
        self.editor = BriefingEditor()
        self.editor.command_requested.connect(self.command_requested)
        self.editor.export_requested.connect(self.export_requested)
        new = QPushButton("New")
        new.setObjectName("newBriefing")
        new.clicked.connect(lambda: self.command_requested.emit(undo.CreateBriefing("Untitled briefing")))
        from_query = QPushButton("From tag/search…")
        from_query.setObjectName("newBriefingFromQuery")
        from_query.clicked.connect(self.new_from_query)
        delete = QPushButton("Delete")
        delete.setObjectName("deleteBriefing")
        delete.clicked.connect(self._delete)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.list)
        row = QHBoxLayout()
        row.addWidget(new)
        row.addWidget(delete)
        left_layout.addLayout(row)
        left_layout.addWidget(from_query)
        splitter = QSplitter(Qt.Orientation.Horizontal)  # the list beside the editor: it gets the height
        splitter.addWidget(left)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([150, 520])
        left.setMinimumWidth(110)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def set_library(self, lib: Library) -> None:
        self.lib = lib
        self.editor.lib = lib
        self.editor.set_styles(lib.citation_styles())
        self.refresh()

    def refresh_for(self, update: Update) -> None:
        changes = update.changes
        # An edited highlight may be an excerpt in the open briefing.
        shown = self.editor.briefing
        shows_any = shown is not None and any(s.items for s in shown.sections)
        if changes.briefings or changes.documents or (changes.annotations and shows_any):
            self.refresh()

    def refresh(self, select: int | None = None) -> None:
        if self.lib is None:
            return
        current = select if select is not None else self.current_id()
        self.list.blockSignals(True)
        self.list.clear()
        for b in self.lib.briefings():
            item = QListWidgetItem(b.title)
            item.setData(Qt.ItemDataRole.UserRole, b.id)
            self.list.addItem(item)
            if b.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._show_current()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _show_current(self) -> None:
        ident = self.current_id()
        self.editor.show_briefing(self.lib.briefing(ident) if self.lib and ident is not None else None)

    def _delete(self) -> None:
        ident = self.current_id()
        if ident is not None:
            self.command_requested.emit(undo.DeleteBriefing(ident))


class BriefingWorkspace(QSplitter):
    """The window's briefing mode: the briefings and their editor, with the memo as it
    will print beside them, updated as you type."""

    def __init__(self, panel: BriefingPanel, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("briefingWorkspace")
        self.panel = panel
        scroll = QScrollArea()  # only a window far smaller than a laptop's needs it
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(panel)
        self.addWidget(scroll)
        panel.editor.preview.setMinimumWidth(160)
        self.addWidget(panel.editor.preview)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setSizes([640, 420])
        self.setChildrenCollapsible(False)
