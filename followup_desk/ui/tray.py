"""The tray icon: today's counts, "New next step", "Weekly review", "Quit", and notifications.

The icon shows only where the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``);
the menu, its counts and the notices are built either way. Without a tray (or where the tray
cannot show messages) a notice goes to the window's status line and the window asks for
attention instead. Closing the window still quits the app, as before: the tray is a way in
while it runs, not a background service.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from followup_desk import APP_NAME
from followup_desk.ui.icon import app_icon
from followup_desk.ui.viewmodels.reminders import RemindersViewModel
from followup_desk.ui.widgets.main_window import MainWindow

log = logging.getLogger(__name__)

MESSAGE_MS = 15_000
STATUS_MS = 60_000


def due_text(due: int | None, overdue: int) -> str:
    if due is None:
        return "Reading the review…"
    if not due:
        return "No touches due today"
    noun = "touch" if due == 1 else "touches"
    late = f" ({overdue} overdue)" if overdue else ""
    return f"{due} {noun} due today{late}"


def awaiting_text(awaiting: int | None) -> str:
    if not awaiting:
        return "No meeting waiting for its outcome"
    if awaiting == 1:
        return "1 meeting waiting for its outcome"
    return f"{awaiting} meetings waiting for their outcome"


class DeskTray(QObject):
    """The tray icon and its menu, over the reminders view model and the window."""

    def __init__(self, window: MainWindow, reminders: RemindersViewModel) -> None:
        super().__init__(window)
        self.window = window
        self.reminders = reminders
        self._last_line = ""  # the notice in the status line, where there is no tray
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.menu = QMenu()  # a tray menu has no parent window; this object keeps it
        self.menu.setAccessibleName(f"{APP_NAME} tray menu")
        self.due_action = self._add("", self.show_review)
        self.awaiting_action = self._add("", self.show_review)
        self.menu.addSeparator()
        self.new_action = self._add("New next step", self.new_step)
        self.review_action = self._add("Weekly review", self.show_review)
        self.menu.addSeparator()
        self.quit_action = self._add("Quit", window.close)  # closing saves the window's size
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.show_review)
        reminders.countsChanged.connect(self.refresh)
        reminders.notify.connect(self.notify)
        self.refresh()

    def _add(self, text: str, slot: object) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(slot)
        return action

    def show_if_available(self) -> bool:
        """Show the icon where the desktop has a tray; False (and nothing shown) elsewhere."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            log.info("the desktop has no system tray: notices go to the window")
            return False
        self.icon.show()
        return True

    def refresh(self) -> None:
        r = self.reminders
        due = due_text(r.due, r.overdue)
        self.due_action.setText(due)
        self.awaiting_action.setText(awaiting_text(r.awaiting))
        self.awaiting_action.setVisible(r.due is not None)
        lines = [APP_NAME, due] + ([awaiting_text(r.awaiting)] if r.due is not None else [])
        self.icon.setToolTip("\n".join(lines))

    def notify(self, title: str, text: str) -> None:
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, self.icon.icon(), MESSAGE_MS)
            return
        bar = self.window.statusBar()
        line = f"{title} · {text}"
        if self._last_line and bar.currentMessage() == self._last_line:
            line = f"{self._last_line} | {line}"  # two notices on one tick: keep both
        self._last_line = line
        bar.showMessage(line, STATUS_MS)
        QApplication.alert(self.window)

    # --- actions ------------------------------------------------------------------------

    def new_step(self) -> None:
        self.window.raise_to_front()
        self.window.pages.setCurrentIndex(0)
        self.window.new_step()

    def show_review(self) -> None:
        self.window.raise_to_front()
        self.window.show_review()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.window.raise_to_front()


def install_tray(window: MainWindow, reminders: RemindersViewModel | None = None) -> DeskTray:
    """The reminders (started) and the tray for ``window``; the icon shows where it can."""
    reminders = reminders or RemindersViewModel(window.review_vm, parent=window)
    tray = DeskTray(window, reminders)
    tray.show_if_available()
    reminders.start()
    return tray
