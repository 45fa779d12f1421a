"""The prospect's stated follow-up wish, kept verbatim, parsed, and beaten to the punch.

Seed 004: write down how and when the prospect wants to be followed up, then follow up
*before* that. The rule, chosen so that the lead grows with the wait but never turns a
"mid March" into "next week":

    lead      = a quarter of the days from today to the stated date,
                at least 1 day and at most 14 days
    suggested = stated date - lead, moved back to the nearest working day,
                but never before the next working day after today
                (and never after the stated date).

A stated date of today or earlier suggests today. "Mid March" asked in November gives
1 March (two weeks early); "in two weeks" gives three days early; "tomorrow" gives tomorrow.

Phrases understood (case-insensitive, English): ISO dates (2027-03-15); "15 March",
"March 15th", "15th of March 2027", "15/03" and "15.03" (day first); "early / mid / late /
end of March" (1st, 15th, 21st, 25th); "March"; "after the 15th", "after 15 March"
(the day after); "the 15th"; "in N days / weeks / months" (N in digits or words, "a couple"
= 2, "a few" = 3); "tomorrow", "next week", "next month", "end of the month",
"end of next month", "next quarter", "Q2"; weekday names ("Tuesday", "next Tuesday").
Anything else is kept verbatim with no parsed date; the rep picks one.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}
PART_OF_MONTH = {
    "early": 1,
    "beginning of": 1,
    "start of": 1,
    "mid": 15,
    "middle of": 15,
    "late": 21,
    "end of": 25,
}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NUMBER_RE = "|".join(sorted((re.escape(k) for k in NUMBERS), key=len, reverse=True))
_PART_RE = "|".join(sorted((re.escape(k) for k in PART_OF_MONTH), key=len, reverse=True))
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class FollowUpWish:
    """What the prospect said, what we understood, and when we act."""

    said: str
    stated: date | None
    suggested: date | None


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _next_occurrence(today: date, month: int, day: int, year: int | None) -> date | None:
    # a 29 February said in a common year means the next leap year's
    years = [year] if year is not None else list(range(today.year, today.year + 9))
    for y in years:
        if not 1 <= day <= monthrange(y, month)[1]:
            continue
        candidate = date(y, month, day)
        if year is not None or candidate >= today:
            return candidate
    return None


def _next_day_of_month(today: date, day: int) -> date | None:
    probe = today.replace(day=1)
    for _ in range(13):
        if 1 <= day <= monthrange(probe.year, probe.month)[1]:
            candidate = probe.replace(day=day)
            if candidate >= today:
                return candidate
        probe = _add_months(probe, 1)
    return None


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def parse_stated_date(said: str, today: date) -> date | None:
    """The date a phrase names, on or after ``today``; None when it names none."""
    try:
        return _parse(said, today)
    except (ValueError, OverflowError):
        return None  # a day, month or year no calendar has ("the 0th", "in 99999 months")


def _parse(said: str, today: date) -> date | None:
    text = " ".join(said.lower().replace(",", " ").split())
    text = re.sub(r"^(?:around|about|maybe|perhaps|probably|by|on|from)\s+", "", text)
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "next week":
        return today + timedelta(days=7 - today.weekday())
    if text == "next month":
        return _add_months(today.replace(day=1), 1)
    if text in ("end of the month", "end of this month", "the end of the month"):
        return max(today, today.replace(day=25))
    if text == "end of next month":
        return _add_months(today.replace(day=1), 1).replace(day=25)
    if text == "next quarter":
        q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return _add_months(q_start, 3)
    if m := re.fullmatch(r"q([1-4])(?:\s+(\d{4}))?", text):
        year = int(m[2]) if m[2] else today.year
        candidate = date(year, 3 * (int(m[1]) - 1) + 1, 1)
        return candidate if candidate >= today or m[2] else date(year + 1, candidate.month, 1)
    if m := re.fullmatch(rf"in\s+({_NUMBER_RE}|\d+)\s+(day|week|month)s?", text):
        count = int(m[1]) if m[1].isdigit() else NUMBERS[m[1]]
        if m[2] == "month":
            return _add_months(today, count)
        return today + timedelta(days=count * (7 if m[2] == "week" else 1))
    if m := re.fullmatch(rf"(next\s+|this\s+)?({_WEEKDAY_RE})", text):
        target = WEEKDAYS[m[2]]
        if m[1] and m[1].startswith("next"):
            return today - timedelta(days=today.weekday()) + timedelta(days=7 + target)
        return today + timedelta(days=(target - today.weekday()) % 7 or 7)
    if m := re.fullmatch(rf"(?:the\s+)?({_PART_RE})[\s-]*({_MONTH_RE})(?:\s+(\d{{4}}))?", text):
        return _next_occurrence(today, MONTHS[m[2]], PART_OF_MONTH[m[1]], _year(m[3]))
    if m := re.fullmatch(rf"after\s+(?:the\s+)?{_ORD}", text):
        found = _next_day_of_month(today, int(m[1]))
        return found + timedelta(days=1) if found else None
    if m := re.fullmatch(r"after\s+(.+)", text):
        found = _parse(m[1], today)
        return found + timedelta(days=1) if found else None
    if m := re.fullmatch(rf"(?:the\s+)?{_ORD}(?:\s+of)?\s+({_MONTH_RE})(?:\s+(\d{{4}}))?", text):
        return _next_occurrence(today, MONTHS[m[2]], int(m[1]), _year(m[3]))
    if m := re.fullmatch(rf"({_MONTH_RE})\s+(?:the\s+)?{_ORD}(?:\s+(\d{{4}}))?", text):
        return _next_occurrence(today, MONTHS[m[1]], int(m[2]), _year(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?", text):
        month = int(m[2])
        if not 1 <= month <= 12:
            return None
        return _next_occurrence(today, month, int(m[1]), _year(m[3]))
    if m := re.fullmatch(rf"(?:in\s+)?({_MONTH_RE})(?:\s+(\d{{4}}))?", text):
        return _next_occurrence(today, MONTHS[m[1]], 1, _year(m[2]))
    if m := re.fullmatch(rf"(?:on\s+)?the\s+{_ORD}", text):
        return _next_day_of_month(today, int(m[1]))
    return None


def suggest_earlier(stated: date, today: date, working_days: frozenset[int]) -> date:
    """The date to act on: before the stated one, by the rule in this module's docstring."""
    if stated <= today:
        return today
    lead = min(14, max(1, (stated - today).days // 4))
    suggested = stated - timedelta(days=lead)
    while suggested.weekday() not in working_days and suggested > today:
        suggested -= timedelta(days=1)
    earliest = today + timedelta(days=1)
    while earliest.weekday() not in working_days and earliest < stated:
        earliest += timedelta(days=1)
    return min(max(suggested, earliest), stated)


def understand(said: str, today: date, working_days: frozenset[int]) -> FollowUpWish:
    """Keep ``said`` verbatim, parse it where possible and propose an earlier date."""
    stated = parse_stated_date(said, today)
    suggested = suggest_earlier(stated, today, working_days) if stated else None
    return FollowUpWish(said=said, stated=stated, suggested=suggested)
