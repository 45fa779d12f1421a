"""The review the database groups, counts and sorts is the review the domain's rules build.

Random prospects (touches, snoozes, follow-up dates, cadences, bookings with and without
outcomes, closed files, names that differ only in case or accents) are written into a real
SQLite database; the window's query (first rows per group, then the rows after one) must
give every group the same prospects in the same order as ``build_review`` over the facts.
The clock sits around Europe's spring and autumn clock changes, in zones that have them.
The facts the rules are given are worked out from what was written, not read back, so the
columns the triggers keep are checked too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup_desk.domain.review import (
    Group,
    ProspectFacts,
    Review,
    build_review,
    classify,
    name_key,
    review_bounds,
)
from followup_desk.storage import review_query
from followup_desk.storage.codec import day, instant
from followup_desk.storage.db import connect
from followup_desk.storage.followups import SqliteFollowupStore

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC")
NAMES = ("Ada", "ada", "Émile", "émile", "Zoë", "zoe", "Bo", "bo ", "Ölaf")
MOMENTS = (
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # Europe moves to summer time at 01:00 UTC
    datetime(2026, 10, 25, 0, 45, tzinfo=UTC),  # ... and back to winter time at 01:00 UTC
    datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
)
MINUTES_BACK = 60 * 24 * 40  # touches, bookings and creation over the last 40 days


@dataclass(frozen=True)
class Meeting:
    ends: int  # minutes from now (negative: over)
    cancelled: bool
    outcome: str | None


@dataclass(frozen=True)
class Person:
    name: str
    created: int  # minutes from now, all negative
    last_in: int | None
    last_out: int | None
    snoozed: int | None  # days from today
    follow_up: int | None
    cadence_due: int | bool | None  # False: not enrolled; None: enrolled, nothing left to do
    closed: bool
    meetings: tuple[Meeting, ...]


def people(now: datetime, zone: ZoneInfo, stale_days: int) -> st.SearchStrategy[Person]:
    """Prospects whose instants often fall on the rep's midnight where "stale" starts, or
    on each other (a reply at the very minute of the rep's touch)."""
    today = now.astimezone(zone).date()
    edges: list[int] = []
    for first_fresh in (today - timedelta(days=stale_days - 1), today, today + timedelta(1)):
        midnight = datetime.combine(first_fresh, wall_time(0), zone)
        edges += [int((midnight - now).total_seconds()) // 60 + d for d in (-1, 0, 1)]
    minutes = st.sampled_from(edges) | st.integers(-MINUTES_BACK, 60 * 24 * 3)
    days = st.integers(-2, 2) | st.integers(-20, 20)
    meetings = st.builds(
        Meeting,
        ends=minutes,
        cancelled=st.booleans(),
        outcome=st.sampled_from((None, None, "held", "no-show", "rescheduled", "cancelled")),
    )
    return st.builds(
        Person,
        name=st.sampled_from(NAMES),
        created=st.sampled_from([e for e in edges if e < 0]) | st.integers(-MINUTES_BACK, -1),
        last_in=st.none() | minutes,
        last_out=st.none() | minutes,
        snoozed=st.none() | days,
        follow_up=st.none() | days,
        cadence_due=st.just(False) | st.none() | days,
        closed=st.integers(0, 9).map(lambda n: n == 0),
        meetings=st.lists(meetings, max_size=3).map(tuple),
    )


def fill(conn: sqlite3.Connection, everyone: list[Person], now: datetime, today: date) -> None:
    def at(offset: int | None) -> str | None:
        return instant(now + timedelta(minutes=offset)) if offset is not None else None

    def on(offset: int | None) -> str | None:
        return day(today + timedelta(days=offset)) if offset is not None else None

    for n, person in enumerate(everyone):
        created = at(person.created)
        pid = conn.execute(
            "INSERT INTO prospect (name, email, email_key, time_zone, created, updated,"
            " name_key, last_in_at, last_out_at, snoozed_until, follow_up_suggested,"
            " closed_at, closed_reason) VALUES (?, ?, ?, 'UTC', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                person.name,
                f"p{n}@example.com",
                f"p{n}@example.com",
                created,
                created,
                name_key(person.name),
                at(person.last_in),
                at(person.last_out),
                on(person.snoozed),
                on(person.follow_up),
                created if person.closed else None,
                "not now" if person.closed else "",
            ),
        ).lastrowid
        for m, meeting in enumerate(person.meetings):
            conn.execute(
                "INSERT INTO booking (prospect_id, uid, status, start_utc, end_utc, rep_zone,"
                " prospect_zone, title, created, updated, outcome)"
                " VALUES (?, ?, ?, ?, ?, 'UTC', 'UTC', 'Talk', ?, ?, ?)",
                (
                    pid,
                    f"{n}-{m}@test",
                    "cancelled" if meeting.cancelled else "booked",
                    at(meeting.ends - 30),
                    at(meeting.ends),
                    created,
                    created,
                    meeting.outcome,
                ),
            )
        if person.cadence_due is not False:
            due = person.cadence_due if isinstance(person.cadence_due, int) else None
            conn.execute(
                "INSERT INTO enrolment (prospect_id, cadence_key, cadence_name, cadence_body,"
                " started, status, next_due, next_what)"
                " VALUES (?, 'short', 'Short', '', ?, 'active', ?, 'email')",
                (pid, day(today), on(due)),
            )


def known_facts(everyone: list[Person], now: datetime, today: date) -> list[ProspectFacts]:
    """What each open prospect's facts are, worked out from what was written, not read back
    (ids count from 1 in the order of writing)."""

    def at(offset: int | None) -> datetime | None:
        return now + timedelta(minutes=offset) if offset is not None else None

    def on(offset: int | None) -> date | None:
        return today + timedelta(days=offset) if offset is not None else None

    facts = []
    for n, person in enumerate(everyone):
        if person.closed:
            continue
        booked = [m for m in person.meetings if not m.cancelled]
        to_come = [m.ends - 30 for m in booked if m.ends > 0]
        enrolled = person.cadence_due is not False
        facts.append(
            ProspectFacts(
                prospect_id=n + 1,
                name=person.name,
                created=at(person.created),
                next_meeting=at(min(to_come)) if to_come else None,
                awaiting_outcome=any(m.outcome is None and m.ends <= 0 for m in booked),
                last_in=at(person.last_in),
                last_out=at(person.last_out),
                cadence="Short" if enrolled else "",
                cadence_due=on(person.cadence_due) if enrolled else None,
                cadence_what="email" if enrolled else "",
                follow_up_on=on(person.follow_up),
                snoozed_until=on(person.snoozed),
            )
        )
    return facts


def order(review: Review) -> dict[Group, list[int]]:
    return {g: [i.facts.prospect_id for i in items] for g, items in review.groups if items}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    moment=st.sampled_from(MOMENTS),
    shift=st.integers(-60 * 24 * 2, 60 * 24 * 2),
    zone_name=st.sampled_from(ZONES),
    stale_days=st.integers(0, 30),
    working=st.sampled_from((frozenset(range(5)), frozenset({6, 0, 1, 2, 3}))),
    page=st.integers(1, 4),
)
def test_the_query_groups_and_orders_every_prospect_as_the_rules_do(
    data: st.DataObject,
    moment: datetime,
    shift: int,
    zone_name: str,
    stale_days: int,
    working: frozenset[int],
    page: int,
) -> None:
    zone = ZoneInfo(zone_name)
    now = moment + timedelta(minutes=shift)
    today = now.astimezone(zone).date()
    everyone = data.draw(st.lists(people(now, zone, stale_days), max_size=25))
    conn = connect(Path(":memory:"))
    try:
        fill(conn, everyone, now, today)
        known = known_facts(everyone, now, today)
        assert SqliteFollowupStore(conn).review_facts(now) == known
        rules = build_review(known, today, working, stale_days, zone)
        bounds = review_bounds(now, today, working, stale_days, zone)

        sizes, rows = review_query.first_rows(conn, bounds, None)
        ours: dict[Group, list[int]] = {}
        for group, facts, _place in rows:
            ours.setdefault(group, []).append(facts.prospect_id)
        assert ours == order(rules)
        assert {g: n for g, n in sizes.items() if n} == {
            g: n for g, n in rules.counts().items() if n
        }

        # the facts read for the rows shown give the rules' own items, word for word
        by_id = {i.facts.prospect_id: i for _, items in rules.groups for i in items}
        for group, facts, _place in rows:
            item = classify(facts, today, bounds.week_end, stale_days, zone)
            assert item == by_id[facts.prospect_id]
            assert item is not None and item.group is group

        # page after page, as the window scrolls (each page read from the place the query
        # gave the last row shown), the same order again
        sizes, first = review_query.first_rows(conn, bounds, page)
        for group, expected in order(rules).items():
            read = [(f.prospect_id, place) for g, f, place in first if g is group]
            assert [pid for pid, _ in read] == expected[:page]
            while len(read) < sizes[group]:
                pid, place = read[-1]
                item = next(i for i in rules.items(group) if i.facts.prospect_id == pid)
                more = review_query.rows_after(
                    conn, bounds, group, replace(item, place=place), page
                )
                assert more, (group, read)
                read += [(f.prospect_id, place) for f, place in more]
            assert [pid for pid, _ in read] == expected
    finally:
        conn.close()


