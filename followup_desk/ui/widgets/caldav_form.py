"""Adding a CalDAV account (address, user, password, test, calendars, save), or changing the
calendars of one already saved."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QWidget

from followup_desk.domain.accounts import InvitesBy
from followup_desk.ui.viewmodels.account_draft import CalDavDraft
from followup_desk.ui.widgets.account_form import AccountForm
from followup_desk.ui.widgets.calendar_table import CalendarTable
from followup_desk.ui.widgets.style import scaled_font, set_role_colour


class CalDavForm(AccountForm):
    def __init__(self, draft: CalDavDraft, parent: QWidget | None = None) -> None:
        editing = draft.existing is not None
        title = (
            f"Calendars of {draft.value('name')!r}"
            if editing
            else "Add a calendar (CalDAV) account"
        )
        super().__init__(draft, title, parent)
        self.caldav = draft
        self.add_field(
            "url",
            "Server &address",
            "https://cloud.example.com (the app finds your calendars there)",
        )
        self.add_field("username", "&User name", "the name you log in with")
        self.add_field(
            "password",
            "&Password",
            "unchanged unless you type a new one" if editing else "your password or app password",
            password=True,
        )
        self.add_field("name", "&Name", "caldav", hint="How the app calls this account.")
        if editing:
            for field in ("url", "username", "name"):
                self.edits[field].setReadOnly(True)

        self.calendars_title = QLabel("Calendars found")
        self.calendars_title.setFont(scaled_font(1.1, bold=True))
        self.calendars_hint = QLabel(
            "Space: counts as busy (its events are never offered) · B: receives bookings "
            "(one calendar you can write to)"
        )
        self.calendars_hint.setWordWrap(True)
        set_role_colour(self.calendars_hint, "muted")
        self.table = CalendarTable(draft.calendars)
        self.choice_note = QLabel()
        self.choice_note.setWordWrap(True)
        set_role_colour(self.choice_note, "warning")

        self.by_app = QRadioButton("t&his app")
        self.by_server = QRadioButton("the calendar se&rver")
        self.by_group = QButtonGroup(self)
        self.by_group.addButton(self.by_app)
        self.by_group.addButton(self.by_server)
        self.by_app.toggled.connect(
            lambda on: draft.set_invites_by(InvitesBy.APP if on else InvitesBy.SERVER)
        )
        invites = QHBoxLayout()
        invites_label = QLabel("Invitations are e-mailed by:")
        invites.addWidget(invites_label)
        invites.addWidget(self.by_app)
        invites.addWidget(self.by_server)
        invites.addStretch(1)
        self.invites_hint = QLabel(
            "Either way the prospect gets exactly one invitation. Choose the server only if it "
            "sends invitations itself (Nextcloud, iCloud and Fastmail do)."
        )
        self.invites_hint.setWordWrap(True)
        set_role_colour(self.invites_hint, "muted")
        self.body.addWidget(self.calendars_title)
        self.body.addWidget(self.calendars_hint)
        self.body.addWidget(self.table)
        self.body.addWidget(self.choice_note)
        self.body.addLayout(invites)
        self.body.addWidget(self.invites_hint)
        draft.calendars.dataChanged.connect(lambda *_args: self.refresh())
        draft.calendars.modelReset.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        draft = self.caldav
        found = draft.calendars.rowCount() > 0
        for widget in (self.calendars_title, self.calendars_hint, self.table):
            widget.setVisible(found)
        message = draft.calendars.message
        if found and not draft.calendars.bookings() and not message:
            message = "No calendar receives bookings: invites will not be written to this server."
        self.choice_note.setText(message)
        self.choice_note.setVisible(found and bool(message))
        button = self.by_app if draft.invites_by is InvitesBy.APP else self.by_server
        if not button.isChecked():
            button.setChecked(True)
