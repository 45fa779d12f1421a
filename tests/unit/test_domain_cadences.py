"""The built-in cadences on pinned dates, and when an enrolment stops by itself."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise

import pytest

from followup_desk.domain.cadences import (
    Anchor,
    Cadence,
    CadenceStep,
    Channel,
    EnrolmentState,
    Plan,
    next_due,
    plan,
    state,
)
from followup_desk.storage.cadence_file import builtin_cadences

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
MONDAY = date(2026, 12, 7)  # Monday 7 December 2026
THURSDAY = date(2026, 12, 10)


def cadence(key: str) -> Cadence:
    return next(c for c in builtin_cadences() if c.key == key)


def week_of(day: date, start: date) -> int:
    """Week number counted from the start's week (Monday to Sunday), the start week being 1."""
    first_monday = start - timedelta(days=start.weekday())
    return (day - first_monday).days // 7 + 1


def everything_done(p: Plan) -> frozenset[int]:
    return frozenset(t.step for t in p.touches)


# --- the ten-week schedule ---------------------------------------------------------------


def test_ten_week_touches_come_only_in_weeks_1_3_6_and_10() -> None:
    p = plan(cadence("ten-week"), MONDAY, WEEKDAYS)
    assert {week_of(t.due, MONDAY) for t in p.touches} == {1, 3, 6, 10}


@pytest.mark.parametrize("week", [1, 3, 6])
def test_ten_week_busy_weeks_hold_three_rounds_a_couple_of_days_apart(week: int) -> None:
    p = plan(cadence("ten-week"), MONDAY, WEEKDAYS)
    rounds: dict[date, list[Channel]] = defaultdict(list)
    for touch in p.touches:
        if week_of(touch.due, MONDAY) == week:
            rounds[touch.due].append(touch.channel)
    days = sorted(rounds)
    assert [(b - a).days for a, b in pairwise(days)] == [2, 2]
    assert [rounds[d] for d in days] == [
        [Channel.CALL, Channel.VOICEMAIL, Channel.EMAIL],
        [Channel.CALL, Channel.VOICEMAIL, Channel.LINKEDIN],
        [Channel.CALL, Channel.VOICEMAIL, Channel.EMAIL],
    ]


def test_ten_week_ends_with_an_email_and_a_voicemail_then_closes_a_few_working_days_later() -> None:
    p = plan(cadence("ten-week"), MONDAY, WEEKDAYS)
    last_week = [t for t in p.touches if week_of(t.due, MONDAY) == 10]
    assert [t.channel for t in last_week] == [Channel.EMAIL, Channel.VOICEMAIL]
    assert {t.due for t in last_week} == {date(2027, 2, 8)}  # Monday of week 10
    assert p.closes_on == date(2027, 2, 12)  # that Friday
    assert p.closes_on.weekday() in WEEKDAYS


def test_ten_week_final_email_names_the_reply_by_date() -> None:
    steps = cadence("ten-week").steps
    final_email = next(s for s in reversed(steps) if s.channel is Channel.EMAIL)
    assert "{reply_by}" in final_email.template
    assert steps[-1].closes_after_days is not None


def test_ten_week_started_on_a_thursday_moves_a_saturday_round_to_monday() -> None:
    p = plan(cadence("ten-week"), THURSDAY, WEEKDAYS)
    round_days = sorted({t.due for t in p.touches})
    assert round_days[:3] == [THURSDAY, date(2026, 12, 14), date(2026, 12, 16)]
    assert all(t.due.weekday() < 5 for t in p.touches)


def test_ten_week_with_a_weekend_worker_keeps_the_saturday_round() -> None:
    p = plan(cadence("ten-week"), THURSDAY, frozenset(range(6)))
    assert sorted({t.due for t in p.touches})[1] == date(2026, 12, 12)


# --- the short email schedule -------------------------------------------------------------


