"""The pipeline chart's data: each week's review leaves its counts, and the chart reads the
last weeks back in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.touches import Outcome
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from tests.conftest import SettingsWriter

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 16, 9, tzinfo=BERLIN)


def test_each_weeks_review_is_kept_for_the_chart(
    fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    desk = open_desk(fd_home, FixedClock(MONDAY))
    start = datetime(2026, 11, 17, 10, tzinfo=BERLIN)
    desk.bookings.book(BookingRequest("Dana", "dana@example.com", start, timedelta(minutes=30)))
    first = desk.followups.review()
    desk.close()

    later = open_desk(fd_home, FixedClock(MONDAY + timedelta(days=7)))
    later.followups.record_outcome(1, Outcome.NO_SHOW)
    later.followups.review()
    weeks = later.followups.pipeline(weeks=4)
    later.close()

    assert sum(first.counts().values()) == 0  # booked: nobody to chase in week one
    assert [w.isoformat() for w, _ in weeks] == ["2026-11-16", "2026-11-23"]
    assert weeks[1][1]["no-next-step"] == 1
    assert sum(weeks[0][1].values()) == 0
