"""The confirm step's three toggles: how the invite goes out (calendar, e-mail, .ics file).

The keys C, E and I flip them while the flow has the keyboard (the panel hands them over);
the boxes never take the focus, so Enter still books. A toggle whose account does not exist
is disabled and says why, in its tooltip and in the line below when its key is pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from followup_desk.domain.outbox import Channel
from followup_desk.ui.viewmodels.sending import KEYS, NAMES, ORDER, SendChoice
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

_KEY_OF = {channel: key.upper() for key, channel in KEYS.items()}


class SendToggles(QWidget):
    def __init__(self, choice: SendChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = choice
        self.setAccessibleName("How the invite goes out")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(18)
        title = QLabel("Send the invite by:")
        title.setFont(scaled_font(1.05, bold=True))
        row.addWidget(title)
        self.boxes: dict[Channel, QCheckBox] = {}
        for channel in ORDER:
            box = QCheckBox(f"{NAMES[channel]}  ({_KEY_OF[channel]})")
            box.setFont(scaled_font(1.05))
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the flow keeps the keyboard
            box.setAccessibleName(NAMES[channel])
            box.clicked.connect(lambda _checked=False, c=channel: choice.toggle(c))
            self.boxes[channel] = box
            row.addWidget(box)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Why a way to send is not available")
        set_role_colour(self.note, "warning")
        layout.addWidget(self.note)
        choice.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        choice = self.choice
        for channel, box in self.boxes.items():
            why = choice.why_not(channel)
            box.blockSignals(True)
            box.setChecked(choice.is_ticked(channel))
            box.blockSignals(False)
            box.setEnabled(not why)
            box.setToolTip(why or f"Press {_KEY_OF[channel]} to tick or untick.")
            box.setAccessibleDescription(why)
        missing = [NAMES[c] for c in ORDER if choice.why_not(c)]
        note = choice.message
        if not note and missing:
            what = " and ".join(missing)
            needs = "needs" if len(missing) == 1 else "need"
            note = f"{what} {needs} an account first: File › Accounts… (Ctrl+Shift+A)."
        set_role_colour(self.note, "warning" if choice.message else "muted")
        self.note.setText(note)
        self.note.setVisible(bool(note))
