"""Adding an e-mail (SMTP) account, or changing one: host, port, security, user, From,
password, test, save."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from followup_desk.domain.accounts import Security
from followup_desk.ui.viewmodels.smtp_draft import SmtpDraft
from followup_desk.ui.widgets.account_form import AccountForm

SECURITY_CHOICES = (
    (Security.STARTTLS, "STARTTLS (usually port 587)"),
    (Security.TLS, "TLS from the start (usually port 465)"),
    (Security.NONE, "None (only for a server on this computer)"),
)


class SmtpForm(AccountForm):
    def __init__(self, draft: SmtpDraft, parent: QWidget | None = None) -> None:
        editing = draft.existing is not None
        title = (
            f"E-mail account {draft.value('name')!r}" if editing else "Add an e-mail (SMTP) account"
        )
        super().__init__(draft, title, parent)
        self.smtp = draft
        self.add_field("host", "Server (&host)", "smtp.example.com")
        self.security = QComboBox()
        self.security.setAccessibleName("Security")
        for security, text in SECURITY_CHOICES:
            self.security.addItem(text, security.value)
        self.security.currentIndexChanged.connect(self._security_chosen)
        label = QLabel("S&ecurity")
        label.setBuddy(self.security)
        self.form.addRow(label, self.security)
        self.add_field("port", "P&ort", "587")
        self.add_field("username", "&User name", "the name you log in with")
        self.add_field(
            "from_address",
            "&From",
            "your e-mail address",
            hint=(
                "Your own address: invitations are sent from you, their organizer, so the "
                "prospect's answer comes back to you."
            ),
        )
        self.add_field(
            "password",
            "&Password",
            "unchanged unless you type a new one" if editing else "your password or app password",
            password=True,
        )
        self.add_field("name", "&Name", "smtp", hint="How the app calls this account.")
        self.edits["name"].setReadOnly(editing)
        self.refresh()

    def _security_chosen(self, index: int) -> None:
        if not self._refreshing:
            self.smtp.set_security(Security(str(self.security.itemData(index))))

    def refresh(self) -> None:
        self._refreshing = True
        try:
            super().refresh()
            wanted = self.security.findData(self.smtp.security.value)
            if wanted != self.security.currentIndex():
                self.security.setCurrentIndex(wanted)
        finally:
            self._refreshing = False