@pytest.mark.parametrize("start", [MONDAY, THURSDAY, date(2026, 12, 11)])
def test_short_email_sends_seven_emails_two_then_three_days_apart_at_least(start: date) -> None:
    p = plan(cadence("short-email"), start, WEEKDAYS)
    assert len(p.touches) == 7
    assert {t.channel for t in p.touches} == {Channel.EMAIL}
    gaps = [(b.due - a.due).days for a, b in pairwise(p.touches)]
    assert gaps[0] >= 2
    assert gaps[1] >= 3
    assert all(gap >= 3 for gap in gaps[1:])


def test_short_email_later_gaps_widen() -> None:
    days = [step.days for step in cadence("short-email").steps[1:]]
    assert days[:2] == [2, 3]
    assert days == sorted(days)


# --- the contact basics -------------------------------------------------------------------


def test_contact_basics_thanks_within_a_day_and_writes_again_after_a_week() -> None:
    p = plan(cadence("contact-basics"), MONDAY, WEEKDAYS)
    first, second = p.touches
    assert (first.due - MONDAY).days <= 1
    assert (second.due - first.due).days >= 7
    assert p.closes_on is not None
    assert (p.closes_on - second.due).days >= 3


def test_contact_basics_closes_the_file_after_three_more_days_of_silence() -> None:
    p = plan(cadence("contact-basics"), MONDAY, WEEKDAYS)
    assert p.closes_on is not None
    done = everything_done(p)
    on_the_day = state(p, done, p.closes_on, replied=False, booked=False, closed=False)
    after = state(
        p, done, p.closes_on + timedelta(days=1), replied=False, booked=False, closed=False
    )
    assert on_the_day is EnrolmentState.ACTIVE
    assert after is EnrolmentState.CLOSES_FILE


# --- state and next_due -------------------------------------------------------------------

TWO_STEPS = Cadence(
    "two",
    "Two steps",
    (CadenceStep(Channel.EMAIL, 0), CadenceStep(Channel.CALL, 3, Anchor.PREVIOUS)),
)
CLOSING = Cadence(
    "closing",
    "Closing",
    (CadenceStep(Channel.EMAIL, 0), CadenceStep(Channel.EMAIL, 2, closes_after_days=4)),
)


def test_next_due_is_the_first_touch_not_done_even_when_a_later_one_is() -> None:
    p = plan(TWO_STEPS, MONDAY, WEEKDAYS)
    assert next_due(p, frozenset()) == p.touches[0]
    assert next_due(p, frozenset({1})) == p.touches[0]
    assert next_due(p, frozenset({0})) == p.touches[1]
    assert next_due(p, frozenset({0, 1})) is None


def test_enrolment_with_touches_left_is_active() -> None:
    p = plan(TWO_STEPS, MONDAY, WEEKDAYS)
    assert state(p, frozenset({0}), MONDAY, replied=False, booked=False, closed=False) is (
        EnrolmentState.ACTIVE
    )


@pytest.mark.parametrize(
    ("replied", "booked", "closed", "expected"),
    [
        (True, False, False, EnrolmentState.STOPPED_REPLIED),
        (False, True, False, EnrolmentState.STOPPED_BOOKED),
        (True, True, False, EnrolmentState.STOPPED_BOOKED),
        (False, False, True, EnrolmentState.STOPPED_CLOSED),
        (True, True, True, EnrolmentState.STOPPED_CLOSED),
    ],
)
def test_enrolment_stops_on_a_reply_a_booking_or_a_closed_file(
    replied: bool, booked: bool, closed: bool, expected: EnrolmentState
) -> None:
    for p in (plan(TWO_STEPS, MONDAY, WEEKDAYS), plan(CLOSING, MONDAY, WEEKDAYS)):
        for done in (frozenset[int](), everything_done(p)):
            late = MONDAY + timedelta(days=60)
            assert state(p, done, late, replied=replied, booked=booked, closed=closed) is expected


def test_enrolment_without_a_closing_step_finishes_when_every_step_is_done() -> None:
    p = plan(TWO_STEPS, MONDAY, WEEKDAYS)
    later = MONDAY + timedelta(days=60)
    assert state(p, everything_done(p), later, replied=False, booked=False, closed=False) is (
        EnrolmentState.FINISHED
    )


