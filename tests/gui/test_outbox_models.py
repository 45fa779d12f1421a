"""The models behind the outbox tab, the accounts list, the calendar ticks and the booked
screen's lines: Qt's rules (pytest-qt's model tester) and the words the rep reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from followup_desk.domain.accounts import (
    CalDavAccount,
    CalendarInfo,
    InvitesBy,
    Security,
    SmtpAccount,
)
from followup_desk.domain.booking import Booking, BookingStatus, Prospect
from followup_desk.domain.outbox import Channel, Job, JobState, Method
from followup_desk.services.booking import BookingOutcome
from followup_desk.storage.outbox import JobRow
from followup_desk.ui.viewmodels.accounts import AccountsModel
from followup_desk.ui.viewmodels.calendar_choice import CalendarChoiceModel
from followup_desk.ui.viewmodels.outbox import OutboxModel, advice
from followup_desk.ui.viewmodels.sending import Delivery, SendChoice, availability

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEETING = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
WORK = CalDavAccount(
    "work",
    "https://cloud.example.com",
    "robin",
    calendars=(
        CalendarInfo("https://cloud.example.com/robin/work/", "Work"),
        CalendarInfo("https://cloud.example.com/robin/team/", "Team", read_only=True),
        CalendarInfo("https://cloud.example.com/robin/tasks/", "Tasks", components=("VTODO",)),
    ),
    busy_calendars=("https://cloud.example.com/robin/work/",),
    bookings_calendar="https://cloud.example.com/robin/work/",
)
MAIL = SmtpAccount("mail", "smtp.example.com", 587, "robin", "robin@example.com", Security.TLS)


def job_row(
    job_id: int,
    state: JobState,
    *,
    channel: Channel = Channel.EMAIL,
    attempts: int = 0,
    error: str = "",
    kind: str = "",
    booking_id: int = 1,
    sequence: int = 0,
) -> JobRow:
    job = Job(
        id=job_id,
        booking_id=booking_id,
        channel=channel,
        account="mail",
        uid="b1@followup-desk",
        sequence=sequence,
        method=Method.REQUEST,
        payload=b"",
        recipient="dana@example.com",
        state=state,
        attempts=attempts,
        next_try=AT + timedelta(seconds=15),
        last_error=error,
        created=AT,
        updated=AT,
    )
    return JobRow(job, "Dana Whitfield", MEETING, kind)


HELD = job_row(
    1,
    JobState.HELD,
    attempts=1,
    error="No password is stored for the account 'mail'. Set it (followup-desk account "
    "password mail), then retry the outbox.",
    kind="no-password",
)
WAITING = job_row(
    2,
    JobState.WAITING,
    channel=Channel.CALDAV,
    attempts=2,
    error="Nothing answers at cloud.example.com. Trying again in 1 minutes.",
    kind="unreachable",
)
SENT = job_row(3, JobState.SENT, attempts=1)


def test_the_models_keep_qts_rules(qtmodeltester: ModelTester) -> None:
    outbox = OutboxModel("Europe/Berlin")
    accounts = AccountsModel()
    calendars = CalendarChoiceModel()
    for model in (outbox, accounts, calendars):
        qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt
    outbox.set_rows([HELD, WAITING, SENT])
    accounts.set_accounts([WORK, MAIL])
    calendars.set_calendars(WORK.calendars, WORK.busy_calendars, WORK.bookings_calendar)
    for model in (outbox, accounts, calendars):
        qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt


def test_the_outbox_says_each_jobs_state_and_what_to_do_without_a_command_line() -> None:
    model = OutboxModel("Europe/Berlin")
    model.set_rows([HELD, WAITING, SENT])
    rows = [[model.index(r, c).data() for c in range(6)] for r in range(3)]
    assert rows[0][:5] == ["Dana Whitfield", "Fri 4 Dec 15:00", "e-mail", "⚠ held: needs you", "1"]
    assert rows[0][5] == (
        "No password is stored for this account. Type the password in File › Accounts… "
        "(Ctrl+Shift+A) (Change password), then press R."
    )
    assert rows[1][2:6] == ["calendar", "will try again", "2", "next try 10:00:15"]
    assert model.index(1, 5).data(Qt.ItemDataRole.ToolTipRole) == WAITING.job.last_error
    assert rows[2][3:6] == ["sent ✓", "1", "sent Mon 23 Nov 10:00"]
    assert "followup-desk" not in advice(HELD)


def test_the_accounts_list_says_what_each_account_is_used_for() -> None:
    model = AccountsModel()
    model.set_accounts([WORK, MAIL])
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(2)]
    assert rows[0] == [
        "Calendar (CalDAV)",
        "work",
        "robin@cloud.example.com",
        # the task list is the calendar that takes only tasks
        "busy: Work · bookings go to: Work · due touches (tasks) go to: Tasks"
        " · invitations e-mailed by this app",
    ]
    assert rows[1] == [
        "E-mail (SMTP)",
        "mail",
        "robin@smtp.example.com:587",
        "sends the invitations, from robin@example.com",
    ]


def test_a_read_only_calendar_counts_as_busy_but_never_receives_bookings() -> None:
    model = CalendarChoiceModel()
    model.set_calendars(WORK.calendars, (), "")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "Work",
        "Team (read-only)",
    ]  # a task list is not offered at all
    assert model.index(1, 2).data() == "read-only"
    assert not model.flags(model.index(1, 2)) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.choose_bookings(1)
    assert "Team is read-only for you" in model.message
    model.toggle_busy(1)
    assert model.choose_bookings(0)
    assert model.busy() == ("https://cloud.example.com/robin/team/",)
    assert model.bookings() == "https://cloud.example.com/robin/work/"
    assert model.setData(model.index(0, 1), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert len(model.busy()) == 2


def test_the_toggles_start_from_the_settings_and_refuse_a_channel_without_its_account() -> None:
    choice = SendChoice(["caldav", "ics"])
    assert choice.chosen() == ("caldav", "ics")  # accounts not read yet: as the settings say
    choice.set_availability(availability([MAIL]))
    assert choice.chosen() == ("ics",)  # no calendar account: the calendar cannot be ticked
    assert "No calendar (CalDAV) account yet" in choice.why_not(Channel.CALDAV)
    assert choice.press("c")
    assert choice.chosen() == ("ics",) and "File › Accounts…" in choice.message
    assert choice.press("E") and choice.chosen() == ("email", "ics")
    assert not choice.press("x")
    choice.set_availability(availability([WORK, MAIL]))
    assert choice.chosen() == ("email", "ics")  # the rep's own choice stays
    choice.reset()
    assert choice.chosen() == ("caldav", "ics")
    choice.reset(("email",))  # a move: the way the invite went
    assert choice.chosen() == ("email",)
    by_server = CalDavAccount("work", "https://x", "r", invites_by=InvitesBy.SERVER)
    assert "no calendar chosen" in availability([by_server]).caldav


def test_the_booked_screen_follows_each_channel_of_its_booking() -> None:
    prospect = Prospect(1, "Dana Whitfield", "dana@example.com", "Europe/Berlin")
    booking = Booking(
        1,
        1,
        "b1@followup-desk",
        0,
        BookingStatus.BOOKED,
        MEETING,
        MEETING + timedelta(minutes=30),
        "Europe/Berlin",
        "Europe/Berlin",
        "Next step",
        AT,
        AT,
    )
    delivery = Delivery()
    delivery.start(
        BookingOutcome(booking, prospect, "", (), ("caldav",)), "booked", ("caldav", "email")
    )
    assert [line.text for line in delivery.lines()] == [
        "Calendar: sending…",
        "E-mail: the calendar server e-mails the invitation itself (so the prospect gets "
        "exactly one).",
    ]
    delivery.update([WAITING, job_row(9, JobState.SENT, booking_id=2, channel=Channel.CALDAV)])
    [calendar, _] = delivery.lines()
    assert calendar.text == (
        "Calendar: waiting: Nothing answers at cloud.example.com. Trying again in 1 minutes."
    )
    assert calendar.role == "warning"
    assert delivery.pending()
    delivery.update([job_row(4, JobState.SENT, channel=Channel.CALDAV, attempts=3)])
    assert delivery.lines()[0].text == "Calendar: in your calendar ✓"
    assert not delivery.pending()
