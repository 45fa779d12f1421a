"""Migration 6: the outbox of a version-5 database becomes one that also carries tasks and
follow-up e-mails, with every row kept (ids, states, payloads) and still readable."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followup_desk.domain.outbox import Channel, JobKind, JobState, Method
from followup_desk.storage import db
from followup_desk.storage.db import SCHEMA_VERSION, connect
from followup_desk.storage.outbox import SqliteOutbox

T = "2026-11-23T09:00:00+00:00"


def version_5(path: Path) -> None:
    """A database as Followup Desk wrote it before tasks: a booking, two invite jobs, one
    enrolment."""
    with closing(sqlite3.connect(path)) as raw:
        for script in db.MIGRATIONS[:5]:
            raw.executescript(script)
        raw.execute("PRAGMA user_version = 5")
        raw.execute(
            "INSERT INTO prospect (id, name, email, email_key, time_zone, created, updated)"
            " VALUES (7, 'Ana Silva', 'ana@example.com', 'ana@example.com', 'UTC', ?, ?)",
            (T, T),
        )
        raw.execute(
            "INSERT INTO booking (id, prospect_id, uid, status, start_utc, end_utc, rep_zone,"
            " prospect_zone, title, created, updated) VALUES (3, 7, 'b-1@fd', 'booked',"
            " '2026-11-25T09:00:00+00:00', '2026-11-25T09:30:00+00:00', 'UTC', 'UTC',"
            " 'Ana: next step', ?, ?)",
            (T, T),
        )
        for job_id, channel, state in ((11, "caldav", "waiting"), (12, "email", "sent")):
            raw.execute(
                "INSERT INTO outbox (id, booking_id, channel, account, uid, sequence, method,"
                " payload, recipient, state, attempts, next_try, last_error, error_kind,"
                " created, updated) VALUES (?, 3, ?, 'work', 'b-1@fd', 0, 'REQUEST', ?,"
                " 'ana@example.com', ?, 1, ?, 'timed out', 'timeout', ?, ?)",
                (job_id, channel, b"BEGIN:VCALENDAR", state, T, T, T),
            )
        raw.execute(
            "INSERT INTO enrolment (prospect_id, cadence_key, cadence_name, cadence_body,"
            " started, status) VALUES (7, 'short-email', 'Short', '', '2026-11-23', 'active')"
        )
        raw.commit()


def test_a_version_5_outbox_is_kept_whole_at_version_6(tmp_path: Path) -> None:
    path = tmp_path / "fd.sqlite3"
    version_5(path)
    with closing(connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 6
        rows = sorted(SqliteOutbox(conn).rows(), key=lambda r: r.job.id)
        assert [(r.job.id, r.job.channel, r.job.state) for r in rows] == [
            (11, Channel.CALDAV, JobState.WAITING),
            (12, Channel.EMAIL, JobState.SENT),
        ]
        job = rows[0].job
        assert (job.kind, job.booking_id, job.prospect_id) == (JobKind.INVITE, 3, 7)
        assert (job.method, job.payload, job.attempts, job.last_error) == (
            Method.REQUEST, b"BEGIN:VCALENDAR", 1, "timed out",
        )  # fmt: skip
        assert rows[0].prospect == "Ana Silva" and rows[0].what == "calendar event"
        assert rows[0].start == datetime(2026, 11, 25, 9, tzinfo=UTC)
        # the waiting invite is still due; the enrolment got a key for its tasks' UIDs
        assert [j.id for j in SqliteOutbox(conn).due(datetime(2026, 11, 24, tzinfo=UTC))] == [11]
        (key,) = conn.execute("SELECT task_key FROM enrolment").fetchone()
        assert len(key) == 16
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_new_outbox_takes_tasks_and_still_refuses_nonsense(tmp_path: Path) -> None:
    path = tmp_path / "fd.sqlite3"
    version_5(path)
    with closing(connect(path)) as conn:
        conn.execute(
            "INSERT INTO outbox (kind, prospect_id, enrolment_id, channel, account, uid,"
            " sequence, method, payload, state, next_try, created, updated) VALUES ('task',"
            " 7, 1, 'caldav', 'work', 't-1@fd', 0, 'REQUEST', x'00', 'waiting', ?, ?, ?)",
            (T, T, T),
        )
        with pytest.raises(sqlite3.IntegrityError):  # an invite needs its booking
            conn.execute(
                "INSERT INTO outbox (kind, channel, account, uid, sequence, method, payload,"
                " state, next_try, created, updated) VALUES ('invite', 'caldav', 'work',"
                " 'x@fd', 0, 'REQUEST', x'00', 'waiting', ?, ?, ?)",
                (T, T, T),
            )
        with pytest.raises(sqlite3.IntegrityError):  # a task goes to a CalDAV server
            conn.execute(
                "INSERT INTO outbox (kind, prospect_id, enrolment_id, channel, account, uid,"
                " sequence, method, payload, state, next_try, created, updated) VALUES"
                " ('task', 7, 1, 'email', 'work', 't-2@fd', 0, 'REQUEST', x'00', 'waiting',"
                " ?, ?, ?)",
                (T, T, T),
            )
        (row,) = [r for r in SqliteOutbox(conn).rows() if r.job.kind is JobKind.TASK]
        assert row.job.booking_id is None and row.prospect == "Ana Silva"
