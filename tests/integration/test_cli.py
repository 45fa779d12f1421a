"""The command line as a user runs it: a real process, a real home folder, no tracebacks.

Every run pins the clock with --now (Monday 23 November 2026, 10:00 in Berlin) so the
tests do not depend on today's date. Each test has its own FOLLOWUP_DESK_HOME.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from followup_desk.paths import AppPaths
from tests.conftest import SettingsWriter

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = "2026-11-23T10:00"
BUFFER = timedelta(minutes=10)  # write_settings' buffer_before and buffer_after

# Late next week from Monday 23 November 2026 is Thursday 3 and Friday 4 December.
BUSY_ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Followup Desk tests//EN
BEGIN:VEVENT
UID:thursday-review@test
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261203T100000
DTEND;TZID=Europe/Berlin:20261203T120000
SUMMARY:Pipeline review
END:VEVENT
BEGIN:VEVENT
UID:friday-call@test
DTSTAMP:20261101T000000Z
DTSTART:20261204T130000Z
DTEND:20261204T150000Z
SUMMARY:Customer call
END:VEVENT
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
END:DAYLIGHT
END:VTIMEZONE
END:VCALENDAR
"""
BUSY_EVENTS = [
    (datetime(2026, 12, 3, 10, tzinfo=BERLIN), datetime(2026, 12, 3, 12, tzinfo=BERLIN)),
    (datetime(2026, 12, 4, 14, tzinfo=BERLIN), datetime(2026, 12, 4, 16, tzinfo=BERLIN)),
]
OFFSET = re.compile(r"[+-]\d\d:\d\d$")

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def busy_file(tmp_path: Path) -> Path:
    path = tmp_path / "calendars" / "work.ics"
    path.parent.mkdir()
    path.write_text(BUSY_ICS.replace("\n", "\r\n"), encoding="utf-8", newline="")
    return path


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder that is neither the home nor the project."""
    path = tmp_path / "elsewhere"
    path.mkdir()
    return path


@pytest.fixture
def cli(fd_home: AppPaths, elsewhere: Path) -> Cli:
    home = fd_home.data_dir.parent

    def run(*args: str, cwd: Path = elsewhere) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "FOLLOWUP_DESK_HOME": str(home)}
        result = subprocess.run(
            [sys.executable, "-m", "followup_desk", *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "Traceback" not in result.stdout
        assert "Traceback" not in result.stderr
        return result

    return run


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(result).stdout)


def refused(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The one line a refusal prints on standard error (nothing on standard output)."""
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("followup-desk: ")
    assert result.stdout == ""
    return lines[0]


def saved_bookings(paths: AppPaths) -> list[tuple[int, str, str]]:
    """(id, status, ics_path) of every booking in the database, read directly."""
    if not paths.database.exists():
        return []
    with closing(sqlite3.connect(paths.database)) as conn:
        return [
            (int(i), str(s), str(p))
            for i, s, p in conn.execute("SELECT id, status, ics_path FROM booking ORDER BY id")
        ]


def read_ics(path: str | Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(Path(path).read_bytes())


def the_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, icalendar.Event)
    return event


def assert_clear_of_busy(start: datetime, end: datetime) -> None:
    for busy_start, busy_end in BUSY_EVENTS:
        assert end + BUFFER <= busy_start or start - BUFFER >= busy_end, (start, busy_start)


