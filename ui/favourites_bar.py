"""The favourite tags strip: which tag each key 1–9 applies, in the tag's colour; click to
apply it to the selection, right-click to put another tag on that key."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QToolBar, QToolButton, QWidget

from app.domain import TagInfo
from ui.bridge import Update
from ui.models import color_icon


class FavouritesBar(QToolBar):
    apply_requested = Signal(int)  # key number
    change_requested = Signal(int)  # key number: choose the tag for it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Favourite tags", parent)
        self.setObjectName("favouritesBar")
        self.setMovable(False)
        self.buttons: list[QToolButton] = []
        self._slots: list[QAction] = []  # a toolbar shows or hides a widget through its action
        self.addWidget(QLabel(" Keys: "))
        for number in range(1, 10):
            button = QToolButton()
            button.setObjectName(f"favourite{number}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.clicked.connect(partial(self.apply_requested.emit, number))
            button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            button.customContextMenuRequested.connect(partial(self._menu, number))
            self._slots.append(self.addWidget(button))
            self.buttons.append(button)
        self.show_tags([])

    def refresh_for(self, update: Update) -> None:
        if update.changes.tags:
            self.show_tags(update.lib.favourite_tags(update.tags))

    def show_tags(self, tags: list[TagInfo]) -> None:
        for number, button in enumerate(self.buttons, 1):
            tag = tags[number - 1] if number <= len(tags) else None
            if tag is None:
                button.setText(f"{number} —")
                button.setIcon(color_icon("#ffffff"))
                button.setToolTip(f"Key {number}: no tag yet (tags you use fill the keys; "
                                  "right-click to choose one)")
            else:
                button.setText(f"{number} {tag.path}")
                button.setIcon(color_icon(tag.color))
                button.setToolTip(f"Key {number} highlights the selection with {tag.path} "
                                  "(right-click to change)")
            self._slots[number - 1].setVisible(tag is not None or number == len(tags) + 1)

    def shown(self) -> list[str]:
        """The chips on show, as they read."""
        return [b.text() for b, slot in zip(self.buttons, self._slots, strict=True) if slot.isVisible()]

    def _menu(self, number: int, point: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(f"Choose the tag for key {number}…", partial(self.change_requested.emit, number))
        menu.exec(self.buttons[number - 1].mapToGlobal(point))
