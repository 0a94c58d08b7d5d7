"""The reader: a document's text with headings styled and highlights painted.

Positions inside Qt are UTF-16 units; everything we emit or accept is in code
points (``OffsetMap`` converts), so highlights after emoji are exact.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QHelpEvent,
    QMouseEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.domain import AnnotationInfo, DocumentInfo, Span
from ui.models import color_of
from ui.offsets import OffsetMap

HEADING_SIZES = {1: 1.6, 2: 1.35, 3: 1.2}
OVERLAP_DARKER = 135  # where highlights overlap, a stronger fill (QColor.darker's percent)


MEASURE = 75  # characters a line at most


def _overlaps(annotations: list[AnnotationInfo]) -> list[tuple[int, int, str]]:
    """Where two or more highlights cover the same text: (start, end, the later one's
    colour). ``annotations`` are sorted by start."""
    out = []
    for i, a in enumerate(annotations):
        for b in annotations[i + 1:]:
            if b.start >= a.end:
                break
            out.append((b.start, min(a.end, b.end), b.color))
    return out


class ReaderView(QPlainTextEdit):
    annotation_clicked = Signal(int)
    selection_made = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.menu_actions: list[QAction] = []  # offered first in the context menu
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.5))
        self.setFont(font)
        self.document().setDocumentMargin(18)
        self.doc_id: int | None = None
        self.text = ""
        self.map = OffsetMap("")
        self.annotations: list[AnnotationInfo] = []
        self._marks: list[tuple[int, int]] = []
        self._flash: tuple[int, int] | None = None
        self.viewport().installEventFilter(self)

    def set_reader_font(self, family: str | None, size: float | None) -> None:
        font = self.font()
        if family:
            font.setFamily(family)
        if size:
            font.setPointSizeF(size)
        self.setFont(font)
        self._fit_measure()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_measure()

    def _fit_measure(self) -> None:
        """Lines of about ``MEASURE`` characters, centred: wider ones are hard to read."""
        wanted = self.fontMetrics().averageCharWidth() * MEASURE + 2 * self.document().documentMargin()
        side = max(0, int((self.width() - wanted) / 2))
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 0, side, 0)
            # QPlainTextEdit wraps at the viewport's width when the widget is resized, which
            # was before the margins changed: have it wrap again at the new width.
            self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)

    # -- content ---------------------------------------------------------------
    def load(self, doc_id: int, text: str, spans: list[Span], annotations: list[AnnotationInfo]) -> None:
        self.doc_id = doc_id
        self.text = text
        self.map = OffsetMap(text)
        self._marks = []
        self._flash = None
        # The caret's format (a heading's, if it sat in one) would otherwise carry over to
        # all of the new text.
        self.setCurrentCharFormat(QTextCharFormat())
        self.document().clear()
        self.setPlainText(text)
        self._style_headings(spans)
        self.set_annotations(annotations)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def clear_document(self) -> None:
        self.doc_id = None
        self.text = ""
        self.map = OffsetMap("")
        self.annotations = []
        self.setPlainText("")

    def _style_headings(self, spans: list[Span]) -> None:
        base = self.font().pointSizeF()
        cursor = QTextCursor(self.document())
        for span in spans:
            if span.kind != "heading":
                continue
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setFontPointSize(base * HEADING_SIZES.get(span.extra, 1.1))
            cursor.setPosition(self.map.to_qt(span.start))
            cursor.setPosition(self.map.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    def set_annotations(self, annotations: list[AnnotationInfo]) -> None:
        # An orphan has no place in this version's text (the review list shows it).
        self.annotations = sorted((a for a in annotations if not a.orphaned), key=lambda a: (a.start, a.end))
        self._repaint_selections()

    def mark_matches(self, matches: list[tuple[int, int]]) -> None:
        """Outline search matches (code-point spans)."""
        self._marks = matches
        self._repaint_selections()

    def next_match(self, step: int = 1) -> tuple[int, int] | None:
        """Go to the next (``step`` 1) or previous (-1) search match from the cursor,
        wrapping round; the match it went to."""
        if not self._marks:
            return None
        marks = sorted(self._marks)
        here = self.map.from_qt(self.textCursor().position())
        if step > 0:
            target = next((m for m in marks if m[0] > here), marks[0])
        else:
            target = next((m for m in reversed(marks) if m[0] < here), marks[-1])
        self.show_span(*target)
        return target

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.map.to_qt(start))
        cursor.setPosition(self.map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        sel.format = fmt
        return sel

    def _repaint_selections(self) -> None:
        selections = []
        for ann in self.annotations:  # opaque: the colour the tag shows everywhere
            fmt = QTextCharFormat()
            fmt.setBackground(color_of(ann.color))
            selections.append(self._selection(ann.start, ann.end, fmt))
        for start, end, color in _overlaps(self.annotations):
            fmt = QTextCharFormat()
            fmt.setBackground(color_of(color).darker(OVERLAP_DARKER))
            selections.append(self._selection(start, end, fmt))
        for start, end in self._marks:  # clearly marked until the next search
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 213, 0, 210))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor("#d9480f"))
            fmt.setFontWeight(QFont.Weight.Bold)
            selections.append(self._selection(start, end, fmt))
        if self._flash is not None:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 140, 0, 170))
            selections.append(self._selection(*self._flash, fmt))
        self.setExtraSelections(selections)

    # -- positions -------------------------------------------------------------
    def selected_span(self) -> tuple[int, int] | None:
        """The selection in code points, trimmed of surrounding white space."""
        cursor = self.textCursor()
        if not cursor.hasSelection() or self.doc_id is None:
            return None
        start = self.map.from_qt(cursor.selectionStart())
        end = self.map.from_qt(cursor.selectionEnd())
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(self.map.to_qt(start))
        cursor.setPosition(self.map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def annotations_at(self, cp: int) -> list[AnnotationInfo]:
        hits = [a for a in self.annotations if a.start <= cp < a.end]
        return sorted(hits, key=lambda a: a.end - a.start)

    def _cp_at(self, point: QPoint) -> int:
        return self.map.from_qt(self.cursorForPosition(point).position())

    def show_span(self, start: int, end: int, flash: bool = True) -> None:
        """Scroll to a span and flash it briefly."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.map.to_qt(end))
        self.setTextCursor(cursor)
        cursor.setPosition(self.map.to_qt(start))
        self.setTextCursor(cursor)
        self.centerCursor()
        if flash:
            self._flash = (start, end)
            self._repaint_selections()
            QTimer.singleShot(900, self._end_flash)

    def _end_flash(self) -> None:
        self._flash = None
        self._repaint_selections()

    # -- events ----------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        first = menu.actions()[0] if menu.actions() else None
        for action in self.menu_actions:
            menu.insertAction(first, action)  # type: ignore[arg-type]
        if first is not None:
            menu.insertSeparator(first)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.textCursor().hasSelection():
            self.selection_made.emit()
            return
        hits = self.annotations_at(self._cp_at(event.position().toPoint()))
        if hits:
            self.annotation_clicked.emit(hits[0].id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            hits = self.annotations_at(self._cp_at(event.pos()))
            if hits:
                lines = []
                for ann in hits:
                    tags = ", ".join(ann.tags) or "(no tags)"
                    lines.append(f"<b>{tags}</b>" + (f"<br>{ann.note}" if ann.note else ""))
                QToolTip.showText(event.globalPos(), "<hr>".join(lines), self)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)


