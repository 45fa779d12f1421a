"""Due touches as tasks on a real Radicale: written through the outbox when a prospect is
enrolled, completed or cancelled as the rep works, and read back when completed in another
app. The rep's CalDAV account has a bookings calendar ("Work") and a task list ("Tasks").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import icalendar
import pytest

from followup_desk.app import Desk, Gateways, open_desk
from followup_desk.domain.cadences import Channel
from followup_desk.domain.outbox import JobKind, JobState
from followup_desk.domain.touches import Direction, Outcome
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.storage.outbox import SqliteOutbox
from tests.conftest import SettingsWriter
from tests.servers import CalDavServer, FaultProxy, MemoryKeyring

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 12, 14, 9, 0, tzinfo=BERLIN)
NEWS = "Sent the pilot results: 12% fewer returns in March"
_lists = itertools.count(1)


class StepClock:
    """A clock the test moves forward, so days (and backoff waits) pass without sleeping."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def task_list(radicale_calendar: tuple[CalDavServer, str]) -> tuple[CalDavServer, str, str]:
    """(server, bookings calendar, task list): a VTODO-only calendar beside "Work"."""
    server, calendar = radicale_calendar
    tasks = server.make_calendar(
        f"tasks{next(_lists)}", components=("VTODO",), display_name="Tasks"
    )
    return server, calendar, tasks


def open_with_account(
    fd_home: AppPaths, server: CalDavServer, calendar: str, clock: StepClock, url: str = ""
) -> Desk:
    desk = open_desk(fd_home, clock=clock, gateways=Gateways(3.0))
    added = desk.accounts.add_caldav(
        name="work",
        url=url or server.home_url,
        username=server.username,
        password=server.password,
        bookings_calendar=calendar if not url else None,
        busy_calendars=None,
    )
    assert added.report.ok
    # busy times are not what these tests are about
    desk.conn.execute(
        "UPDATE account SET config = json_set(config, '$.busy_calendars', json('[]'))"
    )
    desk.close()
    return open_desk(fd_home, clock=clock, gateways=Gateways(3.0))


@pytest.fixture
def desk(
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    memory_keyring: MemoryKeyring,
    task_list: tuple[CalDavServer, str, str],
) -> Iterator[tuple[Desk, StepClock]]:
    write_settings(minimum_notice=0)
    server, calendar, _tasks = task_list
    clock = StepClock(MONDAY - timedelta(days=7))
    opened = open_with_account(fd_home, server, calendar, clock)
    yield opened, clock
    opened.close()


def met_prospect(desk: Desk, clock: StepClock) -> tuple[int, str]:
    """Ada, met last Tuesday (a booking saved, no invite sent); (prospect id, meeting UID)."""
    outcome = desk.bookings.book(
        BookingRequest(
            name="Ada Lovelace",
            email="ada@example.com",
            start=datetime(2026, 12, 8, 10, 0, tzinfo=BERLIN),
            length=timedelta(minutes=30),
            send=("ics",),
        )
    )
    clock.moment = MONDAY
    assert outcome.booking.id is not None and outcome.prospect.id is not None
    desk.followups.record_outcome(outcome.booking.id, Outcome.HELD)
    return outcome.prospect.id, outcome.booking.uid


def todos(server: CalDavServer, tasks: str) -> dict[str, icalendar.cal.Component]:
    """UID -> the VTODO really stored on the server."""
    found = {}
    for data in server.objects(tasks).values():
        for todo in icalendar.Calendar.from_ical(data).walk("VTODO"):
            found[str(todo["UID"])] = todo
    return found


def by_status(server: CalDavServer, tasks: str, status: str) -> list[icalendar.cal.Component]:
    return [t for t in todos(server, tasks).values() if str(t["STATUS"]) == status]


def test_the_account_records_the_task_list_it_picked(
    desk: tuple[Desk, StepClock], task_list: tuple[CalDavServer, str, str]
) -> None:
    opened, _clock = desk
    _server, calendar, tasks = task_list
    account = opened.accounts.get("work")
    assert unquote(account.task_list) == unquote(tasks)  # type: ignore[union-attr]
    assert account.tasks_calendar == account.task_list  # type: ignore[union-attr]
    assert account.bookings_calendar == calendar  # type: ignore[union-attr]


