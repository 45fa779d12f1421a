"""The command line after the meeting, as a rep or a script runs it: a real process, a real
home folder, the clock pinned with --now, and never a traceback.

The story: on Monday 7 December 2026 the rep (Berlin, Monday to Friday) books Ada and Bo
for Tuesday 8 December and Cy for Thursday 17 December. Ada does not turn up and is
enrolled in the ten-week schedule on Monday 14 December; nobody has said how Bo's went.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import Desk, open_desk
from followup_desk.domain.touches import Outcome
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.storage.cadence_file import dump_cadences, parse_cadences
from tests.conftest import SettingsWriter

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = "2026-12-14T09:00"
NEWS = "Sent the pilot results: 12% fewer returns in March"

Cli = Callable[..., subprocess.CompletedProcess[str]]


def tuesday(hour: int) -> datetime:
    """Tuesday 8 December 2026 at ``hour`` in Berlin."""
    return datetime(2026, 12, 8, hour, tzinfo=BERLIN)


@pytest.fixture
def cli(fd_home: AppPaths, tmp_path: Path, write_settings: SettingsWriter) -> Cli:
    write_settings()
    home = fd_home.data_dir.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "followup_desk", *args],
            env={**os.environ, "FOLLOWUP_DESK_HOME": str(home)},
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "Traceback" not in result.stdout
        assert "Traceback" not in result.stderr
        return result

    return run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(result))


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refusal prints on standard error, with exit code 1."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("followup-desk: ")
    assert result.stdout == ""
    return lines[0]


def book(desk: Desk, name: str, email: str, start: datetime) -> tuple[int, int]:
    """(booking id, prospect id) of a 30-minute meeting."""
    booked = desk.bookings.book(
        BookingRequest(name=name, email=email, start=start, length=timedelta(minutes=30))
    )
    assert booked.booking.id is not None and booked.prospect.id is not None
    return booked.booking.id, booked.prospect.id


@pytest.fixture
def story(cli: Cli, fd_home: AppPaths) -> dict[str, int]:
    """Ids of the story's prospects and bookings, set up through the services (quicker than
    a process each); every command under test then runs as its own process."""
    desk = open_desk(fd_home, clock=FixedClock(datetime(2026, 12, 7, 9, tzinfo=BERLIN)))
    try:
        ada_booking, ada = book(desk, "Ada Lovelace", "ada@example.com", tuesday(10))
        bo_booking, bo = book(desk, "Bo Other", "bo@example.com", tuesday(14))
        _, cy = book(desk, "Cy Prospect", "cy@example.com", tuesday(10) + timedelta(days=9))
    finally:
        desk.close()
    desk = open_desk(fd_home, clock=FixedClock(tuesday(11)))
    try:
        desk.followups.record_outcome(ada_booking, Outcome.NO_SHOW)
    finally:
        desk.close()
    desk = open_desk(fd_home, clock=FixedClock(tuesday(9) + timedelta(days=6)))
    try:
        desk.followups.enrol(ada, "ten-week")
    finally:
        desk.close()
    return {"ada": ada, "bo": bo, "cy": cy, "bo_booking": bo_booking}


def test_review_json_gives_today_the_counts_and_each_group_in_order(
    cli: Cli, story: dict[str, int]
) -> None:
    review = ok_json(cli("review", "--json", "--now", MONDAY))

    groups = [
        "overdue",
        "due-today",
        "due-this-week",
        "waiting",
        "stale",
        "no-next-step",
        "later",
    ]
    assert review["today"] == "2026-12-14"
    assert list(review["counts"]) == groups
    assert list(review["groups"]) == groups
    assert review["counts"] == {g: len(review["groups"][g]) for g in groups}
    assert sum(review["counts"].values()) == 2  # Cy has a meeting booked: not in the review

    [ada] = review["groups"]["due-today"]
    assert ada["prospect_id"] == story["ada"]
    assert ada["name"] == "Ada Lovelace"
    assert ada["group"] == "due-today"
    assert ada["due"] == "2026-12-14"
    assert ada["what"].startswith("call (")
    [bo] = review["groups"]["no-next-step"]
    assert (bo["prospect_id"], bo["due"]) == (story["bo"], None)
    assert bo["what"] == "say whether the meeting happened"
    shown = {i["prospect_id"] for items in review["groups"].values() for i in items}
    assert story["cy"] not in shown


def test_review_csv_has_a_header_and_one_row_per_prospect(cli: Cli, story: dict[str, int]) -> None:
    text = ok(cli("review", "--csv", "--now", MONDAY))

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["group", "prospect_id", "name", "company", "due", "what"]
    body = {row[1]: row for row in rows[1:]}
    assert len(rows) == 3
    assert body[str(story["ada"])][:5] == [
        "due-today",
        str(story["ada"]),
        "Ada Lovelace",
        "",
        "2026-12-14",
    ]
    bo = body[str(story["bo"])]
    assert (bo[0], bo[4], bo[5]) == ("no-next-step", "", "say whether the meeting happened")


def test_the_review_for_people_names_the_groups_and_who_is_in_them(
    cli: Cli, story: dict[str, int]
) -> None:
    text = ok(cli("review", "--now", MONDAY))

    assert "Weekly review, Monday 14 December 2026" in text
    assert "Due today (1)" in text
    assert "No next step (1)" in text
    assert "Ada Lovelace" in text and "Bo Other" in text
    assert "Cy Prospect" not in text


def test_pending_outcomes_in_json_list_the_meeting_nobody_answered_for(
    cli: Cli, story: dict[str, int]
) -> None:
    pending = ok_json(cli("outcome", "--pending", "--json", "--now", MONDAY))

    assert pending == [
        {
            "booking_id": story["bo_booking"],
            "prospect_id": story["bo"],
            "name": "Bo Other",
            "start": "2026-12-08T14:00:00+01:00",
        }
    ]
    ok(cli("outcome", str(story["bo_booking"]), "held", "--now", MONDAY))
    assert ok_json(cli("outcome", "--pending", "--json", "--now", MONDAY)) == []


def test_a_touch_that_says_nothing_new_is_refused_until_forced(
    cli: Cli, story: dict[str, int]
) -> None:
    ada = str(story["ada"])
    line = refused(
        cli("touch", ada, "--channel", "call", "--note", "Just checking in!", "--now", MONDAY)
    )
    assert "--force" in line
    assert "Ada Lovelace" in line
    assert "--force" in refused(cli("touch", ada, "--channel", "call", "--now", MONDAY))
    still = ok_json(cli("review", "--json", "--now", MONDAY))
    assert still["groups"]["due-today"][0]["last_touch_out"] is None

    forced = ok_json(
        cli(
            "touch",
            ada,
            "--channel",
            "call",
            "--note",
            "Just checking in!",
            "--force",
            "--json",
            "--now",
            MONDAY,
        )
    )
    assert forced["cadence_step_done"] == 0
    assert forced["next_due"] == "2026-12-14"  # the voicemail and the email are still due


def test_a_reply_logged_with_in_stops_the_cadence(cli: Cli, story: dict[str, int]) -> None:
    logged = ok_json(
        cli("touch", str(story["ada"]), "--channel", "email", "--in", "--json", "--now", MONDAY)
    )

    assert logged["cadence"] == "stopped-replied"
    review = ok_json(cli("review", "--json", "--now", MONDAY))
    [ada] = [i for i in review["groups"]["no-next-step"] if i["prospect_id"] == story["ada"]]
    assert ada["cadence"] is None


def test_a_closed_file_leaves_the_review_and_comes_back_when_reopened(
    cli: Cli, story: dict[str, int]
) -> None:
    bo = str(story["bo"])
    ok(cli("close", bo, "--reason", "went elsewhere"))
    review = ok_json(cli("review", "--json", "--now", MONDAY))
    assert review["counts"]["no-next-step"] == 0

    ok(cli("reopen", bo))
    review = ok_json(cli("review", "--json", "--now", MONDAY))
    assert [i["prospect_id"] for i in review["groups"]["no-next-step"]] == [story["bo"]]


def test_exported_cadences_come_back_as_a_renamed_copy(cli: Cli, tmp_path: Path) -> None:
    exported = tmp_path / "exported.toml"
    ok(cli("cadences", "--export", str(exported)))
    everything = parse_cadences(exported.read_text(encoding="utf-8"), "exported.toml")
    assert {c.key for c in everything} == {"ten-week", "short-email", "contact-basics"}

    ten_week = next(c for c in everything if c.key == "ten-week")
    copy = replace(ten_week, key="my-ten-week", name="My ten weeks")
    mine = tmp_path / "mine.toml"
    mine.write_text(dump_cadences([copy]), encoding="utf-8")
    said = ok(cli("cadences", "--import", str(mine)))
    assert "my-ten-week" in said

    listed = {c["key"]: c for c in ok_json(cli("cadences", "--json"))}
    assert listed["my-ten-week"]["builtin"] is False
    assert listed["my-ten-week"]["name"] == "My ten weeks"
    assert listed["my-ten-week"]["steps"] == listed["ten-week"]["steps"] == len(ten_week.steps)
    assert listed["ten-week"]["builtin"] is True
    again = tmp_path / "again.toml"
    ok(cli("cadences", "--export", str(again)))
    assert copy in parse_cadences(again.read_text(encoding="utf-8"), "again.toml")


def test_importing_a_broken_cadence_file_names_the_line_and_adds_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[cadence]]\nkey = "mine"\nname = "Mine\n', encoding="utf-8")
    before = ok_json(cli("cadences", "--json"))

    line = refused(cli("cadences", "--import", str(broken)))

    assert "line 3" in line
    assert "broken.toml" in line
    assert ok_json(cli("cadences", "--json")) == before
    assert "missing.toml" in refused(cli("cadences", "--import", str(tmp_path / "missing.toml")))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("touch", "99", "--channel", "call", "--note", NEWS), "no prospect 99"),
        (("enrol", "99", "--cadence", "ten-week"), "no prospect 99"),
        (("message", "99"), "no prospect 99"),
        (("close", "99", "--reason", "gone"), "no prospect 99"),
        (("snooze", "99", "--until", "2026-12-21"), "no prospect 99"),
        (("outcome", "99", "held"), "no booking 99"),
    ],
)
def test_an_unknown_prospect_or_booking_is_one_line_and_exit_1(
    cli: Cli, args: tuple[str, ...], expected: str
) -> None:
    assert expected in refused(cli(*args))


def test_an_unknown_cadence_is_refused_with_the_ones_there_are(
    cli: Cli, story: dict[str, int]
) -> None:
    line = refused(cli("enrol", str(story["bo"]), "--cadence", "twelve-week", "--now", MONDAY))

    assert "twelve-week" in line
    assert "ten-week" in line
    review = ok_json(cli("review", "--json", "--now", MONDAY))
    [bo] = [i for i in review["groups"]["no-next-step"] if i["prospect_id"] == story["bo"]]
    assert bo["cadence"] is None

    said = ok(cli("enrol", str(story["bo"]), "--cadence", "short-email", "--now", MONDAY))
    assert "first touch Mon 14 Dec (email)" in said
