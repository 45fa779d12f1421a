"""The outbox against a real Radicale, through a proxy that breaks things on purpose.

Nothing lost, nothing twice: 100 bookings sent through connections that drop, answers that
are 500s or 412s, and replies that come too late, end as exactly 100 events on the server,
each once. A wrong password and a stopped server each give their sentence and keep the
booking, with the job waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from followup_desk.app import Desk, Gateways, open_desk
from followup_desk.domain.accounts import InvitesBy
from followup_desk.domain.outbox import JobState
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.storage.outbox import SqliteOutbox
from tests.conftest import SettingsWriter, add_mail_account
from tests.servers import CalDavServer, FaultProxy, MemoryKeyring, start_smtp

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN)


class StepClock:
    """A clock the test moves forward, so backoff waits pass without sleeping."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, amount: timedelta) -> None:
        self.moment += amount


def open_through(
    fd_home: AppPaths,
    server: CalDavServer,
    calendar: str,
    proxy: FaultProxy,
    clock: StepClock,
    *,
    timeout: float = 2.0,
) -> Desk:
    desk = open_desk(fd_home, clock=clock, gateways=Gateways(timeout))
    added = desk.accounts.add_caldav(
        name="work",
        url=proxy.via(server.home_url),
        username=server.username,
        password=server.password,
        bookings_calendar=proxy.via(calendar),
        busy_calendars=None,
        invites_by=InvitesBy.APP,
    )
    # the busy check is not what this test is about: only the bookings calendar is written
    desk.conn.execute(
        "UPDATE account SET config = json_set(config, '$.busy_calendars', json('[]'))"
    )
    assert added.report.ok
    desk.close()
    return open_desk(fd_home, clock=clock, gateways=Gateways(timeout))


def slots(count: int) -> Iterator[datetime]:
    day = MONDAY.date() + timedelta(days=1)
    made = 0
    while made < count:
        if day.weekday() < 5:
            for hour in range(9, 17):
                if made == count:
                    return
                yield datetime(day.year, day.month, day.day, hour, 0, tzinfo=BERLIN)
                made += 1
        day += timedelta(days=1)


def uids_on(server: CalDavServer, calendar: str) -> list[str]:
    found = []
    for data in server.objects(calendar).values():
        for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
            found.append(str(event["UID"]))
    return found


def drain(desk: Desk, clock: StepClock, rounds: int = 60) -> None:
    for _ in range(rounds):
        desk.outbox.run_due(limit=500)
        if not SqliteOutbox(desk.conn).due(clock.now() + timedelta(days=1), limit=1):
            return
        clock.advance(timedelta(hours=2))  # past the longest backoff
    raise AssertionError(f"the outbox did not drain: {desk.outbox.counts()}")


def test_a_hundred_bookings_through_faults_make_a_hundred_events(
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    memory_keyring: MemoryKeyring,
    radicale_calendar: tuple[CalDavServer, str],
    tmp_path: Path,
) -> None:
    server, calendar = radicale_calendar
    write_settings(start="08:00", end="18:00", minimum_notice=0, buffer_before=0, buffer_after=0)
    clock = StepClock(MONDAY)
    with FaultProxy.to_url(server.url) as proxy:
        desk = open_through(fd_home, server, calendar, proxy, clock, timeout=1.0)
        try:
            proxy.set_random_faults(0.3, seed=20261123, delay=1.5)  # some delays pass the timeout
            booked: list[str] = []
            for start in slots(100):
                outcome = desk.bookings.book(
                    BookingRequest(
                        name=f"Prospect {len(booked):03d}",
                        email=f"p{len(booked):03d}@example.com",
                        start=start,
                        length=timedelta(minutes=30),
                        send=("caldav",),
                    )
                )
                booked.append(outcome.booking.uid)
                desk.outbox.run_due(limit=5)
            drain(desk, clock)
            proxy.set_random_faults(0, seed=0)
            assert desk.outbox.counts() == {"sent": 100}
        finally:
            desk.close()
    uids = uids_on(server, calendar)
    assert len(uids) == 100
    assert sorted(uids) == sorted(booked)


