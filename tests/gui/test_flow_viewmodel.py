"""The narrowing flow's view model on its own, no widgets: what each step offers, says and
explains, where a key leads, what Back highlights, and what a new meeting length drops.

The rep works from Berlin; "now" is Monday 23 November 2026, 10:00. Busy time, in Berlin:
Wednesday 2 December 09:00-17:00 (an offsite); Thursday 3 December 10:30-12:45 and
14:00-17:00; Friday 4 December 13:00-14:30 and 16:00-17:00. Buffers are 10 minutes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import PartOfDay, Slot
from followup_desk.ui.viewmodels.narrowing import NarrowingViewModel, Option, Step

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
RULES = SchedulingRules(time_zone="Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


BUSY = BusyIndex(
    [
        (at(2, 9), at(2, 17)),
        (at(3, 10, 30), at(3, 12, 45)),
        (at(3, 14), at(3, 17)),
        (at(4, 13), at(4, 14, 30)),
        (at(4, 16), at(4, 17)),
    ]
)
FRIDAY_AFTERNOON = [
    "12:00–12:30 CET",
    "12:15–12:45 CET",
    "14:45–15:15 CET",
    "15:00–15:30 CET",
    "15:15–15:45 CET",
]


def flow_for(
    rules: SchedulingRules = RULES,
    busy: BusyIndex = BUSY,
    now: datetime = NOW,
    prospect_zone: str = "Europe/Berlin",
) -> NarrowingViewModel:
    vm = NarrowingViewModel(prospect_zone, 30)
    # the view model puts its own length and prospect zone into the snapshot
    vm.set_narrowing(Narrowing(rules, busy, now, timedelta(minutes=90), ZoneInfo("UTC")))
    return vm


@pytest.fixture
def vm() -> NarrowingViewModel:
    return flow_for()


def now_at(flow: NarrowingViewModel) -> Step:
    """Where the flow is now (a call, so that mypy does not narrow it between keys)."""
    return flow.step


def titles(vm: NarrowingViewModel) -> list[str]:
    return [o.title for o in vm.options()]


def highlighted(vm: NarrowingViewModel) -> Option:
    return vm.options()[vm.highlight]


def walk(vm: NarrowingViewModel, *keys: str) -> None:
    for key in keys:
        assert vm.press(key), f"{key!r} chose nothing at {vm.step.name}"


# --- each step: options, the line to say, the keys, why times are missing -----------------


def test_the_first_step_offers_the_horizons_with_their_free_days(vm: NarrowingViewModel) -> None:
    assert now_at(vm) is Step.HORIZON
    assert vm.say_line() == "How about late next week?"
    assert vm.key_hint() == "Press 1-5 or the underlined letter · Esc leave"
    assert vm.missing_note() == ""
    assert [(o.key, o.keys, o.title, o.detail) for o in vm.options()] == [
        ("1", ("1", "t"), "&This week", "Mon 23 Nov – Fri 27 Nov · 5 free days"),
        ("2", ("2", "n"), "&Next week", "Mon 30 Nov – Fri 4 Dec · 4 free days"),
        ("3", ("3", "l"), "&Late next week", "Thu 3 Dec – Fri 4 Dec · 2 free days"),
        ("4", ("4", "w"), "In two &weeks", "Mon 7 Dec – Fri 11 Dec · 5 free days"),
        ("5", ("5", "d"), "A &date…", "type a date: 15 Dec, the 15th, Friday"),
    ]
    assert highlighted(vm).title == "&Late next week"


def test_the_seed_dialogue_step_by_step(vm: NarrowingViewModel, qtbot: QtBot) -> None:
    vm.press("L")  # the mnemonic, whatever its case
    assert now_at(vm) is Step.DAY
    assert titles(vm) == ["Thursday 3 December", "Friday 4 December"]  # no third to offer
    assert vm.say_line() == "Does Thursday or Friday suit you better?"
    assert vm.key_hint() == "1 or 2 to choose · M more days · Backspace back · Esc leave"
    assert vm.options()[1].detail == "starts 09:00–15:15 · 17 free"

    vm.press("2")
    assert now_at(vm) is Step.PART
    assert vm.say_line() == "Would the morning or the afternoon suit you better?"
    assert vm.key_hint() == "M morning · A afternoon · Backspace back · Esc leave"
    assert [(o.title, o.detail, o.enabled) for o in vm.options()] == [
        ("&Morning", "12 start times, 09:00 to 11:45 CET", True),
        ("&Afternoon", "5 start times, 12:00 to 15:15 CET", True),
    ]

    vm.press("a")
    assert now_at(vm) is Step.TIME
    assert titles(vm) == FRIDAY_AFTERNOON
    assert vm.options()[3].detail == ""  # one clock for both: nothing to add
    assert vm.say_line() == "How about Friday at 12:00?"
    assert vm.missing_note() == (
        "Not offered: 12:30-14:30 busy; 15:30-16:30 busy; 16:45 outside your hours"
    )
    assert vm.key_hint() == (
        "Type the hour (3 → 15:00) or ↑↓ · Enter choose · Backspace back · Esc leave"
    )

    vm.press("3")  # "how about 3?"
    assert highlighted(vm).title == "15:00–15:30 CET"
    assert vm.say_line() == "How about Friday at 15:00?"

    vm.activate()
    assert now_at(vm) is Step.CONFIRM
    assert vm.say_line() == "So that's Friday at 15:00."
    assert vm.key_hint() == "Enter books it · Backspace back · Esc leave"
    assert vm.trail() == ["Late next week", "Friday 4 December", "Afternoon", "15:00–15:30 CET"]
    [book] = vm.options()
    assert book.title == "&Book and write the invite"
    assert book.detail == (
        "you: Friday 4 December (CET, UTC+01:00) · them: Fri 4 Dec 15:00–15:30 (CET, UTC+01:00)"
    )

    with qtbot.waitSignal(vm.confirmed, timeout=1000) as booked:
        vm.activate()
    [slot] = booked.args or []
    assert isinstance(slot, Slot)
    assert (slot.start, slot.end) == (at(4, 15), at(4, 15, 30))


def test_back_highlights_each_earlier_answer_and_stops_at_the_first_step(
    vm: NarrowingViewModel,
) -> None:
    walk(vm, "3", "2", "a", "3")
    vm.activate()
    assert now_at(vm) is Step.CONFIRM

    answers = []
    while vm.back():
        answers.append((vm.step, highlighted(vm).title, vm.message))
    assert answers == [
        (Step.TIME, "15:00–15:30 CET", ""),
        (Step.PART, "&Afternoon", ""),
        (Step.DAY, "Friday 4 December", ""),
        (Step.HORIZON, "&Late next week", ""),
    ]
    assert vm.back() is False
    assert now_at(vm) is Step.HORIZON
    assert vm.say_line() == "How about late next week?"


def test_more_days_offers_the_next_two_and_the_busy_day_only_as_not_offered(
    vm: NarrowingViewModel,
) -> None:
    vm.press("n")
    offered = [(o.key, o.title) for o in vm.options() if o.enabled]
    assert offered == [
        ("1", "Monday 30 November"),
        ("2", "Tuesday 1 December"),
        ("M", "&More days"),
    ]
    assert vm.options()[2].detail == "offer Thursday and Friday instead"
    [wednesday] = [o for o in vm.options() if not o.enabled]
    assert (wednesday.title, wednesday.reason, wednesday.keys) == (
        "Wednesday 2 December",
        "busy",
        (),
    )

    vm.press("m")
    assert now_at(vm) is Step.DAY
    assert [o.title for o in vm.options() if o.key in ("1", "2")] == [
        "Thursday 3 December",
        "Friday 4 December",
    ]
    assert vm.say_line() == "Does Thursday or Friday suit you better?"
    assert vm.options()[2].detail == "back to the first two"
    assert vm.highlight == 0

    vm.press("1")
    assert vm.day == date(2026, 12, 3)
    vm.back()
    assert highlighted(vm).title == "Thursday 3 December"  # still on the second pair

    vm.press("m")
    assert [o.title for o in vm.options() if o.key in ("1", "2")] == [
        "Monday 30 November",
        "Tuesday 1 December",
    ]


def test_a_part_of_the_day_with_nothing_free_is_shown_with_its_reason_and_refused() -> None:
    vm = flow_for()
    vm.set_length(60)
    walk(vm, "3", "1")  # Thursday: an hour fits only in the morning
    assert [(o.title, o.enabled, o.reason) for o in vm.options()] == [
        ("&Morning", True, ""),
        ("&Afternoon", False, "busy"),
    ]
    assert vm.say_line() == "The morning is what I have free; does that work?"

    assert vm.press("a")
    assert now_at(vm) is Step.PART
    assert vm.message == "Afternoon: busy."


def test_a_named_date_and_dates_that_cannot_be_used(vm: NarrowingViewModel) -> None:
    assert vm.choose_date("flurbday") == (
        "'flurbday' is not a date I can read; try '15 Dec' or 2026-12-15."
    )
    assert vm.choose_date("2026-11-20") == (
        "Friday 20 November is already over; pick a later date."
    )
    assert now_at(vm) is Step.HORIZON

    assert vm.choose_date("15 Dec") == ""
    assert now_at(vm) is Step.DAY
    assert vm.trail() == ["Around Tuesday 15 December"]
    assert vm.needs_range() == (date(2026, 12, 15), date(2026, 12, 29))
    assert [o.title for o in vm.options() if o.key in ("1", "2")] == [
        "Tuesday 15 December",
        "Wednesday 16 December",
    ]


def test_keys_wait_while_the_calendar_is_read(vm: NarrowingViewModel) -> None:
    vm.press("3")
    vm.set_loading(True)
    assert vm.press("2") is False
    assert now_at(vm) is Step.DAY
    vm.set_narrowing(vm.narrowing)
    assert vm.press("2") is True
    assert now_at(vm) is Step.PART


# --- typing the hour -----------------------------------------------------------------------


def test_typing_1_then_5_reaches_15_00_on_a_24_hour_clock(vm: NarrowingViewModel) -> None:
    walk(vm, "n", "1", "a")  # Monday 30 November afternoon: all free
    vm.press("1")
    assert highlighted(vm).title == "13:00–13:30 CET"
    vm.press("5")
    assert highlighted(vm).title == "15:00–15:30 CET"
    assert vm.say_line() == "How about Monday at 15:00?"
    assert vm.message == ""


@pytest.mark.parametrize(
    ("walk_to", "typed", "expected"),
    [
        (("3", "2", "a"), "15", "15:00–15:30 CET"),  # Friday afternoon: 13:00 is busy
        (("n", "1", "m"), "10", "10:00–10:30 CET"),  # Monday morning: no 1 or 13 o'clock
        (("n", "1", "m"), "11", "11:00–11:30 CET"),
    ],
    ids=["friday-15", "morning-10", "morning-11"],
)
def test_a_two_digit_hour_is_reached_even_when_its_first_digit_alone_is_no_free_hour(
    walk_to: tuple[str, ...], typed: str, expected: str
) -> None:
    vm = flow_for()
    walk(vm, *walk_to)
    assert now_at(vm) is Step.TIME
    for digit in typed:
        vm.press(digit)
    assert highlighted(vm).title == expected
    assert vm.message == ""


def test_an_hour_with_nothing_free_is_said_and_the_highlight_stays(
    vm: NarrowingViewModel,
) -> None:
    walk(vm, "3", "2", "a")
    vm.press("4")
    assert vm.message == "Nothing free at 4 o'clock in this part of the day."
    assert highlighted(vm).title == "12:00–12:30 CET"


# --- a new meeting length -------------------------------------------------------------------


def test_a_longer_meeting_drops_the_start_times_that_no_longer_fit(
    vm: NarrowingViewModel,
) -> None:
    walk(vm, "3", "2", "a")
    assert titles(vm) == FRIDAY_AFTERNOON

    vm.set_length(60)
    assert now_at(vm) is Step.TIME
    assert titles(vm) == ["14:45–15:45 CET"]
    assert vm.missing_note() == (
        "Not offered: 12:00-14:30 busy; 15:00-16:00 busy; 16:15-16:45 outside your hours"
    )

    vm.set_length(30)
    assert titles(vm) == FRIDAY_AFTERNOON


def test_a_longer_meeting_steps_back_when_the_chosen_part_has_nothing_left(
    vm: NarrowingViewModel,
) -> None:
    walk(vm, "3", "1", "a")  # Thursday afternoon: 13:00 and 13:15 for half an hour
    assert titles(vm) == ["13:00–13:30 CET", "13:15–13:45 CET"]

    vm.set_length(60)
    assert now_at(vm) is Step.PART
    assert vm.part is None
    assert vm.day == date(2026, 12, 3)
    assert [(o.title, o.enabled) for o in vm.options()] == [
        ("&Morning", True),
        ("&Afternoon", False),
    ]
    assert vm.options()[0].detail == "2 start times, 09:00 to 09:15 CET"


def test_a_longer_meeting_takes_back_a_chosen_time_that_no_longer_fits(
    vm: NarrowingViewModel,
) -> None:
    walk(vm, "3", "2", "a", "3")
    vm.activate()
    assert now_at(vm) is Step.CONFIRM

    vm.set_length(60)
    assert now_at(vm) is Step.TIME
    assert vm.slot is None
    assert titles(vm) == ["14:45–15:45 CET"]


def test_a_longer_meeting_steps_back_to_the_days_when_the_day_has_nothing_left(
    vm: NarrowingViewModel,
) -> None:
    walk(vm, "3", "1")  # Thursday
    vm.set_length(150)  # two and a half hours fit nowhere on Thursday
    assert now_at(vm) is Step.DAY
    assert vm.day is None


# --- the rep's own clock changes ------------------------------------------------------------

NIGHT_OWL = SchedulingRules(
    time_zone="Europe/Berlin",
    working_days=frozenset(range(7)),
    day_start=time(0, 0),
    day_end=time(6, 0),
)


def night_times(now: datetime, day: str) -> NarrowingViewModel:
    vm = flow_for(rules=NIGHT_OWL, busy=BusyIndex([]), now=now)
    assert vm.choose_date(day) == ""
    walk(vm, "1", "m")
    assert now_at(vm) is Step.TIME
    return vm


def test_no_time_is_offered_in_the_hour_the_clocks_skip() -> None:
    # Sunday 28 March 2027: Berlin's clocks jump from 02:00 to 03:00
    vm = night_times(datetime(2027, 3, 22, 10, 0, tzinfo=BERLIN), "2027-03-28")
    starts = [o.title.split("–")[0] for o in vm.options()]
    assert not [s for s in starts if s.startswith("02:")]
    assert len(starts) == 23 - 4  # 00:00-05:30 every 15 minutes, less 02:00-02:45
    slots = vm.narrowing.times(date(2027, 3, 28), PartOfDay.MORNING) if vm.narrowing else []
    assert all(s.length == timedelta(minutes=30) for s in slots)
    assert "02:" not in vm.missing_note()  # a time that does not exist is not "missing"


def test_both_hours_the_clocks_repeat_are_offered_each_with_its_own_zone() -> None:
    # Sunday 25 October 2026: Berlin's clocks go back from 03:00 CEST to 02:00 CET
    vm = night_times(datetime(2026, 10, 19, 10, 0, tzinfo=BERLIN), "2026-10-25")
    shown = titles(vm)
    assert len(shown) == 23 + 4
    first, second = shown.index("02:00–02:30 CEST"), shown.index("02:00–02:30 CET")
    assert first < second

    vm.choose(second)
    assert now_at(vm) is Step.CONFIRM
    assert vm.slot is not None
    assert vm.slot.start.utcoffset() == timedelta(hours=1)
    assert vm.options()[0].detail == (
        "you: Sunday 25 October (CET, UTC+01:00) · them: Sun 25 Oct 02:00–02:30 (CET, UTC+01:00)"
    )


@pytest.mark.parametrize(
    ("now", "day", "start", "end_zone"),
    [
        (datetime(2027, 3, 22, 10, tzinfo=BERLIN), "2027-03-28", "01:45", "CEST"),
        (datetime(2026, 10, 19, 10, tzinfo=BERLIN), "2026-10-25", "02:45", "CET"),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_a_meeting_across_the_clock_change_shows_its_end_on_the_new_clock(
    now: datetime, day: str, start: str, end_zone: str
) -> None:
    """01:45 CET + 30 minutes is 03:15 CEST: "01:45–03:15 CET" would read as 90 minutes."""
    vm = night_times(now, day)
    [title] = [o.title for o in vm.options() if o.title.startswith(start)][:1]
    assert end_zone in title.split("–")[1], title
