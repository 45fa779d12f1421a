"""Slots on the days clocks change, and in the weeks Europe and America are out of step."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import Slot, check_slot, day_report, wall_instants

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
FREE = BusyIndex([])
EVERY_DAY = frozenset(range(7))
THIRTY = timedelta(minutes=30)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)

BERLIN_SPRING = date(2027, 3, 28)  # 02:00 CET -> 03:00 CEST
BERLIN_AUTUMN = date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET
NEW_YORK_SPRING = date(2027, 3, 14)  # 02:00 EST -> 03:00 EDT


def rules(
    zone: str, start: time, end: time, notice: timedelta = timedelta(hours=2)
) -> SchedulingRules:
    return SchedulingRules(
        time_zone=zone, working_days=EVERY_DAY, day_start=start, day_end=end, minimum_notice=notice
    )


def slots_on(day: date, r: SchedulingRules, now: datetime = LONG_AGO) -> tuple[Slot, ...]:
    return day_report(day, THIRTY, r, FREE, now).slots


def labels(slots: tuple[Slot, ...]) -> list[str]:
    return [s.start.isoformat(timespec="minutes")[11:] for s in slots]


def offset_hours(moment: datetime) -> float:
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


# wall_instants: how many times the clock shows a wall time


def test_a_wall_time_in_the_spring_gap_never_happens() -> None:
    assert wall_instants(BERLIN_SPRING, time(2, 30), BERLIN) == []
    assert wall_instants(NEW_YORK_SPRING, time(2, 0), NEW_YORK) == []


def test_a_wall_time_in_the_autumn_fold_happens_twice_an_hour_apart() -> None:
    first, second = wall_instants(BERLIN_AUTUMN, time(2, 30), BERLIN)
    assert first.utcoffset() == timedelta(hours=2)
    assert second.utcoffset() == timedelta(hours=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)


def test_an_ordinary_wall_time_happens_once() -> None:
    (only,) = wall_instants(BERLIN_SPRING, time(3, 0), BERLIN)
    assert only.isoformat() == "2027-03-28T03:00:00+02:00"
    (before,) = wall_instants(BERLIN_SPRING, time(1, 45), BERLIN)
    assert before.isoformat() == "2027-03-28T01:45:00+01:00"


def test_lord_howe_skips_and_repeats_half_an_hour() -> None:
    # clocks go from 02:00 to 02:30 on 2026-10-04 and from 02:00 back to 01:30 on 2027-04-04
    assert wall_instants(date(2026, 10, 4), time(2, 15), LORD_HOWE) == []
    assert len(wall_instants(date(2026, 10, 4), time(2, 30), LORD_HOWE)) == 1
    twice = wall_instants(date(2027, 4, 4), time(1, 45), LORD_HOWE)
    assert [offset_hours(m) for m in twice] == [11.0, 10.5]


# the spring gap never yields a slot


def test_no_slot_starts_in_the_berlin_spring_gap() -> None:
    slots = slots_on(BERLIN_SPRING, rules("Europe/Berlin", time(0), time(23)))
    starts = labels(slots)
    assert not [s for s in starts if s.startswith("02:")]
    index = starts.index("01:45+01:00")
    assert starts[index + 1] == "03:00+02:00"


def test_a_night_shift_across_the_gap_offers_real_times_only() -> None:
    slots = slots_on(BERLIN_SPRING, rules("Europe/Berlin", time(1), time(5)))
    assert labels(slots) == [
        "01:00+01:00",
        "01:15+01:00",
        "01:30+01:00",
        "01:45+01:00",
        "03:00+02:00",
        "03:15+02:00",
        "03:30+02:00",
        "03:45+02:00",
        "04:00+02:00",
        "04:15+02:00",
        "04:30+02:00",
    ]


def test_a_meeting_across_the_gap_lasts_its_real_length() -> None:
    slots = slots_on(BERLIN_SPRING, rules("Europe/Berlin", time(1), time(5)))
    across = next(s for s in slots if s.start.hour == 1 and s.start.minute == 45)
    assert across.end.isoformat() == "2027-03-28T03:15:00+02:00"
    assert across.length == THIRTY


def test_no_slot_starts_in_the_new_york_spring_gap() -> None:
    slots = slots_on(NEW_YORK_SPRING, rules("America/New_York", time(0), time(23)))
    starts = labels(slots)
    assert not [s for s in starts if s.startswith("02:")]
    assert "01:45-05:00" in starts
    assert "03:00-04:00" in starts
    assert all(s.length == THIRTY for s in slots)


def test_minimum_notice_counts_real_time_across_the_gap() -> None:
    # 01:30 CET is 00:30 UTC; two hours later is 02:30 UTC, which is 04:30 CEST
    now = datetime(2027, 3, 28, 1, 30, tzinfo=BERLIN)
    r = rules("Europe/Berlin", time(0), time(23), notice=timedelta(hours=2))
    for same_moment in (now, now.astimezone(UTC), now.astimezone(NEW_YORK)):
        slots = slots_on(BERLIN_SPRING, r, same_moment)
        assert labels(slots)[0] == "04:30+02:00"
        for slot in slots:
            assert check_slot(slot.start, THIRTY, r, FREE, same_moment) is None


# the autumn fold yields each repeated time twice, each with its own offset


def test_the_repeated_hour_gives_two_distinct_slots_with_their_offsets() -> None:
    slots = slots_on(BERLIN_AUTUMN, rules("Europe/Berlin", time(0), time(23)))
    at_two = [s for s in slots if s.start.hour == 2 and s.start.minute == 0]
    assert len(at_two) == 2
    summer, winter = at_two
    assert summer.start.isoformat() == "2026-10-25T02:00:00+02:00"
    assert winter.start.isoformat() == "2026-10-25T02:00:00+01:00"
    assert summer.start.astimezone(UTC) != winter.start.astimezone(UTC)
    assert len([s for s in slots if s.start.hour == 2]) == 8


def test_slots_in_the_fold_are_in_real_time_order_and_last_their_length() -> None:
    slots = slots_on(BERLIN_AUTUMN, rules("Europe/Berlin", time(1), time(4)))
    instants = [s.start.astimezone(UTC) for s in slots]
    assert instants == sorted(instants)
    assert len(set(instants)) == len(instants)
    assert all(s.length == THIRTY for s in slots)
    assert labels(slots)[4:9] == [
        "02:00+02:00",
        "02:15+02:00",
        "02:30+02:00",
        "02:45+02:00",
        "02:00+01:00",
    ]


def test_each_fold_slot_can_be_booked_at_its_own_instant() -> None:
    r = rules("Europe/Berlin", time(0), time(23))
    for slot in slots_on(BERLIN_AUTUMN, r):
        assert check_slot(slot.start, THIRTY, r, FREE, LONG_AGO) is None
    # only the second 02:00 is blocked by busy time in the winter hour
    winter_two = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    index = BusyIndex([(winter_two, winter_two + timedelta(minutes=30))])
    report = day_report(BERLIN_AUTUMN, THIRTY, r, index, LONG_AGO)
    at_two = [s.start.isoformat() for s in report.slots if s.start.hour == 2]
    assert "2026-10-25T02:00:00+02:00" in at_two
    assert "2026-10-25T02:00:00+01:00" not in at_two


# Europe and America change clocks on different dates


def _in_new_york(day: date) -> list[str]:
    r = SchedulingRules(time_zone="Europe/London", day_start=time(14), day_end=time(15))
    slots = day_report(day, THIRTY, r, FREE, LONG_AGO).slots
    return [f"{s.in_zone(NEW_YORK)[0]:%H:%M%z}-{s.in_zone(NEW_YORK)[1]:%H:%M}" for s in slots]


def test_london_and_new_york_are_five_hours_apart_before_either_changes() -> None:
    assert _in_new_york(date(2027, 3, 9))[0] == "09:00-0500-09:30"


def test_london_and_new_york_are_four_hours_apart_while_only_america_has_changed() -> None:
    for day in (date(2027, 3, 15), date(2027, 3, 19), date(2027, 3, 26)):
        assert _in_new_york(day) == ["10:00-0400-10:30", "10:15-0400-10:45", "10:30-0400-11:00"]


def test_london_and_new_york_are_five_hours_apart_again_once_both_changed() -> None:
    assert _in_new_york(date(2027, 3, 29))[0] == "09:00-0400-09:30"


def test_a_new_york_rep_sees_berlin_six_hours_ahead_except_late_october() -> None:
    r = SchedulingRules(time_zone="America/New_York", day_start=time(10), day_end=time(11))

    def in_berlin(day: date) -> str:
        first = day_report(day, THIRTY, r, FREE, LONG_AGO).slots[0]
        return f"{first.in_zone(BERLIN)[0]:%H:%M %Z}"

    assert in_berlin(date(2026, 10, 22)) == "16:00 CEST"
    assert in_berlin(date(2026, 10, 26)) == "15:00 CET"  # Europe changed, America not yet
    assert in_berlin(date(2026, 10, 30)) == "15:00 CET"
    assert in_berlin(date(2026, 11, 2)) == "16:00 CET"


def test_a_prospect_zone_time_is_the_same_instant_as_the_reps() -> None:
    r = SchedulingRules(time_zone="Europe/London")
    for slot in day_report(date(2027, 3, 16), THIRTY, r, FREE, LONG_AGO).slots:
        start, end = slot.in_zone(NEW_YORK)
        assert start == slot.start
        assert end == slot.end
        assert offset_hours(slot.start) - offset_hours(start) == 4


def test_on_the_long_autumn_night_a_meeting_longer_than_the_wall_span_can_still_fit() -> None:
    # hours 00:20-02:00 on the night Berlin falls back: the day is 100 wall minutes but
    # 160 real ones when it ends at the second 02:00; the slot search and the booking check
    # must agree on the 105-minute meeting that starts at 01:15 CEST
    r = SchedulingRules(
        time_zone="Europe/Berlin",
        working_days=EVERY_DAY,
        day_start=time(0, 20),
        day_end=time(2, 0),
        afternoon_starts=time(0, 0),
        slot_step=timedelta(minutes=5),
    )
    length = timedelta(minutes=105)
    offered = day_report(BERLIN_AUTUMN, length, r, FREE, LONG_AGO).slots
    start = datetime(2026, 10, 24, 23, 15, tzinfo=UTC)  # 01:15 CEST

    assert check_slot(start, length, r, FREE, LONG_AGO) is None
    assert start in {s.start.astimezone(UTC) for s in offered}
