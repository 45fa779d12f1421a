"""Weekly review benchmark: prints figures against the goals of the review issue.

Run ``.venv/bin/python benchmarks/review.py`` (full) or with ``--quick`` (a smoke run with
few repetitions). Nothing is asserted: the script prints what it measured, one run on
whatever machine it runs on.

What it does:

1. Fills an on-disk database, opened through the real schema and migrations
   (``followup_desk.storage.db.connect``), in one transaction of ``executemany``: 10,000
   prospects and 200,000 touches over the past year. The prospects are a mix: booked future
   meetings, meetings over and awaiting their outcome, closed files, about 30% enrolled in
   the built-in ten-week cadence (enrolment rows as ``SqliteFollowupStore.enrol`` writes
   them, next due date and step worked out by the domain's ``plan``; the steps done are
   outbound touches), follow-up dates, snoozes, files gone quiet, a few never touched.
   Each prospect's ``last_in_at``/``last_out_at`` is the latest of its touches, as
   ``add_touch`` keeps it.
2. Opens the desk (``open_desk``) on a pinned clock (Monday 23 November 2026, 10:00 Berlin)
   and measures, p50/p95 over N runs (30; 5 with ``--quick``):

   (a) ours, as the window opens the review: every group's count and its first ``PAGE``
       rows (``FollowupService.review(limit=PAGE)``), put in the window's ``ReviewModel``.
       End to end (with the sweep), and "query and model" (the same with the sweep skipped)
       (goal: p95 under 50 ms). For the record, also: the query alone, the next ``PAGE``
       rows of the biggest group (what the window reads as the rep scrolls), and every row
       at once (what ``review --json`` and the CSV export read). The first sweep runs
       untimed before (it finds nothing to change);
   (b) a naive baseline that asks per prospect: one query for the open prospects, then
       for each one separate queries for its last inbound and last outbound touch
       (``MAX(at)`` over the touch table), its next booking, whether a meeting awaits its
       outcome and its active enrolment, then the domain's ``build_review`` over those facts
       (goal: ours at least 20x faster). A design that asks per prospect cannot count a
       group without reading all of it, so the baseline builds the whole review. Same
       answer: the same counts; the same first rows of each group, in order, with the same
       due dates and wording; and every row read at once, in the baseline's order;
   (c) the window's review model, built from the first rows, on Qt's offscreen platform;
   (d) the database file's size after ``PRAGMA wal_checkpoint(TRUNCATE)``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import Desk, TomlCadences, open_desk
from followup_desk.domain.booking import confirm_due
from followup_desk.domain.cadences import Cadence, next_due, plan
from followup_desk.domain.review import (
    DEFAULT_STALE_DAYS,
    GROUP_TITLES,
    Group,
    ProspectFacts,
    Review,
    ReviewBounds,
    build_review,
    name_key,
    review_bounds,
)
from followup_desk.paths import HOME_ENV, AppPaths, resolve_paths
from followup_desk.resources_access import empty_phrases, read_text
from followup_desk.services.cadence_library import CadenceLibrary
from followup_desk.services.enrolment_plans import EnrolmentPlans
from followup_desk.services.followups import FollowupService
from followup_desk.storage.bookings import SqliteBookingStore
from followup_desk.storage.cadence_file import builtin_cadences, dump_cadences
from followup_desk.storage.codec import instant, parse_day, parse_instant
from followup_desk.storage.db import connect, transaction
from followup_desk.storage.followups import SqliteFollowupStore
from followup_desk.ui.viewmodels.review import PAGE

# Run as a script, this file's folder is on sys.path but the repository root is not; the
# timing helpers are imported from benchmarks/slots.py, not copied, so the root is added first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.people import COMPANIES, FIRST_NAMES, LAST_NAMES, SUFFIXES
from benchmarks.slots import (
    NOW,
    REP_ZONE,
    SummaryRow,
    measure,
    ms,
    percentile,
    print_summary_table,
)

SEED = 20261123
GOAL_P95_MS = 50.0
GOAL_SPEEDUP = 20.0

PROSPECTS = 10_000
TOUCHES = 200_000
CLOSED = 1_000  # files closed (they never appear in the review)
BOOKED = 2_000  # a booked meeting still to come
AWAITING = 500  # their last meeting is over and nobody said whether it happened
ENROLLED = 3_000  # an active enrolment in the ten-week cadence (30%)
# the other 3,500 are open files with no booking to come and no cadence
FOLLOW_UP_SHARE = 0.25  # of the open files: a follow-up date
SNOOZED_SHARE = 0.08  # of the files neither booked nor enrolled: snoozed into the future
PAST_SNOOZE_SHARE = 0.03  # ... or a snooze that has run out
QUIET_SHARE = 0.3  # files whose last touch is weeks or months old
UNTOUCHED_SHARE = 0.03  # never touched at all
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Repetitions:
    runs: int
    baseline: int


FULL = Repetitions(runs=30, baseline=30)
QUICK = Repetitions(runs=5, baseline=5)


# --------------------------------------------------------------------------- the data

PROSPECT_ZONES = (
    "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Chicago",
    "Asia/Singapore",
)  # fmt: skip
CHANNELS = ("email", "call", "linkedin", "voicemail", "text", "visit")
CHANNEL_WEIGHTS = (50, 25, 10, 8, 5, 2)
OUT_NOTES = (
    "Sent the {company} case study on onboarding time",
    "Called about the pilot figures; left the numbers by email",
    "Shared the pricing sheet for {seats} seats",
    "Sent a two-line customer story close to theirs",
    "Asked whether the budget review moved to {month}",
    "Forwarded the security answers their IT asked for",
    "Invited them to the {month} webinar on renewals",
)
IN_NOTES = (
    "Replied: busy until {month}, asked to call back then",
    "Asked for references in their industry",
    "Said the board meets in {month}; send a short summary before",
    "Called back: wants the integration questions answered first",
    "Replied with questions about the {seats}-seat price",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "September", "October")
SAID = ("mid March", "after the holidays", "next quarter", "in two weeks", "end of January")
CLOSED_REASONS = ("not interested", "no budget", "went elsewhere", "no reply to the cadence")
OUTCOMES = ("held", "no-show", "rescheduled", "cancelled")
OUTCOME_WEIGHTS = (75, 10, 10, 5)


@dataclass
class DatabaseStats:
    prospects: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    follow_ups: int = 0
    snoozed: int = 0
    past_snoozes: int = 0
    quiet: int = 0
    untouched: int = 0
    bookings: int = 0
    booked_future: int = 0
    awaiting: int = 0
    cancelled: int = 0
    enrolments: int = 0
    active_enrolments: int = 0
    touches: int = 0
    step_touches: int = 0
    inbound: int = 0
    seconds: float = 0.0


@dataclass
class Draft:
    """One prospect as it is being made up: the row, and what its touches need."""

    index: int
    kind: str
    created: datetime
    quiet_until: datetime  # its ordinary touches fall before this moment
    values: dict[str, object]
    touches: list[tuple[str, str, str, str, int | None, int | None]] = field(
        default_factory=list
    )  # (at, channel, direction, note, enrolment_id, step)


def _working_day(day: date, working: frozenset[int], *, forward: bool) -> date:
    step = timedelta(days=1 if forward else -1)
    while day.weekday() not in working:
        day += step
    return day


def _meeting(rng: random.Random, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A start between 09:00 and 16:00 Berlin time on ``day``, on a quarter hour, and its end."""
    minute = rng.randrange(9 * 60, 16 * 60 + 1, 15)
    start = datetime.combine(day, wall_time(minute // 60, minute % 60), tzinfo=zone)
    return start, start + timedelta(minutes=rng.choice((30, 45, 60)))


def _note(rng: random.Random, inbound: bool, company: str) -> str:
    template = rng.choice(IN_NOTES if inbound else OUT_NOTES)
    return template.format(
        company=company.split()[0], seats=rng.choice((5, 12, 25, 40)), month=rng.choice(MONTHS)
    )


def _between(rng: random.Random, first: datetime, last: datetime) -> datetime:
    seconds = (last - first).total_seconds()
    return first + timedelta(seconds=int(rng.random() * max(seconds, 1.0)))


def fill_database(path: Path, rng: random.Random, cadence: Cadence) -> DatabaseStats:
    """The benchmark database: every row made up here, then written in one transaction."""
    began = time.perf_counter()
    zone = ZoneInfo(REP_ZONE)
    now = NOW.astimezone(UTC)
    today = NOW.astimezone(zone).date()
    working = frozenset(range(5))
    body = dump_cadences([cadence])
    stats = DatabaseStats(prospects=PROSPECTS)

    kinds = (
        ["closed"] * CLOSED
        + ["booked"] * BOOKED
        + ["awaiting"] * AWAITING
        + ["enrolled"] * ENROLLED
        + ["open"] * (PROSPECTS - CLOSED - BOOKED - AWAITING - ENROLLED)
    )
    rng.shuffle(kinds)
    for kind in kinds:
        stats.kinds[kind] = stats.kinds.get(kind, 0) + 1

    drafts: list[Draft] = []
    bookings: list[tuple[object, ...]] = []
    tasks: list[tuple[object, ...]] = []
    enrolments: list[tuple[object, ...]] = []
    for index, kind in enumerate(kinds):
        prospect_id = index + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = f"{rng.choice(COMPANIES)} {rng.choice(SUFFIXES)}"
        email = f"{first[0].lower()}.{index:05d}@{company.split()[0].lower()}.example"
        created = now - timedelta(days=rng.randrange(20, 540), minutes=rng.randrange(600))
        quiet_until = now
        if kind != "enrolled" and rng.random() < QUIET_SHARE:
            quiet_until = now - timedelta(days=rng.randrange(15, 200))
            stats.quiet += 1
        values: dict[str, object] = {
            "id": prospect_id,
            "name": f"{first} {last}",
            "name_key": name_key(f"{first} {last}"),
            "email": email,
            "email_key": email.lower(),
            "time_zone": rng.choice(PROSPECT_ZONES),
            "company": company,
            "phone": f"+49 30 {rng.randrange(10**6, 10**7)}",
            "follow_up_said": "",
            "follow_up_stated": None,
            "follow_up_suggested": None,
            "created": "",
            "updated": "",
            "channels": "email\nphone" if index % 3 else "email",
            "follow_up_channel": "email",
            "closed_at": None,
            "closed_reason": "",
            "snoozed_until": None,
            "last_in_at": None,
            "last_out_at": None,
        }
        draft = Draft(index, kind, created, quiet_until, values)
        drafts.append(draft)
        if kind == "closed":  # nothing happens after the file closed
            closed_at = _between(rng, created + timedelta(days=10), now - timedelta(days=1))
            values["closed_at"] = instant(closed_at)
            values["closed_reason"] = rng.choice(CLOSED_REASONS)
            draft.quiet_until = quiet_until = min(quiet_until, closed_at)

        # meetings: one to come, one over awaiting its outcome, or past ones with an outcome
        past_meetings = rng.choice((0, 0, 1, 1, 1, 2))
        if kind == "booked":
            day = _working_day(today + timedelta(days=rng.randrange(1, 60)), working, forward=True)
            bookings.append(_booking(rng, prospect_id, len(bookings), day, zone, None, created))
            stats.booked_future += 1
        elif kind == "awaiting":
            day = _working_day(today - timedelta(days=rng.randrange(1, 21)), working, forward=False)
            bookings.append(_booking(rng, prospect_id, len(bookings), day, zone, None, created))
            stats.awaiting += 1
        for _ in range(past_meetings):
            latest = min(quiet_until, now - timedelta(days=2))
            when = _between(rng, max(created, now - YEAR), latest)
            day = _working_day(when.astimezone(zone).date(), working, forward=False)
            outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
            bookings.append(_booking(rng, prospect_id, len(bookings), day, zone, outcome, created))
        if rng.random() < 0.05:  # a meeting booked and then cancelled: not awaiting anything
            planned_day = today + timedelta(days=rng.randrange(-90, 30))
            day = _working_day(planned_day, working, forward=True)
            bookings.append(
                _booking(rng, prospect_id, len(bookings), day, zone, None, created, cancelled=True)
            )
            stats.cancelled += 1

        if kind != "closed" and rng.random() < FOLLOW_UP_SHARE:
            suggested = today + timedelta(days=rng.randrange(-25, 60))
            values["follow_up_suggested"] = suggested.isoformat()
            values["follow_up_stated"] = (suggested + timedelta(days=rng.randrange(8))).isoformat()
            values["follow_up_said"] = rng.choice(SAID)
            stats.follow_ups += 1
        if kind == "open":
            draw = rng.random()
            if draw < SNOOZED_SHARE:
                values["snoozed_until"] = (today + timedelta(days=rng.randrange(1, 40))).isoformat()
                stats.snoozed += 1
            elif draw < SNOOZED_SHARE + PAST_SNOOZE_SHARE:
                values["snoozed_until"] = (today - timedelta(days=rng.randrange(1, 60))).isoformat()
                stats.past_snoozes += 1

        # enrolments: an active one in the ten-week cadence, or an earlier one that stopped
        if kind == "enrolled":
            enrolment_id = len(enrolments) + 1
            started = _working_day(
                today - timedelta(days=rng.randrange(0, 56)), working, forward=False
            )
            planned = plan(cadence, started, working)
            done = [t for t in planned.touches if t.due < today]
            draw = rng.random()
            if draw < 0.35 and done:  # behind: the last steps due are still to do
                done = done[: -rng.randint(1, min(3, len(done)))]
            elif draw < 0.55:  # today's steps already done
                done = [t for t in planned.touches if t.due <= today]
            done_steps = frozenset(t.step for t in done)
            following = next_due(planned, done_steps)
            assert following is not None, "the benchmark's enrolments are all under way"
            enrolments.append(
                (
                    enrolment_id,
                    prospect_id,
                    cadence.key,
                    cadence.name,
                    body,
                    started.isoformat(),
                    "active",
                    "",
                    ",".join(str(s) for s in sorted(done_steps)),
                    following.due.isoformat(),
                    cadence.steps[following.step].channel.value,
                )
            )
            for touch in done:  # each step done is an outbound touch on its day
                hour = rng.randrange(8, 10) if touch.due == today else rng.randrange(9, 17)
                at = datetime.combine(touch.due, wall_time(hour, rng.randrange(60)), tzinfo=zone)
                note = _note(rng, False, company)
                draft.touches.append(
                    (instant(at), touch.channel.value, "out", note, enrolment_id, touch.step)
                )
            # ordinary touches come before the enrolment; a reply after it would have stopped it
            start_of_cadence = datetime.combine(started, wall_time(8), tzinfo=zone)
            draft.quiet_until = start_of_cadence.astimezone(UTC)
            draft.created = min(created, draft.quiet_until - timedelta(days=10))
            stats.active_enrolments += 1
        elif (kind == "booked" and rng.random() < 0.25) or (
            kind in ("closed", "open") and rng.random() < 0.1
        ):
            reason = {"booked": "the prospect booked", "closed": "file closed"}.get(
                kind, "the prospect replied"
            )
            started = _working_day(
                today - timedelta(days=rng.randrange(60, 300)), working, forward=False
            )
            enrolments.append(
                (
                    len(enrolments) + 1,
                    prospect_id,
                    cadence.key,
                    cadence.name,
                    body,
                    started.isoformat(),
                    "stopped",
                    reason,
                    "0,1,2",
                    None,
                    "",
                )
            )
        draft.created = min(draft.created, draft.quiet_until - timedelta(days=1))

    # the ordinary touches: 200,000 in all, spread unevenly (a few prospects get many)
    budget = TOUCHES - sum(len(d.touches) for d in drafts)
    stats.step_touches = TOUCHES - budget
    weights = [
        0.0 if rng.random() < UNTOUCHED_SHARE and not d.touches else rng.paretovariate(2.5)
        for d in drafts
    ]
    for draft in rng.choices(drafts, weights=weights, k=budget):
        first_at = max(draft.created, now - YEAR)
        at = _between(rng, first_at, draft.quiet_until)
        inbound = rng.random() < 0.3
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        note = _note(rng, inbound, str(draft.values["company"]))
        draft.touches.append((instant(at), channel, "in" if inbound else "out", note, None, None))

    touches: list[tuple[object, ...]] = []
    for draft in drafts:
        values = draft.values
        values["created"] = values["updated"] = instant(draft.created)
        if not draft.touches:
            stats.untouched += 1
        for logged in draft.touches:
            stamp, direction = logged[0], logged[2]
            column = "last_in_at" if direction == "in" else "last_out_at"
            known = values[column]
            # as add_touch: UPDATE prospect SET column = MAX(COALESCE(column, ''), at)
            if known is None or stamp > str(known):
                values[column] = stamp
            touches.append((values["id"], *logged))
            stats.inbound += direction == "in"
    touches.sort(key=lambda row: str(row[1]))  # ids rise with time, as when logged one by one
    for booking in bookings:
        tasks.append(_task(booking, today, working))

    stats.bookings = len(bookings)
    stats.enrolments = len(enrolments)
    stats.touches = len(touches)
    columns = list(drafts[0].values)
    with closing(connect(path)) as conn, transaction(conn):
        conn.execute(
            "INSERT INTO cadence (key, name, body, builtin, updated) VALUES (?, ?, ?, 1, ?)",
            (cadence.key, cadence.name, body, instant(now)),
        )
        conn.executemany(
            f"INSERT INTO prospect ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})",
            [tuple(d.values[c] for c in columns) for d in drafts],
        )
        conn.executemany(
            "INSERT INTO booking (id, prospect_id, uid, sequence, status, start_utc, end_utc,"
            " rep_zone, prospect_zone, title, ics_path, created, updated, outcome, outcome_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            bookings,
        )
        conn.executemany(
            "INSERT INTO task (booking_id, kind, due, status) VALUES (?, ?, ?, ?)", tasks
        )
        conn.executemany(
            "INSERT INTO enrolment (id, prospect_id, cadence_key, cadence_name, cadence_body,"
            " started, status, stopped_reason, done_steps, next_due, next_what)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            enrolments,
        )
        conn.executemany(
            "INSERT INTO touch (prospect_id, at, channel, direction, note, enrolment_id, step)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            touches,
        )
    stats.seconds = time.perf_counter() - began
    return stats


def _booking(
    rng: random.Random,
    prospect_id: int,
    number: int,
    day: date,
    zone: ZoneInfo,
    outcome: str | None,
    created: datetime,
    *,
    cancelled: bool = False,
) -> tuple[object, ...]:
    start, end = _meeting(rng, day, zone)
    made = min(max(created, start - timedelta(days=rng.randrange(2, 30))), start)
    outcome_at = None
    if outcome is not None:
        outcome_at = instant(min(end + timedelta(hours=rng.randrange(1, 48)), NOW))
    return (
        number + 1,
        prospect_id,
        f"bench-{number:06d}@bench.followup-desk",
        1 if cancelled else 0,
        "cancelled" if cancelled else "booked",
        instant(start),
        instant(end),
        REP_ZONE,
        REP_ZONE,
        "Bea Benchmark: next step",
        "",
        instant(made),
        instant(made),
        outcome,
        outcome_at,
    )


def _task(booking: tuple[object, ...], today: date, working: frozenset[int]) -> tuple[object, ...]:
    start = parse_instant(str(booking[5])).astimezone(ZoneInfo(REP_ZONE))
    due = confirm_due(start.date(), today, working)
    status = "cancelled" if booking[4] == "cancelled" else "open" if start > NOW else "done"
    return (booking[0], "confirm-day-before", due.isoformat(), status)


def write_settings(paths: AppPaths) -> None:
    text = read_text("settings.toml").replace("{time_zone}", REP_ZONE)
    text = text.replace('name = ""', 'name = "Bea Benchmark"', 1)
    text = text.replace('email = ""', 'email = "bea@example.com"', 1)
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- the baseline


# Without statistics (the app never runs ANALYZE), SQLite answers "a meeting of this prospect
# awaits its outcome" through booking_awaiting_outcome (status, outcome, end_utc): it walks
# every meeting awaiting an outcome, for each prospect. The baseline names the prospect's
# index so that it asks per prospect as intended; the plain form is timed too, for the record.
BY_PROSPECT = "INDEXED BY booking_by_prospect"


class Baseline:
    """Asks per prospect: the open files, then five small queries for each one."""

    def __init__(self, conn: sqlite3.Connection, *, by_prospect: bool = True) -> None:
        self._conn = conn
        self._booking = f"booking {BY_PROSPECT}" if by_prospect else "booking"

    def facts(self, now: datetime) -> list[ProspectFacts]:
        conn = self._conn
        at = instant(now)
        found: list[ProspectFacts] = []
        prospects = conn.execute(
            "SELECT id, name, company, created, closed_at, closed_reason, follow_up_suggested,"
            " follow_up_said, snoozed_until, follow_up_stated FROM prospect"
            " WHERE closed_at IS NULL ORDER BY id"
        ).fetchall()
        for row in prospects:
            prospect_id = int(row[0])
            last_in = conn.execute(
                "SELECT MAX(at) FROM touch WHERE prospect_id = ? AND direction = 'in'",
                (prospect_id,),
            ).fetchone()[0]
            last_out = conn.execute(
                "SELECT MAX(at) FROM touch WHERE prospect_id = ? AND direction = 'out'",
                (prospect_id,),
            ).fetchone()[0]
            next_meeting = conn.execute(
                f"SELECT MIN(start_utc) FROM {self._booking} WHERE prospect_id = ?"
                " AND status = 'booked' AND end_utc > ?",
                (prospect_id, at),
            ).fetchone()[0]
            awaiting = conn.execute(
                f"SELECT 1 FROM {self._booking} WHERE prospect_id = ? AND status = 'booked'"
                " AND outcome IS NULL AND end_utc <= ? LIMIT 1",
                (prospect_id, at),
            ).fetchone()
            enrolment = conn.execute(
                "SELECT cadence_name, next_due, next_what FROM enrolment WHERE prospect_id = ?"
                " AND status = 'active'",
                (prospect_id,),
            ).fetchone()
            found.append(
                ProspectFacts(
                    prospect_id=prospect_id,
                    name=str(row[1]),
                    company=str(row[2]),
                    created=parse_instant(row[3]) if row[3] else None,
                    closed_reason=str(row[5]) if row[4] else None,
                    next_meeting=parse_instant(next_meeting) if next_meeting else None,
                    awaiting_outcome=awaiting is not None,
                    last_in=parse_instant(last_in) if last_in else None,
                    last_out=parse_instant(last_out) if last_out else None,
                    cadence=str(enrolment[0]) if enrolment else "",
                    cadence_due=parse_day(enrolment[1]) if enrolment and enrolment[1] else None,
                    cadence_what=str(enrolment[2]) if enrolment else "",
                    follow_up_on=parse_day(row[6]) if row[6] else None,
                    follow_up_said=str(row[7] or ""),
                    snoozed_until=parse_day(row[8]) if row[8] else None,
                    follow_up_stated=parse_day(row[9]) if row[9] else None,
                )
            )
        return found


BASELINE_FILLS = frozenset((
    "prospect_id", "name", "company", "created", "closed_reason", "next_meeting",
    "awaiting_outcome", "last_in", "last_out", "cadence", "cadence_due", "cadence_what",
    "follow_up_on", "follow_up_said", "snoozed_until", "follow_up_stated",
))  # fmt: skip


def unfilled() -> list[str]:
    """ProspectFacts fields added since the baseline was written (it leaves them default)."""
    return [f.name for f in fields(ProspectFacts) if f.name not in BASELINE_FILLS]


class QueryAndModel(FollowupService):
    """The app's review() without its sweep, as wired by open_desk: the query, the
    domain's reading of each row read, and the week's counts saved."""

    def sweep(self) -> list[str]:
        return []


def without_sweep(desk: Desk) -> FollowupService:
    """A FollowupService wired as open_desk wires it, whose review() skips the sweep (the
    real service's sweep runs in (a) and leaves nothing to do)."""
    store = SqliteFollowupStore(desk.conn)
    bookings = SqliteBookingStore(desk.conn)
    codec = TomlCadences()
    return QueryAndModel(
        store,
        bookings,
        CadenceLibrary(store, codec, builtin_cadences(), desk.clock),
        EnrolmentPlans(codec, bookings, desk.clock, desk.settings),
        empty_phrases(),
        desk.clock,
        desk.settings,
    )


def _by_id(facts: ProspectFacts) -> int:
    return facts.prospect_id


def ordered(review: Review) -> list[tuple[str, int, date | None, str]]:
    return [
        (g.value, i.facts.prospect_id, i.due, i.what) for g, items in review.groups for i in items
    ]


def first_of(review: Review, page: int) -> list[tuple[str, int, date | None, str]]:
    """What the window shows first of ``review``: the first ``page`` rows of each group."""
    return [
        (g.value, i.facts.prospect_id, i.due, i.what)
        for g, items in review.groups
        for i in items[:page]
    ]


# --------------------------------------------------------------------------- (c) the window


@dataclass(frozen=True)
class ModelResult:
    note: str  # what was (or was not) timed
    times: list[float] = field(default_factory=list)


def window_model() -> tuple[Callable[[Review], Any], str]:
    """The window's ReviewModel filled from a review, on Qt's offscreen platform."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if not _KEPT:  # one QApplication for the whole run, kept alive
        _KEPT.append(QApplication.instance() or QApplication([sys.argv[0]]))
    module = importlib.import_module("followup_desk.ui.viewmodels.review")
    model_class: Callable[[], Any] = module.ReviewModel

    def build(review: Review) -> Any:
        model = model_class()
        model.set_review(review)
        return model

    where = f"PySide6 {pyside_version} (Qt {qVersion()}), {QGuiApplication.platformName()} platform"
    return build, where


_KEPT: list[object] = []


def time_review_model(
    review: Review, runs: int, build: Callable[[Review], Any]
) -> tuple[ModelResult, ModelResult]:
    """The window's model built from ``review``, and the same with every cell's text read
    once, as a view showing every row read would ask."""
    from PySide6.QtCore import QModelIndex, Qt

    def build_and_read() -> int:
        model = build(review)
        cells = 0
        display = Qt.ItemDataRole.DisplayRole
        for row in range(model.rowCount()):
            group = model.index(row, 0, QModelIndex())
            model.data(group, display)
            for child in range(model.rowCount(group)):
                for column in range(model.columnCount(group)):
                    model.data(model.index(child, column, group), display)
                    cells += 1
        return cells

    cells = build_and_read()  # the first build, untimed: it pays for Qt's lazy set-up
    built = ModelResult("ReviewModel().set_review(review)", measure(lambda: build(review), runs))
    read = ModelResult(f"{cells:,} cells", measure(build_and_read, runs))
    return built, read


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Results:
    first_review: float
    swept: list[str]
    review: list[float]
    sweep: list[float]
    query: list[float]
    query_model: list[float]
    whole: list[float]
    more: list[float]
    more_group: str
    baseline: list[float]
    baseline_first: float
    baseline_plain: list[float]
    counts: dict[Group, int]
    shown: int
    same_groups: bool
    same_first: bool
    same_order: bool
    same_facts: bool
    facts: int
    model_part: tuple[ModelResult, ModelResult]
    qt: str
    plan: list[str]

    def speedup(self, ours: Sequence[float], pct: float = 95) -> float:
        return percentile(self.baseline, pct) / percentile(ours, pct)


def bench(desk: Desk, reps: Repetitions) -> Results:
    service = desk.followups
    store = SqliteFollowupStore(desk.conn)
    ours_alone = without_sweep(desk)
    now = desk.clock.now()
    today = service.today
    rules = desk.settings.rules
    bounds = review_bounds(now, today, rules.working_days, DEFAULT_STALE_DAYS, rules.zone)
    build, qt = window_model()

    gc.collect()
    began = time.perf_counter()
    swept = service.sweep()  # the first sweep, untimed: whatever it changes, it changes once
    build(service.review(None, PAGE))
    first = time.perf_counter() - began
    review_times = measure(lambda: build(service.review(None, PAGE)), reps.runs)
    sweep_times = measure(service.sweep, reps.runs)
    qm_times = measure(lambda: build(ours_alone.review(None, PAGE)), reps.runs)
    query_times = measure(lambda: store.review_first(bounds, PAGE), reps.runs)
    whole_times = measure(lambda: ours_alone.review(None, None), reps.runs)
    page = ours_alone.review(None, PAGE)
    counts = page.counts()
    biggest = max(counts, key=lambda g: counts[g])
    last = page.items(biggest)[-1]
    page_bounds = page.bounds
    assert page_bounds is not None
    more_times = measure(
        lambda: ours_alone.review_more(biggest, last, PAGE, page_bounds), reps.runs
    )

    naive = Baseline(desk.conn)
    plain = Baseline(desk.conn, by_prospect=False)

    def baseline(source: Baseline) -> Review:
        facts = source.facts(now)
        return build_review(facts, today, rules.working_days, DEFAULT_STALE_DAYS, rules.zone)

    began = time.perf_counter()
    theirs = baseline(naive)
    baseline_first = time.perf_counter() - began
    baseline_times = measure(lambda: baseline(naive), reps.baseline)
    plain_times = measure(lambda: baseline(plain), min(reps.baseline, 3))

    whole = ours_alone.review(None, None)
    by_plain = baseline(plain)
    facts = store.review_facts(now)
    return Results(
        first_review=first,
        swept=swept,
        review=review_times,
        sweep=sweep_times,
        query=query_times,
        query_model=qm_times,
        whole=whole_times,
        more=more_times,
        more_group=GROUP_TITLES[biggest],
        baseline=baseline_times,
        baseline_first=baseline_first,
        baseline_plain=plain_times,
        counts=counts,
        shown=sum(len(items) for _, items in page.groups),
        same_groups=counts == whole.counts() == theirs.counts() == by_plain.counts(),
        same_first=first_of(page, PAGE) == first_of(theirs, PAGE),
        same_order=ordered(whole) == ordered(theirs) == ordered(by_plain),
        same_facts=sorted(facts, key=_by_id) == sorted(naive.facts(now), key=_by_id),
        facts=len(facts),
        model_part=time_review_model(page, reps.runs, build),
        qt=qt,
        plan=review_plan(desk.conn, store, bounds),
    )


@dataclass(frozen=True)
class WhatIf:
    """The same calls once SQLite has statistics (ANALYZE), which the app never gathers."""

    analyze: float
    query_model: list[float]
    review: list[float]
    plan: list[str]


def after_analyze(desk: Desk, reps: Repetitions) -> WhatIf:
    store = SqliteFollowupStore(desk.conn)
    ours_alone = without_sweep(desk)
    build, _qt = window_model()
    rules = desk.settings.rules
    bounds = review_bounds(
        desk.clock.now(), desk.followups.today, rules.working_days, DEFAULT_STALE_DAYS, rules.zone
    )
    began = time.perf_counter()
    desk.conn.execute("ANALYZE")
    analyze = time.perf_counter() - began
    return WhatIf(
        analyze=analyze,
        query_model=measure(lambda: build(ours_alone.review(None, PAGE)), reps.runs),
        review=measure(lambda: build(desk.followups.review(None, PAGE)), min(reps.runs, 5)),
        plan=review_plan(desk.conn, store, bounds),
    )


def review_plan(
    conn: sqlite3.Connection, store: SqliteFollowupStore, bounds: ReviewBounds
) -> list[str]:
    """SQLite's plan for the statement that groups the review (caught as it runs it)."""
    said: list[str] = []
    conn.set_trace_callback(said.append)
    try:
        store.review_first(bounds, PAGE)
    finally:
        conn.set_trace_callback(None)
    plans: list[str] = []
    for statement in said[:2]:  # the counts, then the first group's rows
        rows = conn.execute("EXPLAIN QUERY PLAN " + statement).fetchall()
        plans.append(", ".join(str(row[3]) for row in rows))
    return plans


@dataclass(frozen=True)
class Size:
    file: int
    wal: int
    pages: int
    page_size: int
    free_pages: int
    tables: list[tuple[str, int]]


def database_size(conn: sqlite3.Connection, path: Path) -> Size:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{path}-wal")
    tables: list[tuple[str, int]] = []
    try:
        rows = conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
        tables = [(str(name), int(size)) for name, size in rows]
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        pass
    return Size(
        file=path.stat().st_size,
        wal=wal.stat().st_size if wal.exists() else 0,
        pages=int(conn.execute("PRAGMA page_count").fetchone()[0]),
        page_size=int(conn.execute("PRAGMA page_size").fetchone()[0]),
        free_pages=int(conn.execute("PRAGMA freelist_count").fetchone()[0]),
        tables=tables,
    )


# --------------------------------------------------------------------------- printing


def mib(size: int) -> str:
    return f"{size / 1_048_576:.1f} MiB"


def print_context(quick: bool) -> None:
    print(
        f"Followup Desk weekly review benchmark ({'--quick smoke run' if quick else 'full run'}): "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, followup-desk "
        f"{metadata.version('followup-desk')}, {os.cpu_count()} CPU(s), {platform.platform()}"
    )
    print(
        "Figures come from this one run on a shared machine; other work on it moves them. "
        "Nothing is asserted."
    )


def print_database(path: Path, stats: DatabaseStats) -> None:
    k = stats.kinds
    print(
        f"\nDatabase {path}: {stats.prospects:,} prospects = {k['booked']:,} with a booked "
        f"meeting to come + {k['awaiting']} whose meeting is over, outcome unsaid + "
        f"{k['enrolled']:,} in the ten-week cadence + {k['open']:,} other open files + "
        f"{k['closed']:,} closed;"
    )
    print(
        f"  {stats.follow_ups:,} follow-up dates, {stats.snoozed} snoozed "
        f"(+ {stats.past_snoozes} snoozes run out), {stats.quiet:,} gone quiet for weeks or "
        f"months, {stats.untouched} never touched; {stats.bookings:,} bookings "
        f"({stats.cancelled} cancelled); {stats.enrolments:,} enrolments "
        f"({stats.active_enrolments:,} active)"
    )
    print(
        f"  {stats.touches:,} touches over the past year ({stats.inbound:,} inbound, "
        f"{stats.step_touches:,} cadence steps done), last_in_at/last_out_at as add_touch "
        f"keeps them; seed {SEED}, made up and written in one transaction in "
        f"{stats.seconds:.1f} s"
    )


def _row(label: str, times: Sequence[float], note: str = "") -> None:
    print(
        f"  {label:<52} {percentile(times, 50) * 1000:>8.2f} ms"
        f" {percentile(times, 95) * 1000:>8.2f} ms  {len(times):>4}{'  ' + note if note else ''}"
    )


def print_results(r: Results, reps: Repetitions) -> None:
    print(
        f"\n(a) ours, {reps.runs} runs each; first review in this process (with the first "
        f"sweep, untimed) {ms(r.first_review)}"
    )
    if r.swept:
        print(f"  the first sweep said: {'; '.join(r.swept[:3])} ({len(r.swept)} in all)")
    else:
        print("  the first sweep changed nothing (every enrolment is under way, none booked)")
    print(
        f"  The window opens the review with every group's count and its first {PAGE} rows "
        f"({r.shown:,} rows here),\n  then reads {PAGE} more of a group as the rep scrolls "
        "near its end (ReviewModel.read_more); that is what (a) times."
    )
    print(f"  {'what':<52} {'p50':>11} {'p95':>11}  runs")
    _row("review(limit) + the window's model, end to end", r.review, "sweep + query + model")
    _row("  FollowupService.sweep() alone (info)", r.sweep)
    _row("query and model: the same with its sweep skipped", r.query_model)
    _row("  SqliteFollowupStore.review_first alone (info)", r.query, f"{r.shown:,} rows")
    _row(f"  the next {PAGE} rows of {r.more_group} (info)", r.more, "review_more")
    _row("  every row at once, as review --json and CSV (info)", r.whole, f"{r.facts:,} open")
    print("  review: " + ", ".join(f"{GROUP_TITLES[g]} {n:,}" for g, n in r.counts.items()))
    print("  SQLite's plans for the counts; for a group's rows: " + "; ".join(r.plan))

    print(
        f"\n(b) naive baseline, {reps.baseline} runs: the open prospects, then per prospect "
        "MAX(at) of its inbound and of its\n    outbound touches, its next booking, its awaiting "
        "outcome and its active enrolment (5 queries each), then the domain's\n    build_review "
        "over those facts (the whole review: a per-prospect design cannot count a group "
        "without\n    reading all of it); its "
        f"booking queries say {BY_PROSPECT} (asked plainly, SQLite walks "
        "booking_for_review for each prospect)"
    )
    print(f"  {'what':<52} {'p50':>11} {'p95':>11}  runs")
    _row(
        "baseline: per-prospect queries + build_review",
        r.baseline,
        f"{r.facts * 5 + 1:,} queries",
    )
    _row("  the same, booking queries asked plainly (info)", r.baseline_plain)
    missing = unfilled()
    if missing:
        print(f"  WARNING: the baseline leaves ProspectFacts.{', '.join(missing)} at its default")
    print(f"  first baseline run (untimed): {ms(r.baseline_first)}")
    print(
        f"  baseline / ours, query and model: {r.speedup(r.query_model, 50):.1f}x at p50, "
        f"{r.speedup(r.query_model):.1f}x at p95"
    )
    print(
        f"  baseline / ours, end to end with the sweep: {r.speedup(r.review, 50):.1f}x at p50, "
        f"{r.speedup(r.review):.1f}x at p95"
    )
    print(
        f"  baseline / every row at once (info): {r.speedup(r.whole, 50):.1f}x at p50, "
        f"{r.speedup(r.whole):.1f}x at p95"
    )
    print(f"  same counts in every group: {'yes' if r.same_groups else 'no'}")
    print(
        f"  same first {PAGE} rows of each group, in order, with due dates and wording: "
        f"{'yes' if r.same_first else 'no'}"
    )
    print(
        f"  every row at once, same order, due dates and wording: "
        f"{'yes' if r.same_order else 'no'}; same facts for every prospect: "
        f"{'yes' if r.same_facts else 'no'}"
    )

    built, read = r.model_part
    print(f"\n(c) the window's review model, from the first rows above, {len(built.times)} runs")
    print(f"  {'what':<52} {'p50':>11} {'p95':>11}  runs")
    _row("ReviewModel().set_review(review)", built.times, r.qt)
    _row("  + data() of every cell, as a view would ask (info)", read.times, read.note)


def print_whatif(whatif: WhatIf, r: Results) -> None:
    print(
        "\n(a') what if: the same after ANALYZE (measured last; the app never gathers statistics), "
        f"ANALYZE took {ms(whatif.analyze)}"
    )
    print(f"  {'what':<52} {'p50':>11} {'p95':>11}  runs")
    _row("query and model after ANALYZE (info)", whatif.query_model)
    _row("end to end after ANALYZE (info)", whatif.review)
    print(
        f"  baseline / query and model after ANALYZE: "
        f"{r.speedup(whatif.query_model, 50):.1f}x at p50, {r.speedup(whatif.query_model):.1f}x "
        f"at p95\n  SQLite's plan then: " + "; ".join(whatif.plan)
    )


def print_size(path: Path, size: Size) -> None:
    print(
        f"\n(d) database file after PRAGMA wal_checkpoint(TRUNCATE): {mib(size.file)} "
        f"({size.file:,} bytes; {size.pages:,} pages of {size.page_size:,} bytes, "
        f"{size.free_pages} free; WAL {size.wal:,} bytes)"
    )
    if size.tables:
        print(
            "  by table and index: "
            + ", ".join(f"{name} {mib(pgsize)}" for name, pgsize in size.tables[:8])
        )


def print_summary(r: Results, size: Size, whatif: WhatIf) -> None:
    rows: list[SummaryRow] = []

    def judged(name: str, value: str, goal: str, ok: bool) -> None:
        rows.append((name, value, goal, ok))

    for label, times in (
        ("(a) query and model p95", r.query_model),
        ("(a) end to end with the sweep p95", r.review),
    ):
        p95 = percentile(times, 95) * 1000
        judged(label, f"{p95:.2f} ms", f"< {GOAL_P95_MS:g} ms", p95 < GOAL_P95_MS)
    for label, times in (
        ("(b) baseline / query and model, p95", r.query_model),
        ("(b) baseline / end to end, p95", r.review),
    ):
        speedup = r.speedup(times)
        judged(label, f"{speedup:.1f}x", f">= {GOAL_SPEEDUP:g}x", speedup >= GOAL_SPEEDUP)
    same = r.same_groups and r.same_first and r.same_order
    judged("(b) same answer as the baseline", "yes" if same else "no", "yes", same)
    whole = f"{percentile(r.whole, 95) * 1000:.2f} ms"
    rows.append(("(a) every row at once p95 (info)", whole, "", None))
    rows.append(("(b) baseline / every row at once, p95", f"{r.speedup(r.whole):.1f}x", "", None))
    p95 = percentile(r.model_part[0].times, 95) * 1000
    rows.append(("(c) the window's review model p95", f"{p95:.2f} ms", "", None))
    rows.append(("(d) database file after checkpoint", mib(size.file), "", None))
    p95 = percentile(whatif.query_model, 95) * 1000
    rows.append(("(a') query and model p95 after ANALYZE", f"{p95:.2f} ms", "", None))
    speedup = r.speedup(whatif.query_model)
    rows.append(("(a') baseline / that, p95", f"{speedup:.1f}x", "", None))
    print_summary_table(rows)


def run(reps: Repetitions, workdir: Path, *, quick: bool) -> None:
    print_context(quick)
    home = workdir / "home"
    os.environ[HOME_ENV] = str(home)
    paths = resolve_paths()
    write_settings(paths)
    cadence = builtin_cadences()[0]
    stats = fill_database(paths.database, random.Random(SEED), cadence)
    print_database(paths.database, stats)
    print(f"{HOME_ENV}={home}; now = {NOW.isoformat()} ({REP_ZONE}), a pinned clock")

    desk = open_desk(clock=FixedClock(NOW))
    try:
        results = bench(desk, reps)
        print_results(results, reps)
        size = database_size(desk.conn, paths.database)
        print_size(paths.database, size)
        whatif = after_analyze(desk, reps)
        print_whatif(whatif, results)
    finally:
        desk.close()
    print_summary(results, size, whatif)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Weekly review benchmark (prints figures, asserts nothing)."
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run")
    args = parser.parse_args(argv)
    reps = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="followup-desk-review-") as tmp:
        run(reps, Path(tmp), quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
