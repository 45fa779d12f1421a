"""The main window's menus and the list of keys (F1): every command with its shortcut."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from followup_desk.ui.widgets.main_window import MainWindow

KEYS = (
    "Ctrl+N  new next step (the name field)\n"
    "Enter in a field  on to the flow\n"
    "1-5 or T N L W D  this week, next week, late next week, in two weeks, a date\n"
    "1 / 2  the offered day · M  two more days\n"
    "M / A  morning or afternoon\n"
    "type the hour (3 → 3 pm), ↑↓←→, Enter  the time\n"
    "C / E / I at the last step  send by calendar, e-mail, .ics file\n"
    "Enter  book and send the invite\n"
    "Backspace or Alt+Left  back one step · Esc  leave\n"
    "C  copy the invite's path · O  open its folder · N  next prospect\n"
    "In the list: B book · R move · Delete cancel\n"
    "Ctrl+R  the weekly review · Ctrl+K  cadences · Ctrl+E  export the review\n"
    "In the review: B book · T log a touch · S snooze · E enrol · M copy the message ·"
    " O mail it · Shift+M send it by e-mail · X close the file · A past meetings\n"
    "Ctrl+B  the outbox: R retry · A it arrived · S send again · Delete drop ·"
    " F5 read answers now\n"
    "Ctrl+I  import a prospect's reply (.ics or .eml; or drop it on the window)\n"
    "Ctrl+Shift+A  accounts (calendar and e-mail)"
)

_Keys = str | QKeySequence.StandardKey | None


def _add(menu: QMenu, text: str, keys: _Keys, slot: Callable[[], object]) -> QAction:
    action = QAction(text, menu)
    if keys is not None:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build(window: MainWindow) -> QAction:
    """File and Help; returns "New next step" (the tray triggers it too)."""
    menu = window.menuBar().addMenu("&File")
    new_action = _add(menu, "&New next step", "Ctrl+N", window.new_step)
    _add(menu, "&Find a time", "Ctrl+T", window.focus_flow)
    _add(menu, "&Prospects list", "Ctrl+L", window.focus_list)
    _add(menu, "&Weekly review", "Ctrl+R", window.show_review)
    _add(menu, "&Export the review as CSV…", "Ctrl+E", window.review.export_csv)
    _add(menu, "&Cadences…", "Ctrl+K", window.edit_cadences)
    _add(menu, "Out&box", "Ctrl+B", window.show_outbox)
    _add(menu, "&Import a reply…", "Ctrl+I", window.import_reply)
    menu.addSeparator()
    _add(menu, "&Accounts…", "Ctrl+Shift+A", window.edit_accounts)
    _add(menu, "&Settings…", "Ctrl+,", window.edit_settings)
    _add(menu, "&Back up…", None, window.back_up)
    _add(menu, "Restore a bac&kup…", None, window.restore_backup)
    _add(menu, "&Quit", QKeySequence.StandardKey.Quit, window.close)
    help_menu = window.menuBar().addMenu("&Help")
    _add(help_menu, "&Keys", "F1", window.show_keys)
    _add(help_menu, "Open the &log folder", None, window.open_logs)
    return new_action
