"""The lines a rep says aloud: days and times as the prospect's own calendar shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_desk.domain.horizons import Horizon
from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.phrases import (
    CLOSING_LINE,
    day_line,
    format_clock,
    format_day,
    format_offset,
    horizon_line,
    part_line,
    same_zone,
    time_line,
)
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import PartOfDay, Slot

BERLIN = ZoneInfo("Europe/Berlin")
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
KOLKATA = ZoneInfo("Asia/Kolkata")
MONDAY = date(2027, 3, 22)
THIRTY = timedelta(minutes=30)


def flow(
    zone: str = "Europe/Berlin",
    *busy: tuple[datetime, datetime],
    start: time = time(9),
    end: time = time(17),
) -> Narrowing:
    return Narrowing(
        rules=SchedulingRules(time_zone=zone, day_start=start, day_end=end),
        busy=BusyIndex(busy),
        now=datetime(2027, 3, 17, tzinfo=UTC),
        length=THIRTY,
        prospect_zone=NEW_YORK,
    )


def at(zone: ZoneInfo, day: date, hour: int, minute: int = 0) -> Slot:
    start = datetime.combine(day, time(hour, minute), tzinfo=zone)
    return Slot(start, start + THIRTY, PartOfDay.AFTERNOON)


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [
        (15, 0, "3 pm"),
        (15, 30, "3:30 pm"),
        (9, 5, "9:05 am"),
        (12, 0, "12 pm"),
        (0, 0, "12 am"),
        (0, 45, "12:45 am"),
        (11, 59, "11:59 am"),
    ],
)
def test_twelve_hour_times_read_naturally(hour: int, minute: int, said: str) -> None:
    moment = datetime(2027, 3, 22, hour, minute, tzinfo=BERLIN)
    assert format_clock(moment, clock_24h=False) == said


def test_twenty_four_hour_times_keep_two_digits() -> None:
    assert format_clock(datetime(2027, 3, 22, 9, 5, tzinfo=BERLIN)) == "09:05"
    assert format_clock(datetime(2027, 3, 22, 15, 0, tzinfo=BERLIN)) == "15:00"


def test_the_offset_is_shown_with_the_zone_abbreviation() -> None:
    assert format_offset(datetime(2027, 1, 4, 10, tzinfo=BERLIN)) == "CET, UTC+01:00"
    assert format_offset(datetime(2027, 7, 5, 10, tzinfo=BERLIN)) == "CEST, UTC+02:00"
    assert format_offset(datetime(2027, 3, 22, 10, tzinfo=NEW_YORK)) == "EDT, UTC-04:00"
    assert format_offset(datetime(2027, 3, 22, 10, tzinfo=KOLKATA)) == "IST, UTC+05:30"


def test_the_two_readings_of_a_repeated_hour_are_told_apart() -> None:
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    second = first.replace(fold=1)
    assert format_offset(first) == "CEST, UTC+02:00"
    assert format_offset(second) == "CET, UTC+01:00"


def test_a_day_is_said_with_its_weekday_and_month() -> None:
    assert format_day(date(2026, 12, 4)) == "Friday 4 December"


def test_each_horizon_has_a_question() -> None:
    lines = {h: horizon_line(h, MONDAY if h is Horizon.DATE else None) for h in Horizon}
    assert lines[Horizon.NEXT_WEEK] == "How does next week look for you?"
    assert lines[Horizon.LATE_NEXT_WEEK] == "How about late next week?"
    assert lines[Horizon.DATE] == "Could we meet around Monday 22 March?"
    assert len(set(lines.values())) == len(lines)
    assert all(line.endswith("?") for line in lines.values())


def test_two_offered_days_are_named_in_one_question() -> None:
    offered = flow().offered_days(Horizon.NEXT_WEEK)
    assert day_line(offered, BERLIN) == "Does Monday or Tuesday suit you better?"
    assert day_line(offered[:1], BERLIN) == "Would Monday work for you?"
    assert day_line([], BERLIN) == "Nothing is free then; shall we look at another week?"


def test_days_are_named_as_the_prospects_calendar_has_them() -> None:
    # Tokyo mornings on Monday and Tuesday are Sunday and Monday evenings in Los Angeles
    offered = flow("Asia/Tokyo", end=time(12)).offered_days(Horizon.NEXT_WEEK)
    assert [r.day for r in offered] == [MONDAY, MONDAY + timedelta(days=1)]
    assert day_line(offered, TOKYO) == "Does Monday or Tuesday suit you better?"
    assert day_line(offered, LOS_ANGELES) == "Does Sunday or Monday suit you better?"


def test_a_day_spanning_the_prospects_midnight_names_both_of_their_days() -> None:
    # Tokyo 09:00-17:00 on Monday runs from Sunday 17:00 to Monday 01:00 in Los Angeles
    offered = flow("Asia/Tokyo").offered_days(Horizon.NEXT_WEEK)
    assert day_line(offered[:1], LOS_ANGELES) == "Would Sunday or Monday work for you?"


def test_in_the_same_zone_the_parts_of_the_day_are_named() -> None:
    parts = flow().parts(MONDAY)
    assert part_line(parts, PARIS) == "Would the morning or the afternoon suit you better?"
    assert part_line(parts, BERLIN) == "Would the morning or the afternoon suit you better?"


def test_only_the_free_part_of_the_day_is_mentioned() -> None:
    busy_morning = (
        datetime.combine(MONDAY, time(8), tzinfo=BERLIN),
        datetime.combine(MONDAY, time(12, 30), tzinfo=BERLIN),
    )
    parts = flow("Europe/Berlin", busy_morning).parts(MONDAY)
    assert part_line(parts, BERLIN) == "The afternoon is what I have free; does that work?"


def test_a_day_that_filled_up_says_so() -> None:
    whole = (
        datetime.combine(MONDAY, time(0), tzinfo=BERLIN),
        datetime.combine(MONDAY, time(23), tzinfo=BERLIN),
    )
    parts = flow("Europe/Berlin", whole).parts(MONDAY)
    assert part_line(parts, NEW_YORK) == "That day has filled up; shall we pick another?"


def test_across_zones_the_parts_are_said_as_hours_in_the_prospects_time() -> None:
    # Berlin is CET (UTC+1) and New York already EDT (UTC-4): five hours apart
    parts = flow().parts(MONDAY)
    assert (
        part_line(parts, NEW_YORK) == "Would 04:00-07:15 or 07:00-12:00 your time suit you better?"
    )
    assert (
        part_line(parts, NEW_YORK, clock_24h=False)
        == "Would 4 am-7:15 am or 7 am-12 pm your time suit you better?"
    )


def test_a_single_free_part_across_zones_is_said_as_hours() -> None:
    busy_morning = (
        datetime.combine(MONDAY, time(8), tzinfo=BERLIN),
        datetime.combine(MONDAY, time(12, 30), tzinfo=BERLIN),
    )
    parts = flow("Europe/Berlin", busy_morning).parts(MONDAY)
    assert part_line(parts, NEW_YORK, clock_24h=False) == (
        "I'm free between 7:45 am-12 pm your time; does that suit you?"
    )


def test_a_time_in_the_same_zone_is_said_plainly() -> None:
    slot = at(BERLIN, MONDAY, 15)
    assert time_line(slot, BERLIN) == "How about Monday at 15:00?"
    assert time_line(slot, PARIS, clock_24h=False) == "How about Monday at 3 pm?"


def test_a_time_in_another_zone_is_said_in_the_prospects_time() -> None:
    slot = at(BERLIN, MONDAY, 15, 30)
    assert time_line(slot, NEW_YORK) == "How about Monday at 10:30 your time?"
    assert time_line(slot, NEW_YORK, clock_24h=False) == "How about Monday at 10:30 am your time?"
    assert time_line(slot, KOLKATA) == "How about Monday at 20:00 your time?"


def test_a_time_is_said_on_the_prospects_day() -> None:
    slot = at(TOKYO, date(2027, 3, 23), 9)  # Tuesday morning in Tokyo
    assert time_line(slot, LOS_ANGELES, clock_24h=False) == "How about Monday at 5 pm your time?"


def test_zones_with_the_same_clock_at_that_moment_count_as_the_same() -> None:
    moment = datetime(2027, 3, 22, 10, tzinfo=BERLIN)
    assert same_zone(moment, PARIS)
    assert not same_zone(moment, NEW_YORK)
    # London and Lisbon share a clock, unlike London and Berlin
    london = datetime(2027, 3, 22, 10, tzinfo=ZoneInfo("Europe/London"))
    assert same_zone(london, ZoneInfo("Europe/Lisbon"))
    assert not same_zone(london, BERLIN)


def test_the_closing_line_tells_the_prospect_they_are_not_locked_in() -> None:
    assert "invite" in CLOSING_LINE
    assert "change" in CLOSING_LINE


def test_two_days_spanning_the_prospects_midnight_are_named_once_each() -> None:
    # both Tokyo days span midnight in Los Angeles: name each by its first free time
    offered = flow("Asia/Tokyo").offered_days(Horizon.NEXT_WEEK)
    assert day_line(offered, LOS_ANGELES) == "Does Sunday or Monday suit you better?"
