"""What happened after Enter: the booking (always saved), where the .ics file is, how the
calendar and the e-mail fared (updated live as the outbox worker sends), and what to say
while closing. One key copies the invite's path, one opens its folder, one starts afresh."""

from __future__ import annotations

import html
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from followup_desk.domain.phrases import CLOSING_LINE, format_clock, format_day, format_offset
from followup_desk.services.booking import BookingOutcome
from followup_desk.ui.viewmodels.sending import Delivery
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

TITLES = {
    "booked": "Booked",
    "moved": "Moved",
    "cancelled": "Cancelled",
}


class OutcomePanel(QFrame):
    newRequested = Signal()
    writeAgainRequested = Signal()

    def __init__(
        self,
        rep_zone: str,
        clock_24h: bool,
        delivery: Delivery | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.delivery = delivery
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
        self.saved = QLabel("The booking is saved on this computer ✓")
        self.saved.setAccessibleName("Saved")
        set_role_colour(self.saved, "ok")
        self.channels = QWidget()
        self.channels.setAccessibleName("How the invite went out")
        self.channel_lines = QVBoxLayout(self.channels)
        self.channel_lines.setContentsMargins(0, 0, 0, 0)
        self.channel_lines.setSpacing(2)
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_role_colour(self.note, "muted")
        for widget in (self.title, self.when, self.say, self.saved, self.file, self.channels):
            layout.addWidget(widget)
        layout.addWidget(self.note)
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
        if delivery is not None:
            delivery.changed.connect(self.show_channels)
        self.hide()

    def new(self) -> None:
        self.newRequested.emit()

    def show_channels(self) -> None:
        """One line per network channel: sending…, done ✓, waiting or held with the reason."""
        while self.channel_lines.count():
            item = self.channel_lines.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
                widget.setParent(None)
        lines = self.delivery.lines() if self.delivery is not None else []
        for line in lines:
            label = QLabel(line.text)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setFont(scaled_font(1.1))
            set_role_colour(label, line.role)
            self.channel_lines.addWidget(label)
        self.channels.setVisible(bool(lines))

    def channel_texts(self) -> list[str]:
        """What the channel lines say now (for tests and screen readers)."""
        texts = []
        for index in range(self.channel_lines.count()):
            item = self.channel_lines.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                texts.append(widget.text())
        return texts

    def show_outcome(
        self, outcome: BookingOutcome, kind: str, sent_with: tuple[str, ...] | None = None
    ) -> None:
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
        file_asked = sent_with is None or "ics" in sent_with or written
        what = {"cancelled": ".ics cancellation", "moved": ".ics update"}.get(kind, ".ics file")
        self.file.setText(
            f"{what} written to <b>{html.escape(outcome.ics_path)}</b>"
            if written
            else "⚠ " + " ".join(outcome.warnings)
        )
        set_role_colour(self.file, "muted" if written else "error")
        self.file.setVisible(file_asked)
        self.again_button.setVisible(file_asked and not written)
        self.copy_button.setEnabled(written)
        self.open_button.setEnabled(written)
        # calendar trouble is in the banner above; here only what the booking brought
        self.note.setText(
            "A reminder to confirm the meeting the day before is on your list."
            if kind == "booked"
            else ""
        )
        saved = {"moved": "The new time", "cancelled": "The cancellation"}.get(kind, "The booking")
        self.saved.setText(f"{saved} is saved on this computer ✓")
        self.show_channels()
        self.show()
        self.setFocus()

    def copy_path(self) -> None:
        if self.path:
            QGuiApplication.clipboard().setText(self.path)
            self.note.setText(f"Copied: {self.path}")

    def open_folder(self) -> None:
        if self.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.path).parent)))
