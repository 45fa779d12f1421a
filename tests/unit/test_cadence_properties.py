"""Properties every cadence plan keeps, whatever the steps, working week, start and snoozes."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from followup_desk.domain.cadences import (
    Anchor,
    Cadence,
    CadenceStep,
    Channel,
    EnrolmentState,
    Plan,
    plan,
    state,
)
from followup_desk.storage.cadence_file import builtin_cadences

BUILT_INS = tuple(builtin_cadences())
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2030, 12, 31)

working_weeks = st.frozensets(st.integers(0, 6), min_size=1)
starts = st.dates(FIRST_DAY, LAST_DAY)


@st.composite
def cadences(draw: st.DrawFn) -> Cadence:
    if draw(st.booleans()):
        return draw(st.sampled_from(BUILT_INS))
    steps = draw(
        st.lists(
            st.builds(
                CadenceStep,
                channel=st.sampled_from(Channel),
                days=st.integers(0, 40),
                anchor=st.sampled_from(Anchor),
            ),
            min_size=1,
            max_size=12,
        )
    )
    closes_after = draw(st.none() | st.integers(0, 10))
    last = steps[-1]
    steps[-1] = CadenceStep(last.channel, last.days, last.anchor, closes_after_days=closes_after)
    return Cadence("drawn", "Drawn", tuple(steps))


def snooze_lists(start: date) -> st.SearchStrategy[list[tuple[date, int]]]:
    return st.lists(
        st.tuples(
            st.dates(start - timedelta(days=5), start + timedelta(days=120)), st.integers(0, 30)
        ),
        max_size=4,
    )


def dues(p: Plan) -> list[date]:
    return [t.due for t in p.touches]


@given(cadences(), starts, working_weeks, st.data())
def test_no_touch_and_no_closing_day_falls_on_a_day_off(
    cadence: Cadence, start: date, working_days: frozenset[int], data: st.DataObject
) -> None:
    p = plan(cadence, start, working_days, data.draw(snooze_lists(start)))
    assert all(d.weekday() in working_days for d in dues(p))
    assert p.closes_on is None or p.closes_on.weekday() in working_days


@given(cadences(), starts, working_weeks, st.data())
def test_touches_keep_the_cadence_order_and_never_go_back_in_time(
    cadence: Cadence, start: date, working_days: frozenset[int], data: st.DataObject
) -> None:
    p = plan(cadence, start, working_days, data.draw(snooze_lists(start)))
    assert [t.step for t in p.touches] == list(range(len(cadence.steps)))
    assert [t.channel for t in p.touches] == [s.channel for s in cadence.steps]
    assert all(a <= b for a, b in pairwise(dues(p)))
    assert dues(p)[0] >= start
    assert p.closes_on is None or p.closes_on >= dues(p)[-1]
    assert (p.closes_on is not None) == (cadence.steps[-1].closes_after_days is not None)


@given(cadences(), starts, working_weeks)
def test_no_touch_comes_before_its_offset(
    cadence: Cadence, start: date, working_days: frozenset[int]
) -> None:
    p = plan(cadence, start, working_days)
    previous = start
    for step, touch in zip(cadence.steps, p.touches, strict=True):
        anchor = previous if step.anchor is Anchor.PREVIOUS else start
        assert touch.due >= anchor + timedelta(days=step.days)
        # and no later than needed: at most a run of days off past the offset
        assert touch.due - max(anchor + timedelta(days=step.days), previous) < timedelta(days=7)
        previous = touch.due


@given(cadences(), starts, working_weeks, st.data())
def test_a_snooze_never_brings_a_touch_earlier(
    cadence: Cadence, start: date, working_days: frozenset[int], data: st.DataObject
) -> None:
    snoozes = data.draw(snooze_lists(start))
    before = plan(cadence, start, working_days, snoozes[:-1])
    after = plan(cadence, start, working_days, snoozes)
    assert all(b <= a for b, a in zip(dues(before), dues(after), strict=True))
    if before.closes_on is not None:
        assert after.closes_on is not None
        assert before.closes_on <= after.closes_on


@given(cadences(), starts, working_weeks, st.data())
def test_a_snooze_moves_everything_from_its_day_by_its_length_and_nothing_before(
    cadence: Cadence, start: date, working_days: frozenset[int], data: st.DataObject
) -> None:
    original = plan(cadence, start, working_days)
    from_day = data.draw(st.sampled_from(dues(original)))
    days = data.draw(st.integers(1, 30))
    snoozed = plan(cadence, start, working_days, [(from_day, days)])
    for old, new in zip(dues(original), dues(snoozed), strict=True):
        if old < from_day:
            assert new == old
        else:
            assert new >= old + timedelta(days=days)
    if original.closes_on is not None:
        assert snoozed.closes_on is not None
        assert snoozed.closes_on >= original.closes_on + timedelta(days=days)


@given(cadences(), starts, working_weeks, st.dates(FIRST_DAY, LAST_DAY))
def test_a_snooze_of_no_days_changes_nothing(
    cadence: Cadence, start: date, working_days: frozenset[int], from_day: date
) -> None:
    assert plan(cadence, start, working_days, [(from_day, 0)]) == plan(cadence, start, working_days)


@given(
    cadences(),
    starts,
    working_weeks,
    st.integers(-10, 500),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.data(),
)
def test_enrolment_stops_whenever_the_prospect_replies_books_or_the_file_closes(
    cadence: Cadence,
    start: date,
    working_days: frozenset[int],
    days_later: int,
    replied: bool,
    booked: bool,
    closed: bool,
    data: st.DataObject,
) -> None:
    p = plan(cadence, start, working_days)
    done = frozenset(data.draw(st.sets(st.sampled_from(range(len(cadence.steps))))))
    today = start + timedelta(days=days_later)
    result = state(p, done, today, replied=replied, booked=booked, closed=closed)
    stopped = {
        EnrolmentState.STOPPED_CLOSED,
        EnrolmentState.STOPPED_BOOKED,
        EnrolmentState.STOPPED_REPLIED,
    }
    assert (result in stopped) == (replied or booked or closed)
    if result is EnrolmentState.CLOSES_FILE:
        assert p.closes_on is not None
        assert today > p.closes_on
        assert done == frozenset(range(len(cadence.steps)))
