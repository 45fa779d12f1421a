"""The cadence message as the e-mail it will be: read it, fill in its [gaps], send it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from followup_desk.ui.widgets.style import set_role_colour

if TYPE_CHECKING:
    from followup_desk.services.followup_outbox import Draft


class SendDialog(QDialog):
    def __init__(self, draft: Draft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setWindowTitle(f"Send the message to {draft.name}")
        form = QFormLayout(self)
        form.addRow("From", QLabel(draft.sender))
        form.addRow("To", QLabel(f"{draft.name} <{draft.to}>"))
        self.subject = QLineEdit(draft.subject)
        self.subject.setAccessibleName("Subject")
        subject_label = QLabel("Su&bject")  # Alt+S is Send
        subject_label.setBuddy(self.subject)
        form.addRow(subject_label, self.subject)
        self.body = QPlainTextEdit(draft.body)
        self.body.setAccessibleName("Message")
        self.body.setTabChangesFocus(True)
        self.body.setMinimumSize(520, 260)
        body_label = QLabel("&Message")
        body_label.setBuddy(self.body)
        form.addRow(body_label, self.body)
        hint = QLabel(
            "Replace the words in [square brackets] with something new for them. Sending "
            "(Alt+S or Ctrl+Enter) logs the e-mail as a touch first; if the server cannot be "
            "reached, it waits in the outbox."
        )
        hint.setWordWrap(True)
        set_role_colour(hint, "muted")
        form.addRow(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        send = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert send is not None
        send.setText("&Send")
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # Enter alone is a new line
            QShortcut(QKeySequence(keys), self).activated.connect(self.accept)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.body.setFocus()

    def edited(self) -> Draft:
        """The draft as the rep left it."""
        return replace(
            self.draft,
            subject=self.subject.text().strip() or self.draft.subject,
            body=self.body.toPlainText(),
        )
