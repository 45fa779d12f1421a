"""How the invite goes out, as the rep sees it: the confirm step's toggles, the booked screen's
live lines, the outbox tab and its keys, and the prospect's reply in the list.

A real SMTP server (aiosmtpd) receives the invitations; accounts are saved through the
account service beforehand, as the Accounts dialog would save them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import keyring
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.accounts import Security, SmtpAccount
from followup_desk.domain.outbox import Channel, JobState
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.storage.outbox import SqliteOutbox
from followup_desk.ui.viewmodels.narrowing import Step
from followup_desk.ui.viewmodels.outbox_worker import POLL_S, wait_seconds
from followup_desk.ui.widgets.main_window import MainWindow
from tests.conftest import SettingsWriter
from tests.gui.conftest import BERLIN, NOW, WindowFactory, answer, press, type_text
from tests.gui.test_flow_keys import select_the_row
from tests.servers import CalDavServer, MemoryKeyring, SmtpServer, start_smtp

CTRL = Qt.KeyboardModifier.ControlModifier
KEYRING = "Followup Desk"
MAIL_KEY = (KEYRING, "smtp:mail")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = start_smtp(password="Smtp-pw-9Lm")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def with_mail(
    fd_home: AppPaths, write_settings: SettingsWriter, calendar_file: Path, smtp: SmtpServer
) -> SmtpAccount:
    """An e-mail account saved (with the right password) before the window opens."""
    write_settings(sources=[str(calendar_file)])
    desk = open_desk(fd_home, FixedClock(NOW))
    try:
        account = SmtpAccount(
            "mail", smtp.host, smtp.port, smtp.username, "robin@example.com", Security.NONE
        )
        desk.accounts.save(account, smtp.password)
    finally:
        desk.close()
    return account


def to_confirm(qtbot: QtBot, window: MainWindow) -> None:
    type_text(qtbot, "Dana Whitfield")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "dana@example.com")
    press(qtbot, Qt.Key.Key_Return)
    for key in (Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3, Qt.Key.Key_Return):
        press(qtbot, key)  # late next week, Friday, afternoon, "how about 3?", that time
    assert window.vm.flow.step is Step.CONFIRM


def lines(window: MainWindow) -> list[str]:
    return window.outcome.channel_texts()


def book_by_email(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.vm.send.why_not(Channel.EMAIL))  # accounts read
    to_confirm(qtbot, window)
    press(qtbot, Qt.Key.Key_E)  # tick e-mail
    press(qtbot, Qt.Key.Key_I)  # untick the .ics file
    assert window.vm.send.chosen() == ("email",)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vm.outcome is not None)


def test_booking_with_email_ticked_delivers_one_invitation_and_the_booked_screen_says_sent(
    qtbot: QtBot,
    make_window: WindowFactory,
    with_mail: SmtpAccount,
    smtp: SmtpServer,
    fd_home: AppPaths,
) -> None:
    before = len(smtp.messages)
    window = make_window()
    qtbot.waitUntil(lambda: not window.vm.send.why_not(Channel.EMAIL))
    to_confirm(qtbot, window)
    toggles = window.panel.toggles
    assert toggles is not None and toggles.isVisible()
    assert toggles.boxes[Channel.ICS].isChecked()  # the settings' default: the file
    assert not toggles.boxes[Channel.CALDAV].isEnabled()  # no calendar account
    assert "No calendar (CalDAV) account" in toggles.boxes[Channel.CALDAV].toolTip()
    press(qtbot, Qt.Key.Key_E)
    press(qtbot, Qt.Key.Key_I)
    assert toggles.boxes[Channel.EMAIL].isChecked() and not toggles.boxes[Channel.ICS].isChecked()
    [confirm] = [row.option.title for row in window.panel.rows()]
    assert confirm == "&Book and send the invite"
    press(qtbot, Qt.Key.Key_Return)  # Enter still books
    qtbot.waitUntil(lambda: window.vm.outcome is not None)

    assert window.outcome.saved.isVisible()  # the booking is saved, whatever the mail does
    assert not window.outcome.file.isVisible()  # no .ics file was asked for
    qtbot.waitUntil(lambda: lines(window) == ["E-mail: sent to dana@example.com ✓"])
    [mail] = smtp.wait_for(before + 1)[before:]
    assert mail.rcpt_tos == ["dana@example.com"]
    assert b"METHOD:REQUEST" in mail.data.replace(b"\r\n ", b"")
    assert not fd_home.invites_dir.exists() or not any(fd_home.invites_dir.iterdir())
    # nothing is sent twice: later runs find nothing due
    runs = window.outbox_worker.runs
    window.outbox_worker.run_now()
    qtbot.waitUntil(lambda: window.outbox_worker.runs > runs)
    assert len(smtp.messages) == before + 1


def test_without_accounts_the_calendar_and_email_toggles_say_why_and_the_file_still_goes(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: bool(window.vm.send.why_not(Channel.EMAIL)))
    to_confirm(qtbot, window)
    toggles = window.panel.toggles
    assert toggles is not None
    assert not toggles.boxes[Channel.EMAIL].isEnabled()
    assert "need an account first" in toggles.note.text()
    press(qtbot, Qt.Key.Key_E)  # refused, with the reason
    assert "No e-mail (SMTP) account yet" in toggles.note.text()
    assert window.vm.send.chosen() == ("ics",)
    press(qtbot, Qt.Key.Key_I)  # nothing left ticked: Enter says so and books nothing
    press(qtbot, Qt.Key.Key_Return)
    assert "Tick at least one way" in window.panel.message_label.text()
    assert window.vm.outcome is None
    press(qtbot, Qt.Key.Key_I)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vm.outcome is not None)
    assert ".ics file written to" in window.outcome.file.text()
    assert lines(window) == []


def test_a_held_email_is_shown_in_the_outbox_with_what_to_do_and_r_sends_it(
    qtbot: QtBot,
    make_window: WindowFactory,
    with_mail: SmtpAccount,
    smtp: SmtpServer,
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.passwords[MAIL_KEY] = "an-old-password"
    before = len(smtp.messages)
    window = make_window()
    book_by_email(qtbot, window)
    qtbot.waitUntil(lambda: any(t.startswith("E-mail: held:") for t in lines(window)))
    held = next(t for t in lines(window) if t.startswith("E-mail: held:"))
    assert "Correct the password in File › Accounts" in held
    assert window.outbox_badge.isVisible()
    assert window.outbox_badge.text() == "⚠ Outbox: 1 needs you"
    assert "1 needs you" in window.pages.tabText(window.pages.indexOf(window.outbox))

    press(qtbot, Qt.Key.Key_B, CTRL)  # the outbox
    assert window.pages.currentWidget() is window.outbox
    assert QApplication.focusWidget() is window.outbox.table
    model = window.outbox_vm.model
    row = model.row(0)
    assert row is not None and row.job.state is JobState.HELD
    shown = [model.index(0, c).data() for c in range(model.columnCount())]
    assert shown[0] == "Dana Whitfield"
    assert shown[1] == "Fri 4 Dec 15:00"
    assert shown[2:5] == ["e-mail", "⚠ held: needs you", "1"]
    assert "Correct the password" in shown[5]
    assert "Correct the password in File › Accounts" in window.outbox.detail.text()
    assert "followup-desk" not in window.outbox.detail.text()  # no command line in the window

    memory_keyring.passwords[MAIL_KEY] = smtp.password  # the rep fixed the password
    press(qtbot, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(smtp.messages) == before + 1)
    qtbot.waitUntil(lambda: model.row(0) is not None and model.index(0, 3).data() == "sent ✓")
    assert not window.outbox_badge.isVisible()
    assert window.pages.tabText(window.pages.indexOf(window.outbox)) == "Out&box"
    qtbot.waitUntil(lambda: lines(window) == ["E-mail: sent to dana@example.com ✓"])


def yes_to(seen: list[str]) -> Callable[[QDialog], None]:
    """An answer to a question box: its text goes to ``seen``, then Yes is pressed."""

    def say_yes(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        button = box.button(QMessageBox.StandardButton.Yes)
        assert button is not None
        button.click()

    return say_yes


def test_dropping_a_held_job_asks_first(
    qtbot: QtBot,
    make_window: WindowFactory,
    with_mail: SmtpAccount,
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.passwords[MAIL_KEY] = "an-old-password"
    window = make_window()
    book_by_email(qtbot, window)
    qtbot.waitUntil(lambda: window.outbox_vm.needs_you == 1)
    press(qtbot, Qt.Key.Key_B, CTRL)
    seen: list[str] = []
    say_yes = yes_to(seen)
    answer(say_yes)
    press(qtbot, Qt.Key.Key_Delete)
    assert seen and "Give up sending the e-mail for Dana Whitfield" in seen[0]
    model = window.outbox_vm.model
    qtbot.waitUntil(lambda: model.index(0, 3).data() == "dropped")
    assert window.outbox_vm.needs_you == 0
    assert not window.outbox_badge.isVisible()


def seed_unknown_emails(fd_home: AppPaths, names: list[str]) -> None:
    """Bookings whose e-mail was being sent when the app stopped: their fate is unknown."""
    desk = open_desk(fd_home, FixedClock(NOW))
    try:
        for hour, name in enumerate(names, start=10):
            desk.bookings.book(
                BookingRequest(
                    name=name,
                    email=f"{name.split()[0].lower()}@example.com",
                    start=datetime(2026, 11, 26, hour, 0, tzinfo=BERLIN),
                    length=timedelta(minutes=30),
                    send=("email",),
                )
            )
        outbox = SqliteOutbox(desk.conn)
        for row in outbox.rows():
            # taken, then the app stopped, ten minutes before this start
            assert outbox.claim(row.job.id, NOW - timedelta(minutes=10))
    finally:
        desk.close()


def test_an_email_of_unknown_fate_waits_for_the_reps_word(
    qtbot: QtBot,
    make_window: WindowFactory,
    with_mail: SmtpAccount,
    smtp: SmtpServer,
    fd_home: AppPaths,
) -> None:
    seed_unknown_emails(fd_home, ["Ana Silva", "Ben Okafor"])
    before = len(smtp.messages)
    window = make_window()
    vm = window.outbox_vm
    qtbot.waitUntil(lambda: vm.needs_you == 2)  # the worker's first run found them
    assert len(smtp.messages) == before  # never sent again on its own
    press(qtbot, Qt.Key.Key_B, CTRL)
    model = vm.model
    assert [model.index(r, 3).data() for r in range(2)] == ["⚠ did it go out?"] * 2
    assert "may or may not have gone out" in window.outbox.detail.text()
    assert "A it arrived (never send it again) · S send again" in window.outbox.detail.text()
    assert window.outbox.arrived_button.isEnabled() and not window.outbox.retry_button.isEnabled()

    first = model.row(0)
    assert first is not None
    press(qtbot, Qt.Key.Key_A)  # it arrived: marked sent, never sent
    qtbot.waitUntil(lambda: vm.needs_you == 1)
    window.outbox.table.setCurrentIndex(model.index(0, 0))  # the other one
    other = model.row(0)
    assert other is not None and other.prospect != first.prospect
    press(qtbot, Qt.Key.Key_S)  # send it again
    qtbot.waitUntil(lambda: vm.needs_you == 0 and len(smtp.messages) == before + 1)
    assert smtp.messages[-1].rcpt_tos == [f"{other.prospect.split()[0].lower()}@example.com"]


REPLY = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Prospect's mail//EN\r
METHOD:REPLY\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261123T093000Z\r
SEQUENCE:0\r
DTSTART:20261204T140000Z\r
ATTENDEE;PARTSTAT={partstat}:mailto:dana@example.com\r
ORGANIZER:mailto:robin@example.com\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_imported_reply_shows_in_the_reply_column(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window()
    to_confirm(qtbot, window)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vm.outcome is not None)
    outcome = window.vm.outcome
    assert outcome is not None
    prospects = window.vm.prospects
    qtbot.waitUntil(lambda: prospects.rowCount() == 1)
    assert prospects.headerData(3, Qt.Orientation.Horizontal) == "Reply"
    assert prospects.index(0, 3).data() == ""  # only an .ics file: nothing to wait for

    accepted = tmp_path / "accepted.ics"
    accepted.write_text(REPLY.format(uid=outcome.booking.uid, partstat="ACCEPTED"), newline="")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(accepted), ""))
    )
    press(qtbot, Qt.Key.Key_I, CTRL)  # File › Import a reply…
    qtbot.waitUntil(lambda: prospects.index(0, 3).data() == "accepted")
    assert window.statusBar().currentMessage() == (
        f"Dana Whitfield accepted (booking {outcome.booking.id})."
    )

    # a file dropped on the window is read the same way
    declined = tmp_path / "declined.ics"
    declined.write_text(REPLY.format(uid=outcome.booking.uid, partstat="DECLINED"), newline="")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(declined))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: prospects.index(0, 3).data() == "declined")

    # a file that holds no answer says so
    stray = tmp_path / "notes.eml"
    stray.write_text("Subject: lunch\n\nSee you at noon.\n", encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(stray), ""))
    )
    seen: list[str] = []

    def read(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    answer(read)
    press(qtbot, Qt.Key.Key_I, CTRL)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen[0].startswith("notes.eml: ")
    assert "not a calendar reply" in seen[0]
    assert prospects.index(0, 3).data() == "declined"


def test_the_outbox_worker_runs_after_the_first_paint_and_stops_cleanly(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    worker = window.outbox_worker
    qtbot.waitUntil(lambda: worker.runs >= 1)
    assert worker.started
    assert 0 < worker.next_run_ms <= POLL_S * 1000  # nothing due: it polls within a minute
    assert window.outbox_vm.loaded
    assert window.outbox_vm.summary() == "Nothing has been sent through the outbox yet."

    window.close()
    assert worker.stopped
    assert not worker.runner.running
    assert not window.vm.runner.running
    assert worker.next_run_ms == -1
    worker.run_now()  # a late request after the end does nothing
    assert worker.runner.pending == 0


def test_the_next_run_waits_for_the_next_due_job_within_bounds() -> None:
    assert wait_seconds(None) == 60
    assert wait_seconds(0.2) == 2  # never a busy loop
    assert wait_seconds(15) == 15
    assert wait_seconds(3600) == 60  # polls every minute anyway


# --- a calendar server: booked, moved and cancelled there ------------------------------------


def add_work_account(
    fd_home: AppPaths, radicale: CalDavServer, bookings: str, busy: list[str]
) -> None:
    """The rep's CalDAV account "work", saved before the window opens."""
    desk = open_desk(fd_home, FixedClock(NOW))
    try:
        desk.accounts.add_caldav(
            name="work",
            url=radicale.url,
            username=radicale.username,
            password=radicale.password,
            bookings_calendar=bookings,
            busy_calendars=busy,
        )
    finally:
        desk.close()


