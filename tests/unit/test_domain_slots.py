"""Free start times on one day, and why a day or a requested start has none."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import (
    PartOfDay,
    Unavailable,
    check_slot,
    day_report,
    part_reason,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2027, 3, 15)
THIRTY = timedelta(minutes=30)
RULES = SchedulingRules(time_zone="Europe/Berlin")  # 9-17 Mon-Fri, 10/10 buffers, 2 h, 15 min
FREE = BusyIndex([])
# the Friday before: every slot on MONDAY is far enough ahead
EARLY = datetime(2027, 3, 12, 9, 0, tzinfo=BERLIN)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def busy(*spans: tuple[datetime, datetime]) -> BusyIndex:
    return BusyIndex(spans)


def walls(starts: list[datetime]) -> list[str]:
    return [f"{s.astimezone(BERLIN):%H:%M}" for s in starts]


def starts_of(day: date, length: timedelta, rules: SchedulingRules, index: BusyIndex) -> list[str]:
    return walls([s.start for s in day_report(day, length, rules, index, EARLY).slots])


def test_a_free_day_offers_every_step_from_opening_to_the_last_start_that_fits() -> None:
    report = day_report(MONDAY, THIRTY, RULES, FREE, EARLY)
    assert report.free
    assert report.reason is None
    starts = walls([s.start for s in report.slots])
    assert starts[0] == "09:00"
    assert starts[-1] == "16:30"
    assert len(starts) == 31  # 09:00, 09:15, ... 16:30


def test_every_slot_lasts_exactly_the_asked_length() -> None:
    for minutes in (15, 30, 45, 60, 90):
        length = timedelta(minutes=minutes)
        for slot in day_report(MONDAY, length, RULES, FREE, EARLY).slots:
            assert slot.length == length
            assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == length


def test_slots_are_in_the_reps_zone_and_in_time_order() -> None:
    slots = day_report(MONDAY, THIRTY, RULES, FREE, EARLY).slots
    assert all(s.start.tzinfo == BERLIN and s.end.tzinfo == BERLIN for s in slots)
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_a_slot_never_touches_a_busy_block_or_the_buffers_around_it() -> None:
    index = busy((berlin(MONDAY, 11), berlin(MONDAY, 12)))
    starts = starts_of(MONDAY, THIRTY, RULES, index)
    # 10:15-10:45 plus a 10-minute buffer ends 10:55: free; 10:30-11:00 + 10 min is not
    assert "10:15" in starts
    assert "10:30" not in starts
    assert "11:00" not in starts
    assert "11:45" not in starts
    # 12:00 would need the 10 minutes before it, which are busy; 12:15 is fine
    assert "12:00" not in starts
    assert "12:15" in starts


def test_bigger_buffers_keep_slots_further_from_busy_time() -> None:
    rules = SchedulingRules(
        time_zone="Europe/Berlin",
        buffer_before=timedelta(minutes=30),
        buffer_after=timedelta(minutes=45),
    )
    index = busy((berlin(MONDAY, 12), berlin(MONDAY, 13)))
    starts = starts_of(MONDAY, THIRTY, rules, index)
    assert "10:45" in starts  # ends 11:15, +45 min buffer = 12:00
    assert "11:00" not in starts
    assert "13:15" not in starts  # 30 min before 13:15 is busy
    assert "13:30" in starts


def test_no_buffers_allow_back_to_back_meetings() -> None:
    rules = SchedulingRules(
        time_zone="Europe/Berlin", buffer_before=timedelta(0), buffer_after=timedelta(0)
    )
    index = busy((berlin(MONDAY, 12), berlin(MONDAY, 13)))
    starts = starts_of(MONDAY, THIRTY, rules, index)
    assert "11:30" in starts
    assert "13:00" in starts
    assert "11:45" not in starts


def test_slots_never_leave_working_hours() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", day_start=time(8, 30), day_end=time(12, 0))
    report = day_report(MONDAY, timedelta(minutes=60), rules, FREE, EARLY)
    assert walls([s.start for s in report.slots])[0] == "08:30"
    assert walls([s.end for s in report.slots])[-1] == "12:00"
    assert all(time(8, 30) <= s.start.time() and s.end.time() <= time(12, 0) for s in report.slots)


def test_the_slot_step_sets_the_start_times_offered() -> None:
    for step, expected in ((30, ["09:00", "09:30", "10:00"]), (10, ["09:00", "09:10", "09:20"])):
        rules = SchedulingRules(time_zone="Europe/Berlin", slot_step=timedelta(minutes=step))
        starts = starts_of(MONDAY, THIRTY, rules, FREE)
        assert starts[:3] == expected
        assert all(int(s[3:]) % step == 0 for s in starts)


def test_slots_are_stepped_from_the_start_of_the_working_day() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", day_start=time(9, 10))
    assert starts_of(MONDAY, THIRTY, rules, FREE)[:3] == ["09:10", "09:25", "09:40"]


def test_minimum_notice_counts_from_now() -> None:
    now = berlin(MONDAY, 10, 5)
    report = day_report(MONDAY, THIRTY, RULES, FREE, now)
    assert walls([s.start for s in report.slots])[0] == "12:15"  # 10:05 + 2 h = 12:05


def test_without_notice_a_slot_may_start_right_now_but_not_before() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", minimum_notice=timedelta(0))
    report = day_report(MONDAY, THIRTY, rules, FREE, berlin(MONDAY, 10, 0))
    assert walls([s.start for s in report.slots])[0] == "10:00"


def test_the_zone_now_is_given_in_does_not_change_the_answer() -> None:
    moment = berlin(MONDAY, 10, 5)
    answers = {
        tuple(s.start for s in day_report(MONDAY, THIRTY, RULES, FREE, now).slots)
        for now in (
            moment,
            moment.astimezone(UTC),
            moment.astimezone(ZoneInfo("America/New_York")),
            moment.astimezone(ZoneInfo("Asia/Kolkata")),
        )
    }
    assert len(answers) == 1


def test_a_weekend_day_is_not_a_working_day() -> None:
    report = day_report(date(2027, 3, 20), THIRTY, RULES, FREE, EARLY)
    assert not report.free
    assert report.reason is Unavailable.NOT_WORKING_DAY


def test_a_custom_working_week_opens_the_weekend() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", working_days=frozenset({5, 6}))
    assert day_report(date(2027, 3, 20), THIRTY, rules, FREE, EARLY).free
    assert day_report(MONDAY, THIRTY, rules, FREE, EARLY).reason is Unavailable.NOT_WORKING_DAY


def test_a_day_that_is_over_says_so() -> None:
    report = day_report(MONDAY, THIRTY, RULES, FREE, berlin(MONDAY + timedelta(days=1), 8))
    assert report.reason is Unavailable.PAST


def test_the_rest_of_today_inside_the_notice_is_too_soon() -> None:
    report = day_report(MONDAY, THIRTY, RULES, FREE, berlin(MONDAY, 15, 0))
    assert not report.free
    assert report.reason is Unavailable.TOO_SOON


def test_a_fully_booked_day_is_busy() -> None:
    index = busy((berlin(MONDAY, 8), berlin(MONDAY, 18)))
    report = day_report(MONDAY, THIRTY, RULES, index, EARLY)
    assert report.reason is Unavailable.BUSY


def test_a_day_busy_in_the_afternoon_after_a_morning_that_is_over_is_busy() -> None:
    index = busy((berlin(MONDAY, 12), berlin(MONDAY, 18)))
    report = day_report(MONDAY, THIRTY, RULES, index, berlin(MONDAY, 9, 30))
    assert report.reason is Unavailable.BUSY


def test_a_meeting_longer_than_the_working_day_does_not_fit() -> None:
    report = day_report(MONDAY, timedelta(hours=9), RULES, FREE, EARLY)
    assert report.reason is Unavailable.OUTSIDE_HOURS
    # exactly the working day fits once
    whole = day_report(MONDAY, timedelta(hours=8), RULES, FREE, EARLY)
    assert walls([s.start for s in whole.slots]) == ["09:00"]


def test_slots_are_split_into_morning_and_afternoon_at_the_reps_boundary() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", afternoon_starts=time(13, 0))
    report = day_report(MONDAY, THIRTY, rules, FREE, EARLY)
    morning, afternoon = report.part(PartOfDay.MORNING), report.part(PartOfDay.AFTERNOON)
    assert walls([s.start for s in morning])[-1] == "12:45"
    assert walls([s.start for s in afternoon])[0] == "13:00"
    assert len(morning) + len(afternoon) == len(report.slots)


def test_a_part_of_day_without_slots_gives_a_reason() -> None:
    index = busy((berlin(MONDAY, 8), berlin(MONDAY, 12, 30)))
    report = day_report(MONDAY, THIRTY, RULES, index, EARLY)
    assert part_reason(report, PartOfDay.AFTERNOON) is None
    assert part_reason(report, PartOfDay.MORNING) is Unavailable.BUSY
    weekend = day_report(date(2027, 3, 20), THIRTY, RULES, FREE, EARLY)
    assert part_reason(weekend, PartOfDay.MORNING) is Unavailable.NOT_WORKING_DAY


def test_a_morning_that_is_already_over_is_not_called_busy() -> None:
    report = day_report(MONDAY, THIRTY, RULES, FREE, berlin(MONDAY, 12, 30))
    assert report.part(PartOfDay.AFTERNOON)
    assert part_reason(report, PartOfDay.MORNING) is Unavailable.PAST


def test_a_morning_inside_the_notice_is_too_soon() -> None:
    # 10:00 + 2 h notice: the earliest start is noon, the first afternoon slot
    report = day_report(MONDAY, THIRTY, RULES, FREE, berlin(MONDAY, 10, 0))
    assert walls([s.start for s in report.slots])[0] == "12:00"
    assert part_reason(report, PartOfDay.MORNING) is Unavailable.TOO_SOON


# check_slot: the same rules, asked about one exact start


def test_a_free_start_can_be_booked() -> None:
    assert check_slot(berlin(MONDAY, 10), THIRTY, RULES, FREE, EARLY) is None


def test_a_start_given_in_another_zone_is_checked_as_the_same_instant() -> None:
    start = berlin(MONDAY, 10).astimezone(ZoneInfo("America/New_York"))
    assert check_slot(start, THIRTY, RULES, FREE, EARLY) is None


def test_a_start_on_a_weekend_is_refused_as_not_a_working_day() -> None:
    saturday = berlin(date(2027, 3, 20), 10)
    assert check_slot(saturday, THIRTY, RULES, FREE, EARLY) is Unavailable.NOT_WORKING_DAY


def test_a_start_outside_working_hours_is_refused() -> None:
    for start in (berlin(MONDAY, 8, 45), berlin(MONDAY, 16, 45), berlin(MONDAY, 20)):
        assert check_slot(start, THIRTY, RULES, FREE, EARLY) is Unavailable.OUTSIDE_HOURS
    assert check_slot(berlin(MONDAY, 16, 30), THIRTY, RULES, FREE, EARLY) is None


def test_a_meeting_running_past_midnight_is_outside_hours() -> None:
    rules = SchedulingRules(time_zone="Europe/Berlin", day_start=time(0), day_end=time(23, 59))
    start = berlin(MONDAY, 23, 45)
    assert check_slot(start, THIRTY, rules, FREE, EARLY) is Unavailable.OUTSIDE_HOURS


def test_a_start_in_the_past_is_refused() -> None:
    now = berlin(MONDAY, 11)
    assert check_slot(berlin(MONDAY, 10), THIRTY, RULES, FREE, now) is Unavailable.PAST


def test_a_start_inside_the_minimum_notice_is_refused() -> None:
    now = berlin(MONDAY, 11)
    assert check_slot(berlin(MONDAY, 12, 45), THIRTY, RULES, FREE, now) is Unavailable.TOO_SOON
    assert check_slot(berlin(MONDAY, 13), THIRTY, RULES, FREE, now) is None


def test_a_start_that_touches_busy_time_or_its_buffers_is_refused() -> None:
    index = busy((berlin(MONDAY, 11), berlin(MONDAY, 12)))
    assert check_slot(berlin(MONDAY, 10, 30), THIRTY, RULES, index, EARLY) is Unavailable.BUSY
    assert check_slot(berlin(MONDAY, 12, 5), THIRTY, RULES, index, EARLY) is Unavailable.BUSY
    assert check_slot(berlin(MONDAY, 12, 10), THIRTY, RULES, index, EARLY) is None
    assert check_slot(berlin(MONDAY, 10, 20), THIRTY, RULES, index, EARLY) is None


def test_every_offered_slot_can_be_booked() -> None:
    index = busy((berlin(MONDAY, 11), berlin(MONDAY, 12)), (berlin(MONDAY, 14), berlin(MONDAY, 15)))
    now = berlin(MONDAY, 8, 50)
    for slot in day_report(MONDAY, THIRTY, RULES, index, now).slots:
        assert check_slot(slot.start, THIRTY, RULES, index, now) is None
