"""Backup and restore as a rep uses them: one file out, the same data back, refusals in a sentence.

The command line runs as a real process on the test's own FOLLOWUP_DESK_HOME, with the
clock pinned by --now where a booking is made.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from followup_desk import APP_ID, __version__
from followup_desk.paths import AppPaths
from followup_desk.storage import db
from followup_desk.storage.backup import checked_backup, write_backup
from followup_desk.storage.db import SCHEMA_VERSION, connect
from tests.conftest import SettingsWriter
from tests.integration.test_cli import Cli, ok, ok_json, refused, saved_bookings

NOW = "2026-11-23T10:00"
MOMENT = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture
def cli(fd_home: AppPaths, tmp_path: Path) -> Cli:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "FOLLOWUP_DESK_HOME": str(fd_home.data_dir.parent)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "followup_desk", *args],
            env=env,
            cwd=elsewhere,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return run


def book(cli: Cli, name: str, start: str) -> dict[str, Any]:
    email = name.split()[0].lower() + "@example.com"
    result: dict[str, Any] = ok_json(
        cli("book", "--name", name, "--email", email, "--start", start, "--now", NOW, "--json")
    )
    return result


def listing(cli: Cli) -> list[Any]:
    rows: list[Any] = ok_json(cli("list", "--json"))
    return rows


def members(backup: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(backup) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(backup: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of ``backup`` with its members changed, the manifest's checksums made to match."""
    files = members(backup)
    change(files)
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        data = files[entry["name"]]
        entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def asides(paths: AppPaths) -> list[Path]:
    return sorted(paths.data_dir.glob("before-restore-*.zip"))


def leftovers(paths: AppPaths) -> list[Path]:
    """Work folders and temp files a restore must not leave behind."""
    return [p for p in paths.data_dir.iterdir() if p.name.startswith(".")]


@pytest.fixture
def booked(cli: Cli, write_settings: SettingsWriter, fd_home: AppPaths) -> dict[str, Any]:
    """Ana booked, and a window layout saved, as the backups below start from."""
    write_settings()
    (fd_home.config_dir / "window.ini").write_text("[window]\ngeometry=1\n", encoding="utf-8")
    return book(cli, "Ana Lima", "2026-12-01T10:00")


def test_a_restored_backup_brings_back_the_bookings_settings_and_window_layout(
    cli: Cli,
    booked: dict[str, Any],
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    tmp_path: Path,
) -> None:
    backup = tmp_path / "backups" / "monday.zip"
    backup.parent.mkdir()
    settings_before = fd_home.settings_file.read_bytes()
    bookings_before = saved_bookings(fd_home)

    manifest = ok_json(cli("backup", str(backup), "--json"))
    assert manifest["app_id"] == APP_ID == "com.followupdesk.FollowupDesk"
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["created_utc"].endswith("Z")
    assert (manifest["prospects"], manifest["bookings"]) == (1, 1)
    assert manifest["invites"] == {"folder": str(fd_home.invites_dir), "included": False}
    stored = members(backup)
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == {
        "data/followup-desk.sqlite3",
        "config/settings.toml",
        "config/window.ini",
    }
    assert set(stored) == {"manifest.json", *listed}
    for name, entry in listed.items():
        assert entry["size"] == len(stored[name])
        assert entry["sha256"] == hashlib.sha256(stored[name]).hexdigest()
    assert json.loads(stored["manifest.json"]) == manifest
    assert [p.name for p in backup.parent.iterdir()] == ["monday.zip"]  # no temp file left

    # the week goes on: Ana cancels, Bea is booked, the settings and the layout change
    ok(cli("cancel", str(booked["id"]), "--now", NOW))
    book(cli, "Bea Costa", "2026-12-02T11:00")
    write_settings(name="Someone Else")
    (fd_home.config_dir / "window.ini").unlink()

    result = ok(cli("restore", str(backup), "--yes"))
    [aside] = asides(fd_home)
    assert f"Kept your data as it was in {aside}" in result.stdout
    assert f"followup-desk restore {aside}" in result.stdout
    assert "Restored the database, the settings and the window layout.\n" in result.stdout
    assert saved_bookings(fd_home) == bookings_before
    [row] = listing(cli)
    assert row["prospect"]["name"] == "Ana Lima"
    assert row["next_step"]["id"] == booked["id"]
    assert row["next_step"]["ics"] == booked["ics"]
    assert Path(booked["ics"]).is_file()
    assert fd_home.settings_file.read_bytes() == settings_before
    assert (fd_home.config_dir / "window.ini").read_text(encoding="utf-8").startswith("[window]")
    assert leftovers(fd_home) == []

    # the data set aside is a backup too: restoring it undoes the restore
    ok(cli("restore", str(aside), "--yes"))
    assert sorted(r["prospect"]["name"] for r in listing(cli)) == ["Ana Lima", "Bea Costa"]
    assert b"Someone Else" in fd_home.settings_file.read_bytes()


