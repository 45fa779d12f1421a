"""The database: created migrated, WAL, foreign keys on; refuses what it cannot read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from followup_desk.errors import StorageError
from followup_desk.storage import db
from followup_desk.storage.db import SCHEMA_VERSION, connect, transaction


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "followup-desk.sqlite3"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    with closing(connect(db_path)) as opened:
        yield opened


def _pragma(conn: sqlite3.Connection, name: str) -> object:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def _add_prospect(conn: sqlite3.Connection, email: str) -> None:
    conn.execute(
        "INSERT INTO prospect (name, email, email_key, time_zone, created, updated)"
        " VALUES (?, ?, ?, 'UTC', '2026-11-23T09:00:00+00:00', '2026-11-23T09:00:00+00:00')",
        ("Ana", email, email.lower()),
    )


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_a_new_database_is_at_the_current_schema_version(conn: sqlite3.Connection) -> None:
    assert SCHEMA_VERSION >= 1
    assert _pragma(conn, "user_version") == SCHEMA_VERSION


def test_a_new_database_uses_wal_and_enforces_foreign_keys(conn: sqlite3.Connection) -> None:
    assert _pragma(conn, "journal_mode") == "wal"
    assert _pragma(conn, "foreign_keys") == 1
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO task (booking_id, kind, due, status)"
            " VALUES (999, 'confirm', '2026-12-01', 'open')"
        )


def test_the_folder_of_a_new_database_is_created(db_path: Path) -> None:
    assert not db_path.parent.exists()
    with closing(connect(db_path)):
        pass
    assert db_path.is_file()


def test_reopening_keeps_the_data_and_does_not_migrate_again(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with closing(connect(db_path)) as first, transaction(first):
        _add_prospect(first, "ana@example.com")

    scripts_run: list[str] = []
    original = db._statements

    def spy(script: str) -> list[str]:
        scripts_run.append(script)
        return original(script)

    monkeypatch.setattr(db, "_statements", spy)
    with closing(connect(db_path)) as again:
        assert _pragma(again, "user_version") == SCHEMA_VERSION
        assert _pragma(again, "foreign_keys") == 1
        assert _count(again, "prospect") == 1
    assert scripts_run == []


def test_a_database_from_a_newer_version_is_refused_with_a_sentence(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(db_path)) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StorageError) as caught:
        connect(db_path)
    message = str(caught.value)
    assert "newer Followup Desk" in message
    assert str(SCHEMA_VERSION + 5) in message
    assert "Update the app" in message
    # the refused file is left as it was
    with closing(sqlite3.connect(db_path)) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5


def test_a_file_that_is_not_sqlite_is_refused_with_a_sentence(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = b"these are not the droids you are looking for\n" * 100
    db_path.write_bytes(garbage)
    with pytest.raises(StorageError) as caught:
        connect(db_path)
    message = str(caught.value)
    assert str(db_path) in message
    assert "not a Followup Desk database" in message
    assert db_path.read_bytes() == garbage


@pytest.mark.parametrize("kind", ["newer", "not-sqlite"])
def test_a_refused_database_is_not_left_open(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A refused file can be moved aside at once (Windows keeps open files locked)."""
    db_path.parent.mkdir(parents=True)
    if kind == "newer":
        with closing(sqlite3.connect(db_path)) as raw:
            raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        db_path.write_bytes(b"\x00garbage" * 500)
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def recording_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    with pytest.raises(StorageError):
        connect(db_path)
    assert len(opened) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")


def test_a_database_that_cannot_be_created_is_refused_with_a_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(StorageError) as caught:
        connect(blocker / "data" / "followup-desk.sqlite3")
    assert "could not be opened" in str(caught.value)


def test_a_failing_statement_rolls_back_the_whole_transaction(
    conn: sqlite3.Connection,
) -> None:
    with transaction(conn):
        _add_prospect(conn, "kept@example.com")
    with pytest.raises(sqlite3.IntegrityError), transaction(conn):
        _add_prospect(conn, "new@example.com")
        conn.execute("UPDATE prospect SET name = 'Changed'")
        _add_prospect(conn, "KEPT@example.com")  # same email_key: UNIQUE fails
    rows = conn.execute("SELECT name, email FROM prospect").fetchall()
    assert rows == [("Ana", "kept@example.com")]
    assert not conn.in_transaction


def test_an_error_raised_by_our_code_also_rolls_back(conn: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError, match="half-way"), transaction(conn):
        _add_prospect(conn, "ana@example.com")
        raise RuntimeError("stopped half-way")
    assert _count(conn, "prospect") == 0
    with transaction(conn):  # the connection is usable afterwards
        _add_prospect(conn, "ana@example.com")
    assert _count(conn, "prospect") == 1


def test_a_committed_transaction_is_seen_by_another_connection(
    db_path: Path, conn: sqlite3.Connection
) -> None:
    with transaction(conn):
        _add_prospect(conn, "ana@example.com")
    with closing(sqlite3.connect(db_path)) as other:
        assert _count(other, "prospect") == 1


def test_a_database_from_the_first_release_is_upgraded_and_keeps_its_prospects(
    db_path: Path,
) -> None:
    db_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(db_path, isolation_level=None)) as raw:
        raw.executescript(db.MIGRATIONS[0])
        raw.execute(
            "INSERT INTO prospect (name, email, email_key, time_zone, created, updated)"
            " VALUES ('Dana', 'dana@example.com', 'dana@example.com', 'UTC', 'x', 'x')"
        )
        raw.execute("PRAGMA user_version = 1")

    with closing(connect(db_path)) as conn:
        assert _pragma(conn, "user_version") == SCHEMA_VERSION
        row = conn.execute("SELECT name, channels, follow_up_channel FROM prospect").fetchone()
    assert row == ("Dana", "", "")
