"""Due touches as tasks on the CalDAV server, in SQLite: which UID stands for which
enrolment step, the next SEQUENCE of each, the meeting a prospect's tasks relate to, and
the sync token of each task list read back."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from followup_desk.storage.codec import parse_instant
from followup_desk.storage.db import transaction


class SqliteTaskLedger:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def next_sequence(self, uid: str) -> int:
        """The SEQUENCE the task's next write carries: one more than any queued before."""
        row = self._conn.execute(
            "SELECT MAX(sequence) FROM outbox WHERE uid = ? AND kind = 'task'", (uid,)
        ).fetchone()
        return int(row[0]) + 1 if row and row[0] is not None else 0

    def step_of(self, uid: str) -> tuple[int, int, int] | None:
        """(prospect id, enrolment id, step) of one of our tasks, or None when not ours."""
        row = self._conn.execute(
            "SELECT e.prospect_id, t.enrolment_id, t.step FROM remote_task t"
            " JOIN enrolment e ON e.id = t.enrolment_id WHERE t.uid = ? LIMIT 1",
            (uid,),
        ).fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row else None

    def meeting_uid(self, prospect_id: int) -> str:
        """The UID of the prospect's latest meeting (to come or past), "" when none."""
        return self._meeting(prospect_id)[0]

    def meeting_start(self, prospect_id: int) -> datetime | None:
        """When the prospect's latest meeting (to come or past) starts, None when none."""
        start = self._meeting(prospect_id)[1]
        return parse_instant(start) if start else None

    def _meeting(self, prospect_id: int) -> tuple[str, str]:
        row = self._conn.execute(
            "SELECT uid, start_utc FROM booking WHERE prospect_id = ? AND status = 'booked'"
            " ORDER BY start_utc DESC LIMIT 1",
            (prospect_id,),
        ).fetchone()
        return (str(row[0]), str(row[1])) if row else ("", "")

    def token(self, source: str) -> str:
        row = self._conn.execute(
            "SELECT token FROM caldav_sync WHERE source = ?", (source,)
        ).fetchone()
        return str(row[0]) if row else ""

    def set_token(self, source: str, token: str) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO caldav_sync (source, token) VALUES (?, ?)"
                " ON CONFLICT(source) DO UPDATE SET token = excluded.token",
                (source, token),
            )
