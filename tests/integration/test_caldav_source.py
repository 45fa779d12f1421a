"""Busy time from a CalDAV calendar: the source, the gateway, the SQLite store and a server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followup_desk.adapters.caldav_gateway import CaldavGateway
from followup_desk.adapters.caldav_source import CalDavCalendarSource, CompositeCalendarSource
from followup_desk.domain.accounts import CalDavAccount, CalendarInfo, caldav_source
from followup_desk.domain.intervals import BusyBlock
from followup_desk.domain.ports import SourceLoad
from followup_desk.errors import SourceError
from followup_desk.storage.db import connect
from followup_desk.storage.outbox import SqliteCalDavItems
from tests.servers import CalDavServer, free_port

WINDOW = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 22, tzinfo=UTC))
ZONE = "Europe/Berlin"

WEEKLY = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Followup Desk tests//EN
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:weekly-standup
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261202T090000
DTEND;TZID=Europe/Berlin:20261202T093000
RRULE:FREQ=WEEKLY;COUNT=10
SUMMARY:Stand-up
END:VEVENT
END:VCALENDAR
"""


def single(uid: str, day: int) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followup Desk tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:202612{day:02d}T140000Z\r\nDTEND:202612{day:02d}T150000Z\r\n"
        f"SUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteCalDavItems]:
    conn = connect(tmp_path / "desk.sqlite3")
    yield SqliteCalDavItems(conn)
    conn.close()


def make_source(
    server: CalDavServer,
    calendar_url: str,
    store: SqliteCalDavItems,
    *,
    password: str | None = None,
) -> tuple[CalDavCalendarSource, str]:
    account = CalDavAccount(
        "work",
        server.url,
        server.username,
        calendars=(CalendarInfo(calendar_url, "Work"),),
        busy_calendars=(calendar_url,),
    )
    source = CalDavCalendarSource(
        accounts=lambda name: account if name == account.name else None,
        password=lambda _account: server.password if password is None else password,
        store=store,
        gateway=CaldavGateway(timeout=5.0),
    )
    return source, caldav_source(account.name, calendar_url)


@pytest.fixture(params=["radicale", "xandikos"])
def calendar(request: pytest.FixtureRequest) -> tuple[CalDavServer, str]:
    """An empty calendar on each server in turn."""
    found: tuple[CalDavServer, str] = request.getfixturevalue(f"{request.param}_calendar")
    return found


def test_a_weekly_meeting_is_busy_every_week(
    calendar: tuple[CalDavServer, str], store: SqliteCalDavItems
) -> None:
    server, url = calendar
    server.put(url, "standup.ics", WEEKLY)
    source, name = make_source(server, url, store)

    load = source.load(name, WINDOW, ZONE, None)

    assert not load.unchanged and load.warnings == ()
    # 09:00 in Berlin is 08:00 UTC in December
    assert load.blocks == tuple(BusyBlock(at(d, 8), at(d, 8, 30)) for d in (2, 9, 16))


def test_an_unchanged_calendar_is_recognised_and_a_deleted_event_is_noticed(
    calendar: tuple[CalDavServer, str], store: SqliteCalDavItems
) -> None:
    server, url = calendar
    server.put(url, "a.ics", single("customer-a", 3))
    server.put(url, "b.ics", single("customer-b", 4))
    source, name = make_source(server, url, store)

    first = source.load(name, WINDOW, ZONE, None)
    again = source.load(name, WINDOW, ZONE, first.fingerprint)
    status, _ = server.request("DELETE", url + "b.ics")
    assert status in (200, 204)
    after = source.load(name, WINDOW, ZONE, first.fingerprint)

    assert first.blocks == (BusyBlock(at(3, 14), at(3, 15)), BusyBlock(at(4, 14), at(4, 15)))
    assert again == SourceLoad(first.fingerprint, unchanged=True)
    assert not after.unchanged and after.fingerprint != first.fingerprint
    assert after.blocks == (BusyBlock(at(3, 14), at(3, 15)),)
    assert len(store.items(name)) == 1


def test_a_wider_window_is_computed_from_the_local_copy(
    radicale_calendar: tuple[CalDavServer, str], store: SqliteCalDavItems
) -> None:
    server, url = radicale_calendar
    server.put(url, "a.ics", single("customer-a", 20))
    source, name = make_source(server, url, store)
    narrow = source.load(name, (at(1, 0), at(10, 0)), ZONE, None)

    wide = source.load(name, WINDOW, ZONE, None)  # the cache did not cover it: no fingerprint

    assert narrow.blocks == ()
    assert wide.blocks == (BusyBlock(at(20, 14), at(20, 15)),)
    assert wide.fingerprint == narrow.fingerprint


def test_a_missing_password_says_where_to_set_it(
    radicale_calendar: tuple[CalDavServer, str], store: SqliteCalDavItems
) -> None:
    server, url = radicale_calendar
    name = caldav_source("work", url)
    nobody = CalDavCalendarSource(
        accounts=lambda _name: CalDavAccount("work", server.url, server.username),
        password=lambda _account: None,
        store=store,
        gateway=CaldavGateway(timeout=5.0),
    )

    with pytest.raises(SourceError) as failed:
        nobody.load(name, WINDOW, ZONE, None)

    assert failed.value.source == name
    # the command that sets just the password, not the one that adds the account again
    assert "Accounts" in str(failed.value)
    assert "followup-desk account password work" in str(failed.value)


def test_an_unknown_account_is_named(store: SqliteCalDavItems) -> None:
    source = CalDavCalendarSource(
        accounts=lambda _name: None,
        password=lambda _account: "pw",
        store=store,
        gateway=CaldavGateway(timeout=5.0),
    )
    name = caldav_source("fastmail", "https://cal.example.com/rep/work/")

    with pytest.raises(SourceError) as failed:
        source.load(name, WINDOW, ZONE, None)

    assert "'fastmail'" in str(failed.value)


def test_a_wrong_password_and_a_stopped_server_are_source_errors(
    radicale_calendar: tuple[CalDavServer, str], store: SqliteCalDavItems
) -> None:
    server, url = radicale_calendar
    source, name = make_source(server, url, store, password="wrong")
    with pytest.raises(SourceError) as refused:
        source.load(name, WINDOW, ZONE, None)
    assert "password" in str(refused.value)

    gone = f"http://127.0.0.1:{free_port()}/rep/work/"
    source, name = make_source(server, gone, store)
    with pytest.raises(SourceError) as unreachable:
        source.load(name, WINDOW, ZONE, None)
    assert "could not be read" in str(unreachable.value) and unreachable.value.source == name


class _FileSource:
    """Stands in for the .ics source: says which source it was asked for."""

    def load(
        self,
        source: str,
        window: tuple[datetime, datetime],
        zone: str,
        known_fingerprint: str | None,
    ) -> SourceLoad:
        return SourceLoad(f"file:{source}", unchanged=True)


def test_the_composite_source_sends_caldav_sources_to_caldav(
    radicale_calendar: tuple[CalDavServer, str], store: SqliteCalDavItems
) -> None:
    server, url = radicale_calendar
    server.put(url, "a.ics", single("customer-a", 3))
    caldav, name = make_source(server, url, store)
    both = CompositeCalendarSource(ics=_FileSource(), caldav=lambda: caldav)

    assert both.load("/home/rep/work.ics", WINDOW, ZONE, None).fingerprint == (
        "file:/home/rep/work.ics"
    )
    assert both.load(name, WINDOW, ZONE, None).blocks == (BusyBlock(at(3, 14), at(3, 15)),)
