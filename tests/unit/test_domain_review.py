"""The weekly review as the rep reads it: who lands in which group, most urgent first.

Pure domain: the facts and "today" go in, groups come out. Today is Wednesday 9 December
2026 unless a test says otherwise; the rep works Monday to Friday, so "this week" ends on
Friday 11 December.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from followup_desk.domain.review import (
    DEFAULT_STALE_DAYS,
    Group,
    ProspectFacts,
    ReviewItem,
    State,
    build_review,
    classify,
    due_of,
    end_of_week,
    state_of,
)

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
TODAY = date(2026, 12, 9)  # a Wednesday
FRIDAY = date(2026, 12, 11)


def short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def facts(prospect_id: int, name: str = "", **fields: Any) -> ProspectFacts:
    """An open prospect created yesterday; keyword arguments set the rest."""
    plain = ProspectFacts(prospect_id, name or f"Prospect {prospect_id}", created=at(days_ago(1)))
    return replace(plain, **fields)


def item_of(one: ProspectFacts, today: date = TODAY) -> ReviewItem:
    item = classify(one, today, end_of_week(today, WEEKDAYS))
    assert item is not None
    return item


def ids(items: tuple[ReviewItem, ...]) -> list[int]:
    return [i.facts.prospect_id for i in items]


# --- where each prospect lands -----------------------------------------------------------


def test_each_kind_of_prospect_lands_in_its_group_with_the_counts_at_the_top() -> None:
    everyone = [
        facts(1, cadence="Ten weeks", cadence_due=days_ago(2), cadence_what="call"),
        facts(2, cadence="Ten weeks", cadence_due=TODAY, cadence_what="email"),
        facts(3, follow_up_on=FRIDAY, follow_up_said="end of the week"),
        facts(4, last_out=at(days_ago(3))),  # wrote to them, no answer yet
        facts(5, created=at(days_ago(30))),  # nothing for a month
        facts(6),  # met yesterday, nothing planned
        facts(7, cadence="Ten weeks", cadence_due=TODAY + timedelta(days=20)),
        facts(8, next_meeting=at(TODAY + timedelta(days=2))),
        facts(9, closed_reason="went elsewhere", cadence_due=days_ago(5)),
    ]

    review = build_review(everyone, TODAY, WEEKDAYS)

    assert review.today == TODAY
    assert [ids(items) for _, items in review.groups] == [[1], [2], [3], [4], [5], [6], [7]]
    assert [group for group, _ in review.groups] == list(Group)
    assert review.counts() == {
        Group.OVERDUE: 1,
        Group.DUE_TODAY: 1,
        Group.DUE_THIS_WEEK: 1,
        Group.WAITING: 1,
        Group.STALE: 1,
        Group.NO_NEXT_STEP: 1,
        Group.LATER: 1,
    }
    assert review.items(Group.OVERDUE)[0].what == "call (Ten weeks)"
    assert review.items(Group.DUE_THIS_WEEK)[0].what == "follow up: they said 'end of the week'"
    assert review.items(Group.NO_NEXT_STEP)[0].what == "no next step"


def test_the_oldest_overdue_touch_comes_first() -> None:
    review = build_review(
        [
            facts(1, "Ana", cadence_due=days_ago(1)),
            facts(2, "Ben", cadence_due=days_ago(9)),
            facts(3, "Cy", follow_up_on=days_ago(4)),
        ],
        TODAY,
        WEEKDAYS,
    )

    overdue = review.items(Group.OVERDUE)
    assert ids(overdue) == [2, 3, 1]
    assert [i.due for i in overdue] == [days_ago(9), days_ago(4), days_ago(1)]


def test_the_prospect_waiting_longest_for_a_reply_comes_first() -> None:
    review = build_review(
        [
            facts(1, "Ana", last_out=at(days_ago(2))),
            facts(2, "Ben", last_out=at(days_ago(6)), last_in=at(days_ago(8))),
            facts(3, "Cy", last_out=at(days_ago(4))),
        ],
        TODAY,
        WEEKDAYS,
    )

    assert ids(review.items(Group.WAITING)) == [2, 3, 1]
    # the day without a leading zero, as everywhere in the window
    assert review.items(Group.WAITING)[0].what == "waiting since Thu 3 Dec"


def test_the_prospect_quiet_longest_comes_first_among_the_stale() -> None:
    review = build_review(
        [
            facts(1, "Ana", created=at(days_ago(20))),
            facts(2, "Ben", created=at(days_ago(90)), last_in=at(days_ago(70))),
            facts(3, "Cy", created=at(days_ago(60))),
        ],
        TODAY,
        WEEKDAYS,
    )

    assert ids(review.items(Group.STALE)) == [2, 3, 1]
    assert review.items(Group.STALE)[0].what == f"no touch since {short(days_ago(70))}"


def test_ties_on_the_same_day_read_alphabetically() -> None:
    review = build_review(
        [
            facts(1, "zoe", cadence_due=TODAY),
            facts(2, "Adam", cadence_due=TODAY),
            facts(3, "bea", cadence_due=TODAY),
        ],
        TODAY,
        WEEKDAYS,
    )

    assert [i.facts.name for i in review.items(Group.DUE_TODAY)] == ["Adam", "bea", "zoe"]


def test_stale_takes_the_set_number_of_quiet_days() -> None:
    quiet = facts(1, last_out=at(days_ago(10)), last_in=at(days_ago(10), 11))

    assert item_of(quiet).group is Group.NO_NEXT_STEP
    assert classify(quiet, TODAY, FRIDAY, stale_days=10) == ReviewItem(
        quiet, Group.STALE, None, f"no touch since {short(days_ago(10))}"
    )
    assert DEFAULT_STALE_DAYS == 14


def test_a_touch_due_after_this_week_waits_under_later() -> None:
    monday = FRIDAY + timedelta(days=3)
    item = item_of(facts(1, cadence="Short", cadence_due=monday, cadence_what="email"))

    assert (item.group, item.due, item.what) == (Group.LATER, monday, "email (Short)")


def test_a_prospect_we_wrote_to_with_a_touch_planned_later_shows_as_waiting() -> None:
    later = TODAY + timedelta(days=12)
    item = item_of(facts(1, last_out=at(days_ago(1)), cadence_due=later, cadence_what="call"))

    assert (item.group, item.due) == (Group.WAITING, later)


# --- what comes due ----------------------------------------------------------------------


def test_a_snooze_holds_the_due_date_back() -> None:
    tuesday = TODAY + timedelta(days=6)
    snoozed = facts(1, cadence="Ten weeks", cadence_due=days_ago(2), snoozed_until=tuesday)

    assert due_of(snoozed, TODAY)[0] == tuesday
    item = item_of(snoozed)
    assert (item.group, item.due) == (Group.LATER, tuesday)
    assert state_of(snoozed, TODAY) is State.SNOOZED


def test_a_snooze_ending_this_week_brings_the_touch_back_on_that_day() -> None:
    snoozed = facts(1, cadence_due=days_ago(2), snoozed_until=FRIDAY)

    item = item_of(snoozed)
    assert (item.group, item.due) == (Group.DUE_THIS_WEEK, FRIDAY)


def test_a_snooze_that_ended_before_the_due_date_changes_nothing() -> None:
    due = TODAY + timedelta(days=1)
    snoozed = facts(1, cadence_due=due, snoozed_until=days_ago(3))

    assert due_of(snoozed, TODAY)[0] == due
    assert state_of(snoozed, TODAY) is State.IN_CADENCE


def test_the_earlier_suggested_follow_up_date_is_the_one_that_comes_due() -> None:
    # They said "mid March"; the app suggested 1 March, before the competition calls.
    suggested = date(2027, 3, 1)
    prospect = facts(2, follow_up_on=suggested, follow_up_said="mid March")

    due, what = due_of(prospect, date(2027, 2, 24))
    assert due == suggested
    assert "mid March" in what
    assert item_of(prospect, date(2027, 3, 1)).group is Group.DUE_TODAY
    assert item_of(prospect, date(2027, 3, 2)).group is Group.OVERDUE


def test_the_earliest_of_cadence_touch_and_follow_up_date_comes_due() -> None:
    prospect = facts(
        1,
        cadence="Ten weeks",
        cadence_due=TODAY + timedelta(days=5),
        cadence_what="call",
        follow_up_on=TODAY + timedelta(days=1),
        follow_up_said="Thursday",
    )

    assert due_of(prospect, TODAY) == (TODAY + timedelta(days=1), "follow up: they said 'Thursday'")
    later_follow_up = facts(1, cadence_due=TODAY, cadence_what="call", follow_up_on=FRIDAY)
    assert due_of(later_follow_up, TODAY) == (TODAY, "call")


# --- who is not in the review ------------------------------------------------------------


def test_a_booked_future_meeting_takes_the_prospect_out_of_the_review() -> None:
    booked = facts(1, next_meeting=at(FRIDAY), cadence_due=days_ago(3), last_out=at(days_ago(5)))

    assert classify(booked, TODAY, FRIDAY) is None
    assert sum(build_review([booked], TODAY, WEEKDAYS).counts().values()) == 0
    assert state_of(booked, TODAY) is State.BOOKED


def test_a_closed_file_leaves_the_review() -> None:
    closed = facts(1, closed_reason="no budget", created=at(days_ago(60)))

    assert classify(closed, TODAY, FRIDAY) is None
    assert sum(build_review([closed], TODAY, WEEKDAYS).counts().values()) == 0
    assert state_of(closed, TODAY) is State.CLOSED


def test_a_meeting_over_without_an_outcome_asks_whether_it_happened() -> None:
    over = facts(1, awaiting_outcome=True, created=at(days_ago(30)))

    item = item_of(over)
    assert item.group is Group.NO_NEXT_STEP
    assert item.what == "say whether the meeting happened"
    assert state_of(over, TODAY) is State.AWAITING_OUTCOME


# --- the end of "this week" --------------------------------------------------------------


def test_this_week_ends_on_the_reps_last_working_day() -> None:
    assert end_of_week(date(2026, 12, 7), WEEKDAYS) == FRIDAY  # from Monday
    assert end_of_week(FRIDAY, WEEKDAYS) == FRIDAY
    assert end_of_week(date(2026, 12, 12), WEEKDAYS) == date(2026, 12, 12)  # Saturday: today
    assert end_of_week(TODAY, frozenset({0, 1, 2, 3, 4, 5})) == date(2026, 12, 12)


def test_a_rep_working_sunday_to_thursday_sees_the_whole_week_on_sunday() -> None:
    # Sunday starts the working week in Israel and much of the Gulf. On Sunday "this week"
    # runs to Thursday, not to Sunday itself; on Thursday it ends that day.
    sunday_to_thursday = frozenset({6, 0, 1, 2, 3})
    sunday, thursday = date(2026, 12, 6), date(2026, 12, 10)

    assert end_of_week(sunday, sunday_to_thursday) == thursday
    assert end_of_week(thursday, sunday_to_thursday) == thursday


# --- every open prospect without a future booking is in exactly one group ----------------

moments = st.datetimes(datetime(2026, 9, 1), datetime(2026, 12, 9, 23, 59), timezones=st.just(UTC))
days = st.dates(date(2026, 10, 1), date(2027, 3, 1))


@st.composite
def prospect_facts(draw: st.DrawFn, prospect_id: int) -> ProspectFacts:
    return ProspectFacts(
        prospect_id=prospect_id,
        name=draw(st.sampled_from(["Ana", "ben", "Cy", "Dee"])),
        created=draw(st.none() | moments),
        closed_reason=draw(st.none() | st.just("not interested")),
        next_meeting=draw(st.none() | st.just(datetime(2026, 12, 14, 9, tzinfo=UTC))),
        awaiting_outcome=draw(st.booleans()),
        last_in=draw(st.none() | moments),
        last_out=draw(st.none() | moments),
        cadence=draw(st.sampled_from(["", "Ten weeks"])),
        cadence_due=draw(st.none() | days),
        cadence_what=draw(st.sampled_from(["", "call", "email"])),
        follow_up_on=draw(st.none() | days),
        follow_up_said=draw(st.sampled_from(["", "mid March"])),
        snoozed_until=draw(st.none() | days),
    )


@st.composite
def prospect_lists(draw: st.DrawFn) -> list[ProspectFacts]:
    count = draw(st.integers(0, 12))
    return [draw(prospect_facts(i)) for i in range(1, count + 1)]


@given(everyone=prospect_lists(), today=days, stale_days=st.integers(1, 60))
def test_every_open_prospect_without_a_future_booking_lands_in_exactly_one_group(
    everyone: list[ProspectFacts], today: date, stale_days: int
) -> None:
    review = build_review(everyone, today, WEEKDAYS, stale_days)

    shown = [i.facts.prospect_id for _, items in review.groups for i in items]
    expected = [
        f.prospect_id for f in everyone if f.closed_reason is None and f.next_meeting is None
    ]
    assert sorted(shown) == sorted(expected)
    assert len(shown) == len(set(shown))
    assert sum(review.counts().values()) == len(expected)
    week_end = end_of_week(today, WEEKDAYS)
    for group, items in review.groups:
        for item in items:
            assert item.group is group
            if group is Group.OVERDUE:
                assert item.due is not None and item.due < today
            elif group is Group.DUE_TODAY:
                assert item.due == today
            elif group is Group.DUE_THIS_WEEK:
                assert item.due is not None and today < item.due <= week_end
            elif group is Group.LATER:
                assert item.due is not None and item.due > week_end
        if group in (Group.OVERDUE, Group.DUE_TODAY, Group.DUE_THIS_WEEK, Group.LATER):
            dues = [i.due for i in items]
            assert dues == sorted(dues, key=lambda d: d or date.max)