def test_closing_cadence_waits_for_the_reply_by_date_then_says_to_close_the_file() -> None:
    p = plan(CLOSING, MONDAY, WEEKDAYS)
    assert p.closes_on == date(2026, 12, 14)  # Wednesday 9 + 4 days is a Sunday: Monday
    done = everything_done(p)
    assert state(p, done, p.closes_on, replied=False, booked=False, closed=False) is (
        EnrolmentState.ACTIVE
    )
    the_day_after = p.closes_on + timedelta(days=1)
    assert state(p, done, the_day_after, replied=False, booked=False, closed=False) is (
        EnrolmentState.CLOSES_FILE
    )
    assert state(p, done, the_day_after, replied=True, booked=False, closed=False) is (
        EnrolmentState.STOPPED_REPLIED
    )


def test_file_never_closes_by_itself_while_the_final_message_is_unsent() -> None:
    p = plan(CLOSING, MONDAY, WEEKDAYS)
    long_after = MONDAY + timedelta(days=90)
    assert state(p, frozenset({0}), long_after, replied=False, booked=False, closed=False) is (
        EnrolmentState.ACTIVE
    )


# --- snoozes ------------------------------------------------------------------------------


def test_snooze_moves_the_touches_from_that_day_and_the_closing_day_with_them() -> None:
    p = plan(CLOSING, MONDAY, WEEKDAYS, snoozes=[(date(2026, 12, 8), 7)])
    assert [t.due for t in p.touches] == [MONDAY, date(2026, 12, 16)]
    assert p.closes_on == date(2026, 12, 21)


def test_snooze_of_a_day_on_friday_lands_on_monday() -> None:
    friday = date(2026, 12, 11)
    p = plan(TWO_STEPS, friday, WEEKDAYS, snoozes=[(friday, 1)])
    assert p.touches[0].due == date(2026, 12, 14)
    assert p.touches[1].due == date(2026, 12, 17)  # still three days after its predecessor


# --- cadences the rep edits into nonsense -------------------------------------------------


def test_problems_name_the_step_with_a_negative_offset() -> None:
    bad = Cadence("mine", "Mine", (CadenceStep(Channel.EMAIL, 0), CadenceStep(Channel.CALL, -2)))
    assert "Step 2: the offset cannot be negative." in bad.problems()
    with pytest.raises(ValueError, match="Step 2"):
        plan(bad, MONDAY, WEEKDAYS)


def test_problems_refuse_a_cadence_without_steps() -> None:
    assert any("no steps" in p for p in Cadence("mine", "Mine", ()).problems())


def test_problems_refuse_a_close_before_the_last_step() -> None:
    bad = Cadence(
        "mine",
        "Mine",
        (CadenceStep(Channel.EMAIL, 0, closes_after_days=3), CadenceStep(Channel.CALL, 2)),
    )
    assert any(p.startswith("Step 1: only the last step") for p in bad.problems())


def test_problems_name_an_unknown_placeholder_in_a_step() -> None:
    bad = Cadence("mine", "Mine", (CadenceStep(Channel.EMAIL, 0, template="Hi {frist_name}"),))
    assert any(p.startswith("Step 1: {frist_name}") for p in bad.problems())


def test_problems_refuse_reply_by_in_a_cadence_that_never_closes() -> None:
    bad = Cadence("mine", "Mine", (CadenceStep(Channel.EMAIL, 0, template="By {reply_by}"),))
    assert any("{reply_by}" in p for p in bad.problems())


def test_problems_refuse_a_short_name_with_spaces_and_an_empty_name() -> None:
    problems = Cadence("My Cadence", " ", (CadenceStep(Channel.EMAIL, 0),)).problems()
    assert len(problems) == 2


def test_built_in_cadences_have_no_problems() -> None:
    for c in builtin_cadences():
        assert c.problems() == [], c.key


def test_planning_needs_a_working_day() -> None:
    with pytest.raises(ValueError, match="working day"):
        plan(TWO_STEPS, MONDAY, frozenset())
