"""A booking's end is its start plus real time, even when the clocks change in between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from followup_desk.services.booking import end_of

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_two_hour_meeting_over_the_autumn_change_ends_two_real_hours_later() -> None:
    # 25 Oct 2026: at 03:00 CEST Berlin clocks go back to 02:00 CET
    start = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)

    end = end_of(start, timedelta(hours=2))

    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)
    assert (end.hour, end.minute, end.utcoffset()) == (2, 30, timedelta(hours=1))


def test_an_offset_start_keeps_its_offset() -> None:
    start = datetime.fromisoformat("2026-06-05T15:00:00-05:00")

    assert end_of(start, timedelta(minutes=30)).isoformat() == "2026-06-05T15:30:00-05:00"
