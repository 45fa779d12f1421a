"""Properties every offered slot keeps, whatever the calendar, rules, zone and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import DayReport, check_slot, day_report, wall_instants

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2028, 12, 31)


@cache
def change_days(name: str) -> tuple[date, ...]:
    """The days in 2026-2028 on which the zone changes its clocks (and the days after)."""
    zone = ZoneInfo(name)
    days: set[date] = set()
    day = FIRST_DAY
    while day <= LAST_DAY:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        if zone.utcoffset(midnight) != zone.utcoffset(midnight + timedelta(days=1)):
            days.update((day, day + timedelta(days=1)))
        day += timedelta(days=1)
    return tuple(sorted(days))


@dataclass(frozen=True)
class Case:
    rules: SchedulingRules
    day: date
    length: timedelta
    busy: list[tuple[datetime, datetime]]
    now: datetime

    @property
    def index(self) -> BusyIndex:
        return BusyIndex(self.busy)

    def report(self) -> DayReport:
        return day_report(self.day, self.length, self.rules, self.index, self.now)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    any_day = st.dates(FIRST_DAY, LAST_DAY)
    changes = change_days(zone_name)
    day = draw(st.one_of(any_day, st.sampled_from(changes)) if changes else any_day)
    # half the time the working day starts at night, where clocks change
    start_min = draw(st.one_of(st.integers(0, 22 * 60), st.integers(0, 3 * 60))) // 5 * 5
    end_min = draw(
        st.one_of(
            st.integers(start_min + 5, 23 * 60 + 59),
            st.integers(start_min + 5, min(start_min + 5 * 60, 23 * 60 + 59)),
        )
    )
    afternoon = draw(st.integers(0, 23 * 60 + 59))
    notice = draw(st.integers(0, 48 * 60))
    working = draw(st.frozensets(st.integers(0, 6))) | {day.weekday()}
    rules = SchedulingRules(
        time_zone=zone_name,
        working_days=frozenset(working),
        day_start=time(start_min // 60, start_min % 60),
        day_end=time(end_min // 60, end_min % 60),
        afternoon_starts=time(afternoon // 60, afternoon % 60),
        buffer_before=timedelta(minutes=draw(st.integers(0, 60))),
        buffer_after=timedelta(minutes=draw(st.integers(0, 60))),
        minimum_notice=timedelta(minutes=notice),
        slot_step=timedelta(minutes=draw(st.sampled_from((5, 10, 15, 30)))),
    )
    length = timedelta(minutes=draw(st.integers(5, 240)))
    # everything is placed relative to the rep's local midnight, as an absolute instant
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    busy = [
        (midnight + timedelta(minutes=at), midnight + timedelta(minutes=at + span))
        for at, span in draw(
            st.lists(st.tuples(st.integers(-12 * 60, 36 * 60), st.integers(1, 8 * 60)), max_size=8)
        )
    ]
    now_zone = draw(
        st.sampled_from([zone, UTC, ZoneInfo("America/New_York"), timezone(timedelta(hours=-7))])
    )
    # now anywhere from three days before to the day after, often just as notice runs out
    lead = start_min - notice
    now_at = draw(
        st.one_of(st.integers(-3 * 24 * 60, 24 * 60), st.integers(lead - 240, lead + 240))
    )
    now = (midnight + timedelta(minutes=now_at)).astimezone(now_zone)
    return Case(rules, day, length, busy, now)


# Regressions found by these properties, kept so every run checks them.
# A 5-minute meeting at 01:55 in New York as clocks spring forward ends at 03:00 EDT.
ACROSS_THE_GAP = Case(
    SchedulingRules(
        time_zone="America/New_York",
        working_days=frozenset({6}),
        day_start=time(0),
        day_end=time(3),
        buffer_before=timedelta(0),
        buffer_after=timedelta(0),
        minimum_notice=timedelta(0),
        slot_step=timedelta(minutes=5),
    ),
    date(2026, 3, 8),
    timedelta(minutes=5),
    [],
    datetime(2026, 3, 8, 0, 0, tzinfo=ZoneInfo("America/New_York")),
)
# Two hours of notice from 01:30 CET, given on Berlin's clock, run out at 04:30 CEST.
NOTICE_ACROSS_THE_GAP = Case(
    SchedulingRules(
        time_zone="Europe/Berlin",
        working_days=frozenset({6}),
        day_start=time(0),
        day_end=time(23),
        minimum_notice=timedelta(hours=2),
    ),
    date(2027, 3, 28),
    timedelta(minutes=30),
    [],
    datetime(2027, 3, 28, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
)


def _touches_busy(case: Case, start: datetime, end: datetime) -> bool:
    lo = start - case.rules.buffer_before
    hi = end + case.rules.buffer_after
    return any(b_start < hi and lo < b_end for b_start, b_end in case.busy)


@settings(max_examples=150, deadline=None)
@given(case=cases())
@example(case=ACROSS_THE_GAP)
@example(case=NOTICE_ACROSS_THE_GAP)
def test_every_offered_slot_keeps_every_rule(case: Case) -> None:
    rules, zone = case.rules, case.rules.zone
    report = case.report()
    earliest = case.now.astimezone(UTC) + rules.minimum_notice
    step = int(rules.slot_step.total_seconds() // 60)
    for slot in report.slots:
        start_utc, end_utc = slot.start.astimezone(UTC), slot.end.astimezone(UTC)
        # exactly the asked length, in real time
        assert end_utc - start_utc == case.length
        assert slot.length == case.length
        # never touches busy time, buffers included
        assert not _touches_busy(case, start_utc, end_utc)
        # inside working hours on the rep's wall clock, on the asked date
        local_start, local_end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        assert local_start.date() == case.day
        assert local_end.date() == case.day
        assert rules.day_start <= local_start.time()
        assert local_end.time() <= rules.day_end
        # on the slot step, counted from the start of the working day
        assert (_minutes(local_start.time()) - _minutes(rules.day_start)) % step == 0
        # minimum notice from now
        assert start_utc >= earliest
        # the start time exists on the wall clock and names this exact instant
        naive = local_start.replace(tzinfo=None)
        assert start_utc.astimezone(zone).replace(tzinfo=None) == naive
        assert local_start in wall_instants(case.day, naive.time(), zone)
        assert naive.replace(tzinfo=zone, fold=local_start.fold).astimezone(UTC) == start_utc
        # and the booking check agrees it can be booked
        assert check_slot(slot.start, case.length, rules, case.index, case.now) is None
    starts = [s.start.astimezone(UTC) for s in report.slots]
    assert all(a < b for a, b in pairwise(starts))
    assert (report.reason is None) == report.free


@settings(max_examples=150, deadline=None)
@given(case=cases())
@example(case=ACROSS_THE_GAP)
@example(case=NOTICE_ACROSS_THE_GAP)
def test_no_bookable_start_on_the_step_is_left_out(case: Case) -> None:
    rules = case.rules
    offered = {s.start.astimezone(UTC) for s in case.report().slots}
    step = int(rules.slot_step.total_seconds() // 60)
    index = case.index
    for minute in range(_minutes(rules.day_start), _minutes(rules.day_end), step):
        for start in wall_instants(case.day, time(minute // 60, minute % 60), rules.zone):
            bookable = check_slot(start, case.length, rules, index, case.now) is None
            assert bookable == (start.astimezone(UTC) in offered)
