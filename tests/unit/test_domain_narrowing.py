"""The narrowing conversation: two free days, then part of day, then a start time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup_desk.domain.horizons import Horizon
from followup_desk.domain.intervals import BusyBlock, BusyIndex
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import PartOfDay, Unavailable

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
RULES = SchedulingRules(time_zone="Europe/Berlin")
THIRTY = timedelta(minutes=30)
WEDNESDAY = date(2027, 3, 17)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def d(day: int) -> date:
    return date(2027, 3, day)


def whole_day(day: date) -> tuple[datetime, datetime]:
    return berlin(day, 0), berlin(day + timedelta(days=1), 0)


def narrowing(
    *busy: tuple[datetime, datetime],
    now: datetime | None = None,
    rules: SchedulingRules = RULES,
    length: timedelta = THIRTY,
) -> Narrowing:
    return Narrowing(
        rules=rules,
        busy=BusyIndex(busy),
        now=now or berlin(WEDNESDAY, 10),
        length=length,
        prospect_zone=NEW_YORK,
    )


def test_today_is_the_reps_date_whatever_zone_now_is_in() -> None:
    late_evening_in_new_york = datetime(2027, 3, 16, 20, 0, tzinfo=NEW_YORK)  # 01:00 in Berlin
    assert narrowing(now=late_evening_in_new_york).today == WEDNESDAY


def test_two_free_days_are_offered_first() -> None:
    offered = narrowing().offered_days(Horizon.NEXT_WEEK)
    assert [r.day for r in offered] == [d(22), d(23)]
    assert all(r.free for r in offered)


def test_busy_days_are_skipped_when_offering() -> None:
    flow = narrowing(whole_day(d(22)), whole_day(d(24)))
    assert [r.day for r in flow.offered_days(Horizon.NEXT_WEEK)] == [d(23), d(25)]


def test_when_both_days_are_refused_the_next_two_free_days_follow() -> None:
    flow = narrowing(whole_day(d(22)), whole_day(d(24)))
    assert [r.day for r in flow.offered_days(Horizon.NEXT_WEEK, page=1)] == [d(26)]
    assert flow.offered_days(Horizon.NEXT_WEEK, page=2) == []
    plain = narrowing()
    assert [r.day for r in plain.offered_days(Horizon.NEXT_WEEK, page=1)] == [d(24), d(25)]


def test_a_day_taken_only_partly_is_still_offered() -> None:
    flow = narrowing((berlin(d(22), 9), berlin(d(22), 16)))
    assert flow.offered_days(Horizon.NEXT_WEEK)[0].day == d(22)


def test_a_day_with_no_room_for_a_long_meeting_is_not_offered() -> None:
    # a 2-hour hole on Monday is too short for a 2-hour meeting with 10-minute buffers
    flow = narrowing(
        (berlin(d(22), 8), berlin(d(22), 11)),
        (berlin(d(22), 13), berlin(d(22), 18)),
        length=timedelta(hours=2),
    )
    assert flow.offered_days(Horizon.NEXT_WEEK)[0].day == d(23)
    assert flow.report(d(22)).reason is Unavailable.BUSY


def test_this_week_skips_what_is_too_soon() -> None:
    # Friday 16:00 with two hours notice: nothing is left this week
    flow = narrowing(now=berlin(d(19), 16))
    assert flow.offered_days(Horizon.THIS_WEEK) == []
    (friday,) = flow.days(Horizon.THIS_WEEK)
    assert friday.reason is Unavailable.TOO_SOON


def test_every_day_of_the_horizon_is_listed_with_its_reason() -> None:
    flow = narrowing(whole_day(d(24)))
    reasons = {r.day: r.reason for r in flow.days(Horizon.NEXT_WEEK)}
    assert reasons == {d(22): None, d(23): None, d(24): Unavailable.BUSY, d(25): None, d(26): None}


def test_a_named_weekend_day_shows_why_and_the_next_free_days_are_offered() -> None:
    flow = narrowing()
    days = flow.days(Horizon.DATE, named=d(27))
    assert days[0].day == d(27)
    assert days[0].reason is Unavailable.NOT_WORKING_DAY
    assert [r.day for r in flow.offered_days(Horizon.DATE, named=d(27))] == [d(29), d(30)]


def test_morning_and_afternoon_are_offered_with_their_own_slots() -> None:
    flow = narrowing()
    morning, afternoon = flow.parts(d(22))
    assert morning.part is PartOfDay.MORNING
    assert afternoon.part is PartOfDay.AFTERNOON
    assert morning.reason is None
    assert afternoon.reason is None
    assert all(s.start.astimezone(BERLIN).time() < time(12) for s in morning.slots)
    assert all(s.start.astimezone(BERLIN).time() >= time(12) for s in afternoon.slots)


def test_a_busy_morning_says_so_and_leaves_the_afternoon() -> None:
    morning, afternoon = narrowing((berlin(d(22), 8), berlin(d(22), 12, 30))).parts(d(22))
    assert morning.slots == ()
    assert morning.reason is Unavailable.BUSY
    assert afternoon.slots
    assert afternoon.reason is None


def test_a_morning_that_is_over_is_not_called_busy() -> None:
    morning, afternoon = narrowing(now=berlin(WEDNESDAY, 13)).parts(WEDNESDAY)
    assert morning.reason is Unavailable.PAST
    assert afternoon.slots


def test_the_afternoon_of_a_half_day_does_not_fit_in_working_hours() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", day_end=time(12, 0))
    morning, afternoon = narrowing(rules=rules).parts(d(22))
    assert morning.slots
    assert afternoon.reason is Unavailable.OUTSIDE_HOURS


def test_parts_of_a_weekend_day_give_the_days_reason() -> None:
    for part in narrowing().parts(d(27)):
        assert part.reason is Unavailable.NOT_WORKING_DAY


def test_times_are_the_free_starts_of_the_chosen_part() -> None:
    flow = narrowing((berlin(d(22), 14), berlin(d(22), 15)))
    afternoon = flow.times(d(22), PartOfDay.AFTERNOON)
    starts = [f"{s.start:%H:%M}" for s in afternoon]
    assert starts[:4] == ["12:00", "12:15", "12:30", "12:45"]
    assert "13:15" in starts
    assert "13:30" not in starts  # 13:30-14:00 leaves no 10-minute buffer before 14:00
    assert "15:00" not in starts  # the 10-minute buffer after the busy hour
    assert "15:15" in starts
    everything = flow.times(d(22))
    assert len(everything) == len(flow.times(d(22), PartOfDay.MORNING)) + len(afternoon)


def test_every_slot_of_the_horizon_in_time_order() -> None:
    flow = narrowing(whole_day(d(23)))
    slots = flow.slots(Horizon.NEXT_WEEK)
    assert {s.start.date() for s in slots} == {d(22), d(24), d(25), d(26)}
    instants = [s.start.astimezone(UTC) for s in slots]
    assert instants == sorted(instants)


def test_missing_start_times_come_in_runs_with_their_reason() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin")
    zone = rules.zone
    busy = BusyIndex.from_blocks(
        [
            BusyBlock(
                datetime(2026, 12, 4, 13, 0, tzinfo=zone),
                datetime(2026, 12, 4, 14, 0, tzinfo=zone),
            )
        ],
        all_day_busy=False,
    )
    narrowing = Narrowing(
        rules, busy, datetime(2026, 11, 23, 10, tzinfo=zone), timedelta(minutes=30), zone
    )

    runs = narrowing.missing(date(2026, 12, 4), PartOfDay.AFTERNOON)

    # 30 minutes plus 10-minute buffers: 12:30 up to 14:00 touch the 13:00-14:00 meeting
    assert [(r.first.strftime("%H:%M"), r.last.strftime("%H:%M"), r.reason) for r in runs] == [
        ("12:30", "14:00", Unavailable.BUSY),
        ("16:45", "16:45", Unavailable.OUTSIDE_HOURS),
    ]
