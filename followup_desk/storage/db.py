"""Opening the database: WAL, foreign keys, and migrations keyed by ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from followup_desk.domain.review import name_key
from followup_desk.errors import StorageError

log = logging.getLogger(__name__)

# Each entry moves the schema from version i to i + 1. Never edit a shipped entry: add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE prospect (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL UNIQUE,
        time_zone TEXT NOT NULL,
        company TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        follow_up_said TEXT NOT NULL DEFAULT '',
        follow_up_stated TEXT,
        follow_up_suggested TEXT,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE booking (
        id INTEGER PRIMARY KEY,
        prospect_id INTEGER NOT NULL REFERENCES prospect(id) ON DELETE RESTRICT,
        uid TEXT NOT NULL UNIQUE,
        sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
        status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
        start_utc TEXT NOT NULL,
        end_utc TEXT NOT NULL,
        rep_zone TEXT NOT NULL,
        prospect_zone TEXT NOT NULL,
        title TEXT NOT NULL,
        ics_path TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        CHECK (end_utc > start_utc)
    );
    CREATE INDEX booking_by_start ON booking(status, start_utc);
    CREATE INDEX booking_by_prospect ON booking(prospect_id, start_utc);
    CREATE TABLE task (
        id INTEGER PRIMARY KEY,
        booking_id INTEGER NOT NULL REFERENCES booking(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
        UNIQUE (booking_id, kind)
    );
    CREATE TABLE busy_source (
        source TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        zone TEXT NOT NULL,
        window_start TEXT NOT NULL,
        window_end TEXT NOT NULL,
        loaded_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        warnings TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE busy_block (
        source TEXT NOT NULL REFERENCES busy_source(source) ON DELETE CASCADE,
        start_ts INTEGER NOT NULL,
        end_ts INTEGER NOT NULL,
        all_day INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX busy_block_by_source ON busy_block(source, start_ts);
    CREATE TABLE app_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the channels a prospect uses and the one they want to be followed up on (seed 003)
    """
    ALTER TABLE prospect ADD COLUMN channels TEXT NOT NULL DEFAULT '';
    ALTER TABLE prospect ADD COLUMN follow_up_channel TEXT NOT NULL DEFAULT '';
    """,
    # 3: after the meeting: outcomes, touches, closing and snoozing files, cadences and
    # enrolments. The review reads last_in_at/last_out_at and an enrolment's next_due,
    # kept up to date in the same transaction as each touch, so it never scans touches.
    """
    ALTER TABLE booking ADD COLUMN outcome TEXT
        CHECK (outcome IN ('held', 'no-show', 'rescheduled', 'cancelled'));
    ALTER TABLE booking ADD COLUMN outcome_at TEXT;
    ALTER TABLE prospect ADD COLUMN closed_at TEXT;
    ALTER TABLE prospect ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE prospect ADD COLUMN snoozed_until TEXT;
    ALTER TABLE prospect ADD COLUMN last_in_at TEXT;
    ALTER TABLE prospect ADD COLUMN last_out_at TEXT;
    CREATE TABLE cadence (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        builtin INTEGER NOT NULL DEFAULT 0,
        updated TEXT NOT NULL
    );
    CREATE TABLE enrolment (
        id INTEGER PRIMARY KEY,
        prospect_id INTEGER NOT NULL REFERENCES prospect(id) ON DELETE CASCADE,
        cadence_key TEXT NOT NULL,
        cadence_name TEXT NOT NULL,
        cadence_body TEXT NOT NULL,
        started TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'stopped', 'finished')),
        stopped_reason TEXT NOT NULL DEFAULT '',
        snoozes TEXT NOT NULL DEFAULT '',
        done_steps TEXT NOT NULL DEFAULT '',
        next_due TEXT,
        next_what TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX one_active_enrolment ON enrolment(prospect_id)
        WHERE status = 'active';
    CREATE TABLE touch (
        id INTEGER PRIMARY KEY,
        prospect_id INTEGER NOT NULL REFERENCES prospect(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        channel TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
        note TEXT NOT NULL DEFAULT '',
        enrolment_id INTEGER REFERENCES enrolment(id) ON DELETE SET NULL,
        step INTEGER
    );
    CREATE INDEX touch_by_prospect ON touch(prospect_id, at);
    CREATE INDEX booking_for_review ON booking(prospect_id, status, outcome, end_utc);
    """,
    # 4: the review's counts per week, kept as the review is built, for the pipeline chart
    """
    CREATE TABLE review_week (
        week TEXT NOT NULL,
        grp TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (week, grp)
    );
    """,
    # 5: accounts (never their passwords), the outbox, where bookings live on CalDAV servers,
    # the local copy of busy CalDAV calendars, and the prospect's reply to each invite
    """
    CREATE TABLE account (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('caldav', 'smtp')),
        config TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        booking_id INTEGER NOT NULL REFERENCES booking(id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('caldav', 'email')),
        account TEXT NOT NULL,
        uid TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
        payload BLOB NOT NULL,
        recipient TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL
            CHECK (state IN ('waiting', 'sending', 'sent', 'held', 'unknown', 'dropped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        error_kind TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox(state, next_try);
    CREATE INDEX outbox_by_booking ON outbox(booking_id, channel);
    CREATE TABLE remote_event (
        booking_id INTEGER NOT NULL REFERENCES booking(id) ON DELETE CASCADE,
        account TEXT NOT NULL,
        href TEXT NOT NULL,
        etag TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (booking_id, account)
    );
    CREATE TABLE caldav_sync (
        source TEXT PRIMARY KEY,
        token TEXT NOT NULL
    );
    CREATE TABLE caldav_item (
        source TEXT NOT NULL,
        href TEXT NOT NULL,
        etag TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (source, href)
    );
    ALTER TABLE booking ADD COLUMN reply TEXT NOT NULL DEFAULT '';
    ALTER TABLE booking ADD COLUMN reply_at TEXT;
    """,
    # 6: the outbox carries more than invites: due touches as tasks (VTODO) on the CalDAV
    # server and cadence messages by e-mail. SQLite cannot change a CHECK or a NOT NULL in
    # place, so the table is rebuilt (every row kept, ids too); nothing refers to it.
    # Each enrolment gets a random key for its tasks' UIDs (unique across the rep's team).
    """
    CREATE TABLE outbox_v6 (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'invite' CHECK (kind IN ('invite', 'task', 'message')),
        booking_id INTEGER REFERENCES booking(id) ON DELETE CASCADE,
        prospect_id INTEGER REFERENCES prospect(id) ON DELETE CASCADE,
        enrolment_id INTEGER REFERENCES enrolment(id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('caldav', 'email')),
        account TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        uid TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
        payload BLOB NOT NULL,
        recipient TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL
            CHECK (state IN ('waiting', 'sending', 'sent', 'held', 'unknown', 'dropped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        error_kind TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        CHECK (kind != 'invite' OR booking_id IS NOT NULL),
        CHECK (kind != 'task' OR (enrolment_id IS NOT NULL AND channel = 'caldav')),
        CHECK (kind != 'message' OR (prospect_id IS NOT NULL AND channel = 'email'))
    );
    INSERT INTO outbox_v6 (id, kind, booking_id, prospect_id, channel, account, uid, sequence,
        method, payload, recipient, state, attempts, next_try, last_error, error_kind,
        created, updated)
    SELECT o.id, 'invite', o.booking_id, b.prospect_id, o.channel, o.account, o.uid,
        o.sequence, o.method, o.payload, o.recipient, o.state, o.attempts, o.next_try,
        o.last_error, o.error_kind, o.created, o.updated
    FROM outbox AS o LEFT JOIN booking AS b ON b.id = o.booking_id;
    DROP TABLE outbox;
    ALTER TABLE outbox_v6 RENAME TO outbox;
    CREATE INDEX outbox_due ON outbox(state, next_try);
    CREATE INDEX outbox_by_booking ON outbox(booking_id, channel);
    CREATE INDEX outbox_by_uid ON outbox(uid, kind);
    CREATE TABLE remote_task (
        uid TEXT NOT NULL,
        account TEXT NOT NULL,
        calendar TEXT NOT NULL,
        enrolment_id INTEGER NOT NULL REFERENCES enrolment(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        href TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (uid, account)
    );
    ALTER TABLE enrolment ADD COLUMN task_key TEXT NOT NULL DEFAULT '';
    UPDATE enrolment SET task_key = lower(hex(randomblob(8)));
    """,
    # 7: the review is counted and sorted by SQLite from three indexes over the prospect row,
    # so it never reads every prospect's bookings and enrolment, and shows a group's first
    # rows without sorting the rest. Kept on the row: booked_until (the end of the last
    # booked meeting: one is to come while it lies ahead) and unanswered_from (the end of
    # the first booked meeting with no outcome: the question waits once it has passed), by
    # triggers on booking; the active enrolment's next touch, by triggers on enrolment; and
    # name_key (the name as the review sorts it, Python's lower(), written by the prospect
    # store). Computed from them: due_key (the date that comes due, as domain.review.due_of
    # works it out, save that a snooze alone counts only while it lies ahead: held says so),
    # and since (the last touch, or the file's creation).
    """
    ALTER TABLE prospect ADD COLUMN booked_until TEXT;
    ALTER TABLE prospect ADD COLUMN unanswered_from TEXT;
    ALTER TABLE prospect ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE prospect ADD COLUMN cadence_name TEXT;
    ALTER TABLE prospect ADD COLUMN cadence_due TEXT;
    ALTER TABLE prospect ADD COLUMN cadence_what TEXT;
    UPDATE prospect SET name_key = followup_name_key(name),
        booked_until = (SELECT MAX(end_utc) FROM booking
            WHERE prospect_id = prospect.id AND status = 'booked'),
        unanswered_from = (SELECT MIN(end_utc) FROM booking
            WHERE prospect_id = prospect.id AND status = 'booked' AND outcome IS NULL),
        (cadence_name, cadence_due, cadence_what) = (SELECT cadence_name, next_due, next_what
            FROM enrolment WHERE prospect_id = prospect.id AND status = 'active');
    ALTER TABLE prospect ADD COLUMN held INTEGER
        GENERATED ALWAYS AS (cadence_due IS NULL AND follow_up_suggested IS NULL) VIRTUAL;
    ALTER TABLE prospect ADD COLUMN due_key TEXT GENERATED ALWAYS AS (
        CASE
            WHEN cadence_due IS NULL AND follow_up_suggested IS NULL THEN snoozed_until
            ELSE MAX(
                MIN(COALESCE(cadence_due, follow_up_suggested),
                    COALESCE(follow_up_suggested, cadence_due)),
                COALESCE(snoozed_until, ''))
        END) VIRTUAL;
    ALTER TABLE prospect ADD COLUMN since TEXT GENERATED ALWAYS AS (
        COALESCE(MAX(last_in_at, last_out_at), last_in_at, last_out_at, created)) VIRTUAL;
    CREATE INDEX review_by_due ON prospect(due_key, name_key, id, held, booked_until,
        unanswered_from, since, last_in_at, last_out_at) WHERE closed_at IS NULL;
    CREATE INDEX review_by_since ON prospect(since, name_key, id, held, due_key, booked_until,
        unanswered_from, last_in_at, last_out_at) WHERE closed_at IS NULL;
    CREATE INDEX review_by_name ON prospect(name_key, id, held, due_key, booked_until,
        unanswered_from, since, last_in_at, last_out_at) WHERE closed_at IS NULL;
    CREATE TRIGGER booking_added AFTER INSERT ON booking BEGIN
        UPDATE prospect SET
            booked_until = (SELECT MAX(end_utc) FROM booking
                WHERE prospect_id = NEW.prospect_id AND status = 'booked'),
            unanswered_from = (SELECT MIN(end_utc) FROM booking
                WHERE prospect_id = NEW.prospect_id AND status = 'booked' AND outcome IS NULL)
        WHERE id = NEW.prospect_id;
    END;
    CREATE TRIGGER booking_changed
        AFTER UPDATE OF prospect_id, status, end_utc, outcome ON booking BEGIN
        UPDATE prospect SET
            booked_until = (SELECT MAX(end_utc) FROM booking
                WHERE prospect_id = prospect.id AND status = 'booked'),
            unanswered_from = (SELECT MIN(end_utc) FROM booking
                WHERE prospect_id = prospect.id AND status = 'booked' AND outcome IS NULL)
        WHERE id IN (OLD.prospect_id, NEW.prospect_id);
    END;
    CREATE TRIGGER booking_removed AFTER DELETE ON booking BEGIN
        UPDATE prospect SET
            booked_until = (SELECT MAX(end_utc) FROM booking
                WHERE prospect_id = OLD.prospect_id AND status = 'booked'),
            unanswered_from = (SELECT MIN(end_utc) FROM booking
                WHERE prospect_id = OLD.prospect_id AND status = 'booked' AND outcome IS NULL)
        WHERE id = OLD.prospect_id;
    END;
    CREATE TRIGGER enrolment_added AFTER INSERT ON enrolment BEGIN
        UPDATE prospect SET (cadence_name, cadence_due, cadence_what) = (
            SELECT cadence_name, next_due, next_what FROM enrolment
            WHERE prospect_id = NEW.prospect_id AND status = 'active')
        WHERE id = NEW.prospect_id;
    END;
    CREATE TRIGGER enrolment_changed AFTER UPDATE OF prospect_id, status, cadence_name,
        next_due, next_what ON enrolment BEGIN
        UPDATE prospect SET (cadence_name, cadence_due, cadence_what) = (
            SELECT cadence_name, next_due, next_what FROM enrolment
            WHERE prospect_id = prospect.id AND status = 'active')
        WHERE id IN (OLD.prospect_id, NEW.prospect_id);
    END;
    CREATE TRIGGER enrolment_removed AFTER DELETE ON enrolment BEGIN
        UPDATE prospect SET (cadence_name, cadence_due, cadence_what) = (
            SELECT cadence_name, next_due, next_what FROM enrolment
            WHERE prospect_id = OLD.prospect_id AND status = 'active')
        WHERE id = OLD.prospect_id;
    END;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"The database {path} could not be opened ({exc}). "
            "Check that the folder exists and is writable."
        ) from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(
            f"The database {path} is damaged or is not a Followup Desk database ({exc}). "
            "Restore it from a backup, or move it aside to start afresh."
        ) from exc
    except BaseException:
        conn.close()  # a refused database (newer schema) must not stay open and locked
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The database was written by a newer Followup Desk (schema {version}, this "
            f"version knows {SCHEMA_VERSION}). Update the app to open it."
        )
    # migration 7 fills the sort key of names already stored with the store's own function
    conn.create_function("followup_name_key", 1, name_key, deterministic=True)
    for target in range(version, SCHEMA_VERSION):
        log.info("migrating database schema %s -> %s", target, target + 1)
        with transaction(conn):
            for statement in _statements(MIGRATIONS[target]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target + 1}")


def _statements(script: str) -> list[str]:
    """The script's statements, one by one: a trigger's body keeps its own semicolons."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Several reads that see the database as it was at the first (WAL keeps that view
    while other connections write); nothing is written. Inside a transaction already, the
    reads are part of it."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing change: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