class ReaderPanel(QWidget):
    """The metadata header above the reader."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel()
        self.header.setObjectName("readerHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setMargin(8)
        self.view = ReaderView()
        self.version = 0  # the shown document's version: a new one reloads the text
        # A saved web page's furniture, set aside on import: a note, and the lines on request.
        self.furniture_note = QPushButton()
        self.furniture_note.setObjectName("furnitureNote")
        self.furniture_note.setCheckable(True)
        self.furniture_note.setFlat(True)
        self.furniture_note.toggled.connect(self._show_furniture)
        self.furniture = QPlainTextEdit()
        self.furniture.setObjectName("furnitureText")
        self.furniture.setReadOnly(True)
        self.furniture.setMaximumHeight(140)
        self.furniture.hide()
        self.empty = QWidget()  # what a project with no documents shows: what to do next
        self.empty.setObjectName("emptyState")
        intro = QLabel(
            "<h2>Start by bringing in your sources</h2>"
            "<p>Import testimony, statements, reports, slide decks or web pages saved as text "
            "(File ▸ Import, Ctrl+I), or drop files and folders on the library.</p>"
            "<p>Then select a passage and press <b>H</b> to highlight and tag it, find anything "
            "again with <b>Ctrl+F</b>, and build a memo under <b>Briefings</b>.</p>"
            "<p>New here? The sample project has two short reports, highlights and a briefing.</p>")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.import_button = QPushButton("Import files…")
        self.import_button.setObjectName("emptyImport")
        self.sample_button = QPushButton("Open the sample project")
        self.sample_button.setObjectName("emptySample")
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.setContentsMargins(48, 36, 48, 36)
        empty_layout.addWidget(intro)
        empty_layout.addLayout(buttons)
        empty_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.furniture_note)
        layout.addWidget(self.furniture)
        layout.addWidget(self.view)
        layout.addWidget(self.empty)
        self.show_placeholder()

    def show_placeholder(self, empty_project: bool = False) -> None:
        """No document open; ``empty_project``: none to open either, so say how to start."""
        self.header.setText("<i>Open a document from the library, or import one (File ▸ Import, "
                            "or drop files on the library).</i>")
        self.header.setVisible(not empty_project)
        self.view.setVisible(not empty_project)
        self.empty.setVisible(empty_project)
        self.view.clear_document()
        self.set_furniture([])

    def show_document(self, doc: DocumentInfo, text: str, spans: list[Span],
                      annotations: list[AnnotationInfo], set_aside: list[str] | None = None) -> None:
        self.empty.hide()
        self.header.show()
        self.view.show()
        self.set_header(doc)
        self.version = doc.version
        self.set_furniture(set_aside or [])
        self.view.load(doc.id, text, spans, annotations)

    def set_furniture(self, lines: list[str]) -> None:
        """Say what a saved page's import set aside, collapsed until asked for."""
        self.furniture_note.setChecked(False)
        self.furniture.setPlainText("\n".join(lines))
        self.furniture_note.setVisible(bool(lines))
        self._show_furniture(False)

    def _show_furniture(self, shown: bool) -> None:
        lines = self.furniture.blockCount() if self.furniture.toPlainText() else 0
        arrow = "▾" if shown else "▸"
        self.furniture_note.setText(f"{arrow} Page furniture set aside on import ({lines} lines: "
                                    "banners, menus, share links…). "
                                    + ("Click to hide." if shown else "Click to see it."))
        self.furniture.setVisible(shown)

    def set_header(self, doc: DocumentInfo) -> None:
        from html import escape

        details = " · ".join(escape(x) for x in (doc.author, doc.published, doc.format.upper(),
                                                  doc.language and doc.language.upper()) if x)
        source = f"<br><small>{escape(doc.source)}</small>" if doc.source else ""
        self.header.setText(f"<span style='font-size:14pt'><b>{escape(doc.title)}</b></span>"
                            f"<br>{details}{source}")
