"""The coarse answers of the conversation ("next week", "late next week") as days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from followup_desk.domain.horizons import (
    NAMED_DATE_SPAN,
    Horizon,
    horizon_days,
    horizon_range,
    week_start,
)
from followup_desk.domain.rules import SchedulingRules

WEDNESDAY = date(2027, 3, 17)
RULES = SchedulingRules()  # Monday to Friday
MON_THU = SchedulingRules(working_days=frozenset({0, 1, 2, 3}))


def d(day: int, month: int = 3) -> date:
    return date(2027, month, day)


def names(days: list[date]) -> list[str]:
    return [f"{x:%a %d}" for x in days]


def test_a_week_starts_on_monday() -> None:
    assert week_start(WEDNESDAY) == d(15)
    assert week_start(d(15)) == d(15)
    assert week_start(d(21)) == d(15)


def test_this_week_is_today_to_the_last_working_day() -> None:
    assert horizon_days(Horizon.THIS_WEEK, WEDNESDAY, RULES) == [d(17), d(18), d(19)]


def test_this_week_asked_on_a_saturday_has_no_working_day_left() -> None:
    assert horizon_days(Horizon.THIS_WEEK, d(20), RULES) == []
    assert horizon_range(Horizon.THIS_WEEK, d(20), RULES) == (d(20), d(20))


def test_next_week_is_monday_to_friday_of_the_coming_week() -> None:
    days = horizon_days(Horizon.NEXT_WEEK, WEDNESDAY, RULES)
    assert names(days) == ["Mon 22", "Tue 23", "Wed 24", "Thu 25", "Fri 26"]


def test_next_week_asked_on_a_sunday_is_the_week_starting_tomorrow() -> None:
    days = horizon_days(Horizon.NEXT_WEEK, d(21), RULES)
    assert days[0] == d(22)


def test_late_next_week_is_its_last_two_working_days() -> None:
    assert horizon_days(Horizon.LATE_NEXT_WEEK, WEDNESDAY, RULES) == [d(25), d(26)]


def test_late_next_week_follows_a_custom_working_week() -> None:
    assert names(horizon_days(Horizon.LATE_NEXT_WEEK, WEDNESDAY, MON_THU)) == ["Wed 24", "Thu 25"]
    odd = SchedulingRules(working_days=frozenset({0, 2, 4}))
    assert names(horizon_days(Horizon.LATE_NEXT_WEEK, WEDNESDAY, odd)) == ["Wed 24", "Fri 26"]
    weekend_shift = SchedulingRules(working_days=frozenset({2, 3, 4, 5, 6}))
    assert names(horizon_days(Horizon.LATE_NEXT_WEEK, WEDNESDAY, weekend_shift)) == [
        "Sat 27",
        "Sun 28",
    ]


def test_late_next_week_with_a_one_day_week_is_that_day() -> None:
    mondays = SchedulingRules(working_days=frozenset({0}))
    assert horizon_days(Horizon.LATE_NEXT_WEEK, WEDNESDAY, mondays) == [d(22)]


def test_in_two_weeks_is_the_week_after_next() -> None:
    days = horizon_days(Horizon.IN_2_WEEKS, WEDNESDAY, RULES)
    assert names(days) == ["Mon 29", "Tue 30", "Wed 31", "Thu 01", "Fri 02"]
    assert names(horizon_days(Horizon.IN_2_WEEKS, WEDNESDAY, MON_THU)) == names(days)[:4]


def test_a_named_working_day_comes_first_then_later_working_days() -> None:
    days = horizon_days(Horizon.DATE, WEDNESDAY, RULES, named=d(24))
    assert days[0] == d(24)
    assert names(days[:4]) == ["Wed 24", "Thu 25", "Fri 26", "Mon 29"]
    assert days[-1] <= d(24) + timedelta(days=NAMED_DATE_SPAN)
    assert all(x.weekday() < 5 for x in days)


def test_a_named_weekend_day_is_kept_so_its_reason_can_be_shown() -> None:
    days = horizon_days(Horizon.DATE, WEDNESDAY, RULES, named=d(27))
    assert names(days[:3]) == ["Sat 27", "Mon 29", "Tue 30"]


def test_today_named_is_offered_first() -> None:
    assert horizon_days(Horizon.DATE, WEDNESDAY, RULES, named=WEDNESDAY)[0] == WEDNESDAY


def test_a_named_date_horizon_needs_the_date() -> None:
    with pytest.raises(ValueError, match="needs the date"):
        horizon_days(Horizon.DATE, WEDNESDAY, RULES)


def test_the_range_to_load_covers_every_day_of_the_horizon() -> None:
    assert horizon_range(Horizon.NEXT_WEEK, WEDNESDAY, RULES) == (d(22), d(26))
    first, last = horizon_range(Horizon.DATE, WEDNESDAY, RULES, named=d(27))
    assert first == d(27)
    assert last == max(horizon_days(Horizon.DATE, WEDNESDAY, RULES, named=d(27)))


@pytest.mark.parametrize("horizon", [h for h in Horizon if h is not Horizon.DATE])
def test_every_horizon_lists_working_days_in_order_from_today_on(horizon: Horizon) -> None:
    for offset in range(7):
        today = WEDNESDAY + timedelta(days=offset)
        days = horizon_days(horizon, today, MON_THU)
        assert days == sorted(set(days))
        assert all(x >= today and x.weekday() in MON_THU.working_days for x in days)


def test_a_named_date_that_is_over_is_kept_so_the_rep_hears_it_is_over() -> None:
    days = horizon_days(Horizon.DATE, WEDNESDAY, RULES, named=d(10))
    assert days[0] == d(10)
    # the days after it start today, never in the past
    assert names(days[1:]) == ["Wed 17", "Thu 18", "Fri 19", "Mon 22", "Tue 23", "Wed 24"]
