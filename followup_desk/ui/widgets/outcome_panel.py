"""What happened after Enter: the booking, where the invite is, and what to say while
closing. One key copies the invite's path, one opens its folder, one starts afresh."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from followup_desk.domain.phrases import CLOSING_LINE, format_clock, format_day, format_offset
from followup_desk.services.booking import BookingOutcome
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

TITLES = {
    "booked": "Booked",
    "moved": "Moved",
    "cancelled": "Cancelled",
}


class OutcomePanel(QFrame):
    newRequested = Signal()
    writeAgainRequested = Signal()

    def __init__(self, rep_zone: str, clock_24h: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("What happened")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._rep_zone = ZoneInfo(rep_zone)
        self._clock_24h = clock_24h
        self.path = ""
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setFont(scaled_font(1.5, bold=True))
        set_role_colour(self.title, "ok")
        self.when = QLabel()
        self.when.setFont(scaled_font(1.2))
        self.when.setWordWrap(True)
        self.say = QLabel()
        self.say.setFont(scaled_font(1.4, bold=True))
        self.say.setWordWrap(True)
        self.say.setAccessibleName("Say")
        self.file = QLabel()
        self.file.setWordWrap(True)
        self.file.setAccessibleName("Invite file")
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_role_colour(self.note, "muted")
        for widget in (self.title, self.when, self.say, self.file, self.note):
            layout.addWidget(widget)
        buttons = QHBoxLayout()
        self.copy_button = QPushButton("&Copy the invite's path")
        self.copy_button.clicked.connect(self.copy_path)
        self.open_button = QPushButton("&Open its folder")
        self.open_button.clicked.connect(self.open_folder)
        self.new_button = QPushButton("&New next step")
        self.new_button.clicked.connect(self.newRequested.emit)
        self.again_button = QPushButton("&Write the invite again")
        self.again_button.clicked.connect(self.writeAgainRequested.emit)
        for button in (self.again_button, self.copy_button, self.open_button, self.new_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        # plain letters work too while the panel has focus: the rep is still talking
        keys = (
            ("C", self.copy_path),
            ("O", self.open_folder),
            ("N", self.new),
            ("W", self.writeAgainRequested.emit),
        )
        for key, slot in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(shortcut.context().WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.hide()

    def new(self) -> None:
        self.newRequested.emit()

    def show_outcome(self, outcome: BookingOutcome, kind: str) -> None:
        booking, prospect = outcome.booking, outcome.prospect
        rep = booking.start.astimezone(self._rep_zone)
        theirs = booking.start.astimezone(ZoneInfo(booking.prospect_zone))
        clock = self._clock_24h
        self.title.setText(f"✓ {TITLES.get(kind, kind.capitalize())}: {prospect.name}")
        when = (
            f"{format_day(rep.date())}, {format_clock(rep, clock_24h=clock)} ({format_offset(rep)})"
        )
        if theirs.utcoffset() != rep.utcoffset():
            when += (
                f"<br>for {prospect.name}: {format_day(theirs.date())}, "
                f"{format_clock(theirs, clock_24h=clock)} ({format_offset(theirs)})"
            )
        self.when.setText(when)
        self.say.setText(f"Say: “{CLOSING_LINE}”" if kind != "cancelled" else "")
        self.say.setVisible(kind != "cancelled")
        self.path = outcome.ics_path
        written = bool(outcome.ics_path)
        self.file.setText(
            f"Invite written to <b>{outcome.ics_path}</b>"
            if written
            else "⚠ " + " ".join(outcome.warnings)
        )
        set_role_colour(self.file, "muted" if written else "error")
        self.again_button.setVisible(not written)
        self.copy_button.setEnabled(written)
        self.open_button.setEnabled(written)
        # calendar trouble is in the banner above; here only what the booking brought
        self.note.setText(
            "A reminder to confirm the meeting the day before is on your list."
            if kind == "booked"
            else ""
        )
        self.show()
        self.setFocus()

    def copy_path(self) -> None:
        if self.path:
            QGuiApplication.clipboard().setText(self.path)
            self.note.setText(f"Copied: {self.path}")

    def open_folder(self) -> None:
        if self.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.path).parent)))
