"""Migration 7: a version-6 database gets the columns the review is grouped and sorted by,
filled from the bookings and enrolments already there, so the rep's review reads the same
the moment they update."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from followup_desk.domain.review import Group, build_review, review_bounds
from followup_desk.storage import db, review_query
from followup_desk.storage.db import SCHEMA_VERSION, connect
from followup_desk.storage.followups import SqliteFollowupStore

T = "2026-11-02T09:00:00+00:00"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEEKDAYS = frozenset(range(5))


def version_6(path: Path) -> None:
    """Four prospects as Followup Desk wrote them before migration 7: Émile with a meeting
    to come, Ana whose meeting is over and unanswered, Bo in a cadence with a touch due
    today, and Cy who was met and never touched since."""
    with closing(sqlite3.connect(path)) as raw:
        for script in db.MIGRATIONS[:6]:
            for statement in db._statements(script):
                raw.execute(statement)
        raw.execute("PRAGMA user_version = 6")
        for pid, name in ((1, "Émile Zola"), (2, "Ana Silva"), (3, "Bo Berg"), (4, "Cy Tan")):
            raw.execute(
                "INSERT INTO prospect (id, name, email, email_key, time_zone, created, updated)"
                " VALUES (?, ?, ?, ?, 'UTC', ?, ?)",
                (pid, name, f"{pid}@example.com", f"{pid}@example.com", T, T),
            )
        for bid, pid, start, end in (
            (1, 1, "2026-11-30T09:00:00+00:00", "2026-11-30T09:30:00+00:00"),
            (2, 2, "2026-11-20T09:00:00+00:00", "2026-11-20T09:30:00+00:00"),
        ):
            raw.execute(
                "INSERT INTO booking (id, prospect_id, uid, status, start_utc, end_utc,"
                " rep_zone, prospect_zone, title, created, updated)"
                " VALUES (?, ?, ?, 'booked', ?, ?, 'UTC', 'UTC', 'Next step', ?, ?)",
                (bid, pid, f"b-{bid}@fd", start, end, T, T),
            )
        raw.execute(
            "INSERT INTO enrolment (prospect_id, cadence_key, cadence_name, cadence_body,"
            " started, status, next_due, next_what) VALUES (3, 'short-email', 'Short', '',"
            " '2026-11-19', 'active', '2026-11-23', 'email')"
        )
        raw.commit()


def test_a_version_6_database_reviews_the_same_at_version_7(tmp_path: Path) -> None:
    path = tmp_path / "fd.sqlite3"
    version_6(path)
    with closing(connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 7
        assert conn.execute("SELECT name_key FROM prospect WHERE id = 1").fetchone() == (
            "émile zola",
        )
        bounds = review_bounds(NOW, NOW.date(), WEEKDAYS)
        sizes, rows = review_query.first_rows(conn, bounds, None)
        grouped = {g: [f.prospect_id for h, f, _ in rows if h is g] for g in Group if sizes.get(g)}
        assert grouped == {
            Group.DUE_TODAY: [3],
            Group.STALE: [4],
            Group.NO_NEXT_STEP: [2],  # say whether the meeting happened
        }
        rules = build_review(SqliteFollowupStore(conn).review_facts(NOW), NOW.date(), WEEKDAYS)
        assert {g: n for g, n in rules.counts().items() if n} == {g: 1 for g in grouped}
        assert [f.cadence for g, f, _ in rows if g is Group.DUE_TODAY] == ["Short"]