def test_an_enrolment_puts_its_due_touch_on_the_server_and_each_change_follows(
    desk: tuple[Desk, StepClock], task_list: tuple[CalDavServer, str, str]
) -> None:
    opened, clock = desk
    server, _calendar, tasks = task_list
    prospect_id, meeting_uid = met_prospect(opened, clock)

    opened.followups.enrol(prospect_id, "ten-week")
    assert [s.state for s in opened.outbox.run_due()] == [JobState.SENT]
    (todo,) = todos(server, tasks).values()
    assert str(todo["SUMMARY"]) == "Call Ada Lovelace"
    assert str(todo["STATUS"]) == "NEEDS-ACTION"
    assert todo.decoded("DUE") == date(2026, 12, 14)
    assert todo.decoded("CATEGORIES") == ["call"]
    assert str(todo["RELATED-TO"]) == meeting_uid
    assert "Hi Ada" in str(todo["DESCRIPTION"])
    first_uid = str(todo["UID"])

    # the call is made: done on the server, and the voicemail that follows appears
    opened.followups.log_touch(prospect_id, Channel.CALL, Direction.OUT, NEWS)
    assert {s.state for s in opened.outbox.run_due()} == {JobState.SENT}
    stored = todos(server, tasks)
    assert str(stored[first_uid]["STATUS"]) == "COMPLETED"
    assert "COMPLETED" in stored[first_uid]
    (following,) = by_status(server, tasks, "NEEDS-ACTION")
    assert str(following["SUMMARY"]) == "Leave a voicemail for Ada Lovelace"
    assert following.decoded("CATEGORIES") == ["voicemail"]

    # a snooze moves the due touch's DUE (same task, no second one)
    opened.followups.snooze(prospect_id, date(2026, 12, 21))
    opened.outbox.run_due()
    (moved,) = by_status(server, tasks, "NEEDS-ACTION")
    assert str(moved["UID"]) == str(following["UID"])
    assert moved.decoded("DUE") == date(2026, 12, 21)

    # closing the file cancels what was due; nothing is left to do on the server
    opened.followups.close(prospect_id, "chose someone else")
    opened.outbox.run_due()
    assert by_status(server, tasks, "NEEDS-ACTION") == []
    assert [str(t["UID"]) for t in by_status(server, tasks, "CANCELLED")] == [str(moved["UID"])]
    assert len(todos(server, tasks)) == 2


def test_a_task_completed_in_another_app_is_logged_once_and_the_cadence_moves_on(
    desk: tuple[Desk, StepClock], task_list: tuple[CalDavServer, str, str]
) -> None:
    opened, clock = desk
    server, _calendar, tasks = task_list
    prospect_id, _uid = met_prospect(opened, clock)
    opened.followups.enrol(prospect_id, "ten-week")
    opened.outbox.run_due()
    assert opened.followup_outbox.read_back_tasks() == []  # our own write is nothing new

    # a teammate's task app ticks it off: a plain PUT over the same object
    ((href, data),) = server.objects(tasks).items()
    other = icalendar.Calendar.from_ical(data)
    todo = next(iter(other.walk("VTODO")))
    todo["STATUS"] = "COMPLETED"
    todo.add("COMPLETED", datetime(2026, 12, 14, 8, 30, tzinfo=BERLIN))
    server.put(tasks, unquote(href.rsplit("/", 1)[-1]), other.to_ical())

    said = opened.followup_outbox.read_back_tasks()
    assert said == ["Ada Lovelace: call done (completed in another app)."]
    assert opened.followup_outbox.read_back_tasks() == []  # read twice, logged once
    touches = opened.followups.touches(prospect_id)
    assert [(t.channel, t.direction, t.note) for t in touches] == [
        ("call", Direction.OUT, "completed in another app")
    ]
    assert touches[0].at == datetime(2026, 12, 14, 8, 30, tzinfo=BERLIN)
    enrolment = opened.followups.active_enrolment(prospect_id)
    assert enrolment is not None and enrolment.done_steps == frozenset({0})
    assert enrolment.next_what == "voicemail"

    # the next touch appears for the team, and reading again logs nothing more
    opened.outbox.run_due()
    (due,) = by_status(server, tasks, "NEEDS-ACTION")
    assert str(due["SUMMARY"]) == "Leave a voicemail for Ada Lovelace"
    assert opened.followup_outbox.read_back_tasks() == []
    assert len(opened.followups.touches(prospect_id)) == 1


