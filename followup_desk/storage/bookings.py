"""Prospects, bookings and their tasks in SQLite; each change is one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from followup_desk.domain.booking import (
    Booking,
    BookingStatus,
    Prospect,
    Task,
    TaskKind,
    TaskStatus,
)
from followup_desk.domain.outbox import NewJob
from followup_desk.domain.review import name_key
from followup_desk.storage.codec import day, instant, parse_day, parse_instant
from followup_desk.storage.db import transaction
from followup_desk.storage.outbox import queue_jobs

BOOKING_COLUMNS = (
    "id, prospect_id, uid, sequence, status, start_utc, end_utc, rep_zone, prospect_zone, "
    "title, created, updated, ics_path, reply"
)
PROSPECT_COLUMNS = (
    "id, name, email, time_zone, company, phone, follow_up_said, follow_up_stated, "
    "follow_up_suggested, channels, follow_up_channel"
)


TASK_COLUMNS = "id, booking_id, kind, due, status"


def prefixed(columns: str, alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def column_count(columns: str) -> int:
    return len(columns.split(","))


def booking_from_row(row: sqlite3.Row | tuple[object, ...]) -> Booking:
    return Booking(
        id=int(str(row[0])),
        prospect_id=int(str(row[1])),
        uid=str(row[2]),
        sequence=int(str(row[3])),
        status=BookingStatus(str(row[4])),
        start=parse_instant(str(row[5])),
        end=parse_instant(str(row[6])),
        rep_zone=str(row[7]),
        prospect_zone=str(row[8]),
        title=str(row[9]),
        created=parse_instant(str(row[10])),
        updated=parse_instant(str(row[11])),
        ics_path=str(row[12]),
        reply=str(row[13] or ""),
    )


def prospect_from_row(row: tuple[object, ...]) -> Prospect:
    return Prospect(
        id=int(str(row[0])),
        name=str(row[1]),
        email=str(row[2]),
        time_zone=str(row[3]),
        company=str(row[4]),
        phone=str(row[5]),
        follow_up_said=str(row[6]),
        follow_up_stated=parse_day(row[7] if isinstance(row[7], str) else None),
        follow_up_suggested=parse_day(row[8] if isinstance(row[8], str) else None),
        channels=tuple(c for c in str(row[9]).split("\n") if c),
        follow_up_channel=str(row[10]),
    )


def _task(row: tuple[object, ...]) -> Task:
    return Task(
        id=int(str(row[0])),
        booking_id=int(str(row[1])),
        kind=TaskKind(str(row[2])),
        due=parse_day(str(row[3])) or datetime.now(UTC).date(),
        status=TaskStatus(str(row[4])),
    )


class SqliteBookingStore:
    """The :class:`~followup_desk.domain.ports.BookingStore` over one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _upsert_prospect(self, p: Prospect, now: str) -> Prospect:
        key = p.email.strip().lower()
        row = self._conn.execute("SELECT id FROM prospect WHERE email_key = ?", (key,)).fetchone()
        values = (
            p.name,
            p.email.strip(),
            p.time_zone,
            p.company,
            p.phone,
            p.follow_up_said,
            day(p.follow_up_stated),
            day(p.follow_up_suggested),
            "\n".join(c.replace("\n", " ") for c in p.channels),
            p.follow_up_channel,
        )
        if row is None:
            cur = self._conn.execute(
                "INSERT INTO prospect (name, email, time_zone, company, phone, follow_up_said,"
                " follow_up_stated, follow_up_suggested, channels, follow_up_channel,"
                " email_key, name_key, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, key, name_key(p.name), now, now),
            )
            prospect_id = int(cur.lastrowid or 0)
        else:
            prospect_id = int(row[0])
            # keep what was known when the new capture left a field empty
            self._conn.execute(
                "UPDATE prospect SET name = ?, email = ?, time_zone = ?,"
                " company = COALESCE(NULLIF(?, ''), company),"
                " phone = COALESCE(NULLIF(?, ''), phone),"
                " follow_up_said = COALESCE(NULLIF(?, ''), follow_up_said),"
                " follow_up_stated = COALESCE(?, follow_up_stated),"
                " follow_up_suggested = COALESCE(?, follow_up_suggested),"
                " channels = COALESCE(NULLIF(?, ''), channels),"
                " follow_up_channel = COALESCE(NULLIF(?, ''), follow_up_channel),"
                " name_key = ?, updated = ? WHERE id = ?",
                (*values, name_key(p.name), now, prospect_id),
            )
        found = self.prospect(prospect_id)
        assert found is not None
        return found

    def save_new_booking(
        self, prospect: Prospect, booking: Booking, task: Task, jobs: Sequence[NewJob] = ()
    ) -> tuple[Prospect, Booking]:
        now = instant(booking.created)
        with transaction(self._conn):
            saved_prospect = self._upsert_prospect(prospect, now)
            cur = self._conn.execute(
                "INSERT INTO booking (prospect_id, uid, sequence, status, start_utc, end_utc,"
                " rep_zone, prospect_zone, title, created, updated, ics_path)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    saved_prospect.id,
                    booking.uid,
                    booking.sequence,
                    booking.status.value,
                    instant(booking.start),
                    instant(booking.end),
                    booking.rep_zone,
                    booking.prospect_zone,
                    booking.title,
                    now,
                    instant(booking.updated),
                    booking.ics_path,
                ),
            )
            booking_id = int(cur.lastrowid or 0)
            self._conn.execute(
                "INSERT INTO task (booking_id, kind, due, status) VALUES (?, ?, ?, ?)",
                (booking_id, task.kind.value, day(task.due), task.status.value),
            )
            queue_jobs(self._conn, booking_id, jobs, booking.created)
        saved = self.booking(booking_id)
        assert saved is not None
        return saved_prospect, saved

    def update_booking(
        self, booking: Booking, task: Task | None, jobs: Sequence[NewJob] = ()
    ) -> Booking:
        assert booking.id is not None
        with transaction(self._conn):
            cur = self._conn.execute(
                "UPDATE booking SET sequence = ?, status = ?, start_utc = ?, end_utc = ?,"
                " prospect_zone = ?, title = ?, updated = ? WHERE id = ? AND sequence < ?",
                (
                    booking.sequence,
                    booking.status.value,
                    instant(booking.start),
                    instant(booking.end),
                    booking.prospect_zone,
                    booking.title,
                    instant(booking.updated),
                    booking.id,
                    booking.sequence,
                ),
            )
            if cur.rowcount != 1:
                raise sqlite3.IntegrityError("booking changed meanwhile")
            if task is not None:
                self._conn.execute(
                    "UPDATE task SET due = ?, status = ? WHERE booking_id = ? AND kind = ?",
                    (day(task.due), task.status.value, booking.id, task.kind.value),
                )
            queue_jobs(self._conn, booking.id, jobs, booking.updated)
        saved = self.booking(booking.id)
        assert saved is not None
        return saved

    def set_ics_path(self, booking_id: int, path: str) -> None:
        with transaction(self._conn):
            self._conn.execute("UPDATE booking SET ics_path = ? WHERE id = ?", (path, booking_id))

    def booking(self, booking_id: int) -> Booking | None:
        row = self._conn.execute(
            f"SELECT {BOOKING_COLUMNS} FROM booking WHERE id = ?", (booking_id,)
        ).fetchone()
        return booking_from_row(row) if row else None

    def prospect(self, prospect_id: int) -> Prospect | None:
        row = self._conn.execute(
            f"SELECT {PROSPECT_COLUMNS} FROM prospect WHERE id = ?", (prospect_id,)
        ).fetchone()
        return prospect_from_row(row) if row else None

    def active_bookings(self, start: datetime, end: datetime) -> Sequence[Booking]:
        rows = self._conn.execute(
            f"SELECT {BOOKING_COLUMNS} FROM booking WHERE status = 'booked'"
            " AND start_utc < ? AND end_utc > ? ORDER BY start_utc",
            (instant(end), instant(start)),
        ).fetchall()
        return [booking_from_row(r) for r in rows]

    def prospects_with_next_step(
        self, now: datetime
    ) -> Sequence[tuple[Prospect, Booking | None, Task | None]]:
        """Every prospect with its next booked meeting (if any) and that meeting's task.

        One query, however many prospects: the list is drawn at every start.
        """
        p_cols, b_cols = prefixed(PROSPECT_COLUMNS, "p"), prefixed(BOOKING_COLUMNS, "b")
        t_cols = prefixed(TASK_COLUMNS, "t")
        rows = self._conn.execute(
            f"SELECT {p_cols}, {b_cols}, {t_cols} FROM prospect AS p"
            " LEFT JOIN booking AS b ON b.id = ("
            "   SELECT id FROM booking WHERE prospect_id = p.id AND status = 'booked'"
            "   AND end_utc > ? ORDER BY start_utc LIMIT 1)"
            " LEFT JOIN task AS t ON t.booking_id = b.id AND t.kind = ?"
            " ORDER BY p.name COLLATE NOCASE, p.id",
            (instant(now), TaskKind.CONFIRM_DAY_BEFORE.value),
        ).fetchall()
        n_p, n_b = column_count(PROSPECT_COLUMNS), column_count(BOOKING_COLUMNS)
        result: list[tuple[Prospect, Booking | None, Task | None]] = []
        for row in rows:
            booking_row, task_row = row[n_p : n_p + n_b], row[n_p + n_b :]
            booking = booking_from_row(booking_row) if booking_row[0] is not None else None
            task = _task(task_row) if task_row[0] is not None else None
            result.append((prospect_from_row(row[:n_p]), booking, task))
        return result
