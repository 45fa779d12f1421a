"""The follow-up wish: kept verbatim, understood where possible, and acted on earlier."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_desk.domain.followup import parse_stated_date, suggest_earlier, understand

# Wednesday 25 November 2026: "late November"
TODAY = date(2026, 11, 25)
WEEKDAYS = frozenset({0, 1, 2, 3, 4})


def d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


@pytest.mark.parametrize(
    ("said", "stated"),
    [
        # ISO dates
        ("2027-03-15", d(2027, 3, 15)),
        # day and month, either way round, with or without ordinal and year
        ("15 March", d(2027, 3, 15)),
        ("March 15th", d(2027, 3, 15)),
        ("march 15", d(2027, 3, 15)),
        ("15th of March 2027", d(2027, 3, 15)),
        ("15th March 2028", d(2028, 3, 15)),
        ("Mar 15 2027", d(2027, 3, 15)),
        ("3 December", d(2026, 12, 3)),
        ("December 1st", d(2026, 12, 1)),
        ("15/03", d(2027, 3, 15)),
        ("15.03", d(2027, 3, 15)),
        ("15/03/2027", d(2027, 3, 15)),
        ("1.12", d(2026, 12, 1)),
        # parts of a month
        ("early March", d(2027, 3, 1)),
        ("mid March", d(2027, 3, 15)),
        ("mid-March", d(2027, 3, 15)),
        ("the middle of March", d(2027, 3, 15)),
        ("late March", d(2027, 3, 21)),
        ("end of March", d(2027, 3, 25)),
        ("beginning of February", d(2027, 2, 1)),
        ("start of Jan", d(2027, 1, 1)),
        ("mid March 2028", d(2028, 3, 15)),
        ("mid December", d(2026, 12, 15)),
        # a month on its own
        ("March", d(2027, 3, 1)),
        ("in March", d(2027, 3, 1)),
        ("december", d(2026, 12, 1)),
        ("May", d(2027, 5, 1)),
        # after a day
        ("after the 15th", d(2026, 12, 16)),
        ("after the 28th", d(2026, 11, 29)),
        ("after 15 March", d(2027, 3, 16)),
        ("after March 15th", d(2027, 3, 16)),
        ("after mid January", d(2027, 1, 16)),
        # a day of the month
        ("the 15th", d(2026, 12, 15)),
        ("on the 28th", d(2026, 11, 28)),
        ("the 25th", d(2026, 11, 25)),
        ("the 31st", d(2026, 12, 31)),
        # in N days / weeks / months
        ("in 3 days", d(2026, 11, 28)),
        ("in a week", d(2026, 12, 2)),
        ("in two weeks", d(2026, 12, 9)),
        ("in 2 weeks", d(2026, 12, 9)),
        ("in a couple of weeks", d(2026, 12, 9)),
        ("in a couple weeks", d(2026, 12, 9)),
        ("in a few weeks", d(2026, 12, 16)),
        ("in a month", d(2026, 12, 25)),
        ("in three months", d(2027, 2, 25)),
        ("in 6 months", d(2027, 5, 25)),
        ("in twelve months", d(2027, 11, 25)),
        ("in ten days", d(2026, 12, 5)),
        # named moments
        ("tomorrow", d(2026, 11, 26)),
        ("today", TODAY),
        ("next week", d(2026, 11, 30)),
        ("next month", d(2026, 12, 1)),
        ("end of the month", d(2026, 11, 25)),
        ("end of next month", d(2026, 12, 25)),
        ("next quarter", d(2027, 1, 1)),
        ("Q2", d(2027, 4, 1)),
        ("q1 2027", d(2027, 1, 1)),
        ("Q4", d(2027, 10, 1)),
        # weekdays
        ("Tuesday", d(2026, 12, 1)),
        ("Friday", d(2026, 11, 27)),
        ("Wednesday", d(2026, 12, 2)),
        ("next Tuesday", d(2026, 12, 1)),
        ("next Friday", d(2026, 12, 4)),
        ("this Friday", d(2026, 11, 27)),
        ("thurs", d(2026, 11, 26)),
        # hedges, case and punctuation do not matter
        ("Around mid March", d(2027, 3, 15)),
        ("maybe next week", d(2026, 11, 30)),
        ("probably in two weeks", d(2026, 12, 9)),
        ("by March 15th, 2027", d(2027, 3, 15)),
        ("MID   MARCH", d(2027, 3, 15)),
    ],
)
def test_a_stated_follow_up_is_understood(said: str, stated: date) -> None:
    assert parse_stated_date(said, TODAY) == stated


@pytest.mark.parametrize(
    "said",
    [
        "",
        "   ",
        "soon",
        "when the budget is approved",
        "after the holidays",
        "sometime next year maybe",
        "call me",
        "2027-02-30",
        "31 February",
        "32/01",
        "15/13",
        "the 0th",
        "0 March",
        "00/03",
        "after the 0th",
        "the 45th",
        "in 99999999 days",
        "in 100000 months",
        "March 0000",
        "Q2 0000",
        "Q5",
        "in many weeks",
        "next fortnight",
    ],
)
def test_a_phrase_naming_no_date_gives_none(said: str) -> None:
    assert parse_stated_date(said, TODAY) is None


def test_29_february_means_the_next_leap_year() -> None:
    assert parse_stated_date("29 February", d(2027, 6, 1)) == d(2028, 2, 29)
    assert parse_stated_date("Feb 29th", d(2028, 2, 29)) == d(2028, 2, 29)
    assert parse_stated_date("29/02/2027", TODAY) is None


def test_a_date_already_passed_this_year_means_next_year() -> None:
    assert parse_stated_date("15 March", d(2027, 3, 16)) == d(2028, 3, 15)
    assert parse_stated_date("15 March", d(2027, 3, 15)) == d(2027, 3, 15)


def test_a_month_end_day_skips_months_too_short_for_it() -> None:
    assert parse_stated_date("the 31st", d(2027, 2, 3)) == d(2027, 3, 31)
    assert parse_stated_date("the 30th", d(2027, 2, 3)) == d(2027, 3, 30)


def test_next_week_said_on_a_sunday_is_tomorrow() -> None:
    assert parse_stated_date("next week", d(2026, 11, 29)) == d(2026, 11, 30)


def test_next_quarter_said_in_the_last_quarter_is_january() -> None:
    assert parse_stated_date("next quarter", d(2027, 12, 31)) == d(2028, 1, 1)
    assert parse_stated_date("next quarter", d(2027, 2, 14)) == d(2027, 4, 1)


def test_in_a_month_from_the_31st_is_the_end_of_the_shorter_month() -> None:
    assert parse_stated_date("in a month", d(2027, 1, 31)) == d(2027, 2, 28)


def test_what_the_prospect_said_is_kept_verbatim() -> None:
    wish = understand("  Around MID March, please ", TODAY, WEEKDAYS)
    assert wish.said == "  Around MID March, please "
    assert wish.stated is None  # "please" is not understood: the rep picks a date
    assert wish.suggested is None
    wish = understand("Around mid March", TODAY, WEEKDAYS)
    assert wish.said == "Around mid March"
    assert wish.stated == d(2027, 3, 15)
    assert wish.suggested == d(2027, 3, 1)


# suggest_earlier: the rule in the module docstring


def test_mid_march_asked_in_late_november_is_acted_on_on_1_march() -> None:
    stated = parse_stated_date("mid March", TODAY)
    assert stated is not None
    assert suggest_earlier(stated, TODAY, WEEKDAYS) == d(2027, 3, 1)


def test_the_lead_is_a_quarter_of_the_wait() -> None:
    monday = d(2026, 11, 23)
    stated = parse_stated_date("in two weeks", monday)
    assert stated == d(2026, 12, 7)
    assert suggest_earlier(stated, monday, WEEKDAYS) == d(2026, 12, 4)  # three days early
    # 20 days away: five days early
    assert suggest_earlier(d(2026, 12, 15), TODAY, WEEKDAYS) == d(2026, 12, 10)


def test_the_lead_is_never_more_than_two_weeks() -> None:
    stated = d(2027, 11, 24)  # a Wednesday a year away
    assert suggest_earlier(stated, TODAY, WEEKDAYS) == stated - timedelta(days=14)


def test_a_short_wait_is_acted_on_a_day_early() -> None:
    assert suggest_earlier(d(2026, 11, 27), TODAY, WEEKDAYS) == d(2026, 11, 26)


def test_tomorrow_is_acted_on_tomorrow() -> None:
    assert suggest_earlier(TODAY + timedelta(days=1), TODAY, WEEKDAYS) == d(2026, 11, 26)


def test_a_date_stated_for_today_or_earlier_is_acted_on_today() -> None:
    assert suggest_earlier(TODAY, TODAY, WEEKDAYS) == TODAY
    assert suggest_earlier(d(2026, 11, 1), TODAY, WEEKDAYS) == TODAY


def test_a_suggestion_on_a_weekend_moves_back_to_the_working_day_before() -> None:
    # 13 days: three days early would be Saturday 5 December
    assert suggest_earlier(d(2026, 12, 8), TODAY, WEEKDAYS) == d(2026, 12, 4)


def test_the_rep_s_own_working_week_is_respected() -> None:
    mon_thu = frozenset({0, 1, 2, 3})
    # 20 days: five days early is Thursday 10 December, a working day
    assert suggest_earlier(d(2026, 12, 15), TODAY, mon_thu) == d(2026, 12, 10)
    # 22 days: five days early is Saturday 12 December; Friday is not worked either
    assert suggest_earlier(d(2026, 12, 17), TODAY, mon_thu) == d(2026, 12, 10)


def test_a_weekend_is_only_suggested_when_no_working_day_comes_first() -> None:
    friday = d(2026, 11, 27)
    assert suggest_earlier(d(2026, 11, 28), friday, WEEKDAYS) == d(2026, 11, 28)
    assert suggest_earlier(d(2026, 11, 29), friday, WEEKDAYS) == d(2026, 11, 29)
    # the next working day after Friday is Monday, the stated day itself
    assert suggest_earlier(d(2026, 11, 30), friday, WEEKDAYS) == d(2026, 11, 30)
    # with Tuesday stated, Monday comes first
    assert suggest_earlier(d(2026, 12, 1), friday, WEEKDAYS) == d(2026, 11, 30)


@settings(max_examples=150, deadline=None)
@given(
    today=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    ahead=st.integers(-60, 900),
    working=st.frozensets(st.integers(0, 6), min_size=1),
)
def test_the_suggestion_is_never_after_the_stated_date_nor_before_today(
    today: date, ahead: int, working: frozenset[int]
) -> None:
    stated = today + timedelta(days=ahead)
    suggested = suggest_earlier(stated, today, working)
    assert suggested >= today
    if stated <= today:
        assert suggested == today
        return
    assert today < suggested <= stated
    # early, but never so early that "mid March" becomes "next week"
    assert suggested >= stated - timedelta(days=14 + 6)
    between = [today + timedelta(days=n) for n in range(1, ahead + 1)]
    if any(day.weekday() in working for day in between):
        assert suggested.weekday() in working
    if any(day.weekday() in working for day in between[:-1]):
        assert suggested < stated


_MONTH = st.sampled_from(["March", "feb", "Sept", "december", "May"])
_DAY = st.integers(0, 40)
_YEAR = st.integers(0, 9999).map(lambda y: f"{y:04d}")
_PHRASES = st.one_of(
    st.builds("the {}th".format, _DAY),
    st.builds("after the {}th".format, _DAY),
    st.builds("{} {} {}".format, _DAY, _MONTH, _YEAR),
    st.builds("{} {}".format, _MONTH, _DAY),
    st.builds("{:02d}/{:02d}".format, _DAY, st.integers(0, 14)),
    st.builds("{}.{}.{}".format, _DAY, st.integers(0, 14), _YEAR),
    st.builds("{}-{:02d}-{:02d}".format, _YEAR, st.integers(0, 14), _DAY),
    st.builds(
        "in {} {}".format,
        st.integers(0, 10**9),
        st.sampled_from(["days", "weeks", "months"]),
    ),
    st.builds("{} {} {}".format, st.sampled_from(["mid", "late", "end of"]), _MONTH, _YEAR),
    st.builds("Q{} {}".format, st.integers(0, 5), _YEAR),
    st.builds("after {} {}".format, _DAY, _MONTH),
)


@settings(max_examples=150, deadline=None)
@given(said=_PHRASES, today=st.dates(date(2026, 1, 1), date(2028, 12, 31)))
def test_any_date_like_phrase_is_kept_and_never_breaks_the_form(said: str, today: date) -> None:
    wish = understand(said, today, WEEKDAYS)
    assert wish.said == said
    if wish.stated is None:
        assert wish.suggested is None
    else:
        assert wish.suggested is not None
        assert today <= wish.suggested


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=40), today=st.dates(date(2026, 1, 1), date(2028, 12, 31)))
def test_arbitrary_text_never_raises(text: str, today: date) -> None:
    result = parse_stated_date(text, today)
    assert result is None or isinstance(result, date)