def test_moves_and_cancellations_through_faults_leave_one_event_each(
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    memory_keyring: MemoryKeyring,
    radicale_calendar: tuple[CalDavServer, str],
) -> None:
    server, calendar = radicale_calendar
    write_settings(start="08:00", end="18:00", minimum_notice=0, buffer_before=0, buffer_after=0)
    clock = StepClock(MONDAY)
    with FaultProxy.to_url(server.url) as proxy:
        desk = open_through(fd_home, server, calendar, proxy, clock, timeout=1.0)
        try:
            ids: list[int | None] = []
            for start in slots(10):
                outcome = desk.bookings.book(
                    BookingRequest(
                        name="Ana Silva",
                        email=f"ana{len(ids)}@example.com",
                        start=start,
                        length=timedelta(minutes=30),
                        send=("caldav",),
                    )
                )
                ids.append(outcome.booking.id)
            drain(desk, clock)
            proxy.set_random_faults(0.4, seed=7, delay=1.5)
            for n, booking_id in enumerate(ids):
                assert booking_id is not None
                if n % 2:
                    desk.bookings.cancel(booking_id)
                else:
                    moved = desk.bookings.booking(booking_id)
                    assert moved is not None
                    desk.bookings.reschedule(booking_id, moved.start + timedelta(days=14))
                desk.outbox.run_due()
            drain(desk, clock)
            proxy.set_random_faults(0, seed=0)
        finally:
            desk.close()
    objects = server.objects(calendar)
    assert len(objects) == 10
    statuses = sorted(
        str(e.get("STATUS"))
        for data in objects.values()
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    )
    assert statuses == ["CANCELLED"] * 5 + ["CONFIRMED"] * 5
    sequences = {
        int(e.get("SEQUENCE"))
        for data in objects.values()
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    }
    assert sequences == {1}


def test_wrong_password_and_stopped_server_keep_the_booking_and_say_why(
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    memory_keyring: MemoryKeyring,
    radicale_calendar: tuple[CalDavServer, str],
) -> None:
    server, calendar = radicale_calendar
    write_settings(minimum_notice=0)
    clock = StepClock(MONDAY)
    with FaultProxy.to_url(server.url) as proxy:
        desk = open_through(fd_home, server, calendar, proxy, clock)
        try:
            desk.accounts.set_password("work", "not-the-password")
            outcome = desk.bookings.book(
                BookingRequest(
                    name="Ana Silva",
                    email="ana@example.com",
                    start=datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN),
                    length=timedelta(minutes=30),
                    send=("caldav",),
                )
            )
            (result,) = desk.outbox.run_due()
            assert result.state is JobState.HELD
            assert "password" in result.message.lower()
            assert desk.bookings.booking(outcome.booking.id or 0) is not None
            # held: waits for the rep, not retried by itself
            clock.advance(timedelta(hours=3))
            assert desk.outbox.run_due() == []
            desk.accounts.set_password("work", server.password)
            proxy.stop()  # the server goes away
            desk.outbox.retry()
            (result,) = desk.outbox.run_due()
            assert result.state is JobState.WAITING
            assert "reach" in result.message.lower() or "unreachable" in result.message.lower()
            assert "trying again" in result.message.lower()
        finally:
            desk.close()
    assert uids_on(server, calendar) == []


def test_an_email_the_server_took_but_never_confirmed_is_left_to_the_rep(
    fd_home: AppPaths, write_settings: SettingsWriter, memory_keyring: MemoryKeyring
) -> None:
    # the server keeps the message but answers after the app stopped waiting: it arrived,
    # and retrying on its own would have given the prospect a second invitation
    write_settings(minimum_notice=0)
    clock = StepClock(MONDAY)
    smtp = start_smtp(data_delay=3)
    desk = open_desk(fd_home, clock=clock, gateways=Gateways(1.0, mail_final_reply=1.0))
    try:
        add_mail_account(desk, smtp)
        desk.bookings.book(
            BookingRequest(
                name="Ana Silva",
                email="ana@example.com",
                start=datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN),
                length=timedelta(minutes=30),
                send=("email",),
            )
        )
        (result,) = desk.outbox.run_due()
        assert result.state is JobState.UNKNOWN
        assert "may have arrived" in result.message
        assert len(smtp.wait_for(1)) == 1

        clock.advance(timedelta(hours=3))
        desk.outbox.retry()  # "retry all" leaves it to the rep
        assert desk.outbox.run_due() == []
        (row,) = SqliteOutbox(desk.conn).rows()
        assert row.job.state is JobState.UNKNOWN
        assert len(smtp.messages) == 1
    finally:
        desk.close()
        smtp.stop()
