"""The outbox in SQLite: jobs saved with their booking, claimed one at a time, never lost.

Jobs are queued by :func:`queue_jobs` inside the booking's own transaction, so a booking
and what it must send are saved together or not at all. A worker claims a job (waiting ->
sending) in a transaction of its own before any network call; what it finds afterwards is
written at once. At start-up a job still "sending" means the app stopped mid-send:
:meth:`SqliteOutbox.recover` puts CalDAV jobs back to waiting (a PUT is checked before it is
repeated) and marks e-mails "unknown" for the rep to decide, since an e-mail cannot be
un-sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from followup_desk.domain.outbox import Channel, Job, JobKind, JobState, Method, NewJob
from followup_desk.domain.ports import RemoteChanges
from followup_desk.storage.codec import instant, parse_instant
from followup_desk.storage.db import transaction

_COLUMNS = (
    "o.id, o.booking_id, o.channel, o.account, o.uid, o.sequence, o.method, o.payload,"
    " o.recipient, o.state, o.attempts, o.next_try, o.last_error, o.created, o.updated,"
    " COALESCE(r.href, t.href, ''), COALESCE(r.etag, t.etag, ''),"
    " o.kind, o.prospect_id, o.enrolment_id, o.target, o.summary"
)
_COLUMN_COUNT = 22
_FROM = (
    "outbox o LEFT JOIN remote_event r ON r.booking_id = o.booking_id"
    " AND r.account = o.account AND o.channel = 'caldav' AND o.kind = 'invite'"
    " LEFT JOIN remote_task t ON t.uid = o.uid AND t.account = o.account"
    " AND t.calendar = o.target AND o.kind = 'task'"
)


def _optional_id(value: object) -> int | None:
    return int(str(value)) if value is not None else None


def _job(row: Sequence[object]) -> Job:
    return Job(
        id=int(str(row[0])),
        booking_id=_optional_id(row[1]),
        channel=Channel(str(row[2])),
        account=str(row[3]),
        uid=str(row[4]),
        sequence=int(str(row[5])),
        method=Method(str(row[6])),
        payload=bytes(row[7]) if isinstance(row[7], bytes | bytearray | memoryview) else b"",
        recipient=str(row[8]),
        state=JobState(str(row[9])),
        attempts=int(str(row[10])),
        next_try=parse_instant(str(row[11])),
        last_error=str(row[12]),
        created=parse_instant(str(row[13])),
        updated=parse_instant(str(row[14])),
        remote_href=str(row[15]),
        remote_etag=str(row[16]),
        kind=JobKind(str(row[17])),
        prospect_id=_optional_id(row[18]),
        enrolment_id=_optional_id(row[19]),
        target=str(row[20]),
        summary=str(row[21]),
    )


def queue_jobs(
    conn: sqlite3.Connection, booking_id: int, jobs: Iterable[NewJob], at: datetime
) -> None:
    """Queue ``jobs`` for the booking; call inside the booking's transaction.

    A newer state of a booking makes its older unsent jobs on the same channel pointless:
    they are dropped. A cancellation e-mail for an invitation that never left is not sent
    either: the prospect never heard of the meeting.
    """
    now = instant(at)
    row = conn.execute("SELECT prospect_id FROM booking WHERE id = ?", (booking_id,)).fetchone()
    prospect_id = int(row[0]) if row else None
    for job in jobs:
        if job.channel is Channel.ICS:
            continue
        conn.execute(
            "UPDATE outbox SET state = 'dropped', updated = ?,"
            " last_error = 'replaced by a later change of this booking'"
            " WHERE booking_id = ? AND channel = ? AND kind = 'invite'"
            " AND state IN ('waiting', 'held')",
            (now, booking_id, job.channel.value),
        )
        if job.channel is Channel.EMAIL and job.method is Method.CANCEL:
            went = conn.execute(
                "SELECT 1 FROM outbox WHERE booking_id = ? AND channel = 'email'"
                " AND kind = 'invite' AND state IN ('sent', 'sending', 'unknown') LIMIT 1",
                (booking_id,),
            ).fetchone()
            if went is None:
                continue
        _insert(conn, job, now, booking_id=booking_id, prospect_id=prospect_id)


def queue_followup_jobs(
    conn: sqlite3.Connection,
    prospect_id: int,
    enrolment_id: int | None,
    jobs: Iterable[NewJob],
    at: datetime,
) -> None:
    """Queue tasks and follow-up e-mails; call inside the transaction of the change (a touch,
    an enrolment, a snooze, a closed file) that made them.

    A task's newer state makes its older unsent writes pointless: they are dropped. The
    task's UID is recorded with its enrolment and step, so a task completed in another app
    is traced back to the step it stands for.
    """
    now = instant(at)
    for job in jobs:
        if job.kind is JobKind.TASK:
            if enrolment_id is None:
                raise ValueError("a task job needs its enrolment")
            conn.execute(
                "UPDATE outbox SET state = 'dropped', updated = ?,"
                " last_error = 'replaced by a later change of this touch'"
                " WHERE uid = ? AND kind = 'task' AND state IN ('waiting', 'held')",
                (now, job.uid),
            )
            conn.execute(
                "INSERT INTO remote_task (uid, account, calendar, enrolment_id, step)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(uid, account) DO NOTHING",
                (job.uid, job.account, job.target, enrolment_id, job.step),
            )
        enrolment = enrolment_id if job.kind is JobKind.TASK else None
        _insert(conn, job, now, prospect_id=prospect_id, enrolment_id=enrolment)


def _insert(
    conn: sqlite3.Connection,
    job: NewJob,
    now: str,
    *,
    booking_id: int | None = None,
    prospect_id: int | None = None,
    enrolment_id: int | None = None,
) -> None:
    """One job, waiting to be sent: an invite (of a booking), a task or a follow-up e-mail."""
    conn.execute(
        "INSERT INTO outbox (kind, booking_id, prospect_id, enrolment_id, channel, account,"
        " target, summary, uid, sequence, method, payload, recipient, state, attempts,"
        " next_try, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', 0, ?, ?, ?)",
        (
            job.kind.value,
            booking_id,
            prospect_id,
            enrolment_id,
            job.channel.value,
            job.account,
            job.target,
            job.summary,
            job.uid,
            job.sequence,
            job.method.value,
            job.payload,
            job.recipient,
            now,
            now,
            now,
        ),
    )


@dataclass(frozen=True)
class JobRow:
    """A job as the outbox view shows it: with whom it is for and when the meeting is.

    For a task, ``start`` is when it was queued and ``what`` names the touch; for a
    follow-up e-mail, ``what`` is its subject.
    """

    job: Job
    prospect: str
    start: datetime
    error_kind: str
    what: str = ""


def _what(job: Job) -> str:
    """What the job is, in a few words, for the outbox view."""
    if job.kind is JobKind.TASK:
        return f"task: {job.summary}" if job.summary else "task"
    if job.kind is JobKind.MESSAGE:
        return f"e-mail: {job.summary}" if job.summary else "follow-up e-mail"
    if job.channel is Channel.CALDAV:
        return "calendar cancellation" if job.method is Method.CANCEL else "calendar event"
    return "cancellation e-mail" if job.method is Method.CANCEL else "invitation e-mail"


class SqliteOutbox:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def queue(self, booking_id: int, jobs: Sequence[NewJob], at: datetime) -> None:
        with transaction(self._conn):
            queue_jobs(self._conn, booking_id, jobs, at)

    def job(self, job_id: int) -> Job | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE o.id = ?", (job_id,))
        found = row.fetchone()
        return _job(found) if found else None

    def due(self, now: datetime, limit: int = 50) -> list[Job]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM {_FROM} WHERE o.state = 'waiting' AND o.next_try <= ?"
            " ORDER BY o.next_try, o.id LIMIT ?",
            (instant(now), limit),
        ).fetchall()
        return [_job(r) for r in rows]

    def next_wake(self) -> datetime | None:
        row = self._conn.execute(
            "SELECT MIN(next_try) FROM outbox WHERE state = 'waiting'"
        ).fetchone()
        return parse_instant(row[0]) if row and row[0] else None

    def claim(self, job_id: int, at: datetime) -> bool:
        """waiting -> sending; False when another worker (or the rep) took it first."""
        with transaction(self._conn):
            cur = self._conn.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated = ?"
                " WHERE id = ? AND state = 'waiting'",
                (instant(at), job_id),
            )
        return cur.rowcount == 1

    def mark_sent(self, job: Job, at: datetime, href: str = "", etag: str = "") -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE outbox SET state = 'sent', last_error = '', error_kind = '', updated = ?"
                " WHERE id = ?",
                (instant(at), job.id),
            )
            if href and job.kind is JobKind.TASK:
                self._conn.execute(
                    "UPDATE remote_task SET href = ?, etag = ?, calendar = ?"
                    " WHERE uid = ? AND account = ?",
                    (href, etag, job.target, job.uid, job.account),
                )
            elif href and job.booking_id is not None:
                self._conn.execute(
                    "INSERT INTO remote_event (booking_id, account, href, etag)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(booking_id, account)"
                    " DO UPDATE SET href = excluded.href, etag = excluded.etag",
                    (job.booking_id, job.account, href, etag),
                )

    def mark_retry(self, job: Job, at: datetime, error: str, kind: str, next_try: datetime) -> None:
        self._set(job.id, JobState.WAITING, at, error, kind, next_try)

    def mark_held(self, job: Job, at: datetime, error: str, kind: str) -> None:
        self._set(job.id, JobState.HELD, at, error, kind, None)

    def mark_unknown(self, job: Job, at: datetime, error: str, kind: str) -> None:
        """An e-mail that may have gone out: only the rep may send it again."""
        self._set(job.id, JobState.UNKNOWN, at, error, kind, None)

    def _set(
        self,
        job_id: int,
        state: JobState,
        at: datetime,
        error: str,
        kind: str,
        next_try: datetime | None,
    ) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE outbox SET state = ?, last_error = ?, error_kind = ?, updated = ?,"
                " next_try = COALESCE(?, next_try) WHERE id = ?",
                (
                    state.value,
                    error,
                    kind,
                    instant(at),
                    instant(next_try) if next_try else None,
                    job_id,
                ),
            )

    def recover(self, at: datetime, claimed_before: datetime) -> int:
        """After a stop mid-send: CalDAV back to waiting, e-mail to unknown. Only jobs
        claimed before ``claimed_before``: a younger one is another worker's send still
        under way. Returns how many."""
        now, before = instant(at), instant(claimed_before)
        with transaction(self._conn):
            a = self._conn.execute(
                "UPDATE outbox SET state = 'waiting', next_try = ?, updated = ?"
                " WHERE state = 'sending' AND channel = 'caldav' AND updated < ?",
                (now, now, before),
            ).rowcount
            b = self._conn.execute(
                "UPDATE outbox SET state = 'unknown', updated = ?, error_kind = 'unknown',"
                " last_error = 'The app stopped while this e-mail was being sent; it may or"
                " may not have gone out.' WHERE state = 'sending' AND channel = 'email'"
                " AND updated < ?",
                (now, before),
            ).rowcount
        return int(a) + int(b)

    def retry(self, at: datetime, job_ids: Sequence[int] | None = None) -> int:
        """Held and waiting jobs (all, or the given ones) to be tried now. Unknown e-mails
        are retried only when named: sending one again is the rep's decision."""
        now = instant(at)
        with transaction(self._conn):
            if job_ids is None:
                cur = self._conn.execute(
                    "UPDATE outbox SET state = 'waiting', next_try = ?, updated = ?"
                    " WHERE state IN ('waiting', 'held')",
                    (now, now),
                )
                return int(cur.rowcount)
            count = 0
            for job_id in job_ids:
                cur = self._conn.execute(
                    "UPDATE outbox SET state = 'waiting', next_try = ?, updated = ?"
                    " WHERE id = ? AND state IN ('waiting', 'held', 'unknown')",
                    (now, now, job_id),
                )
                count += int(cur.rowcount)
            return count

    def resolve(self, job_id: int, state: JobState, at: datetime, note: str) -> bool:
        """The rep's decision on a held or unknown job: ``sent`` (it arrived) or ``dropped``."""
        with transaction(self._conn):
            cur = self._conn.execute(
                "UPDATE outbox SET state = ?, last_error = ?, updated = ?"
                " WHERE id = ? AND state IN ('waiting', 'held', 'unknown')",
                (state.value, note, instant(at), job_id),
            )
        return cur.rowcount == 1

    def rows(self, *, include_done: bool = True, limit: int = 500) -> list[JobRow]:
        where = "" if include_done else "WHERE o.state NOT IN ('sent', 'dropped')"
        rows = self._conn.execute(
            f"SELECT {_COLUMNS}, COALESCE(p.name, ''), COALESCE(b.start_utc, o.created),"
            f" o.error_kind FROM {_FROM}"
            " LEFT JOIN booking b ON b.id = o.booking_id"
            " LEFT JOIN prospect p ON p.id = COALESCE(b.prospect_id, o.prospect_id)"
            f" {where} ORDER BY CASE o.state WHEN 'held' THEN 0 WHEN 'unknown' THEN 1"
            " WHEN 'sending' THEN 2 WHEN 'waiting' THEN 3 ELSE 4 END, o.updated DESC, o.id DESC"
            " LIMIT ?",
            (limit,),
        ).fetchall()
        n = _COLUMN_COUNT
        found = []
        for r in rows:
            job = _job(r[:n])
            found.append(
                JobRow(job, str(r[n]), parse_instant(str(r[n + 1])), str(r[n + 2]), _what(job))
            )
        return found

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        return {str(state): int(n) for state, n in rows}

    def remote(self, booking_id: int, account: str) -> tuple[str, str]:
        row = self._conn.execute(
            "SELECT href, etag FROM remote_event WHERE booking_id = ? AND account = ?",
            (booking_id, account),
        ).fetchone()
        return (str(row[0]), str(row[1])) if row else ("", "")

    def remote_events(self, account: str) -> list[tuple[int, str, str]]:
        """(booking id, href, uid) of every booking on ``account``'s server."""
        rows = self._conn.execute(
            "SELECT r.booking_id, r.href, b.uid FROM remote_event r"
            " JOIN booking b ON b.id = r.booking_id WHERE r.account = ?",
            (account,),
        ).fetchall()
        return [(int(a), str(b), str(c)) for a, b, c in rows]

    def set_reply(self, booking_id: int, reply: str, at: datetime) -> bool:
        with transaction(self._conn):
            cur = self._conn.execute(
                "UPDATE booking SET reply = ?, reply_at = ? WHERE id = ? AND reply != ?",
                (reply, instant(at), booking_id, reply),
            )
        return cur.rowcount == 1

    def channels_used(self, booking_id: int) -> list[str]:
        """The network channels the booking's invite went (or is going) out on."""
        rows = self._conn.execute(
            "SELECT DISTINCT channel FROM outbox WHERE booking_id = ? AND kind = 'invite'"
            " AND state != 'dropped'"
            " ORDER BY channel",
            (booking_id,),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def channels_by_booking(self) -> dict[int, list[str]]:
        """:meth:`channels_used` for every booking at once (the prospects list)."""
        found: dict[int, list[str]] = {}
        for booking_id, channel in self._conn.execute(
            "SELECT DISTINCT booking_id, channel FROM outbox WHERE kind = 'invite'"
            " AND state != 'dropped' ORDER BY booking_id, channel"
        ):
            found.setdefault(int(booking_id), []).append(str(channel))
        return found

    def booking_by_uid(self, uid: str) -> int | None:
        row = self._conn.execute("SELECT id FROM booking WHERE uid = ?", (uid,)).fetchone()
        return int(row[0]) if row else None


class SqliteCalDavItems:
    """The :class:`~followup_desk.domain.ports.CalDavItemStore` in SQLite."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def token(self, source: str) -> str:
        row = self._conn.execute(
            "SELECT token FROM caldav_sync WHERE source = ?", (source,)
        ).fetchone()
        return str(row[0]) if row else ""

    def apply(self, source: str, changes: RemoteChanges) -> None:
        with transaction(self._conn):
            if changes.full:
                self._conn.execute("DELETE FROM caldav_item WHERE source = ?", (source,))
            self._conn.executemany(
                "DELETE FROM caldav_item WHERE source = ? AND href = ?",
                [(source, href) for href in changes.deleted],
            )
            self._conn.executemany(
                "INSERT INTO caldav_item (source, href, etag, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(source, href) DO UPDATE SET etag = excluded.etag,"
                " data = excluded.data",
                [(source, o.href, o.etag, o.data) for o in changes.changed],
            )
            self._conn.execute(
                "INSERT INTO caldav_sync (source, token) VALUES (?, ?)"
                " ON CONFLICT(source) DO UPDATE SET token = excluded.token",
                (source, changes.token),
            )

    def items(self, source: str) -> list[bytes]:
        rows = self._conn.execute(
            "SELECT data FROM caldav_item WHERE source = ? ORDER BY href", (source,)
        ).fetchall()
        return [bytes(r[0]) for r in rows]
