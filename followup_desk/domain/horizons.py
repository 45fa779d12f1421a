"""The coarse answers of the narrowing conversation, turned into candidate days."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from followup_desk.domain.rules import SchedulingRules


class Horizon(StrEnum):
    THIS_WEEK = "this-week"
    NEXT_WEEK = "next-week"
    LATE_NEXT_WEEK = "late-next-week"
    IN_2_WEEKS = "in-2-weeks"
    DATE = "date"


# How far past a named date the flow looks for a second day to offer.
NAMED_DATE_SPAN = 14


def week_start(day: date) -> date:
    """Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def _working_days(first: date, last: date, rules: SchedulingRules) -> list[date]:
    days = []
    current = first
    while current <= last:
        if rules.is_working_day(current.weekday()):
            days.append(current)
        current += timedelta(days=1)
    return days


def horizon_days(
    horizon: Horizon, today: date, rules: SchedulingRules, named: date | None = None
) -> list[date]:
    """Working days the horizon covers, in order (a named date comes first, then later days).

    "Late next week" is the last two working days of next week, as a rep means it.
    """
    monday = week_start(today)
    if horizon is Horizon.THIS_WEEK:
        return _working_days(today, monday + timedelta(days=6), rules)
    if horizon is Horizon.NEXT_WEEK:
        return _working_days(monday + timedelta(days=7), monday + timedelta(days=13), rules)
    if horizon is Horizon.LATE_NEXT_WEEK:
        return _working_days(monday + timedelta(days=7), monday + timedelta(days=13), rules)[-2:]
    if horizon is Horizon.IN_2_WEEKS:
        return _working_days(monday + timedelta(days=14), monday + timedelta(days=20), rules)
    if named is None:
        raise ValueError("a named-date horizon needs the date")
    later = _working_days(
        max(named + timedelta(days=1), today), named + timedelta(days=NAMED_DATE_SPAN), rules
    )
    # the named day itself even when it is not a working day or is over, so its reason
    # can be shown; the later days never lie in the past
    return [named, *later]


def horizon_range(
    horizon: Horizon, today: date, rules: SchedulingRules, named: date | None = None
) -> tuple[date, date]:
    """First and last calendar day the horizon may touch (for loading busy time)."""
    days = horizon_days(horizon, today, rules, named)
    if not days:
        return today, today
    return min(days), max(days)
