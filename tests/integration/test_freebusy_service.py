"""Free/busy through the real SQLite cache: parsed once, reused after a restart, stale on failure.

The calendars are small .ics files the tests write; the clock is fixed on Monday
23 November 2026, 10:00 in Berlin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followup_desk.adapters.clock import FixedClock
from followup_desk.adapters.ics_reader import ParsedBusy, busy_blocks
from followup_desk.app import Desk, open_desk
from followup_desk.domain.intervals import BusyBlock
from followup_desk.services.booking import BookingRequest
from followup_desk.services.freebusy import BusyResult, SourceReport
from tests.conftest import SettingsWriter

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
ZONE = "Europe/Berlin"
# Thursday 3 December 2026, the whole day on the Berlin clock
DAY_START = datetime(2026, 12, 3, 0, 0, tzinfo=BERLIN)
DAY_END = datetime(2026, 12, 4, 0, 0, tzinfo=BERLIN)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


def ics(*events: tuple[str, datetime, datetime]) -> str:
    """A calendar of timed events given as (uid, start, end)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Followup Desk tests//EN"]
    for uid, start, end in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{uid}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def spans(result: BusyResult) -> list[tuple[datetime, datetime]]:
    return [(b.start, b.end) for b in result.blocks]


def only_report(result: BusyResult) -> SourceReport:
    assert len(result.reports) == 1
    return result.reports[0]


def bump_mtime(path: Path, seconds: int = 5) -> None:
    """What `touch` does: same bytes, a later modification time."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources the .ics reader actually parsed, in order."""
    seen: list[str] = []

    def counting(
        data: bytes, name: str, window: tuple[datetime, datetime], zone: str
    ) -> ParsedBusy:
        seen.append(name)
        return busy_blocks(data, name, window, zone)

    # the name the file reader calls, so a cache hit is told from a parse
    monkeypatch.setattr("followup_desk.adapters.ics_source.busy_blocks", counting)
    return seen


@pytest.fixture
def work_ics(tmp_path: Path) -> Path:
    path = tmp_path / "work.ics"
    path.write_text(ics(("standup", berlin(3, 10), berlin(3, 11))), encoding="utf-8")
    return path


@pytest.fixture
def desk(write_settings: SettingsWriter, work_ics: Path) -> Iterator[Desk]:
    write_settings(sources=[str(work_ics)])
    with closing(open_desk(clock=FixedClock(NOW))) as opened:
        yield opened


def busy(desk: Desk, *sources: Path | str) -> BusyResult:
    return desk.freebusy.busy([str(s) for s in sources], DAY_START, DAY_END, ZONE)


def test_busy_time_comes_from_the_file_and_the_reps_own_bookings(
    desk: Desk, work_ics: Path, tmp_path: Path
) -> None:
    outcome = desk.bookings.book(
        BookingRequest(
            name="Ana Prospect",
            email="ana@example.com",
            start=berlin(3, 14),
            length=timedelta(minutes=30),
            ics_target=str(tmp_path / "invites"),
        )
    )

    result = busy(desk, work_ics)

    assert spans(result) == [
        (berlin(3, 10), berlin(3, 11)),
        (berlin(3, 14), berlin(3, 14, 30)),
    ]
    assert [r.state for r in result.reports] == ["cached"]  # booking already parsed it
    assert result.problems == []
    # moving a booking must not collide with the booking's own old time
    moving = desk.freebusy.busy(
        [str(work_ics)], DAY_START, DAY_END, ZONE, exclude_booking=outcome.booking.id
    )
    assert spans(moving) == [(berlin(3, 10), berlin(3, 11))]


def test_a_cancelled_booking_is_no_longer_busy(desk: Desk, work_ics: Path, tmp_path: Path) -> None:
    outcome = desk.bookings.book(
        BookingRequest(
            name="Ana Prospect",
            email="ana@example.com",
            start=berlin(3, 14),
            length=timedelta(minutes=30),
            ics_target=str(tmp_path / "invites"),
        )
    )
    assert outcome.booking.id is not None
    desk.bookings.cancel(outcome.booking.id)
    assert spans(busy(desk, work_ics)) == [(berlin(3, 10), berlin(3, 11))]


def test_an_unchanged_file_is_read_from_the_cache(
    desk: Desk, work_ics: Path, parses: list[str]
) -> None:
    first = busy(desk, work_ics)
    second = busy(desk, work_ics)

    assert only_report(first).state == "parsed"
    assert only_report(second).state == "cached"
    assert only_report(second).as_of == NOW.astimezone(UTC)
    assert spans(second) == spans(first) == [(berlin(3, 10), berlin(3, 11))]
    assert parses == [str(work_ics)]


def test_an_unchanged_file_is_not_parsed_again_after_a_restart(
    desk: Desk, work_ics: Path, parses: list[str]
) -> None:
    first = busy(desk, work_ics)
    desk.close()
    later = FixedClock(NOW + timedelta(hours=3))
    with closing(open_desk(clock=later)) as restarted:
        again = busy(restarted, work_ics)

    assert only_report(again).state == "cached"
    assert spans(again) == spans(first)
    assert parses == [str(work_ics)]