def test_a_booking_lands_in_the_calendar_and_its_move_and_cancellation_follow_it_there(
    qtbot: QtBot,
    make_window: WindowFactory,
    radicale: CalDavServer,
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    calendar_file: Path,
) -> None:
    calendar = radicale.make_calendar(f"bookings-{fd_home.data_dir.parent.parent.name}")
    write_settings(sources=[str(calendar_file)])
    add_work_account(fd_home, radicale, calendar, [calendar])
    window = make_window()
    qtbot.waitUntil(lambda: not window.vm.send.why_not(Channel.CALDAV))
    to_confirm(qtbot, window)
    press(qtbot, Qt.Key.Key_C)  # the calendar, not the file
    press(qtbot, Qt.Key.Key_I)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lines(window) == ["Calendar: in your calendar ✓"])
    [(href, stored)] = radicale.objects(calendar).items()
    outcome = window.vm.outcome
    assert outcome is not None
    unfolded = stored.replace(b"\r\n ", b"")
    assert outcome.booking.uid.encode() in unfolded
    qtbot.waitUntil(lambda: window.vm.prospects.index(0, 3).data() == "no answer yet")

    # the prospect accepts in their calendar; the server's copy says so, and the list too
    assert b"PARTSTAT=NEEDS-ACTION" in unfolded
    answered = unfolded.replace(b"PARTSTAT=NEEDS-ACTION", b"PARTSTAT=ACCEPTED")
    radicale.put(calendar, unquote(href.rstrip("/").rsplit("/", 1)[-1]), answered)
    press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # the outbox
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.outbox)
    press(qtbot, Qt.Key.Key_F5)  # read the answers now, not at the next 10-minute refresh
    qtbot.waitUntil(lambda: window.vm.prospects.index(0, 3).data() == "accepted")
    assert window.statusBar().currentMessage() == (
        f"Dana Whitfield accepted (booking {outcome.booking.id})."
    )

    # R on the row: the move goes out the way the invite did (the calendar, no file)
    press(qtbot, Qt.Key.Key_Escape)  # from the outbox back to the flow and its list
    select_the_row(qtbot, window)
    press(qtbot, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.vm.flow.narrowing is not None and not window.vm.flow.loading)
    for key in (Qt.Key.Key_3, Qt.Key.Key_1, Qt.Key.Key_M, Qt.Key.Key_1, Qt.Key.Key_0):
        press(qtbot, key)  # late next week, Thursday, morning, "how about 10?"
    press(qtbot, Qt.Key.Key_Return)
    assert window.vm.flow.step is Step.CONFIRM
    assert window.vm.send.chosen() == ("caldav",)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lines(window) == ["Calendar: moved in your calendar ✓"])
    [moved] = radicale.objects(calendar).values()
    assert b"SEQUENCE:1" in moved

    # Delete on the row: the question says where the cancellation goes
    seen: list[str] = []
    say_yes = yes_to(seen)
    select_the_row(qtbot, window)
    answer(say_yes)
    press(qtbot, Qt.Key.Key_Delete)
    assert seen == [
        "Cancel the meeting with Dana Whitfield? The cancellation is marked cancelled in "
        "your calendar."
    ]
    qtbot.waitUntil(lambda: lines(window) == ["Calendar: marked cancelled in your calendar ✓"])
    [cancelled] = radicale.objects(calendar).values()
    assert b"STATUS:CANCELLED" in cancelled


def test_an_account_without_its_password_is_named_once_with_where_to_set_it(
    qtbot: QtBot,
    make_window: WindowFactory,
    radicale: CalDavServer,
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    calendar_file: Path,
) -> None:
    # two busy calendars on one account whose password this computer does not have (a
    # session-only password after a restart): one sentence, not one per calendar
    name = fd_home.data_dir.parent.parent.name
    work, home = radicale.make_calendar(f"work-{name}"), radicale.make_calendar(f"home-{name}")
    write_settings(sources=[str(calendar_file)])
    add_work_account(fd_home, radicale, work, [work, home])
    keyring.set_keyring(MemoryKeyring())  # the password is gone; the autouse fixture restores
    window = make_window()
    qtbot.waitUntil(lambda: window.banner.isVisible())
    said = window.banner.label.text()
    assert said.count("The password of the account 'work' is not set") == 1
    assert "File › Accounts… (Ctrl+Shift+A)" in said
    assert "followup-desk account password work" in said