def test_a_meeting_booked_cancelled_or_answered_moves_the_prospect_at_once() -> None:
    """The columns the query reads follow every write to a booking (the triggers)."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    conn = connect(Path(":memory:"))
    try:
        fill(conn, [Person("Ada", -600, None, -60, None, None, False, False, ())], now, now.date())
        bounds = review_bounds(now, now.date(), frozenset(range(5)))

        def groups() -> dict[Group, int]:
            return {g: n for g, n in review_query.first_rows(conn, bounds, None)[0].items() if n}

        assert groups() == {Group.WAITING: 1}
        later, earlier = instant(now + timedelta(days=2)), instant(now - timedelta(hours=2))
        conn.execute(
            "INSERT INTO booking (prospect_id, uid, status, start_utc, end_utc, rep_zone,"
            " prospect_zone, title, created, updated) VALUES (1, 'a@test', 'booked', ?, ?,"
            " 'UTC', 'UTC', 'Talk', ?, ?)",
            (earlier[:11] + "06:00:00+00:00", earlier, earlier, earlier),
        )
        assert groups() == {Group.NO_NEXT_STEP: 1}  # was it held? the review asks
        conn.execute("UPDATE booking SET outcome = 'held'")
        assert groups() == {Group.WAITING: 1}
        conn.execute("UPDATE booking SET end_utc = ?, outcome = NULL", (later,))
        assert groups() == {}  # a meeting to come: not in the review
        conn.execute("UPDATE booking SET status = 'cancelled'")
        assert groups() == {Group.WAITING: 1}
        conn.execute("UPDATE booking SET status = 'booked'")
        conn.execute("DELETE FROM booking")
        assert groups() == {Group.WAITING: 1}

        conn.execute(
            "INSERT INTO enrolment (prospect_id, cadence_key, cadence_name, cadence_body,"
            " started, status, next_due, next_what)"
            " VALUES (1, 'short', 'Short', '', '2026-11-20', 'active', '2026-11-20', 'email')"
        )
        assert groups() == {Group.OVERDUE: 1}  # the cadence's touch was due on Friday
        conn.execute("UPDATE enrolment SET next_due = '2026-11-23'")
        assert groups() == {Group.DUE_TODAY: 1}
        conn.execute("UPDATE enrolment SET status = 'stopped'")
        assert groups() == {Group.WAITING: 1}
        conn.execute("UPDATE enrolment SET status = 'active'")
        conn.execute("DELETE FROM enrolment")
        assert groups() == {Group.WAITING: 1}
    finally:
        conn.close()


def test_a_page_at_a_time_never_repeats_or_skips_prospects_of_the_same_name() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    namesakes = [Person(name, -600, None, None, None, None, False, False, ()) for name in NAMES]
    conn = connect(Path(":memory:"))
    try:
        fill(conn, namesakes * 3, now, now.date())
        bounds = review_bounds(now, now.date(), frozenset(range(5)))
        rules = build_review(
            SqliteFollowupStore(conn).review_facts(now), now.date(), frozenset(range(5))
        )
        [(group, first, _place)] = review_query.first_rows(conn, bounds, 1)[1]
        assert group is Group.NO_NEXT_STEP
        # paged from each item's own reading (no place kept from the query)
        shown, last = [first.prospect_id], rules.items(group)[0]
        while more := review_query.rows_after(conn, bounds, group, last, 1):
            shown.append(more[0][0].prospect_id)
            last = rules.items(group)[len(shown) - 1]
        assert shown == [i.facts.prospect_id for i in rules.items(group)]
        assert len(shown) == len(NAMES) * 3
    finally:
        conn.close()


def test_a_stale_limit_beyond_the_calendar_makes_nobody_stale_instead_of_failing() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    quiet = Person("Ada", -MINUTES_BACK, None, None, None, None, False, False, ())
    conn = connect(Path(":memory:"))
    try:
        fill(conn, [quiet], now, now.date())
        for stale_days, group in ((1_000_000, Group.NO_NEXT_STEP), (-1_000_000, Group.STALE)):
            zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14: the year 1 ends before it starts
            bounds = review_bounds(now, now.date(), frozenset(range(5)), stale_days, zone)
            sizes, _ = review_query.first_rows(conn, bounds, None)
            assert {g: n for g, n in sizes.items() if n} == {group: 1}
    finally:
        conn.close()
