"""The answer of "Test connection": a busy indicator while waiting, then the report's sentence
in the colour of its outcome, and for a certificate nobody vouches for, its SHA-256
fingerprint with a button to trust it (which tests again)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from followup_desk.ui.viewmodels.account_draft import Draft
from followup_desk.ui.widgets.style import scaled_font, set_role_colour


class ConnectionResult(QWidget):
    def __init__(self, draft: Draft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        waiting = QHBoxLayout()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setAccessibleName("Testing")
        self.busy.setTextVisible(False)
        self.stop_hint = QLabel("Esc stops waiting")
        set_role_colour(self.stop_hint, "muted")
        waiting.addWidget(self.busy)
        waiting.addWidget(self.stop_hint)
        waiting.addStretch(1)
        layout.addLayout(waiting)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setFont(scaled_font(1.05))
        self.sentence.setAccessibleName("Test result")
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sentence)
        trust_row = QHBoxLayout()
        self.fingerprint = QLabel()
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setAccessibleName("Certificate fingerprint (SHA-256)")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trust_button = QPushButton("Trust this &certificate")
        self.trust_button.setAutoDefault(False)
        self.trust_button.setToolTip(
            "Only if this is your server and the fingerprint is the one its administrator gave "
            "you. It is stored with the account, and the connection is tested again."
        )
        self.trust_button.clicked.connect(draft.trust)
        trust_row.addWidget(self.fingerprint, 1)
        trust_row.addWidget(self.trust_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(trust_row)
        draft.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        draft = self.draft
        self.busy.setVisible(draft.testing)
        self.stop_hint.setVisible(draft.testing)
        self.sentence.setText(draft.result)
        self.sentence.setVisible(bool(draft.result))
        set_role_colour(self.sentence, draft.result_role)
        fingerprint = draft.untrusted()
        self.fingerprint.setText(f"SHA-256 fingerprint:\n{fingerprint}" if fingerprint else "")
        self.fingerprint.setVisible(bool(fingerprint))
        self.trust_button.setVisible(bool(fingerprint))
        self.trust_button.setEnabled(bool(fingerprint) and not draft.testing)