def test_a_touched_file_is_parsed_again(desk: Desk, work_ics: Path, parses: list[str]) -> None:
    busy(desk, work_ics)
    bump_mtime(work_ics)
    assert only_report(busy(desk, work_ics)).state == "parsed"
    assert only_report(busy(desk, work_ics)).state == "cached"
    assert parses == [str(work_ics)] * 2


def test_a_changed_file_gives_the_new_busy_time(desk: Desk, work_ics: Path) -> None:
    busy(desk, work_ics)
    work_ics.write_text(ics(("moved", berlin(3, 15), berlin(3, 16))), encoding="utf-8")
    bump_mtime(work_ics)  # even on a coarse clock the change must be seen
    result = busy(desk, work_ics)
    assert only_report(result).state == "parsed"
    assert spans(result) == [(berlin(3, 15), berlin(3, 16))]


def test_a_range_beyond_the_cached_window_is_parsed_again(
    desk: Desk, work_ics: Path, parses: list[str]
) -> None:
    busy(desk, work_ics)
    far_start = DAY_START + timedelta(days=120)
    far = desk.freebusy.busy([str(work_ics)], far_start, far_start + timedelta(days=1), ZONE)
    assert only_report(far).state == "parsed"
    assert far.blocks == ()
    assert len(parses) == 2


def test_a_file_that_turns_to_garbage_uses_the_last_good_copy_marked_stale(
    desk: Desk, work_ics: Path
) -> None:
    good = busy(desk, work_ics)
    work_ics.write_bytes(b"\x00\x01 this is not a calendar any more \xff" * 20)

    result = busy(desk, work_ics)

    report = only_report(result)
    assert report.state == "stale"
    assert str(work_ics) in report.message
    assert "Using the copy read 2026-11-23 09:00 UTC" in report.message
    assert report.as_of == NOW.astimezone(UTC)
    assert spans(result) == spans(good)
    assert result.problems == [report.message]


def test_a_file_that_disappears_uses_the_last_good_copy_marked_stale(
    desk: Desk, work_ics: Path
) -> None:
    good = busy(desk, work_ics)
    work_ics.unlink()

    result = busy(desk, work_ics)

    report = only_report(result)
    assert report.state == "stale"
    assert str(work_ics) in report.message
    assert "does not exist" in report.message
    assert spans(result) == spans(good)


def test_a_stale_copy_survives_a_restart_and_a_repaired_file_is_fresh_again(
    desk: Desk, work_ics: Path
) -> None:
    busy(desk, work_ics)
    good_text = work_ics.read_text(encoding="utf-8")
    work_ics.write_text("BEGIN:VCALENDAR\r\nthis line is broken", encoding="utf-8")
    assert only_report(busy(desk, work_ics)).state == "stale"
    desk.close()
    with closing(open_desk(clock=FixedClock(NOW + timedelta(days=1)))) as restarted:
        after_restart = busy(restarted, work_ics)
        assert only_report(after_restart).state == "stale"
        assert spans(after_restart) == [(berlin(3, 10), berlin(3, 11))]

        work_ics.write_text(good_text, encoding="utf-8")
        bump_mtime(work_ics, seconds=60)
        repaired = busy(restarted, work_ics)
        assert only_report(repaired).state == "parsed"
        assert repaired.problems == []


def test_a_failing_source_without_a_cache_is_reported_and_the_others_still_count(
    desk: Desk, work_ics: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.ics"
    garbage = tmp_path / "garbage.ics"
    garbage.write_bytes(b"<html>404 Not Found</html>")
    other = tmp_path / "other.ics"
    other.write_text(ics(("lunch", berlin(3, 12), berlin(3, 13))), encoding="utf-8")

    result = busy(desk, missing, garbage, work_ics, other)

    states = {r.source: r.state for r in result.reports}
    assert states == {
        str(missing): "failed",
        str(garbage): "failed",
        str(work_ics): "parsed",
        str(other): "parsed",
    }
    failed = [r for r in result.reports if r.state == "failed"]
    for report in failed:
        assert report.source in report.message
        assert report.blocks == 0
    assert result.problems == [r.message for r in failed]
    assert spans(result) == [
        (berlin(3, 10), berlin(3, 11)),
        (berlin(3, 12), berlin(3, 13)),
    ]


def test_each_source_is_read_once_even_when_listed_twice(
    desk: Desk, work_ics: Path, parses: list[str]
) -> None:
    result = busy(desk, work_ics, work_ics)
    assert len(result.reports) == 1
    assert result.blocks == (
        BusyBlock(berlin(3, 10).astimezone(UTC), berlin(3, 11).astimezone(UTC)),
    )
    assert parses == [str(work_ics)]