def test_backup_says_what_it_saved_and_that_invites_are_exports(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    backup = tmp_path / "b.zip"
    out = ok(cli("backup", str(backup))).stdout
    assert out.startswith(f"Backed up to {backup} (")
    lines = out.splitlines()
    assert lines[1].startswith(f"  database      1 prospect, 1 booking (schema {SCHEMA_VERSION}), ")
    assert lines[1].endswith(f" KB, from {fd_home.database}")
    assert lines[2].startswith(f"  settings      {fd_home.settings_file}, ")
    assert lines[3] == f"  window layout {fd_home.config_dir / 'window.ini'}, 20 bytes"
    assert lines[4] == (
        f"  invites       not included: they are exports, in {fd_home.invites_dir} "
        "(`followup-desk invite ID` writes one again)"
    )
    assert f"Put it back with: followup-desk restore {backup}" in out


def test_invites_kept_inside_the_data_folder_are_backed_up_and_restored(
    cli: Cli, write_settings: SettingsWriter, fd_home: AppPaths, tmp_path: Path
) -> None:
    folder = fd_home.data_dir / "invites"
    write_settings(invites_folder=str(folder))
    invite = Path(book(cli, "Ana Lima", "2026-12-01T10:00")["ics"])
    assert invite.parent == folder
    original = invite.read_bytes()
    backup = tmp_path / "b.zip"
    manifest = ok_json(cli("backup", str(backup), "--json"))
    assert manifest["invites"] == {"folder": str(folder), "included": True}
    assert f"data/invites/{invite.name}" in {f["name"] for f in manifest["files"]}

    invite.unlink()
    result = ok(cli("restore", str(backup), "--yes"))
    assert "Restored the database, the settings and 1 invite file." in result.stdout
    assert invite.read_bytes() == original


def test_a_restore_names_the_bookings_whose_invite_file_is_missing(
    cli: Cli, booked: dict[str, Any], tmp_path: Path
) -> None:
    backup = tmp_path / "b.zip"
    ok(cli("backup", str(backup)))
    Path(booked["ics"]).unlink()
    out = ok(cli("restore", str(backup), "--yes")).stdout
    assert f"for bookings {booked['id']}: write one again with followup-desk invite ID" in out
    ok(cli("invite", str(booked["id"])))
    assert Path(booked["ics"]).is_file()


def test_a_backup_made_while_another_connection_is_writing_holds_the_last_commit(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    backup = tmp_path / "b.zip"
    with closing(connect(fd_home.database)) as window:
        window.execute("BEGIN IMMEDIATE")
        window.execute("UPDATE prospect SET name = 'Not yet saved'")
        ok(cli("backup", str(backup)))  # does not wait for the writer, nor fail
        window.execute("ROLLBACK")
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(members(backup)["data/followup-desk.sqlite3"])
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
        assert conn.execute("SELECT name FROM prospect").fetchall() == [("Ana Lima",)]


def test_a_restore_reaches_a_connection_that_stays_open(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    """The window may have the database open: it sees the restored data, not a stale file."""
    backup = tmp_path / "b.zip"
    ok(cli("backup", str(backup)))
    book(cli, "Bea Costa", "2026-12-02T11:00")
    with closing(connect(fd_home.database)) as window:
        assert window.execute("SELECT count(*) FROM prospect").fetchone() == (2,)
        ok(cli("restore", str(backup), "--yes"))
        assert window.execute("SELECT name FROM prospect").fetchall() == [("Ana Lima",)]
        assert window.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _corrupt_a_page(files: dict[str, bytes], work: Path) -> None:
    """Zero an index's page: the file still opens, and integrity_check finds the damage."""
    copy = work / "corrupt.sqlite3"
    copy.write_bytes(files["data/followup-desk.sqlite3"])
    with closing(sqlite3.connect(copy)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'booking_by_start'"
        ).fetchone()
    data = bytearray(copy.read_bytes())
    data[(root - 1) * page_size : root * page_size] = bytes(page_size)
    files["data/followup-desk.sqlite3"] = bytes(data)


def _set_manifest(files: dict[str, bytes], **values: object) -> None:
    manifest = json.loads(files["manifest.json"])
    manifest.update(values)
    files["manifest.json"] = json.dumps(manifest).encode()


def _set_user_version(files: dict[str, bytes], version: int) -> None:
    data = bytearray(files["data/followup-desk.sqlite3"])
    data[60:64] = version.to_bytes(4, "big")
    files["data/followup-desk.sqlite3"] = bytes(data)


def _not_a_zip(good: Path, out: Path) -> None:
    out.write_text("just some notes\n", encoding="utf-8")


def _without_manifest(good: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members(good).items():
            if name != "manifest.json":
                archive.writestr(name, data)


def _another_app(good: Path, out: Path) -> None:
    rezip(good, out, lambda files: _set_manifest(files, app_id="org.example.Notes"))


def _newer_schema(good: Path, out: Path) -> None:
    def newer(files: dict[str, bytes]) -> None:
        _set_manifest(files, schema_version=SCHEMA_VERSION + 1, app_version="9.0.0")
        _set_user_version(files, SCHEMA_VERSION + 1)

    rezip(good, out, newer)


def _newer_database_only(good: Path, out: Path) -> None:
    rezip(good, out, lambda files: _set_user_version(files, SCHEMA_VERSION + 1))


def _damaged_database(good: Path, out: Path) -> None:
    rezip(good, out, lambda files: _corrupt_a_page(files, out.parent))


def _changed_after_the_backup(good: Path, out: Path) -> None:
    """A member changed without its checksum: same size, one letter different."""
    files = members(good)
    files["config/settings.toml"] = files["config/settings.toml"].replace(b"Robin", b"Robyn")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


UNCHANGED = "nothing was changed"
REFUSALS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "not a zip": (
        _not_a_zip,
        f"is not a Followup Desk backup (it is not a zip file); {UNCHANGED}.",
    ),
    "a zip without a manifest": (
        _without_manifest,
        f"is not a Followup Desk backup (it has no manifest.json); {UNCHANGED}.",
    ),
    "another app's backup": (
        _another_app,
        f"is a backup of another application (org.example.Notes), not of Followup Desk; "
        f"{UNCHANGED}.",
    ),
    "a newer schema": (
        _newer_schema,
        f"was made by a newer Followup Desk (9.0.0, database schema {SCHEMA_VERSION + 1}; this "
        f"version, {__version__}, knows schema {SCHEMA_VERSION}): update the app to restore it "
        f"({UNCHANGED}).",
    ),
    "a newer database than its manifest says": (
        _newer_database_only,
        f"holds a database from a newer Followup Desk (schema {SCHEMA_VERSION + 1}; this "
        f"version knows {SCHEMA_VERSION}): update the app to restore it ({UNCHANGED}).",
    ),
    "a damaged database": (
        _damaged_database,
        "holds a damaged database (SQLite's integrity check says: ",
    ),
    "a file changed after the backup": (
        _changed_after_the_backup,
        f"is damaged (config/settings.toml does not match its checksum); {UNCHANGED}.",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_file_that_is_not_a_usable_backup_is_refused_with_a_sentence_and_changes_nothing(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path, case: str
) -> None:
    make, sentence = REFUSALS[case]
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    ok(cli("backup", str(good)))
    book(cli, "Bea Costa", "2026-12-02T11:00")  # the data after the backup, to be kept
    before = (listing(cli), saved_bookings(fd_home), fd_home.settings_file.read_bytes())
    make(good, bad)

    line = refused(cli("restore", str(bad), "--yes"))
    assert line.startswith(f"followup-desk: {bad} ")
    assert sentence in line
    assert (listing(cli), saved_bookings(fd_home), fd_home.settings_file.read_bytes()) == before
    assert asides(fd_home) == []
    assert leftovers(fd_home) == []


def test_a_restore_without_a_terminal_to_ask_on_needs_yes(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    backup = tmp_path / "b.zip"
    ok(cli("backup", str(backup)))
    book(cli, "Bea Costa", "2026-12-02T11:00")
    line = refused(cli("restore", str(backup)))  # subprocess.run: no terminal on stdin
    assert line == (
        "followup-desk: Restoring replaces your current data and there is no terminal to ask "
        "on: run it again with --yes to confirm (nothing was changed)."
    )
    assert len(listing(cli)) == 2
    assert asides(fd_home) == []


@pytest.mark.parametrize(("answer", "restored"), [("n", False), ("y", True)])
def test_a_restore_on_a_terminal_asks_first(
    cli: Cli,
    booked: dict[str, Any],
    fd_home: AppPaths,
    tmp_path: Path,
    answer: str,
    restored: bool,
) -> None:
    backup = tmp_path / "b.zip"
    ok(cli("backup", str(backup)))
    book(cli, "Bea Costa", "2026-12-02T11:00")
    pty = pytest.importorskip("pty")  # a terminal to answer on: POSIX only
    keyboard, terminal = pty.openpty()  # we type on one end; restore reads the other
    try:
        os.write(keyboard, f"{answer}\n".encode())
        result = subprocess.run(
            [sys.executable, "-m", "followup_desk", "restore", str(backup)],
            env={**os.environ, "FOLLOWUP_DESK_HOME": str(fd_home.data_dir.parent)},
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(keyboard)
        os.close(terminal)
    assert "Replace your current data with this backup? It is kept aside first. [y/N]" in (
        result.stdout
    )
    names = [r["prospect"]["name"] for r in listing(cli)]
    if restored:
        assert result.returncode == 0, result.stderr
        assert names == ["Ana Lima"]
    else:
        assert result.returncode == 1
        assert result.stderr == "followup-desk: Restore cancelled; nothing was changed.\n"
        assert len(names) == 2
        assert asides(fd_home) == []


def test_a_backup_from_an_older_version_is_restored_and_brought_up_to_date(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    old = AppPaths(*(tmp_path / "old" / part for part in ("data", "config", "c", "l", "i")))
    old.data_dir.mkdir(parents=True)
    with closing(sqlite3.connect(old.database, isolation_level=None)) as raw:
        raw.executescript(db.MIGRATIONS[0])
        raw.execute(
            "INSERT INTO prospect (name, email, email_key, time_zone, created, updated)"
            " VALUES ('Dana', 'dana@example.com', 'dana@example.com', 'UTC', 'x', 'x')"
        )
        raw.execute(
            "INSERT INTO booking (prospect_id, uid, status, start_utc, end_utc, rep_zone,"
            " prospect_zone, title, created, updated) VALUES (1, 'u1@followup-desk', 'booked',"
            " '2026-12-03T09:00:00+00:00', '2026-12-03T09:30:00+00:00', 'UTC', 'UTC',"
            " 'Next step', '2026-11-20T09:00:00+00:00', '2026-11-20T09:00:00+00:00')"
        )
        raw.execute("PRAGMA user_version = 1")
    backup = tmp_path / "old.zip"
    assert write_backup(old, backup, MOMENT, old.invites_dir).schema_version == 1

    out = ok(cli("restore", str(backup), "--yes")).stdout
    assert f"Updated the database from schema 1 to {SCHEMA_VERSION}." in out
    with closing(sqlite3.connect(fd_home.database)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("SELECT name, channels FROM prospect").fetchall() == [("Dana", "")]
    [row] = listing(cli)
    assert row["prospect"]["name"] == "Dana"
    assert row["next_step"]["start"].startswith("2026-12-03T10:00")  # Berlin, from settings


def test_a_database_sqlite_cannot_read_is_replaced_and_kept_aside_as_it_was(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    """What a restore does for a damaged database (the service level: the window's way in)."""
    backup = tmp_path / "b.zip"
    ok(cli("backup", str(backup)))
    garbage = b"not a database any more\n" * 500
    fd_home.database.write_bytes(garbage)
    stale_wal = Path(f"{fd_home.database}-wal")
    wal_bytes = b"a WAL that belongs to the damaged file" * 40
    stale_wal.write_bytes(wal_bytes)

    with checked_backup(backup, fd_home) as checked:
        report = checked.restore(MOMENT, fd_home.invites_dir)
    assert report.aside is not None
    kept = members(report.aside)
    assert kept["data/followup-desk.sqlite3"] == garbage
    assert kept["data/followup-desk.sqlite3-wal"] == wal_bytes
    assert not stale_wal.exists()  # it would be replayed onto the restored database
    manifest = json.loads(kept["manifest.json"])
    assert "could not be read" in manifest["note"]
    with closing(sqlite3.connect(fd_home.database)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT name FROM prospect").fetchall() == [("Ana Lima",)]
    assert [r["prospect"]["name"] for r in listing(cli)] == ["Ana Lima"]


def test_backing_up_over_a_file_that_is_not_a_backup_is_refused(
    cli: Cli, booked: dict[str, Any], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.zip"
    notes.write_text("my notes\n", encoding="utf-8")
    line = refused(cli("backup", str(notes)))
    assert line == (
        f"followup-desk: {notes} exists and is not a Followup Desk backup; give another file "
        "name (nothing was written)."
    )
    assert notes.read_text(encoding="utf-8") == "my notes\n"
    again = tmp_path / "again.zip"
    ok(cli("backup", str(again)))
    ok(cli("backup", str(again)))  # an older backup of ours is replaced


def test_a_damaged_database_that_nothing_opens_can_still_be_restored(
    cli: Cli, booked: dict[str, Any], fd_home: AppPaths, tmp_path: Path
) -> None:
    backup = tmp_path / "monday.zip"
    assert cli("backup", str(backup)).returncode == 0
    fd_home.database.write_bytes(b"\x00not a database\x00" * 300)
    for suffix in ("-wal", "-shm"):
        fd_home.database.with_name(fd_home.database.name + suffix).unlink(missing_ok=True)
    refused = cli("list")
    assert refused.returncode == 1
    assert "Restore it from a backup" in refused.stderr

    restored = cli("restore", str(backup), "--yes")

    assert restored.returncode == 0, restored.stderr
    assert [row["prospect"]["name"] for row in listing(cli)] == ["Ana Lima"]