def test_a_server_out_of_reach_keeps_the_task_waiting_and_it_goes_later(
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    memory_keyring: MemoryKeyring,
    task_list: tuple[CalDavServer, str, str],
) -> None:
    write_settings(minimum_notice=0)
    server, _calendar, tasks = task_list
    clock = StepClock(MONDAY - timedelta(days=7))
    with FaultProxy.to_url(server.url) as proxy:
        opened = open_with_account(fd_home, server, "", clock, url=proxy.via(server.home_url))
        try:
            prospect_id, _uid = met_prospect(opened, clock)
            proxy.drop_next(1)  # the server is out of reach for the next try
            opened.followups.enrol(prospect_id, "ten-week")
            (result,) = opened.outbox.run_due()
            assert result.state is JobState.WAITING and result.kind is JobKind.TASK
            assert "trying again" in result.message.lower()
            # nothing lost: the enrolment is saved and its task waits in the outbox
            assert opened.followups.active_enrolment(prospect_id) is not None
            (row,) = SqliteOutbox(opened.conn).rows(include_done=False)
            assert row.job.kind is JobKind.TASK and row.prospect == "Ada Lovelace"
            assert row.what.startswith("task: Call Ada Lovelace")
            assert todos(server, tasks) == {}
            clock.moment += timedelta(minutes=1)
            assert [r.state for r in opened.outbox.run_due()] == [JobState.SENT]
            assert len(by_status(server, tasks, "NEEDS-ACTION")) == 1
        finally:
            opened.close()


def test_prospects_enrolled_before_the_account_existed_get_their_task_once(
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    memory_keyring: MemoryKeyring,
    task_list: tuple[CalDavServer, str, str],
) -> None:
    # the usual order: follow-ups first, a calendar server weeks later
    server, calendar, tasks = task_list
    write_settings(minimum_notice=0)
    clock = StepClock(MONDAY - timedelta(days=7))
    before = open_desk(fd_home, clock=clock, gateways=Gateways(3.0))
    try:
        prospect_id, _uid = met_prospect(before, clock)
        before.followups.enrol(prospect_id, "ten-week")
        assert before.outbox.run_due() == []  # no account: nothing to send
    finally:
        before.close()

    opened = open_with_account(fd_home, server, calendar, clock)
    try:
        said = opened.followup_outbox.read_back_tasks()  # the window does this every 10 min
        assert said == ["1 due touch put on the task list."]
        assert [s.state for s in opened.outbox.run_due()] == [JobState.SENT]
        (todo,) = todos(server, tasks).values()
        assert str(todo["SUMMARY"]) == "Call Ada Lovelace"
        assert todo.decoded("DUE") == date(2026, 12, 14)

        assert opened.followup_outbox.read_back_tasks() == []  # once, not at every refresh
        assert opened.outbox.run_due() == []
        assert len(todos(server, tasks)) == 1
    finally:
        opened.close()


def test_a_snooze_never_reopens_a_task_completed_in_another_app_before_the_read_back(
    desk: tuple[Desk, StepClock], task_list: tuple[CalDavServer, str, str]
) -> None:
    # the call is ticked done on the phone; minutes later, before the app has read that
    # back, the rep snoozes Ada in the app: the completion wins, and is logged once
    opened, clock = desk
    server, _calendar, tasks = task_list
    prospect_id, _uid = met_prospect(opened, clock)
    opened.followups.enrol(prospect_id, "ten-week")
    opened.outbox.run_due()
    ((href, data),) = server.objects(tasks).items()
    other = icalendar.Calendar.from_ical(data)
    todo = next(iter(other.walk("VTODO")))
    todo["STATUS"] = "COMPLETED"
    todo.add("COMPLETED", datetime(2026, 12, 14, 8, 30, tzinfo=BERLIN))
    server.put(tasks, unquote(href.rsplit("/", 1)[-1]), other.to_ical())

    opened.followups.snooze(prospect_id, date(2026, 12, 28))
    assert {s.state for s in opened.outbox.run_due()} == {JobState.SENT}
    assert [str(t["STATUS"]) for t in todos(server, tasks).values()] == ["COMPLETED"]

    said = opened.followup_outbox.read_back_tasks()
    assert said == ["Ada Lovelace: call done (completed in another app)."]
    calls = [t for t in opened.followups.touches(prospect_id) if t.channel == "call"]
    assert len(calls) == 1
    assert opened.followup_outbox.read_back_tasks() == []  # once
