"""The outbox without the network: jobs are saved with their booking, in one transaction,
replaced by later changes, recovered after a stop mid-send, and decided by the rep.

Accounts are put in the database directly (no connection test), as a restored backup would
have them; nothing here talks to a server, so nothing is sent: only what waits is checked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import keyring
import pytest
from keyring.backend import KeyringBackend

from followup_desk.adapters.clock import FixedClock
from followup_desk.adapters.secrets import KeyringSecrets
from followup_desk.app import Desk, open_desk
from followup_desk.domain.accounts import CalDavAccount, CalendarInfo, Security, SmtpAccount
from followup_desk.domain.outbox import Channel, JobState, Method
from followup_desk.errors import InvalidInputError
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.storage.accounts import SqliteAccountStore
from followup_desk.storage.outbox import SqliteOutbox
from tests.conftest import SettingsWriter
from tests.servers import MemoryKeyring

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)  # a Monday
CAL = "http://127.0.0.1:9/rep/work/"


@pytest.fixture
def desk(
    fd_home: AppPaths, write_settings: SettingsWriter, memory_keyring: MemoryKeyring
) -> Iterator[Desk]:
    write_settings()
    first = open_desk(fd_home, clock=FixedClock(NOW))
    store = SqliteAccountStore(first.conn)
    store.save(
        CalDavAccount(
            name="work",
            url="http://127.0.0.1:9/",
            username="rep",
            calendars=(CalendarInfo(CAL, "Work"),),
            busy_calendars=(),
            bookings_calendar=CAL,
        ),
        NOW,
    )
    store.save(
        SmtpAccount(
            name="mail",
            host="127.0.0.1",
            port=9,
            username="rep",
            from_address="robin@example.com",
            security=Security.NONE,
        ),
        NOW,
    )
    first.close()
    opened = open_desk(fd_home, clock=FixedClock(NOW))
    yield opened
    opened.close()


def book(desk: Desk, send: tuple[str, ...] | None, hour: int = 10) -> int:
    outcome = desk.bookings.book(
        BookingRequest(
            name="José Müller",
            email="jose@example.com",
            start=datetime(2026, 11, 25, hour, 0, tzinfo=BERLIN),
            length=timedelta(minutes=30),
            send=send,
        )
    )
    assert outcome.booking.id is not None
    return outcome.booking.id


def jobs(desk: Desk) -> list[tuple[str, str, int, str]]:
    return [
        (r.job.channel.value, r.job.method.value, r.job.sequence, r.job.state.value)
        for r in sorted(SqliteOutbox(desk.conn).rows(), key=lambda r: r.job.id)
    ]


def test_a_booking_and_its_jobs_are_saved_together(desk: Desk) -> None:
    booking_id = book(desk, ("caldav", "email"))
    assert jobs(desk) == [("caldav", "REQUEST", 0, "waiting"), ("email", "REQUEST", 0, "waiting")]
    rows = {r.job.channel: r.job for r in SqliteOutbox(desk.conn).rows()}
    stored = rows[Channel.CALDAV].payload
    # the server's copy carries no METHOD, and tells a scheduling server the app sends mail
    assert b"METHOD:" not in stored
    assert b"SCHEDULE-AGENT=CLIENT" in stored.replace(b"\r\n ", b"")
    mail = message_from_bytes(rows[Channel.EMAIL].payload, policy=policy.default)
    assert mail["To"].addresses[0].addr_spec == "jose@example.com"
    assert rows[Channel.EMAIL].recipient == "jose@example.com"
    assert rows[Channel.EMAIL].booking_id == booking_id


def test_without_ics_no_file_is_written(desk: Desk) -> None:
    book(desk, ("email",))
    assert not desk.paths.invites_dir.exists() or not any(desk.paths.invites_dir.iterdir())


def test_a_booking_that_fails_to_save_leaves_no_job(desk: Desk) -> None:
    # the database refuses the last write of the booking's transaction (a full disk, say)
    desk.conn.execute(
        "CREATE TEMP TRIGGER refuse AFTER INSERT ON outbox"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        book(desk, ("caldav",))
    assert desk.conn.execute("SELECT COUNT(*) FROM booking").fetchone()[0] == 0
    assert desk.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_a_change_replaces_what_has_not_left(desk: Desk) -> None:
    booking_id = book(desk, ("caldav", "email"))
    desk.bookings.reschedule(booking_id, datetime(2026, 11, 26, 11, 0, tzinfo=BERLIN))
    # sent the same way as the booking, without being asked again
    assert jobs(desk) == [
        ("caldav", "REQUEST", 0, "dropped"),
        ("email", "REQUEST", 0, "dropped"),
        ("caldav", "REQUEST", 1, "waiting"),
        ("email", "REQUEST", 1, "waiting"),
    ]


def test_cancelling_before_the_invitation_left_sends_no_cancellation_mail(desk: Desk) -> None:
    booking_id = book(desk, ("caldav", "email"))
    desk.bookings.cancel(booking_id)
    assert jobs(desk)[-1] == ("caldav", "CANCEL", 1, "waiting")
    assert ("email", "CANCEL", 1, "waiting") not in jobs(desk)


def test_a_cancellation_follows_an_invitation_that_left(desk: Desk) -> None:
    booking_id = book(desk, ("email",))
    outbox = SqliteOutbox(desk.conn)
    job = outbox.due(NOW)[0]
    assert outbox.claim(job.id, NOW)
    outbox.mark_sent(job, NOW)
    desk.bookings.cancel(booking_id)
    assert jobs(desk) == [("email", "REQUEST", 0, "sent"), ("email", "CANCEL", 1, "waiting")]
    cancel = outbox.due(NOW)[0]
    assert cancel.method is Method.CANCEL
    assert b"METHOD=CANCEL" in cancel.payload.upper().replace(b'"', b"")


def test_a_stop_mid_send_is_recovered_without_a_second_email(desk: Desk) -> None:
    book(desk, ("caldav", "email"))
    outbox = SqliteOutbox(desk.conn)
    for job in outbox.due(NOW):
        assert outbox.claim(job.id, NOW - timedelta(minutes=10))
    # the app stopped there, ten minutes ago; at this start:
    assert desk.outbox.recover() == 2
    states = {r.job.channel: r.job.state for r in outbox.rows()}
    assert states == {Channel.CALDAV: JobState.WAITING, Channel.EMAIL: JobState.UNKNOWN}
    # an e-mail of unknown fate is not retried by "retry everything"
    desk.outbox.retry()
    assert {r.job.channel: r.job.state for r in outbox.rows()}[Channel.EMAIL] is JobState.UNKNOWN
    email = next(r.job for r in outbox.rows() if r.job.channel is Channel.EMAIL)
    desk.outbox.mark_arrived(email.id)
    assert {r.job.channel: r.job.state for r in outbox.rows()}[Channel.EMAIL] is JobState.SENT
    assert all(j.channel is Channel.CALDAV for j in outbox.due(NOW))


def test_a_send_under_way_in_another_worker_is_not_taken_for_a_stop(desk: Desk) -> None:
    # the window's outbox worker starts while the main worker (or the command line) is
    # sending: that e-mail is not "unknown", and the calendar write is not repeated
    book(desk, ("caldav", "email"))
    outbox = SqliteOutbox(desk.conn)
    for job in outbox.due(NOW):
        assert outbox.claim(job.id, NOW - timedelta(seconds=30))
    assert desk.outbox.recover() == 0
    assert {r.job.state for r in outbox.rows()} == {JobState.SENDING}


def test_channels_without_an_account_are_refused_before_anything_is_saved(
    fd_home: AppPaths, write_settings: SettingsWriter, memory_keyring: MemoryKeyring
) -> None:
    write_settings()
    desk = open_desk(fd_home, clock=FixedClock(NOW))
    try:
        with pytest.raises(InvalidInputError, match="no e-mail \\(SMTP\\) account"):
            book(desk, ("email",))
        with pytest.raises(InvalidInputError, match="not a way to send"):
            book(desk, ("fax",))
        assert desk.bookings.next_steps() == []
    finally:
        desk.close()


def test_passwords_go_to_the_keyring_and_nowhere_else(
    desk: Desk, memory_keyring: MemoryKeyring
) -> None:
    secret = "pässwörd-9f3c1e"
    assert desk.accounts.set_password("mail", secret)
    assert desk.accounts.password(desk.accounts.get("mail")) == secret
    assert ("Followup Desk", "smtp:mail") in memory_keyring.passwords
    desk.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    home = desk.paths.database.parent
    for path in [*home.rglob("*"), *desk.paths.settings_file.parent.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data, path
            assert secret.encode("utf-16-le") not in data, path
    desk.accounts.remove("mail")
    assert ("Followup Desk", "smtp:mail") not in memory_keyring.passwords


def test_without_a_keyring_the_password_is_kept_for_this_run_only() -> None:
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]  # untyped in keyring
    try:
        secrets = KeyringSecrets()
        assert "no system keyring" in secrets.problem().lower()
        assert "this run only" in secrets.problem()
        assert secrets.set("caldav:work", "s3cret") is False
        assert secrets.get("caldav:work") == "s3cret"
        assert KeyringSecrets().get("caldav:work") is None  # the next run asks again
    finally:
        keyring.set_keyring(before)


def test_passwords_live_in_a_real_secret_service(secret_service_keyring: KeyringBackend) -> None:
    secrets = KeyringSecrets(service="Followup Desk test")
    assert secrets.problem() == ""
    assert secrets.set("caldav:work", "app-password-7Q") is True
    # a new run (a fresh object, nothing in memory) reads it back from gnome-keyring
    assert KeyringSecrets(service="Followup Desk test").get("caldav:work") == "app-password-7Q"
    assert secret_service_keyring.get_password("Followup Desk test", "caldav:work") == (
        "app-password-7Q"
    )
    secrets.delete("caldav:work")
    assert KeyringSecrets(service="Followup Desk test").get("caldav:work") is None
