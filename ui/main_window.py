"""The main window: library | reader | inspector, with tags, highlights, search, briefings."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from app import undo
from app.domain import PALETTE, AnnotationInfo, Changes, ImportResult, SearchHit
from app.errors import EditConflict, KnownError
from app.importers import SUPPORTED
from app.library import Library
from app.paths import sample_project_path
from app.sample import build_sample
from app.versions import ReimportResult
from exporters.atomic import safe_file_name
from resources import STYLESHEET
from storage.server import is_server_url
from ui import dialogs
from ui.annotation_panel import AnnotationPanel
from ui.bridge import LibraryBridge, Update
from ui.briefing_panel import BriefingPanel, BriefingWorkspace
from ui.favourites_bar import FavouritesBar
from ui.inspector import Inspector
from ui.library_panel import LibraryPanel
from ui.orphans_dialog import OrphansDialog
from ui.reader_view import ReaderPanel
from ui.search_panel import SearchPanel
from ui.settings import Settings
from ui.shortcuts import ShortcutSheet, redo_keys, unique_keys
from ui.tag_panel import TagPanel
from ui.tag_picker import TagPicker
from ui.tasks import TaskRunner
from ui.undo_commands import LibraryCommand
from ui.workers import Progress, Worker, run_with_progress

EXPORT_FILTER = "Word memo (*.docx);;Markdown (*.md);;Web page (*.html);;PDF (*.pdf)"


DEFAULT_SIZE = QSize(1400, 880)


def default_size(available: QSize) -> QSize:
    """1400×880, or what fits the screen's free area (a 1366×768 laptop's is smaller)."""
    return DEFAULT_SIZE.boundedTo(QSize(max(640, available.width() - 16), max(480, available.height() - 32)))


class _Subscriber:
    """A view that is a function of the window's (the reader's state lives there)."""

    def __init__(self, refresh: Callable[[Update], None]) -> None:
        self.refresh_for = refresh


class MainWindow(QMainWindow):
    def __init__(self, lib: Library, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))  # its dialogs inherit it
        self.settings = settings
        self.lib = lib
        self.bridge = LibraryBridge(lib, self)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(settings.undo_limit())
        self.doc_id: int | None = None
        self.tag_filter: str | None = None
        self.last_tags: list[str] = []
        self.picker: TagPicker | None = None
        self.orphans: OrphansDialog | None = None
        self._closed = False

        self.library_panel = LibraryPanel()
        self.reading = _Subscriber(self._refresh_reading)  # the reader and highlight list
        self.notices = _Subscriber(self._show_notice)  # background work's messages
        self.tasks = TaskRunner(self)
        self.reader = ReaderPanel()
        self.inspector = Inspector()
        self.tags = TagPanel()
        self.highlights = AnnotationPanel()
        self.search = SearchPanel()
        self.briefings = BriefingPanel()
        self.workspace = BriefingWorkspace(self.briefings)
        self.modes = QTabWidget()  # Reading, and the briefing workspace where the memo gets the centre
        self.modes.setObjectName("modeTabs")
        self.modes.setDocumentMode(True)
        self.modes.setMinimumSize(240, 160)  # not the sum of both modes' minimums
        self.modes.addTab(self.reader, "Reading")
        self.modes.addTab(self.workspace, "Briefing")
        self.modes.currentChanged.connect(self._on_mode)
        self._reading_docks: dict[str, bool] = {}
        self.setCentralWidget(self.modes)
        self._docks()
        self._actions()
        self._connect()
        self.resize(default_size(self.screen().availableGeometry().size()))
        self.attach(lib)
        self.reader.view.set_reader_font(*settings.reader_font())
        geometry, state = settings.geometry(), settings.state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # -- building ----------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea,
              scroll: bool = False) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        if scroll:  # tall panels scroll rather than force a tall window on small screens
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setFrameShape(QFrame.Shape.NoFrame)
            area_widget.setWidget(widget)
            dock.setWidget(area_widget)
        else:
            dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _docks(self) -> None:
        left, right, bottom = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        self.library_dock = self._dock("Library", "libraryDock", self.library_panel, left)
        self.tags_dock = self._dock("Tags", "tagsDock", self.tags, left)
        self.inspector_dock = self._dock("Highlight", "inspectorDock", self.inspector, right, scroll=True)
        self.search_dock = self._dock("Search", "searchDock", self.search, right)
        self.highlights_dock = self._dock("Highlights", "highlightsDock", self.highlights, bottom)
        self.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        self.splitDockWidget(self.inspector_dock, self.search_dock, Qt.Orientation.Vertical)
        self.search_dock.raise_()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.library_dock, self.inspector_dock], [360, 420], Qt.Orientation.Horizontal)
        self.resizeDocks([self.inspector_dock, self.search_dock], [300, 560], Qt.Orientation.Vertical)
        self.resizeDocks([self.highlights_dock], [200], Qt.Orientation.Vertical)

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
                context: QWidget | None = None, name: str = "") -> QAction:
        action = QAction(text, context or self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if context is not None:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            context.addAction(action)
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self._action("&New Project…", self.new_project, QKeySequence.StandardKey.New))
        file.addAction(self._action("&Open Project…", self.open_project_dialog,
                                    QKeySequence.StandardKey.Open))
        file.addAction(self._action("Open &Server Project…", self.open_server_dialog,
                                    name="openServerAction"))
        self.recent_menu = file.addMenu("Open &Recent")
        file.addSeparator()
        self.import_action = self._action("&Import Files…", self.import_dialog, "Ctrl+I", name="importAction")
        file.addAction(self.import_action)
        file.addAction(self._action("Import &Folder…", self.import_folder_dialog, "Ctrl+Shift+I"))
        file.addAction(self._action("Import New &Version…", self.reimport_dialog, name="reimportAction"))
        file.addSeparator()
        file.addAction(self._action("Set Default Memo &Template…", self.choose_template))
        file.addAction(self._action("Add House Citation &Style…", self.add_citation_style,
                                    name="addCitationStyleAction"))
        file.addAction(self._action("Re&build Search Index", self.reindex))
        file.addSeparator()
        file.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(redo_keys())
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        view = self.reader.view
        self.highlight_action = self._action("&Highlight Selection…", self.highlight_selection, "H", view,
                                             "highlightAction")
        self.highlight_action.setToolTip("Highlight the selected text and tag it (H)")
        edit.addAction(self.highlight_action)
        self.reapply_action = self._action("Highlight with &Last Tag", self.reapply_last_tag, "R", view,
                                           "reapplyAction")
        edit.addAction(self.reapply_action)
        for n in range(1, 10):
            self._action(f"Favourite tag {n}", partial(self.apply_favourite, n), str(n), view)
        edit.addAction(self._action("Edit Document &Details…", self.edit_current_document, "Ctrl+Shift+E"))
        edit.addAction(self._action("&Orphaned Highlights…", self.show_orphans, name="orphansAction"))
        edit.addAction(self._action("Your &Name…", self.choose_author, name="authorAction"))

        go = bar.addMenu("&View")
        go.addAction(self._action("&Find…", self.focus_search, QKeySequence.StandardKey.Find))
        go.addAction(self._action("Find (quick)", self.focus_search, "Ctrl+K"))
        go.addSeparator()
        go.addAction(self._action("Reader &Font…", self.choose_reader_font, name="readerFontAction"))
        for text, step, standard, keys in (
                ("&Larger Text", 1, QKeySequence.StandardKey.ZoomIn, ("Ctrl++", "Ctrl+=")),
                ("&Smaller Text", -1, QKeySequence.StandardKey.ZoomOut, ("Ctrl+-",))):
            action = self._action(text, partial(self.step_reader_font, step))
            action.setShortcuts(unique_keys(standard, *keys))
            go.addAction(action)
        go.addSeparator()
        find_next, find_previous = QKeySequence.StandardKey.FindNext, QKeySequence.StandardKey.FindPrevious
        for text, step, standard, key, name in (
                ("Next Match", 1, find_next, "F3", "nextMatchAction"),
                ("Previous Match", -1, find_previous, "Shift+F3", "previousMatchAction")):
            action = self._action(text, partial(self.reader.view.next_match, step), name=name)
            action.setShortcuts(unique_keys(standard, key))
            go.addAction(action)
        go.addAction(self._action("&Reading", partial(self.modes.setCurrentIndex, 0), "Ctrl+1",
                                  name="readingMode"))
        go.addAction(self._action("&Briefing Workspace", partial(self.modes.setCurrentIndex, 1), "Ctrl+2",
                                  name="briefingMode"))
        for dock in (self.library_dock, self.tags_dock, self.inspector_dock, self.search_dock,
                     self.highlights_dock):
            go.addAction(dock.toggleViewAction())

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard Shortcuts", self.show_shortcuts, "Ctrl+/",
                                         name="shortcutsAction"))
        help_menu.addAction(self._action("Open the &Sample Project", self.open_sample, name="sampleAction"))
        help_menu.addAction(self._action("&About Dossier", self.about))

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.highlight_action)
        toolbar.addAction(self.undo_action)
        toolbar.addAction(self.redo_action)
        self.addToolBarBreak()
        self.favourites = FavouritesBar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.favourites)
        self._refresh_recent()

    def _on_mode(self, index: int) -> None:
        """The briefing workspace hides the reading docks to give the memo the room (search
        stays at the side, to find and drag highlights from); Reading brings them back."""
        docks = {d.objectName(): d for d in (self.library_dock, self.tags_dock, self.inspector_dock,
                                              self.highlights_dock)}
        if index == 1:
            self._reading_docks = {name: d.isVisible() for name, d in docks.items()}
            for dock in docks.values():
                dock.hide()
            self.search_dock.show()
            self.briefings.editor.refresh_preview()
        else:
            for name, dock in docks.items():
                dock.setVisible(self._reading_docks.get(name, True))

    def open_sample(self) -> None:
        """Open the sample project, making it first if this is the first time."""
        path = sample_project_path()
        if not path.exists():
            try:
                build_sample(path)
            except KnownError as exc:
                dialogs.show_error(self, "Cannot make the sample project", str(exc))
                return
        if self.open_project(path):
            docs = self.lib.documents()
            if docs:
                self.show_document(docs[0].id)
            self.briefings.refresh(select=1)

    def choose_reader_font(self) -> None:
        font = dialogs.ask_font(self, self.reader.view.font())
        if font is not None:
            self._set_reader_font(font.family(), font.pointSizeF())

    def step_reader_font(self, step: int) -> None:
        font = self.reader.view.font()
        self._set_reader_font(font.family(), min(36.0, max(8.0, font.pointSizeF() + step)))

    def _set_reader_font(self, family: str, size: float) -> None:
        self.reader.view.set_reader_font(family, size)
        self.settings.set_reader_font(family, size)

    def show_shortcuts(self) -> None:
        ShortcutSheet(self, self.findChildren(QAction)).exec()

    def _connect(self) -> None:
        self.favourites.apply_requested.connect(self.apply_favourite)
        self.favourites.change_requested.connect(self.change_favourite)
        self.reader.import_button.clicked.connect(self.import_dialog)
        self.reader.sample_button.clicked.connect(self.open_sample)
        self.library_panel.document_selected.connect(self.show_document)
        self.library_panel.files_dropped.connect(self.import_paths)
        self.library_panel.edit_requested.connect(self.edit_document)
        self.library_panel.delete_requested.connect(self.delete_document)
        self.reader.view.annotation_clicked.connect(self.select_annotation)
        self.inspector.command_requested.connect(self.push)
        self.inspector.open_requested.connect(self.open_annotation)
        self.highlights.annotation_selected.connect(self._on_list_selected)
        self.highlights.open_requested.connect(self.open_annotation)
        self.highlights.mode_cleared.connect(self.clear_tag_filter)
        self.tags.tag_selected.connect(self.show_tag)
        self.tags.rename_requested.connect(
            lambda old, new: self.push(undo.TagEdit("Rename tag", lambda lib: lib.rename_tag(old, new))))
        self.tags.reparent_requested.connect(
            lambda path, parent: self.push(undo.TagEdit("Move tag",
                                                        lambda lib: lib.reparent_tag(path, parent or None))))
        self.tags.merge_requested.connect(self.merge_tag)
        self.tags.delete_requested.connect(self.delete_tag)
        self.tags.color_requested.connect(self.recolor_tag)
        self.search.hit_activated.connect(self.open_hit)
        self.search.failed.connect(lambda msg: self.statusBar().showMessage(msg, 5000))
        self.briefings.command_requested.connect(self.push)
        self.briefings.export_requested.connect(self.export_dialog)
        self.briefings.new_from_query.connect(self.new_briefing_from_query)
        self.reader.view.menu_actions = [self.highlight_action, self.reapply_action]

    # -- project -------------------------------------------------------------------
    def attach(self, lib: Library) -> None:
        """Show ``lib`` in every panel (at start and after opening another project)."""
        self.lib = lib
        self.bridge.detach()
        self.bridge = LibraryBridge(lib, self)
        self._subscribe(self.bridge)
        lib.author = self.settings.author() or lib.author
        if self.orphans is not None:  # it showed the other project's
            self.orphans.close()
            self.orphans.deleteLater()
            self.orphans = None
        self.undo_stack.clear()
        self.doc_id = None
        self.tag_filter = None
        self.search.set_library(lib)
        self.briefings.set_library(lib)
        self.reader.show_placeholder(empty_project=not lib.documents())
        self.inspector.show_annotation(None)
        self.bridge.publish(Changes(documents=True, annotations=True, tags=True, briefings=True))
        self.setWindowTitle(f"{lib.name} — Dossier")
        self.settings.add_recent(lib.location)
        self._refresh_recent()
        message = lib.index_message or f"Opened {lib.location}"
        self.statusBar().showMessage(message, 8000)
        docs = lib.documents()
        if docs:
            self.show_document(docs[-1].id)
            self.library_panel.select(docs[-1].id, emit=False)

    def open_project(self, path: Path | str) -> bool:
        """Open a project file or a project on a server (by its URL) in this window."""
        try:
            lib = Library.open(path, background_index=True)
        except KnownError as exc:
            dialogs.show_error(self, "Cannot open project", str(exc))
            return False
        old = self.lib
        self.attach(lib)
        old.close()
        return True

    def new_project(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New project", str(Path.home() / "Untitled.dossier"),
                                              "Dossier projects (*.dossier)")
        if name:
            path = Path(name).with_suffix(".dossier")
            if path.exists():
                dialogs.show_error(self, "New project", f"{path} already exists; open it instead.")
                return
            self.open_project(path)

    def choose_author(self) -> None:
        """The name your highlights carry (on a server, what colleagues see)."""
        name, ok = QInputDialog.getText(self, "Your name", "Your highlights and notes carry this name:",
                                        text=self.lib.author)
        if ok:
            self.settings.set_author(name)
            self.lib.author = self.settings.author() or self.lib.author

    def open_server_dialog(self) -> None:
        url, ok = QInputDialog.getText(
            self, "Open server project",
            "PostgreSQL URL (postgresql://user@host:port/database); the password comes from "
            "~/.pgpass, PGPASSWORD or a service file:")
        if ok and url.strip():
            if not is_server_url(url.strip()):
                dialogs.show_error(self, "Open server project", "A server project's URL starts with "
                                   "postgresql://")
                return
            self.open_project(url.strip())

    def open_project_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", str(Path.home()),
                                              "Dossier projects (*.dossier);;All files (*)")
        if name:
            self.open_project(Path(name))

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_projects():
            self.recent_menu.addAction(path, partial(self.open_project, path))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    # -- undo --------------------------------------------------------------------------
    def push(self, command: undo.Command) -> bool:
        wrapped = LibraryCommand(self.lib, command)
        self.undo_stack.push(wrapped)
        if wrapped.error is not None:
            self._refused(command.text, wrapped.error)
            return False
        wrapped.on_error = partial(self._refused, command.text)  # a later undo or redo
        return True

    def _refused(self, what: str, error: KnownError) -> None:
        if isinstance(error, EditConflict):  # show what the other analyst made of it
            self.bridge.publish(Changes(documents=True, annotations=True, tags=True, briefings=True))
        self.statusBar().showMessage(str(error), 8000)
        dialogs.show_error(self, what, str(error))

    # -- refresh -----------------------------------------------------------------------
    def _subscribe(self, bridge: LibraryBridge) -> None:
        """Each view refreshes itself from the kinds of change it shows."""
        for view in (self.library_panel, self.tags, self.favourites, self.search, self.briefings,
                     self.inspector, self.reading, self.notices):
            bridge.subscribe(view)

    def _refresh_reading(self, update: Update) -> None:
        """The open document (gone, a new version, new details) and its highlights."""
        changes = update.changes
        if changes.documents:
            docs = update.documents
            if self.doc_id is not None and self.doc_id not in {d.id for d in docs}:
                self.doc_id = None
                self.reader.show_placeholder(empty_project=not docs)
            elif self.doc_id is None and docs and self.reader.empty.isVisible():
                self.reader.show_placeholder()
            elif self.doc_id is not None and self.doc_id in changes.doc_ids:
                doc = update.lib.document(self.doc_id)
                if doc.version != self.reader.version:  # a new version: its text, not only its header
                    shown, self.doc_id = self.doc_id, None
                    self.show_document(shown)
                else:
                    self.reader.set_header(doc)
        if changes.annotations or changes.tags or changes.documents:
            doc_annotations = update.lib.annotations(self.doc_id) if self.doc_id is not None else []
            if self.doc_id is not None:
                self.reader.view.set_annotations(doc_annotations)
            self._refresh_highlight_list(doc_annotations)
            if self.inspector.annotation is not None:
                self.highlights.select(self.inspector.annotation.id)

    def _show_notice(self, update: Update) -> None:
        if update.changes.notice:
            self.statusBar().showMessage(update.changes.notice, 15000)

    def _refresh_highlight_list(self, doc_annotations: list[AnnotationInfo] | None = None) -> None:
        if self.tag_filter is not None:
            try:
                rows = self.lib.annotations(tag=self.tag_filter)
            except KnownError:
                self.tag_filter = None
                rows = []
            else:
                self.highlights.show_annotations(f"Excerpts tagged {self.tag_filter}", rows, True)
                return
        if doc_annotations is None:
            doc_annotations = self.lib.annotations(self.doc_id) if self.doc_id is not None else []
        self.highlights.show_annotations("Highlights in this document", doc_annotations, False)

    # -- documents and highlights --------------------------------------------------------
    def show_document(self, doc_id: int) -> None:
        if doc_id == self.doc_id:
            return
        try:
            doc = self.lib.document(doc_id)
        except KnownError:
            return
        self.doc_id = doc_id
        self.reader.show_document(doc, self.lib.document_text(doc_id), self.lib.document_structure(doc_id),
                                  self.lib.annotations(doc_id), self.lib.set_aside(doc_id))
        self.library_panel.select(doc_id, emit=False)
        if self.inspector.annotation is not None and self.inspector.annotation.doc_id != doc_id:
            self.inspector.show_annotation(None)  # it showed a highlight of another document
        if self.tag_filter is None:
            self._refresh_highlight_list()

    def select_annotation(self, annotation_id: int, scroll: bool = False) -> None:
        try:
            ann = self.lib.annotation(annotation_id)
        except KnownError:
            self.inspector.show_annotation(None)
            return
        self.inspector.show_annotation(ann, self.lib.raw_color(annotation_id))
        self.highlights.select(annotation_id)
        if scroll and ann.doc_id == self.doc_id:
            self.reader.view.show_span(ann.start, ann.end)

    def _on_list_selected(self, annotation_id: int) -> None:
        self.select_annotation(annotation_id)

    def open_annotation(self, doc_id: int, annotation_id: int) -> None:
        self.show_document(doc_id)
        self.select_annotation(annotation_id, scroll=True)

    def open_hit(self, hit: SearchHit) -> None:
        self.show_document(hit.doc_id)
        self.reader.view.mark_matches(list(hit.matches))
        self.reader.view.show_span(hit.start, hit.end)
        if hit.annotation_id:
            self.select_annotation(hit.annotation_id)
        else:
            self.inspector.show_annotation(None)

    def _selection(self) -> tuple[int, int, int] | None:
        span = self.reader.view.selected_span()
        if span is None or self.doc_id is None:
            self.statusBar().showMessage("Select some text in the reader first.", 4000)
            return None
        return self.doc_id, span[0], span[1]

    def highlight_selection(self) -> None:
        target = self._selection()
        if target is None:
            return
        doc_id, start, end = target
        self.picker = TagPicker(self.lib.tags(), self.reader.view.text[start:end], self)
        picker = self.picker

        def done() -> None:
            self._highlight(doc_id, start, end, picker.chosen, note=picker.note, color=picker.color)

        picker.accepted.connect(done)
        picker.open()
        picker.filter.setFocus()

    def _highlight(self, doc_id: int, start: int, end: int, tags: list[str], *, note: str = "",
                   color: str | None = None) -> None:
        command = undo.AddAnnotation(doc_id, start, end, tags, note=note, color=color)
        if self.push(command):
            if tags:
                self.last_tags = tags
                for tag in reversed(tags):
                    self.lib.remember_favourite(tag)
            if command.annotation_id is not None:
                self.select_annotation(command.annotation_id)
            cursor = self.reader.view.textCursor()
            cursor.clearSelection()
            self.reader.view.setTextCursor(cursor)

    def reapply_last_tag(self) -> None:
        target = self._selection()
        if target is not None:
            self._highlight(*target, list(self.last_tags))

    def change_favourite(self, number: int) -> None:
        paths = [t.path for t in self.lib.tags()]
        if not paths:
            self.statusBar().showMessage("No tags yet: highlight something and tag it first.", 4000)
            return
        chosen = dialogs.ask_item(self, "Favourite tag", f"Tag for key {number}:", paths)
        if chosen:
            self.lib.set_favourite(number, chosen)

    def apply_favourite(self, number: int) -> None:
        favourites = [t.path for t in self.lib.favourite_tags()]
        if number > len(favourites):
            self.statusBar().showMessage(f"No favourite tag {number} yet: tags you use become 1–9.", 4000)
            return
        target = self._selection()
        if target is not None:
            self._highlight(*target, [favourites[number - 1]])

    def edit_current_document(self) -> None:
        if self.doc_id is not None:
            self.edit_document(self.doc_id)

    def edit_document(self, doc_id: int) -> None:
        values = dialogs.MetadataDialog.ask(self, self.lib.document(doc_id))
        if values is not None:
            if not values.get("title"):
                dialogs.show_error(self, "Document details", "A document needs a title.")
                return
            self.push(undo.UpdateDocument(doc_id, values))

    def delete_document(self, doc_id: int) -> None:
        doc = self.lib.document(doc_id)
        text = (f"Delete “{doc.title}” and its {doc.annotation_count} highlight(s)? "
                "Briefing excerpts from it go too. You can undo this.")
        if dialogs.confirm(self, "Delete document", text):
            self.push(undo.DeleteDocument(doc_id, text=f"Delete “{doc.title}”"))

    # -- tags ------------------------------------------------------------------------------
    def show_tag(self, path: str) -> None:
        self.tag_filter = path
        self._refresh_highlight_list()

    def clear_tag_filter(self) -> None:
        self.tag_filter = None
        self._refresh_highlight_list()

    def merge_tag(self, path: str) -> None:
        others = [t.path for t in self.lib.tags() if t.path != path and not t.path.startswith(path + "/")]
        into = dialogs.ask_item(self, "Merge tag", f"Merge “{path}” into:", others)
        if into:
            self.push(undo.TagEdit("Merge tags", lambda lib: lib.merge_tags(path, into)))

    def delete_tag(self, path: str) -> None:
        if dialogs.confirm(self, "Delete tag", f"Delete the tag “{path}” and the tags under it? "
                           "Highlights stay, without these tags. You can undo this."):
            self.push(undo.TagEdit("Delete tag", lambda lib: lib.delete_tag(path)))

    def recolor_tag(self, path: str) -> None:
        color = dialogs.ask_item(self, "Tag colour", f"Colour for “{path}”:", list(PALETTE))
        if color:
            self.push(undo.TagEdit("Change tag colour", lambda lib: lib.set_tag_color(path, color)))

    # -- search and briefings ------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_dock.show()
        self.search_dock.raise_()
        self.search.box.setFocus()
        self.search.box.selectAll()

    def new_briefing_from_query(self) -> None:
        query = dialogs.ask_text(self, "New briefing", "Tag or search (e.g. tag:Drugs or merida funding):",
                                 f"tag:{self.tag_filter}" if self.tag_filter else "")
        if not query:
            return
        create = undo.CreateBriefing(f"Briefing: {query}")
        self.undo_stack.beginMacro("New briefing from search")
        ok = self.push(create)
        if ok and create.briefing_id is not None:
            bid = create.briefing_id
            self.push(undo.BriefingEdit("Add excerpts", bid, lambda lib: lib.brief_from_query(bid, query)))
        self.undo_stack.endMacro()
        if create.briefing_id is not None:
            self.modes.setCurrentIndex(1)
            self.briefings.refresh(select=create.briefing_id)

    def export_dialog(self, briefing_id: int) -> None:
        title = self.lib.briefing(briefing_id).title
        suggested = Path.home() / safe_file_name(title)
        name, _ = QFileDialog.getSaveFileName(self, "Export briefing", str(suggested), EXPORT_FILTER)
        if not name:
            return
        target = Path(name) if Path(name).suffix else Path(name).with_suffix(".docx")
        problem = self.lib.replace_problem(target)
        force = problem is not None and dialogs.confirm(self, "Replace the file?",
                                                        f"{problem}\n\nReplace it?")
        if problem is None or force:
            self.export_to(briefing_id, target, force=force)

    def export_to(self, briefing_id: int, target: Path, force: bool = False) -> Worker:
        if not target.suffix:
            target = target.with_suffix(".docx")

        def job(progress: Progress) -> Path:
            progress(0, 1, target.name)
            return self.lib.export_briefing(briefing_id, target, force=force)

        worker = run_with_progress(self, "Exporting briefing", job)
        worker.succeeded.connect(lambda path: self.statusBar().showMessage(f"Wrote {path}", 8000))
        worker.failed.connect(lambda msg: dialogs.show_error(self, "Export failed", msg))
        self.tasks.track(worker)
        return worker

    def choose_template(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Default memo template", str(Path.home()),
                                              "Word documents and templates (*.docx *.dotx)")
        if name:
            self.lib.set_default_template(Path(name))
            self.statusBar().showMessage(f"Memos now use {name}", 6000)

    def add_citation_style(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Add a house citation style", str(Path.home()),
                                              "Citation styles (*.csl)")
        if not name:
            return
        try:
            added = self.lib.add_citation_style(Path(name))
        except KnownError as e:
            dialogs.show_error(self, "Citation style not added", str(e))
            return
        self.briefings.editor.set_styles(self.lib.citation_styles())
        self.statusBar().showMessage(f"Added “{added.title}”: choose it under Citations in a briefing", 8000)

    # -- import and index -----------------------------------------------------------------
    def import_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUPPORTED)
        names, _ = QFileDialog.getOpenFileNames(self, "Import documents", str(Path.home()),
                                                f"Documents ({patterns});;All files (*)")
        if names:
            self.import_paths([Path(n) for n in names])

    def import_folder_dialog(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Import a folder", str(Path.home()))
        if name:
            self.import_paths([Path(name)])

    def import_paths(self, paths: list[Path]) -> Worker:
        lib = self.lib

        def job(progress: Progress) -> list[object]:
            return list(lib.import_many(paths, recursive=True,
                                        progress=lambda done, total, path: progress(done, total, path.name)))

        worker = run_with_progress(self, "Importing documents", job)
        worker.succeeded.connect(self._on_imported)
        worker.failed.connect(lambda msg: dialogs.show_error(self, "Import failed", msg))
        self.tasks.track(worker)
        return worker

    def _on_imported(self, results: list[object]) -> None:
        done = [r for r in results if isinstance(r, ImportResult)]
        imported = [r for r in done if r.status == "imported"]
        duplicates = [r for r in done if r.status == "duplicate"]
        errors = [r for r in done if r.status == "error"]
        self.statusBar().showMessage(
            f"Imported {len(imported)}, {len(duplicates)} already here, {len(errors)} failed", 10000)
        if imported and imported[-1].id is not None:
            self.show_document(imported[-1].id)
        warnings = [r for r in done if r.warning]
        if errors or warnings:
            head = (f"{len(errors)} file(s) could not be imported." if errors else
                    f"{len(warnings)} file(s) were imported but their text looks wrong; check them.")
            box = QMessageBox(QMessageBox.Icon.Warning, "Some files were not imported" if errors
                              else "Check these imports", head, parent=self)
            box.setObjectName("importErrors")
            box.setDetailedText("\n".join([*(r.error or r.path for r in errors),
                                           *(r.warning or "" for r in warnings)]))
            box.open()

    def reimport_dialog(self) -> None:
        if self.doc_id is None:
            dialogs.show_error(self, "Import new version", "Open the document to update first.")
            return
        patterns = " ".join(f"*{ext}" for ext in SUPPORTED)
        name, _ = QFileDialog.getOpenFileName(self, "Import a new version", str(Path.home()),
                                              f"Documents ({patterns});;All files (*)")
        if name:
            self.reimport_path(Path(name))

    def reimport_path(self, path: Path) -> ReimportResult | None:
        """Replace the open document with a newer version; undoable."""
        assert self.doc_id is not None
        command = undo.Reimport(self.doc_id, path)
        if not self.push(command) or command.result is None:
            return None
        r = command.result
        self.statusBar().showMessage(
            f"Version {r.version}: {r.exact} highlight(s) placed exactly, {r.fuzzy} by a close match, "
            f"{len(r.orphaned)} orphaned", 15000)
        if r.orphaned:
            self.show_orphans()
        return r

    def show_orphans(self) -> OrphansDialog:
        """The review list of highlights a new version could not place."""
        if self.orphans is None:
            self.orphans = OrphansDialog(self.lib, self)
            self.bridge.subscribe(self.orphans)
            self.orphans.place_requested.connect(self._place_orphan)
            self.orphans.delete_requested.connect(
                lambda ann_id: self.push(undo.DeleteAnnotation(ann_id)))
            self.orphans.open_requested.connect(self.show_document)
        self.orphans.refresh()
        self.orphans.show()
        self.orphans.raise_()
        return self.orphans

    def _place_orphan(self, annotation_id: int) -> None:
        span = self.reader.view.selected_span()
        ann = self.lib.annotation(annotation_id)
        if span is None or ann.doc_id != self.doc_id:
            dialogs.show_error(self, "Place highlight", "Open its document and select the text it "
                               "belongs to first.")
            return
        self.push(undo.PlaceOrphan(annotation_id, *span))

    def reindex(self) -> Worker:
        lib = self.lib
        worker = run_with_progress(self, "Rebuilding the search index",
                                   lambda progress: lib.reindex(lambda d, t: progress(d, t, "")))
        worker.succeeded.connect(lambda n: self.statusBar().showMessage(f"Search index rebuilt: {n} records"))
        worker.failed.connect(lambda msg: dialogs.show_error(self, "Rebuild failed", msg))
        self.tasks.track(worker)
        return worker

    def about(self) -> None:
        QMessageBox.about(self, "About Dossier",
                          "<b>Dossier</b><br>Highlight and tag your sources, find anything again, "
                          "and export briefing memos in which every excerpt cites its source.")

    # -- closing -------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            return
        self._closed = True
        # Every job's late signals must not reach a closed window or a closed project.
        self.tasks.pools.append(self.search.pool)
        self.tasks.shutdown()
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.bridge.detach()
        self.lib.close()
        super().closeEvent(event)
