"""The rep's scheduling rules refuse a week no slot could come from."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfoNotFoundError

import pytest

from followup_desk.domain.rules import WEEKDAY_NAMES, SchedulingRules, Weekday


def test_the_default_week_is_monday_to_friday_nine_to_five_in_utc() -> None:
    rules = SchedulingRules()
    assert rules.zone.key == "UTC"
    assert [rules.is_working_day(day) for day in Weekday] == [True] * 5 + [False] * 2
    assert (rules.day_start, rules.day_end) == (time(9), time(17))
    assert WEEKDAY_NAMES[Weekday.SAT] == "sat"


def test_a_week_without_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="working day"):
        SchedulingRules(working_days=frozenset())


def test_a_day_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        SchedulingRules(day_start=time(17), day_end=time(9))
    with pytest.raises(ValueError, match="end after it starts"):
        SchedulingRules(day_start=time(9), day_end=time(9))


@pytest.mark.parametrize(
    "step",
    [
        timedelta(0),
        timedelta(minutes=-15),
        timedelta(seconds=30),
        timedelta(minutes=15, seconds=30),
    ],
)
def test_a_slot_step_that_is_not_whole_minutes_is_refused(step: timedelta) -> None:
    with pytest.raises(ValueError, match="slot step"):
        SchedulingRules(slot_step=step)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        SchedulingRules(time_zone="Europe/Atlantis")
