"""After the meeting, in SQLite: outcomes, touches, closed and snoozed files, cadences and
enrolments, and the facts the weekly review is built from (one query, whatever the size).

Each change is one transaction; a touch also updates its prospect's last_in_at/last_out_at,
so the review never scans the touch table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from followup_desk.domain.booking import Booking, Prospect
from followup_desk.domain.enrolments import (
    Enrolment,
    EnrolmentUpdate,
    StoredCadence,
    StoredTouch,
)
from followup_desk.domain.outbox import NewJob
from followup_desk.domain.review import (
    DueNow,
    Group,
    Place,
    ProspectFacts,
    ReviewBounds,
    ReviewItem,
)
from followup_desk.domain.touches import Direction, Outcome
from followup_desk.storage import review_query
from followup_desk.storage.bookings import (
    BOOKING_COLUMNS,
    PROSPECT_COLUMNS,
    booking_from_row,
    column_count,
    prefixed,
    prospect_from_row,
)
from followup_desk.storage.codec import day, instant, parse_day, parse_instant
from followup_desk.storage.db import transaction
from followup_desk.storage.outbox import queue_followup_jobs

_ENROLMENT_COLUMNS = (
    "id, prospect_id, cadence_key, cadence_name, cadence_body, started, status, "
    "stopped_reason, snoozes, done_steps, next_due, next_what, task_key"
)


def _enrolment(row: Sequence[object]) -> Enrolment:
    snoozes = []
    for line in str(row[8]).split("\n"):
        if line:
            first, _, days = line.partition(":")
            parsed = parse_day(first)
            if parsed is not None:
                snoozes.append((parsed, int(days)))
    return Enrolment(
        id=int(str(row[0])),
        prospect_id=int(str(row[1])),
        cadence_key=str(row[2]),
        cadence_name=str(row[3]),
        cadence_body=str(row[4]),
        started=parse_day(str(row[5])) or date.min,
        status=str(row[6]),
        stopped_reason=str(row[7]),
        snoozes=tuple(snoozes),
        done_steps=frozenset(int(s) for s in str(row[9]).split(",") if s),
        next_due=parse_day(row[10] if isinstance(row[10], str) else None),
        next_what=str(row[11]),
        task_key=str(row[12]),
    )


def _snooze_text(snoozes: Sequence[tuple[date, int]]) -> str:
    return "\n".join(f"{day(d)}:{n}" for d, n in snoozes)


class SqliteFollowupStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # --- outcomes --------------------------------------------------------------------

    def awaiting_outcome(self, now: datetime) -> list[tuple[Booking, Prospect]]:
        """Booked meetings that are over and nobody has said whether they happened."""
        b_cols, p_cols = prefixed(BOOKING_COLUMNS, "b"), prefixed(PROSPECT_COLUMNS, "p")
        rows = self._conn.execute(
            f"SELECT {b_cols}, {p_cols} FROM booking AS b JOIN prospect AS p"
            " ON p.id = b.prospect_id WHERE b.status = 'booked' AND b.outcome IS NULL"
            " AND b.end_utc <= ? ORDER BY b.end_utc",
            (instant(now),),
        ).fetchall()
        n = column_count(BOOKING_COLUMNS)
        return [(booking_from_row(r[:n]), prospect_from_row(r[n:])) for r in rows]

    def record_outcome(self, booking_id: int, outcome: Outcome, at: datetime) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE booking SET outcome = ?, outcome_at = ? WHERE id = ?",
                (outcome.value, instant(at), booking_id),
            )

    # --- the prospect's file -------------------------------------------------------------

    def close(
        self, prospect_id: int, reason: str, at: datetime, jobs: Sequence[NewJob] = ()
    ) -> None:
        with transaction(self._conn):
            self._queue(prospect_id, jobs, at)
            self._conn.execute(
                "UPDATE prospect SET closed_at = ?, closed_reason = ?, snoozed_until = NULL"
                " WHERE id = ?",
                (instant(at), reason, prospect_id),
            )
            self._conn.execute(
                "UPDATE enrolment SET status = 'stopped', stopped_reason = 'file closed'"
                " WHERE prospect_id = ? AND status = 'active'",
                (prospect_id,),
            )

    def reopen(self, prospect_id: int) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE prospect SET closed_at = NULL, closed_reason = '' WHERE id = ?",
                (prospect_id,),
            )

    def closed_reason(self, prospect_id: int) -> str | None:
        row = self._conn.execute(
            "SELECT closed_at, closed_reason FROM prospect WHERE id = ?", (prospect_id,)
        ).fetchone()
        return str(row[1]) if row and row[0] else None

    def snooze(self, prospect_id: int, until: date | None) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE prospect SET snoozed_until = ? WHERE id = ?",
                (day(until) if until else None, prospect_id),
            )

    def set_follow_up(self, prospect_id: int, on: date | None) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE prospect SET follow_up_suggested = ? WHERE id = ?",
                (day(on) if on else None, prospect_id),
            )

    # --- touches ---------------------------------------------------------------------

    def add_touch(
        self,
        prospect_id: int,
        at: datetime,
        channel: str,
        direction: Direction,
        note: str,
        enrolment: Enrolment | None = None,
        step: int | None = None,
        enrolment_update: EnrolmentUpdate | None = None,
        jobs: Sequence[NewJob] = (),
    ) -> int:
        """Write the touch, the prospect's last-touch time and (given) the enrolment's new
        state (status, reason, done steps, next due, next what), all in one transaction."""
        column = "last_in_at" if direction is Direction.IN else "last_out_at"
        with transaction(self._conn):
            cur = self._conn.execute(
                "INSERT INTO touch (prospect_id, at, channel, direction, note, enrolment_id,"
                " step) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    prospect_id,
                    instant(at),
                    channel,
                    direction.value,
                    note,
                    enrolment.id if enrolment else None,
                    step,
                ),
            )
            self._conn.execute(
                f"UPDATE prospect SET {column} = MAX(COALESCE({column}, ''), ?) WHERE id = ?",
                (instant(at), prospect_id),
            )
            if enrolment is not None and enrolment_update is not None:
                self._update_enrolment(enrolment.id, *enrolment_update)
            self._queue(prospect_id, jobs, at)
            return int(cur.lastrowid or 0)

    def queue_jobs(self, prospect_id: int, jobs: Sequence[NewJob], at: datetime) -> None:
        """Queue jobs that follow no change of the file (a task published late)."""
        with transaction(self._conn):
            self._queue(prospect_id, jobs, at)

    def _queue(self, prospect_id: int, jobs: Sequence[NewJob], at: datetime) -> None:
        """Queue jobs for each enrolment they name (inside the caller's transaction)."""
        by_enrolment: dict[int | None, list[NewJob]] = {}
        for job in jobs:
            by_enrolment.setdefault(self._enrolment_of(job), []).append(job)
        for enrolment_id, group in by_enrolment.items():
            queue_followup_jobs(self._conn, prospect_id, enrolment_id, group, at)

    def _enrolment_of(self, job: NewJob) -> int | None:
        if not job.enrolment_key:
            return None
        row = self._conn.execute(
            "SELECT id FROM enrolment WHERE task_key = ?", (job.enrolment_key,)
        ).fetchone()
        return int(row[0]) if row else None

    def touches(self, prospect_id: int, limit: int = 200) -> list[StoredTouch]:
        rows = self._conn.execute(
            "SELECT id, prospect_id, at, channel, direction, note, enrolment_id, step"
            " FROM touch WHERE prospect_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (prospect_id, limit),
        ).fetchall()
        return [
            StoredTouch(
                int(r[0]),
                int(r[1]),
                parse_instant(r[2]),
                str(r[3]),
                Direction(r[4]),
                str(r[5]),
                r[6],
                r[7],
            )
            for r in rows
        ]

    # --- cadences and enrolments -------------------------------------------------------

    def cadences(self) -> list[StoredCadence]:
        return [
            StoredCadence(str(r[0]), str(r[1]), str(r[2]), bool(r[3]))
            for r in self._conn.execute(
                "SELECT key, name, body, builtin FROM cadence ORDER BY builtin DESC, name"
            )
        ]

    def save_cadence(self, cadence: StoredCadence, at: datetime) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO cadence (key, name, body, builtin, updated) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET name = excluded.name, body = excluded.body,"
                " builtin = excluded.builtin, updated = excluded.updated",
                (cadence.key, cadence.name, cadence.body, int(cadence.builtin), instant(at)),
            )

    def delete_cadence(self, key: str) -> None:
        with transaction(self._conn):
            self._conn.execute("DELETE FROM cadence WHERE key = ? AND builtin = 0", (key,))

    def enrol(
        self,
        prospect_id: int,
        cadence: StoredCadence,
        started: date,
        next_due: date | None,
        next_what: str,
        task_key: str = "",
        jobs: Sequence[NewJob] = (),
        at: datetime | None = None,
    ) -> Enrolment:
        """Start a cadence; an active one is stopped first (one at a time per prospect)."""
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE enrolment SET status = 'stopped', stopped_reason = 'replaced'"
                " WHERE prospect_id = ? AND status = 'active'",
                (prospect_id,),
            )
            cur = self._conn.execute(
                "INSERT INTO enrolment (prospect_id, cadence_key, cadence_name, cadence_body,"
                " started, status, next_due, next_what, task_key)"
                " VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
                (
                    prospect_id,
                    cadence.key,
                    cadence.name,
                    cadence.body,
                    day(started),
                    day(next_due) if next_due else None,
                    next_what,
                    task_key,
                ),
            )
            self._conn.execute(
                "UPDATE prospect SET snoozed_until = NULL WHERE id = ?", (prospect_id,)
            )
            enrolment_id = int(cur.lastrowid or 0)
            if jobs:
                assert at is not None, "jobs are queued at a given time"
                self._queue(prospect_id, jobs, at)
        found = self.enrolment(enrolment_id)
        assert found is not None
        return found

    def enrolment(self, enrolment_id: int) -> Enrolment | None:
        row = self._conn.execute(
            f"SELECT {_ENROLMENT_COLUMNS} FROM enrolment WHERE id = ?", (enrolment_id,)
        ).fetchone()
        return _enrolment(row) if row else None

    def active_enrolment(self, prospect_id: int) -> Enrolment | None:
        row = self._conn.execute(
            f"SELECT {_ENROLMENT_COLUMNS} FROM enrolment WHERE prospect_id = ?"
            " AND status = 'active'",
            (prospect_id,),
        ).fetchone()
        return _enrolment(row) if row else None

    def active_enrolments(self) -> list[Enrolment]:
        return [
            _enrolment(r)
            for r in self._conn.execute(
                f"SELECT {_ENROLMENT_COLUMNS} FROM enrolment WHERE status = 'active'"
            )
        ]

    def update_enrolment(
        self,
        enrolment_id: int,
        status: str,
        reason: str,
        done: frozenset[int],
        next_due: date | None,
        next_what: str,
        snoozes: Sequence[tuple[date, int]] | None = None,
        jobs: Sequence[NewJob] = (),
        at: datetime | None = None,
    ) -> None:
        with transaction(self._conn):
            self._update_enrolment(enrolment_id, status, reason, done, next_due, next_what, snoozes)
            if jobs:
                row = self._conn.execute(
                    "SELECT prospect_id FROM enrolment WHERE id = ?", (enrolment_id,)
                ).fetchone()
                assert at is not None, "jobs are queued at a given time"
                self._queue(int(row[0]), jobs, at)

    def _update_enrolment(
        self,
        enrolment_id: int,
        status: str,
        reason: str,
        done: frozenset[int],
        next_due: date | None,
        next_what: str,
        snoozes: Sequence[tuple[date, int]] | None,
    ) -> None:
        if snoozes is not None:
            self._conn.execute(
                "UPDATE enrolment SET snoozes = ? WHERE id = ?",
                (_snooze_text(snoozes), enrolment_id),
            )
        self._conn.execute(
            "UPDATE enrolment SET status = ?, stopped_reason = ?, done_steps = ?, next_due = ?,"
            " next_what = ? WHERE id = ?",
            (
                status,
                reason,
                ",".join(str(s) for s in sorted(done)),
                day(next_due) if next_due else None,
                next_what,
                enrolment_id,
            ),
        )

    # --- the pipeline over the weeks -----------------------------------------------------

    def save_week_counts(self, week: date, counts: dict[str, int]) -> None:
        """This week's counts per group (the latest review of the week wins)."""
        with transaction(self._conn):
            self._conn.executemany(
                "INSERT INTO review_week (week, grp, count) VALUES (?, ?, ?)"
                " ON CONFLICT(week, grp) DO UPDATE SET count = excluded.count",
                [(day(week), group, n) for group, n in counts.items()],
            )

    def week_counts(self, since: date) -> list[tuple[date, dict[str, int]]]:
        weeks: dict[date, dict[str, int]] = {}
        for week, group, n in self._conn.execute(
            "SELECT week, grp, count FROM review_week WHERE week >= ? ORDER BY week",
            (day(since),),
        ):
            parsed = parse_day(week)
            if parsed is not None:
                weeks.setdefault(parsed, {})[str(group)] = int(n)
        return sorted(weeks.items())

    # --- the review ----------------------------------------------------------------------

    def review_first(
        self, bounds: ReviewBounds, limit: int | None, limits: Mapping[Group, int] | None = None
    ) -> tuple[dict[Group, int], list[tuple[Group, ProspectFacts, Place]]]:
        return review_query.first_rows(self._conn, bounds, limit, limits)

    def review_due_now(self, bounds: ReviewBounds) -> list[DueNow]:
        return [
            DueNow(pid, found, name)
            for pid, due, name in review_query.due_now(self._conn, bounds)
            if (found := parse_day(due)) is not None
        ]

    def review_after(
        self, bounds: ReviewBounds, group: Group, after: ReviewItem, limit: int | None
    ) -> list[tuple[ProspectFacts, Place]]:
        return review_query.rows_after(self._conn, bounds, group, after, limit)

    def sweep_candidates(self, now: datetime) -> list[tuple[Enrolment, str, bool]]:
        """Active enrolments of open files that time may have ended: a meeting is booked,
        or no touch is left to do. With the prospect's name, and whether it is booked."""
        moment = instant(now)
        return [
            (_enrolment(r[:-2]), str(r[-2]), bool(r[-1]))
            for r in self._conn.execute(
                f"SELECT {prefixed(_ENROLMENT_COLUMNS, 'e')}, p.name,"
                " COALESCE(p.booked_until > ?1, 0)"
                " FROM prospect AS p JOIN enrolment AS e"
                "   ON e.prospect_id = p.id AND e.status = 'active'"
                # the enrolment's next touch is kept on its prospect's row (migration 7)
                " WHERE p.closed_at IS NULL AND p.cadence_name IS NOT NULL"
                " AND (p.cadence_due IS NULL OR p.booked_until > ?1)",
                (moment,),
            )
        ]

    # --- the review's facts ------------------------------------------------------------

    def review_facts(self, now: datetime, *, include_closed: bool = False) -> list[ProspectFacts]:
        """One row per prospect, with everything the review groups by, from the columns
        migration 7 keeps on the prospect row (a booking is read only for those booked)."""
        where = "" if include_closed else " WHERE p.closed_at IS NULL"
        rows = self._conn.execute(
            "SELECT p.id, p.name, p.company, p.created, p.closed_at, p.closed_reason,"
            " CASE WHEN p.booked_until > ?1 THEN (SELECT MIN(start_utc) FROM booking"
            "   WHERE prospect_id = p.id AND status = 'booked' AND end_utc > ?1)"
            " END AS next_meeting,"
            " COALESCE(p.unanswered_from <= ?1, 0) AS awaiting,"
            " p.last_in_at, p.last_out_at, p.cadence_name, p.cadence_due, p.cadence_what,"
            " p.follow_up_suggested, p.follow_up_said, p.snoozed_until, p.follow_up_stated"
            " FROM prospect AS p" + where + " ORDER BY p.id",
            (instant(now),),
        ).fetchall()
        return [
            ProspectFacts(
                prospect_id=int(r[0]),
                name=str(r[1]),
                company=str(r[2]),
                created=parse_instant(r[3]) if r[3] else None,
                closed_reason=str(r[5]) if r[4] else None,
                next_meeting=parse_instant(r[6]) if r[6] else None,
                awaiting_outcome=bool(r[7]),
                last_in=parse_instant(r[8]) if r[8] else None,
                last_out=parse_instant(r[9]) if r[9] else None,
                cadence=str(r[10] or ""),
                cadence_due=parse_day(r[11]) if r[11] else None,
                cadence_what=str(r[12] or ""),
                follow_up_on=parse_day(r[13]) if r[13] else None,
                follow_up_said=str(r[14] or ""),
                snoozed_until=parse_day(r[15]) if r[15] else None,
                follow_up_stated=parse_day(r[16]) if r[16] else None,
            )
            for r in rows
        ]
