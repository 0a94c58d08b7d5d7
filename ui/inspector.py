"""The inspector: the selected highlight's tags (as chips), note and colour."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import undo
from app.domain import PALETTE, AnnotationInfo
from app.errors import KnownError
from ui.bridge import Update
from ui.models import color_icon, color_of


class NoteEdit(QPlainTextEdit):
    """Commits when it loses focus (or on Ctrl+Enter), one undo step per edit."""

    committed = Signal(str)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.committed.emit(self.toPlainText())
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.committed.emit(self.toPlainText())
            return
        super().keyPressEvent(event)


class Inspector(QWidget):
    command_requested = Signal(object)  # an app.undo command
    open_requested = Signal(int, int)  # doc id, annotation id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.annotation: AnnotationInfo | None = None
        self.raw_color: str | None = None
        self.quote = QLabel()
        self.quote.setObjectName("inspectorQuote")
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chips = QWidget()
        self.chips.setObjectName("tagChips")
        self.chip_layout = QHBoxLayout(self.chips)
        self.chip_layout.setContentsMargins(0, 0, 0, 0)
        chip_scroll = QScrollArea()
        chip_scroll.setWidgetResizable(True)
        chip_scroll.setWidget(self.chips)
        chip_scroll.setFixedHeight(44)
        self.add_tag = QLineEdit()
        self.add_tag.setObjectName("inspectorAddTag")
        self.add_tag.setPlaceholderText("Add tag… (Enter)")
        self.completer = QCompleter([])
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.add_tag.setCompleter(self.completer)
        self.add_tag.returnPressed.connect(self._on_add_tag)
        self.note = NoteEdit()
        self.note.setObjectName("inspectorNote")
        self.note.setPlaceholderText("Note (saved when you leave the box, or Ctrl+Enter)")
        self.note.committed.connect(self._on_note)
        self.color = QComboBox()
        self.color.setObjectName("inspectorColor")
        self.color.addItem("Tag colour", None)
        for name in PALETTE:
            self.color.addItem(color_icon(name), name.capitalize(), name)
        self.color.activated.connect(self._on_color)
        self.delete = QPushButton("Delete highlight")
        self.delete.setObjectName("inspectorDelete")
        self.delete.clicked.connect(self._on_delete)
        self.where = QPushButton("Show in reader")
        self.where.clicked.connect(self._on_show)
        layout = QVBoxLayout(self)
        layout.addWidget(self.quote)
        layout.addWidget(QLabel("Tags"))
        layout.addWidget(chip_scroll)
        layout.addWidget(self.add_tag)
        layout.addWidget(QLabel("Note"))
        layout.addWidget(self.note, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Colour"))
        row.addWidget(self.color, 1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.where)
        buttons.addWidget(self.delete)
        layout.addLayout(buttons)
        self.show_annotation(None)

    def refresh_for(self, update: Update) -> None:
        """Tag names and colours for the editor; the shown highlight as it is now."""
        changes = update.changes
        if changes.tags:
            self.set_tag_names([t.path for t in update.tags])
            self.set_tag_colors({t.path: t.color for t in update.tags})
        current = self.annotation
        if current is not None and (changes.annotations or changes.tags or changes.documents):
            try:
                self.show_annotation(update.lib.annotation(current.id), update.lib.raw_color(current.id),
                                     keep_typing=True)
            except KnownError:
                self.show_annotation(None)  # deleted meanwhile

    def set_tag_names(self, names: list[str]) -> None:
        self.completer.model().setStringList(names)  # type: ignore[attr-defined]

    tag_colors: dict[str, str] = {}  # noqa: RUF012  (replaced, never mutated)

    def set_tag_colors(self, colors: dict[str, str]) -> None:
        self.tag_colors = colors

    def show_annotation(self, ann: AnnotationInfo | None, raw_color: str | None = None,
                        keep_typing: bool = False) -> None:
        """Show ``ann``; ``keep_typing``: a refresh, which leaves a note being typed alone."""
        typing = keep_typing and self.note.hasFocus() and self.annotation is not None \
            and ann is not None and self.annotation.id == ann.id
        self.annotation = ann
        self.raw_color = raw_color
        enabled = ann is not None
        for control in (self.add_tag, self.note, self.color, self.delete, self.where):
            control.setEnabled(enabled)
        while self.chip_layout.count():
            item = self.chip_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if ann is None:
            self.quote.setText("<i>Select a highlight to see and edit it.</i>")
            self.note.setPlainText("")
            return
        by = f"by {escape(ann.author)}" if ann.author else ""
        if ann.updated_by and ann.updated_by != ann.author:
            by += f"{' · ' if by else ''}last changed by {escape(ann.updated_by)}"
        self.quote.setText(f"<b>{escape(ann.doc_title)}</b><br>“{escape(ann.quote)}”"
                           + (f"<br><small>{by}, {ann.updated_at:%Y-%m-%d %H:%M}</small>" if by else ""))
        for tag in ann.tags:
            chip = QPushButton(f"{tag}  ×")
            chip.setObjectName("tagChip")
            chip.setToolTip(f"Remove {tag}")
            colour = self.tag_colors.get(tag, ann.color)  # each tag in its own colour
            chip.setProperty("tagChip", True)  # its shape: resources/styles/dossier.qss
            chip.setStyleSheet(f"background: {color_of(colour).name()};")  # its tag's colour
            chip.clicked.connect(lambda _=False, t=tag: self._on_remove_tag(t))
            self.chip_layout.addWidget(chip)
        self.chip_layout.addStretch(1)
        if self.note.toPlainText() != ann.note and not typing:
            self.note.setPlainText(ann.note)
        index = self.color.findData(raw_color)
        self.color.setCurrentIndex(max(index, 0))

    def _request(self, command: undo.Command) -> None:
        self.command_requested.emit(command)

    def _update(self, **change: Any) -> None:
        """Edit the shown highlight as of the version shown: if another analyst changed it
        meanwhile, the edit is refused and the highlight shown as it now is."""
        assert self.annotation is not None
        shown = self.annotation
        self._request(undo.UpdateAnnotation(shown.id, expected_version=shown.version, **change))
        if self.annotation is not None and self.annotation.id == shown.id:
            # Our own change raised it (until the refresh shows the highlight anew).
            self.annotation = replace(self.annotation, version=shown.version + 1)

    def _on_add_tag(self) -> None:
        name = self.add_tag.text().strip()
        if self.annotation is None or not name:
            return
        self.add_tag.clear()
        if name not in self.annotation.tags:
            self._update(tags=[*self.annotation.tags, name], text="Add tag")

    def _on_remove_tag(self, tag: str) -> None:
        if self.annotation is not None:
            tags = [t for t in self.annotation.tags if t != tag]
            self._update(tags=tags, text="Remove tag")

    def _on_note(self, text: str) -> None:
        if self.annotation is not None and text != self.annotation.note:
            # Until the refresh arrives, remember what we asked for (no duplicate commits).
            self.annotation = replace(self.annotation, note=text)
            self._update(note=text, text="Edit note")

    def _on_color(self, index: int) -> None:
        if self.annotation is None:
            return
        name = self.color.itemData(index)
        if name != self.raw_color:
            self.raw_color = name
            self._update(color=name, clear_color=name is None, text="Change colour")

    def _on_delete(self) -> None:
        if self.annotation is not None:
            self._request(undo.DeleteAnnotation(self.annotation.id))

    def _on_show(self) -> None:
        if self.annotation is not None:
            self.open_requested.emit(self.annotation.doc_id, self.annotation.id)
