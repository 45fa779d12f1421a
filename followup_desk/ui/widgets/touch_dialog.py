"""Logging a touch in a few keystrokes: channel (one letter), out or in, what was new."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from followup_desk.domain.cadences import Channel
from followup_desk.ui.widgets.style import set_role_colour

CHANNEL_NAMES = {
    Channel.CALL: "Call",
    Channel.VOICEMAIL: "Voicemail",
    Channel.EMAIL: "Email",
    Channel.LINKEDIN: "LinkedIn message",
    Channel.TEXT: "Text message",
    Channel.VISIT: "Visit",
}


class TouchDialog(QDialog):
    def __init__(self, name: str, suggested: Channel | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Log a touch with {name}")
        form = QFormLayout(self)
        self.channel = QComboBox()
        for channel, label in CHANNEL_NAMES.items():
            self.channel.addItem(label, channel)
        if suggested is not None:
            self.channel.setCurrentIndex(list(CHANNEL_NAMES).index(suggested))
        self.channel.setAccessibleName("Channel")
        self.inbound = QCheckBox("&They reached out (a reply stops their cadence)")
        self.note = QLineEdit()
        self.note.setPlaceholderText("What was new for them: an idea, a result, a date")
        self.note.setAccessibleName("What was new for them")
        hint = QLabel("Type a channel's first letter to pick it; Enter logs it.")
        set_role_colour(hint, "muted")
        channel_label = QLabel("&Channel")
        channel_label.setBuddy(self.channel)
        note_label = QLabel("&New for them")
        note_label.setBuddy(self.note)
        form.addRow(channel_label, self.channel)
        form.addRow("", self.inbound)
        form.addRow(note_label, self.note)
        form.addRow(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("&Log it")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.note.setFocus()

    def chosen(self) -> tuple[Channel, bool, str]:
        return Channel(self.channel.currentData()), self.inbound.isChecked(), self.note.text()
