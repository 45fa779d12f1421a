"""Local .ics files as free/busy sources: what a rep sees when a file is missing, odd or huge,
and that an unchanged file is recognised by a stat alone, without being read again."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followup_desk.adapters import ics_source
from followup_desk.adapters.ics_reader import ParsedBusy
from followup_desk.adapters.ics_source import IcsCalendarSource
from followup_desk.domain.intervals import BusyBlock
from followup_desk.errors import SourceError
from tests.conftest import ICS_FIXTURES

ZONE = "Europe/Berlin"
WINDOW = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
OPAQUE_BLOCKS = (
    BusyBlock(datetime(2026, 6, 3, 11, tzinfo=UTC), datetime(2026, 6, 3, 12, tzinfo=UTC)),
    BusyBlock(datetime(2026, 6, 3, 13, tzinfo=UTC), datetime(2026, 6, 3, 14, tzinfo=UTC)),
)
FLOATING_BLOCKS = (
    BusyBlock(datetime(2026, 6, 2, 7, tzinfo=UTC), datetime(2026, 6, 2, 8, tzinfo=UTC)),
)


@pytest.fixture
def calendar(tmp_path: Path) -> Path:
    path = tmp_path / "work.ics"
    path.write_bytes((ICS_FIXTURES / "transparent_and_opaque.ics").read_bytes())
    return path


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: object) -> ParsedBusy:
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(ics_source, "busy_blocks", parse)


def failure(path: str, **kwargs: int) -> SourceError:
    with pytest.raises(SourceError) as raised:
        IcsCalendarSource(**kwargs).load(path, WINDOW, ZONE, None)
    assert raised.value.source == path
    return raised.value


def test_a_file_is_read_with_its_busy_blocks(calendar: Path) -> None:
    load = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, None)

    assert load.unchanged is False
    assert load.fingerprint.startswith("file:")
    assert load.blocks == OPAQUE_BLOCKS
    assert load.warnings == ()


def test_an_unchanged_file_is_recognised_without_reading_it(
    calendar: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, None)
    refuse_parsing(monkeypatch)

    second = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is True
    assert second.fingerprint == first.fingerprint
    assert second.blocks == ()


def test_a_rewritten_file_is_read_again(calendar: Path) -> None:
    first = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, None)
    before = calendar.stat()
    calendar.write_bytes((ICS_FIXTURES / "floating_time.ics").read_bytes())
    # a later modification time even on file systems with coarse timestamps
    os.utime(calendar, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000_000))

    second = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is False
    assert second.fingerprint != first.fingerprint
    assert second.blocks == FLOATING_BLOCKS


def test_a_file_rewritten_at_the_same_size_is_read_again(calendar: Path) -> None:
    first = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, None)
    before = calendar.stat()
    # the same bytes but the quarterly review moved from 13:00 to 15:00 UTC
    text = calendar.read_text(encoding="utf-8")
    calendar.write_text(
        text.replace("20260603T130000Z", "20260603T150000Z").replace(
            "20260603T140000Z", "20260603T160000Z"
        ),
        encoding="utf-8",
        newline="",
    )
    assert calendar.stat().st_size == before.st_size
    os.utime(calendar, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000_000))

    second = IcsCalendarSource().load(str(calendar), WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is False
    assert second.blocks[-1] == BusyBlock(
        datetime(2026, 6, 3, 15, tzinfo=UTC), datetime(2026, 6, 3, 16, tzinfo=UTC)
    )


def test_a_path_under_the_home_folder_is_expanded(
    calendar: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(calendar.parent))

    load = IcsCalendarSource().load("~/work.ics", WINDOW, ZONE, None)

    assert load.blocks == OPAQUE_BLOCKS


def test_the_parse_warnings_come_with_the_load(tmp_path: Path) -> None:
    path = tmp_path / "typed-by-hand.ics"
    path.write_bytes((ICS_FIXTURES / "bad_date_in_one_event.ics").read_bytes())

    load = IcsCalendarSource().load(str(path), WINDOW, ZONE, None)

    assert len(load.blocks) == 2
    assert len(load.warnings) == 1
    assert load.warnings[0].startswith(f"{path}: 1 event(s) could not be read")


def test_a_missing_file_says_where_to_fix_the_path(tmp_path: Path) -> None:
    path = str(tmp_path / "gone.ics")

    assert str(failure(path)) == (
        f"The calendar file {path} does not exist. Check the path in the settings "
        "(free_busy.sources) or export the calendar again."
    )


def test_a_folder_is_not_a_calendar(tmp_path: Path) -> None:
    folder = tmp_path / "calendars.ics"
    folder.mkdir()

    assert str(failure(str(folder))) == f"{folder} is a folder, not an .ics file."


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "everything-since-2009.ics"
    with path.open("wb") as handle:
        handle.truncate((2 << 20) + 1)  # sparse: 2 MB and a byte, nothing written

    assert str(failure(str(path), max_megabytes=1)) == (
        f"{path} is 3 MB, larger than the 1 MB allowed for a free/busy calendar. Export a "
        "shorter range, or raise free_busy.max_source_megabytes in the settings."
    )


def test_a_file_just_over_the_limit_does_not_claim_to_be_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "just-over.ics"
    with path.open("wb") as handle:
        handle.truncate((1 << 20) + 1)

    assert str(failure(str(path), max_megabytes=1)).startswith(f"{path} is 2 MB, larger than")


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "exactly-one-megabyte.ics"
    data = (ICS_FIXTURES / "floating_time.ics").read_bytes()
    filler = b"X-FILLER:" + b"x" * 1014 + b"\r\n"
    lines = ((1 << 20) - len(data)) // len(filler)
    path.write_bytes(data.replace(b"END:VCALENDAR", filler * lines + b"END:VCALENDAR"))
    assert (1 << 20) - len(filler) < path.stat().st_size <= 1 << 20

    load = IcsCalendarSource(max_megabytes=1).load(str(path), WINDOW, ZONE, None)

    assert load.blocks == FLOATING_BLOCKS


def test_an_html_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    path.write_bytes((ICS_FIXTURES / "not_a_calendar.html").read_bytes())

    assert str(failure(str(path))).startswith(f"{path} is not an iCalendar file")
