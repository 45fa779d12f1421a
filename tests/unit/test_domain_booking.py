"""Booking values: the prospect's address, the meeting's length, the day-before reminder."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_desk.domain.booking import Booking, BookingStatus, confirm_due, is_valid_email

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
WEDNESDAY = date(2027, 3, 17)


def d(day: int, month: int = 3) -> date:
    return date(2027, month, day)


@pytest.mark.parametrize(
    "address",
    [
        "robin@example.com",
        "Robin.Rep+sales@mail.example.co.uk",
        "o'neil@example.ie",
        "first_last-1@sub-domain.example.org",
        "a@b.io",
        "  robin@example.com  ",
        "josé@exämple.de",
        "почта@пример.рф",
        "用户@例子.广告",
        "θεός@παράδειγμα.ελ",
    ],
)
def test_ordinary_and_international_addresses_are_accepted(address: str) -> None:
    assert is_valid_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "robin",
        "robin@",
        "@example.com",
        "robin.example.com",
        "robin@example",
        "robin@@example.com",
        "robin@ex@ample.com",
        "robin@example..com",
        "robin@.example.com",
        "robin@example.com.",
        "robin@example.c",
        "robin@example,com",
        "robin @example.com",
        "robin@exa mple.com",
        "Robin <robin@example.com>",
        "robin@example.com; bob@example.com",
        "robin@example.com,",
        '"robin"@example.com',
    ],
)
def test_obvious_typos_are_refused(address: str) -> None:
    assert not is_valid_email(address)


def test_a_booking_lasts_its_real_length_across_a_clock_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2027, 3, 28, 1, 45, tzinfo=berlin)  # CET
    end = datetime(2027, 3, 28, 3, 15, tzinfo=berlin)  # CEST: half an hour later
    booking = Booking(
        id=None,
        prospect_id=1,
        uid="x@followup-desk",
        sequence=0,
        status=BookingStatus.BOOKED,
        start=start,
        end=end,
        rep_zone="Europe/Berlin",
        prospect_zone="America/New_York",
        title="Robin / Pat: next step",
        created=datetime(2027, 3, 1, tzinfo=UTC),
        updated=datetime(2027, 3, 1, tzinfo=UTC),
    )
    assert booking.length == timedelta(minutes=30)


# confirm_due: seed 003, confirm the meeting the working day before


def test_the_confirmation_is_due_the_day_before() -> None:
    assert confirm_due(d(25), WEDNESDAY, WEEKDAYS) == d(24)


def test_a_monday_meeting_is_confirmed_on_the_friday_before() -> None:
    assert confirm_due(d(22), WEDNESDAY, WEEKDAYS) == d(19)


def test_the_confirmation_follows_the_reps_working_week() -> None:
    # works Tuesday to Friday: a Tuesday meeting is confirmed on the Friday before
    assert confirm_due(d(23), WEDNESDAY, frozenset({1, 2, 3, 4})) == d(19)
    # works Monday to Thursday: a Monday meeting is confirmed on the Thursday before
    assert confirm_due(d(22), WEDNESDAY, frozenset({0, 1, 2, 3})) == d(18)


def test_a_meeting_tomorrow_is_confirmed_today() -> None:
    assert confirm_due(d(18), WEDNESDAY, WEEKDAYS) == WEDNESDAY


def test_a_meeting_today_is_confirmed_today() -> None:
    assert confirm_due(WEDNESDAY, WEDNESDAY, WEEKDAYS) == WEDNESDAY


def test_the_confirmation_is_never_due_before_today() -> None:
    saturday = d(20)
    # Monday's meeting booked on a Saturday: Friday is gone, so today
    assert confirm_due(d(22), saturday, WEEKDAYS) == saturday


@settings(max_examples=150, deadline=None)
@given(
    today=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    ahead=st.integers(0, 60),
    working=st.frozensets(st.integers(0, 6), min_size=1),
)
def test_the_confirmation_is_the_last_working_day_before_the_meeting(
    today: date, ahead: int, working: frozenset[int]
) -> None:
    meeting = today + timedelta(days=ahead)
    due = confirm_due(meeting, today, working)
    assert today <= due <= meeting
    if meeting > today:
        assert due < meeting
        candidates = [today + timedelta(days=n) for n in range(ahead)]
        worked = [c for c in candidates if c.weekday() in working]
        assert due == (worked[-1] if worked else today)