def test_importing_the_command_line_does_not_load_qt(fd_home: AppPaths) -> None:
    probe = (
        "import io, json, sys\n"
        "import followup_desk.cli as cli\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')]\n"
        "code = cli.main(['list'], io.StringIO(), io.StringIO())\n"
        "loaded += [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')]\n"
        "print(json.dumps({'qt': loaded, 'code': code}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == {"qt": [], "code": 0}


def test_an_unexpected_error_exits_70_and_leaves_the_traceback_in_the_log(
    fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    probe = (
        "import sys\n"
        "import followup_desk.cli as cli\n"
        "def broken(*args):\n"
        "    raise ZeroDivisionError('a bug deep inside')\n"
        "cli.COMMANDS['list'] = broken\n"
        "sys.exit(cli.main(['list']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 70
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "did not expect" in line
    assert str(fd_home.log_file) in line
    assert "Traceback" not in line
    log = fd_home.log_file.read_text(encoding="utf-8")
    assert "Traceback" in log
    assert "ZeroDivisionError: a bug deep inside" in log


def test_slots_late_next_week_in_json_avoid_the_busy_calendar_and_its_buffers(
    cli: Cli, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings()
    slots = ok_json(
        cli(
            "slots",
            "--busy",
            str(busy_file),
            "--tz",
            "Europe/Berlin",
            "--prospect-tz",
            "America/New_York",
            "--horizon",
            "late-next-week",
            "--length",
            "30",
            "--now",
            NOW,
            "--json",
        )
    )

    assert isinstance(slots, list)
    assert slots
    days = set()
    for slot in slots:
        for key in ("start", "end", "prospect_start", "prospect_end"):
            assert OFFSET.search(slot[key]), slot[key]
        start = datetime.fromisoformat(slot["start"])
        end = datetime.fromisoformat(slot["end"])
        p_start = datetime.fromisoformat(slot["prospect_start"])
        p_end = datetime.fromisoformat(slot["prospect_end"])
        assert end - start == timedelta(minutes=30)
        assert (p_start, p_end) == (start, end)  # the same instants...
        assert p_start.utcoffset() == start.astimezone(NEW_YORK).utcoffset()  # ...in New York
        assert start.utcoffset() == start.astimezone(BERLIN).utcoffset()
        local = start.astimezone(BERLIN)
        assert local.time() >= datetime(2026, 1, 1, 9).time()
        assert end.astimezone(BERLIN).time() <= datetime(2026, 1, 1, 17).time()
        assert_clear_of_busy(start, end)
        days.add(local.date().isoformat())
    assert days == {"2026-12-03", "2026-12-04"}
    starts = {s["start"] for s in slots}
    assert "2026-12-03T09:15:00+01:00" in starts  # ends 09:45, ten minutes before 10:00
    assert "2026-12-03T09:30:00+01:00" not in starts  # no room for the buffer
    assert "2026-12-03T12:00:00+01:00" not in starts  # buffer after the review
    assert "2026-12-03T12:15:00+01:00" in starts
    assert "2026-12-04T13:15:00+01:00" in starts
    assert "2026-12-04T13:30:00+01:00" not in starts
    assert starts == {s["start"] for s in sorted(slots, key=lambda s: s["start"])}


def test_slots_on_a_named_day_keep_to_the_afternoon(
    cli: Cli, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings()
    slots = ok_json(
        cli(
            "slots",
            "--busy",
            str(busy_file),
            "--day",
            "2026-12-04",
            "--part",
            "afternoon",
            "--length",
            "30",
            "--now",
            NOW,
            "--json",
        )
    )

    assert slots
    assert {s["day"] for s in slots} == {"2026-12-04"}
    assert {s["part"] for s in slots} == {"afternoon"}
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        assert start.astimezone(BERLIN).hour >= 12
        assert_clear_of_busy(start, datetime.fromisoformat(slot["end"]))
        assert slot["prospect_start"] == slot["start"]  # prospect zone defaults to the rep's
    assert slots[0]["start"] == "2026-12-04T12:00:00+01:00"
    assert slots[-1]["start"] == "2026-12-04T16:30:00+01:00"


def test_slots_for_people_say_the_line_and_show_both_zones(
    cli: Cli, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings(sources=[str(busy_file)])
    out = ok(
        cli(
            "slots",
            "--horizon",
            "late-next-week",
            "--prospect-tz",
            "America/New_York",
            "--now",
            NOW,
        )
    ).stdout

    assert out.startswith("Free 30-minute slots, your zone Europe/Berlin")
    assert 'Say: "' in out
    assert "Thursday or Friday" in out
    assert "Thursday 3 December" in out
    assert "Friday 4 December" in out
    assert "09:15-09:45 (CET, UTC+01:00)   prospect: 03:15-03:45 (EST, UTC-05:00)" in out


def test_slots_with_no_busy_calendar_say_that_only_hours_limit_them(
    cli: Cli, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings()
    bare = ok(cli("slots", "--day", "2026-12-04", "--now", NOW, "--json"))
    given = ok(cli("slots", "--day", "2026-12-04", "--now", NOW, "--busy", str(busy_file)))

    assert "note: no calendar counts as busy yet" in bare.stderr
    assert json.loads(bare.stdout)  # the note goes to stderr; the JSON stays clean
    assert "no calendar counts as busy" not in given.stderr


def test_a_booking_is_listed_rescheduled_and_cancelled_with_one_uid(
    cli: Cli, fd_home: AppPaths, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings(sources=[str(busy_file)])
    booked = ok_json(
        cli(
            "book",
            "--name",
            "Ana Prospect",
            "--email",
            "ana@example.com",
            "--start",
            "2026-12-03T14:00",
            "--length",
            "30",
            "--prospect-tz",
            "America/New_York",
            "--now",
            NOW,
            "--json",
        )
    )
    booking_id = booked["id"]
    assert isinstance(booking_id, int)
    first = Path(booked["ics"])
    assert first.is_file()
    assert first.is_relative_to(fd_home.invites_dir)
    invite = read_ics(first)
    assert invite["METHOD"] == "REQUEST"
    event = the_event(invite)
    uid = str(event["UID"])
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 14, tzinfo=BERLIN)
    assert int(str(event.get("SEQUENCE", 0))) == 0

    listed = ok_json(cli("list", "--json", "--now", NOW))
    assert len(listed) == 1
    assert listed[0]["prospect"]["email"] == "ana@example.com"
    step = listed[0]["next_step"]
    assert step["id"] == booking_id
    assert step["start"] == "2026-12-03T14:00:00+01:00"
    assert step["ics"] == str(first)

    moved = ok_json(
        cli("reschedule", str(booking_id), "--start", "2026-12-04T09:00", "--now", NOW, "--json")
    )
    second = Path(moved["ics"])
    assert second != first
    assert second.parent == first.parent
    assert first.is_file()  # the original invite is kept
    update = the_event(read_ics(second))
    assert str(update["UID"]) == uid
    assert int(str(update["SEQUENCE"])) == 1
    assert update.decoded("DTSTART") == datetime(2026, 12, 4, 9, tzinfo=BERLIN)

    cancelled = ok(cli("cancel", str(booking_id), "--now", NOW))
    said = re.search(r"^Cancellation written to (.+)$", cancelled.stdout, re.MULTILINE)
    assert said is not None
    third = Path(said.group(1))
    assert third.parent == first.parent
    assert len({first, second, third}) == 3
    cancel = read_ics(third)
    assert cancel["METHOD"] == "CANCEL"
    cancel_event = the_event(cancel)
    assert str(cancel_event["UID"]) == uid
    assert cancel_event["STATUS"] == "CANCELLED"
    assert int(str(cancel_event["SEQUENCE"])) == 2

    after = ok(cli("list", "--now", NOW)).stdout
    assert "Ana Prospect <ana@example.com>" in after
    assert "NO NEXT STEP" in after
    assert "1 prospect(s), 1 without a next step." in after


def test_a_busy_slot_is_refused_and_nothing_is_saved(
    cli: Cli, fd_home: AppPaths, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings(sources=[str(busy_file)])
    first = ok_json(
        cli(
            "book",
            "--name",
            "Ana Prospect",
            "--email",
            "ana@example.com",
            "--start",
            "2026-12-03T14:00",
            "--length",
            "30",
            "--now",
            NOW,
            "--json",
        )
    )
    before = saved_bookings(fd_home)
    assert [b[0] for b in before] == [first["id"]]

    book_bo = ("book", "--name", "Bo Other", "--email", "bo@example.com", "--length", "30")
    over_calendar = refused(cli(*book_bo, "--start", "2026-12-03T10:30", "--now", NOW))
    assert "no longer free" in over_calendar
    assert "Thursday 3 December" in over_calendar
    over_booking = refused(cli(*book_bo, "--start", "2026-12-03T14:15", "--now", NOW))
    assert "no longer free" in over_booking

    listed = ok_json(cli("list", "--json", "--now", NOW))
    assert [row["prospect"]["name"] for row in listed] == ["Ana Prospect"]
    assert saved_bookings(fd_home) == before
    assert len(list(fd_home.invites_dir.iterdir())) == 1


BOOK_CY = ("book", "--name", "Cy Prospect", "--email", "cy@example.com", "--length", "30")

# (settings to write, arguments after BOOK_CY, phrases the refusal must hold)
REFUSALS: dict[str, tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]] = {
    "outside working hours": (
        {},
        ("--start", "2026-12-03T18:00", "--now", NOW),
        ("18:00", "working hours"),
    ),
    "unknown prospect zone": (
        {},
        ("--start", "2026-12-03T15:00", "--prospect-tz", "Mars/Olympus", "--now", NOW),
        ("'Mars/Olympus'", "time zone"),
    ),
    "invalid email": (
        {},
        ("--start", "2026-12-03T15:00", "--now", NOW),
        ("e-mail address",),
    ),
    "time in the spring-forward gap": (
        {"start": "00:00", "end": "23:00"},
        ("--start", "2027-03-28T02:30", "--now", "2027-03-22T10:00"),
        ("2027-03-28T02:30 does not exist in Europe/Berlin", "daylight saving"),
    ),
    "time in the autumn fold": (
        {"start": "00:00", "end": "23:00"},
        ("--start", "2026-10-25T02:30", "--now", "2026-10-19T10:00"),
        ("happens twice", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"),
    ),
    "bad settings key": (
        {"start": "9am"},
        ("--start", "2026-12-03T15:00", "--now", NOW),
        ("hours.start", "settings.toml", '"09:00"'),
    ),
    "start that is not a date": (
        {},
        ("--start", "next Thursday", "--now", NOW),
        ("'next Thursday'", "ISO 8601"),
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_input_is_refused_with_a_sentence_and_nothing_is_saved(
    cli: Cli, fd_home: AppPaths, write_settings: SettingsWriter, case: str
) -> None:
    settings, args, phrases = REFUSALS[case]
    write_settings(**settings)
    command = list(BOOK_CY)
    if case == "invalid email":
        command[command.index("cy@example.com")] = "cy-at-example"
    message = refused(cli(*command, *args))
    for phrase in phrases:
        assert phrase in message
    assert message.endswith((".", "?")) or "followup-desk slots" in message
    assert saved_bookings(fd_home) == []
    assert not fd_home.invites_dir.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("book", "--name", "Cy"),
        ("frobnicate",),
        ("slots", "--length", "3"),
        ("slots", "--horizon", "next-week", "--day", "2026-12-04"),
        ("reschedule", "seven", "--start", "2026-12-03T15:00"),
    ],
    ids=["missing-arguments", "unknown-command", "bad-length", "horizon-and-day", "bad-id"],
)
def test_bad_usage_exits_with_code_2_and_points_to_help(
    cli: Cli, fd_home: AppPaths, args: tuple[str, ...]
) -> None:
    message = refused(cli(*args), code=2)
    assert "--help" in message
    assert "followup-desk followup-desk" not in message
    assert saved_bookings(fd_home) == []


def test_booking_without_the_reps_name_and_email_says_to_fill_the_settings(
    cli: Cli, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings(name="", email="")
    message = refused(
        cli(*BOOK_CY, "--start", "2026-12-03T15:00", "--now", NOW),
    )
    assert "[rep]" in message
    assert "settings.toml" in message
    assert saved_bookings(fd_home) == []


def test_an_invite_that_cannot_be_written_keeps_the_booking_and_says_how_to_retry(
    cli: Cli, fd_home: AppPaths, write_settings: SettingsWriter, tmp_path: Path
) -> None:
    write_settings()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a plain file", encoding="utf-8")
    message = refused(
        cli(
            *BOOK_CY,
            "--start",
            "2026-12-03T15:00",
            "--now",
            NOW,
            "--ics",
            str(blocker / "sub" / "invite.ics"),
        )
    )
    [(booking_id, status, ics_path)] = saved_bookings(fd_home)
    assert status == "booked"
    assert ics_path == ""
    assert re.search(rf"Booking {booking_id} is saved, but [a-z]", message)  # one sentence
    assert str(blocker) in message
    assert f"followup-desk invite {booking_id} --ics" in message

    target = tmp_path / "retry"
    target.mkdir()
    out = ok(cli("invite", str(booking_id), "--ics", str(target))).stdout
    [written] = list(target.iterdir())
    assert out == f"Invite for {booking_id} written to {written}\n"
    event = the_event(read_ics(written))
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 15, tzinfo=BERLIN)
    assert saved_bookings(fd_home) == [(booking_id, "booked", str(written))]
    # the user saw one sentence; the details went to the log
    log = fd_home.log_file.read_text(encoding="utf-8")
    assert "refused: Booking" in log
    assert "Traceback" in log


def test_an_invite_given_a_relative_folder_is_updated_there_from_any_folder(
    cli: Cli, write_settings: SettingsWriter, tmp_path: Path, elsewhere: Path
) -> None:
    write_settings()
    desk_dir = tmp_path / "desk"
    (desk_dir / "invites").mkdir(parents=True)
    booked = ok_json(
        cli(
            *BOOK_CY,
            *("--start", "2026-12-03T15:00", "--now", NOW, "--ics", "invites", "--json"),
            cwd=desk_dir,
        )
    )
    first = Path(booked["ics"])
    assert first.is_absolute()
    assert first.parent == desk_dir / "invites"

    moved = ok_json(
        cli(
            *("reschedule", str(booked["id"]), "--start", "2026-12-03T16:00", "--now", NOW),
            "--json",
            cwd=elsewhere,
        )
    )
    assert Path(moved["ics"]).parent == desk_dir / "invites"
    assert list(elsewhere.iterdir()) == []


def test_settings_for_people_list_the_busy_sources_plainly(
    cli: Cli, write_settings: SettingsWriter, busy_file: Path
) -> None:
    write_settings(sources=[str(busy_file), "https://example.com/team.ics"])
    out = ok(cli("settings")).stdout
    [line] = [ln for ln in out.splitlines() if ln.startswith("busy_sources")]
    assert line.split(None, 1)[1] == f"{busy_file}, https://example.com/team.ics"
    [send] = [ln for ln in out.splitlines() if ln.startswith("invites_send")]
    assert send.split(None, 1)[1] == "ics"  # how new bookings go out, by default
    assert out.endswith("Settings are valid.\n")
