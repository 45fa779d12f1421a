"""Backups: one zip file holding a consistent copy of the database and the rep's own files.

A backup (format 1) holds::

    manifest.json                app id, app and schema versions, when, each file's size and SHA-256
    data/followup-desk.sqlite3   the database, copied with SQLite's online backup API
    config/settings.toml         the settings
    config/window.ini            the window's size and layout, when there is one
    data/.../*.ics               the invites, only when their folder is inside the data folder
                                 (by default they are exports in the Documents folder: not data)

The copy is consistent while the window has the database open, even in the middle of a
write: in WAL mode the backup API reads the last committed state.

Restoring checks everything before it changes anything: a zip, our manifest and app id, a
schema this version knows, matching checksums, a database that passes integrity_check.
Then the current data is kept aside (itself a backup file next to the database), the
backup's database is copied in with the backup API as one write transaction (a kill half-way
leaves the old database whole; a window that has it open sees one committed change, not a
file swapped under it), the files are written atomically, and the database is opened once
to migrate it. Only a database SQLite cannot read at all is replaced by a fresh file renamed
over it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from followup_desk import APP_ID, __version__
from followup_desk.atomic import atomic_write
from followup_desk.errors import BackupRefusedError, StorageError
from followup_desk.paths import AppPaths
from followup_desk.storage.db import SCHEMA_VERSION, connect

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST_NAME = "manifest.json"
WINDOW_STATE_NAME = "window.ini"  # ui/launch.py keeps the window's size and layout there
_DATA, _CONFIG = "data", "config"
_UNCHANGED = "nothing was changed"
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)
_ZIP_ERRORS = (*_ZIP_READ_ERRORS, OSError)
_RAW_NOTE = "The database could not be read when this copy was made; it is kept as it was found."


@dataclass(frozen=True)
class FileEntry:
    name: str  # "data/..." or "config/...", relative to that folder
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    app_version: str
    schema_version: int
    created: datetime
    database: str | None  # the member holding the database
    files: tuple[FileEntry, ...]
    prospects: int
    bookings: int
    invites_folder: str
    invites_included: bool
    note: str = ""
    format: int = FORMAT
    app_id: str = APP_ID

    def to_json(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "app_version": self.app_version,
            "format": self.format,
            "schema_version": self.schema_version,
            "created_utc": self.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "database": self.database,
            "prospects": self.prospects,
            "bookings": self.bookings,
            "invites": {"folder": self.invites_folder, "included": self.invites_included},
            "note": self.note,
            "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in self.files],
        }

    @classmethod
    def from_json(cls, data: object, source: Path) -> Manifest:
        """Read a manifest; refuse another app's, a newer one, or one that makes no sense."""

        def bad(why: str) -> BackupRefusedError:
            return BackupRefusedError(
                f"{source} is not a Followup Desk backup ({why}); {_UNCHANGED}."
            )

        if not isinstance(data, dict):
            raise bad("its manifest.json is not a JSON object")
        app_id = data.get("app_id")
        if app_id != APP_ID:
            if isinstance(app_id, str) and app_id:
                raise BackupRefusedError(
                    f"{source} is a backup of another application ({app_id}), "
                    f"not of Followup Desk; {_UNCHANGED}."
                )
            raise bad("its manifest.json names no application")
        version = str(data.get("app_version", "?"))
        fmt = _whole(data.get("format"))
        schema = _whole(data.get("schema_version"))
        if fmt is None or schema is None:
            raise bad("its manifest.json has no format or schema version")
        if fmt > FORMAT or schema > SCHEMA_VERSION:
            raise BackupRefusedError(
                f"{source} was made by a newer Followup Desk ({version}, database schema "
                f"{schema}; this version, {__version__}, knows schema {SCHEMA_VERSION}): update "
                f"the app to restore it ({_UNCHANGED})."
            )
        try:
            created = datetime.fromisoformat(str(data["created_utc"]).replace("Z", "+00:00"))
            files = tuple(_entry(item) for item in data["files"])
            database = data.get("database")
            invites = data.get("invites") or {}
            manifest = cls(
                app_version=version,
                schema_version=schema,
                created=created if created.tzinfo else created.replace(tzinfo=UTC),
                database=str(database) if database else None,
                files=files,
                prospects=_whole(data.get("prospects")) or 0,
                bookings=_whole(data.get("bookings")) or 0,
                invites_folder=str(invites.get("folder", "")),
                invites_included=bool(invites.get("included", False)),
                note=str(data.get("note", "")),
                format=fmt,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise bad(f"its manifest.json is incomplete: {exc}") from None
        names = {f.name for f in files}
        if manifest.database is not None and manifest.database not in names:
            raise bad("its manifest.json names a database it does not list")
        return manifest


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _entry(item: Any) -> FileEntry:
    name, size, digest = str(item["name"]), _whole(item["size"]), str(item["sha256"])
    parts = PurePosixPath(name).parts
    safe = (
        len(parts) >= 2
        and parts[0] in (_DATA, _CONFIG)
        and not PurePosixPath(name).is_absolute()
        and all(p not in ("", ".", "..") and "\\" not in p for p in parts)
    )
    if not safe or size is None or len(digest) != 64:
        raise ValueError(f"a file entry is not valid ({name!r})")
    return FileEntry(name, size, digest.lower())


@dataclass(frozen=True)
class Snapshot:
    """What a copied database holds."""

    schema_version: int
    prospects: int
    bookings: int


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    aside: Path | None  # the current data as it was, itself a backup file
    restored: tuple[str, ...]  # the members written back
    schema_after: int
    missing_invites: tuple[int, ...]  # booked meetings whose invite file is not here


# --- names ---------------------------------------------------------------------------


def member_name(paths: AppPaths, path: Path) -> str:
    for prefix, folder in ((_DATA, paths.data_dir), (_CONFIG, paths.config_dir)):
        if path.is_relative_to(folder):
            return f"{prefix}/{path.relative_to(folder).as_posix()}"
    raise ValueError(f"{path} is in neither the data nor the config folder")


def _restorable(paths: AppPaths, manifest: Manifest, name: str) -> Path | None:
    """Where a member goes back to; None for what is never written back (a -wal file)."""
    prefix, _, rest = name.partition("/")
    if name == manifest.database:
        return paths.database
    if prefix == _CONFIG and rest in ("settings.toml", WINDOW_STATE_NAME):
        return paths.config_dir / rest
    if prefix == _DATA and rest.lower().endswith(".ics"):
        return paths.data_dir.joinpath(*PurePosixPath(rest).parts)
    return None


def invites_inside(paths: AppPaths, invites_dir: Path) -> bool:
    """Invites belong in a backup only when the rep keeps them inside the data folder."""
    return invites_dir.absolute().is_relative_to(paths.data_dir.absolute())


def _own_files(paths: AppPaths, invites_dir: Path) -> list[Path]:
    files = [paths.settings_file, paths.config_dir / WINDOW_STATE_NAME]
    if invites_inside(paths, invites_dir) and invites_dir.is_dir():
        files += sorted(
            f for f in invites_dir.rglob("*.ics") if f.is_file() and not f.name.startswith(".")
        )
    return [f for f in files if f.is_file()]


# --- the database ----------------------------------------------------------------------


def _open_existing(path: Path) -> sqlite3.Connection:
    """A connection to a database file that must already exist (never creates one)."""
    uri = f"{path.absolute().as_uri()}?mode=rw"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)


def integrity_problem(conn: sqlite3.Connection) -> str | None:
    """None when PRAGMA integrity_check says "ok", else what it says."""
    try:
        rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


def _count(conn: sqlite3.Connection, table: str) -> int:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # an early schema, before that table existed
        return 0


def _snapshot(conn: sqlite3.Connection) -> Snapshot:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return Snapshot(version, _count(conn, "prospect"), _count(conn, "booking"))


def copy_database(source: Path, target: Path) -> Snapshot:
    """Copy the live database into the new file ``target`` with SQLite's online backup API.

    Other connections may have it open, even in a write transaction: the copy is the last
    committed state. The copy is one self-contained file (rollback journal) that passed
    integrity_check. Raises sqlite3.DatabaseError when the source cannot be read.
    """
    with (
        closing(_open_existing(source)) as src,
        closing(sqlite3.connect(target, isolation_level=None)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        problem = integrity_problem(dst)
        if problem is not None:
            raise sqlite3.DatabaseError(f"integrity check: {problem}")
        return _snapshot(dst)


def _header_version(path: Path) -> int:
    """user_version read from the file header, for a file SQLite cannot open."""
    with contextlib.suppress(OSError), path.open("rb") as handle:
        head = handle.read(64)
        if head.startswith(b"SQLite format 3\x00") and len(head) == 64:
            return int.from_bytes(head[60:64], "big")
    return 0


def _readable(database: Path) -> bool:
    if not database.exists():
        return True
    try:
        with closing(_open_existing(database)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def _put_database(copy: Path, database: Path) -> None:
    """Make ``database`` hold exactly what ``copy`` holds, never half of it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(copy, isolation_level=None)) as src:
        if _readable(database):
            # one write transaction on the live file: WAL keeps it whole if we are killed,
            # and connections that have it open (the window) simply see a new commit
            with closing(sqlite3.connect(database, isolation_level=None, timeout=10.0)) as dst:
                src.backup(dst)
            return
        _replace_unreadable(src, database)


def _replace_unreadable(src: sqlite3.Connection, database: Path) -> None:
    """A fresh file renamed over one SQLite cannot read (its bytes are in the aside copy)."""
    fd, name = tempfile.mkstemp(
        prefix=f".{database.name}.", suffix=".restoring", dir=database.parent
    )
    os.close(fd)
    fresh = Path(name)
    try:
        with closing(sqlite3.connect(fresh, isolation_level=None)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        _fsync(fresh)
        # the damaged file's own WAL or journal would be replayed onto the new one
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{database}{suffix}")
        os.replace(fresh, database)
        _fsync_dir(database.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            fresh.unlink()
        raise


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":  # a folder cannot be opened for fsync on Windows
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- writing -------------------------------------------------------------------------


def _pack(
    paths: AppPaths,
    target: Path,
    work: Path,
    now: datetime,
    invites_dir: Path,
    database: tuple[str, Path] | None,
    snapshot: Snapshot,
    raw: dict[str, Path] | None = None,
    note: str = "",
) -> Manifest:
    """Write the zip in ``work`` (same folder as ``target``), then rename it over ``target``."""
    small: dict[str, bytes] = {}  # read once: hashed exactly as written
    for path in _own_files(paths, invites_dir):
        with contextlib.suppress(FileNotFoundError):
            small[member_name(paths, path)] = path.read_bytes()
    big = dict(raw or {})
    if database is not None:
        big[database[0]] = database[1]
    entries = [
        FileEntry(name, path.stat().st_size, _file_sha256(path)) for name, path in big.items()
    ]
    entries += [FileEntry(name, len(data), _sha256(data)) for name, data in small.items()]
    manifest = Manifest(
        app_version=__version__,
        schema_version=snapshot.schema_version,
        created=now.astimezone(UTC),
        database=database[0] if database else None,
        files=tuple(entries),
        prospects=snapshot.prospects,
        bookings=snapshot.bookings,
        invites_folder=str(invites_dir),
        invites_included=invites_inside(paths, invites_dir),
        note=note,
    )
    packed = work / "backup.zip"
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_NAME, json.dumps(manifest.to_json(), indent=2) + "\n")
        for name, path in big.items():
            zf.write(path, name)
        for name, data in small.items():
            zf.writestr(name, data)
    _fsync(packed)
    os.replace(packed, target)
    _fsync_dir(target.parent)
    return manifest


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _is_our_backup(path: Path) -> bool:
    try:
        read_manifest(path)
    except BackupRefusedError:
        return False
    return True


def write_backup(paths: AppPaths, target: Path, now: datetime, invites_dir: Path) -> Manifest:
    """Write a backup of the database and the rep's files to ``target`` (temp + rename)."""
    target = target.expanduser().absolute()
    if target.is_dir():
        raise StorageError(
            f"{target} is a folder; give the backup a file name, such as "
            f"{target / 'followup-desk-backup.zip'}."
        )
    if target.exists() and not _is_our_backup(target):
        raise StorageError(
            f"{target} exists and is not a Followup Desk backup; give another file name "
            "(nothing was written)."
        )
    if not paths.database.is_file():
        raise StorageError(f"There is no database at {paths.database} yet: nothing to back up.")
    try:
        with tempfile.TemporaryDirectory(prefix=".followup-desk-backup-", dir=target.parent) as t:
            work = Path(t)
            copy = work / paths.database.name
            try:
                snapshot = copy_database(paths.database, copy)
            except sqlite3.DatabaseError as exc:
                raise StorageError(
                    f"The database {paths.database} cannot be backed up ({exc}): restore an "
                    "earlier backup, or move the file aside to start afresh."
                ) from exc
            name = member_name(paths, paths.database)
            manifest = _pack(paths, target, work, now, invites_dir, (name, copy), snapshot)
    except OSError as exc:
        raise StorageError(
            f"The backup {target} cannot be written ({exc.strerror or exc}); nothing was written."
        ) from exc
    log.info("backed up %s files to %s", len(manifest.files), target)
    return manifest


def keep_aside(paths: AppPaths, now: datetime, invites_dir: Path) -> Path | None:
    """Save the current data as a backup file next to the database; None when there is none.

    A database SQLite cannot read is kept byte for byte (with its WAL), so a restore never
    destroys what was there.
    """
    if not any(p.exists() for p in (paths.database, paths.settings_file)):
        return None
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = paths.data_dir / f"before-restore-{stamp}.zip"
    counter = 1
    while target.exists():
        counter += 1
        target = paths.data_dir / f"before-restore-{stamp}-{counter}.zip"
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".followup-desk-aside-", dir=paths.data_dir) as t:
        work = Path(t)
        if not paths.database.exists():
            _pack(paths, target, work, now, invites_dir, None, Snapshot(0, 0, 0))
            return target
        name = member_name(paths, paths.database)
        # the bytes first: SQLite deletes the WAL of a file it cannot read when it closes it
        raw: dict[str, Path] = {}
        for suffix in ("", "-wal", "-journal"):
            found = Path(f"{paths.database}{suffix}")
            with contextlib.suppress(FileNotFoundError):
                shutil.copyfile(found, work / f"raw{suffix}")
                raw[name + suffix] = work / f"raw{suffix}"
        if name not in raw:  # gone since we looked
            _pack(paths, target, work, now, invites_dir, None, Snapshot(0, 0, 0))
            return target
        copy = work / paths.database.name
        try:
            snapshot = copy_database(paths.database, copy)
        except sqlite3.DatabaseError as exc:
            log.warning("keeping an unreadable database aside byte for byte: %s", exc)
            snapshot = Snapshot(_header_version(raw[name]), 0, 0)
            data = (name, raw.pop(name))
            _pack(paths, target, work, now, invites_dir, data, snapshot, raw, _RAW_NOTE)
            return target
        _pack(paths, target, work, now, invites_dir, (name, copy), snapshot)
    return target


# --- reading and restoring -------------------------------------------------------------


@contextmanager
def _open_zip(source: Path) -> Iterator[zipfile.ZipFile]:
    if not source.is_file():
        raise BackupRefusedError(f"There is no backup file at {source}; {_UNCHANGED}.")
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise BackupRefusedError(
            f"{source} is not a Followup Desk backup (it is not a zip file); {_UNCHANGED}."
        ) from None
    except OSError as exc:
        raise BackupRefusedError(
            f"{source} cannot be read ({exc.strerror or exc}); {_UNCHANGED}."
        ) from exc
    with archive:
        yield archive


def _manifest_in(archive: zipfile.ZipFile, source: Path) -> Manifest:
    try:
        raw = archive.read(MANIFEST_NAME)
    except KeyError:
        raise BackupRefusedError(
            f"{source} is not a Followup Desk backup (it has no {MANIFEST_NAME}); {_UNCHANGED}."
        ) from None
    except _ZIP_ERRORS as exc:
        raise BackupRefusedError(
            f"{source} is damaged ({MANIFEST_NAME} cannot be read: {exc}); {_UNCHANGED}."
        ) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupRefusedError(
            f"{source} is not a Followup Desk backup (its {MANIFEST_NAME} is not JSON); "
            f"{_UNCHANGED}."
        ) from None
    return Manifest.from_json(data, source)


def read_manifest(source: Path) -> Manifest:
    """The manifest of a Followup Desk backup this version can restore; refuses anything else."""
    source = source.expanduser().absolute()
    with _open_zip(source) as archive:
        return _manifest_in(archive, source)


def _unpack(
    archive: zipfile.ZipFile, manifest: Manifest, paths: AppPaths, work: Path, source: Path
) -> dict[str, Path]:
    """Each restorable member in ``work``, its size and SHA-256 checked against the manifest."""
    unpacked: dict[str, Path] = {}
    for index, entry in enumerate(manifest.files):
        if _restorable(paths, manifest, entry.name) is None:
            continue

        def damaged(why: str, name: str = entry.name) -> BackupRefusedError:
            return BackupRefusedError(f"{source} is damaged ({name} {why}); {_UNCHANGED}.")

        try:
            info = archive.getinfo(entry.name)
        except KeyError:
            raise damaged("is listed in its manifest but missing") from None
        out = work / f"{index}.part"
        digest = hashlib.sha256()
        with out.open("wb") as handle:  # our work folder: an OSError here is not the backup's
            try:
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        digest.update(chunk)
                        handle.write(chunk)
            except _ZIP_READ_ERRORS as exc:
                raise damaged(f"cannot be read: {exc}") from None
        if info.file_size != entry.size or digest.hexdigest() != entry.sha256:
            raise damaged("does not match its checksum")
        unpacked[entry.name] = out
    return unpacked


def _check_database(copy: Path, source: Path) -> Snapshot:
    try:
        with closing(_open_existing(copy)) as conn:
            problem = integrity_problem(conn)
            snapshot = None if problem else _snapshot(conn)
    except sqlite3.DatabaseError as exc:
        problem, snapshot = str(exc), None
    if problem is not None or snapshot is None:
        raise BackupRefusedError(
            f"{source} holds a damaged database (SQLite's integrity check says: {problem}); "
            f"{_UNCHANGED}."
        )
    if snapshot.schema_version > SCHEMA_VERSION:
        raise BackupRefusedError(
            f"{source} holds a database from a newer Followup Desk (schema "
            f"{snapshot.schema_version}; this version knows {SCHEMA_VERSION}): update the app "
            f"to restore it ({_UNCHANGED})."
        )
    if snapshot.schema_version < 1:
        raise BackupRefusedError(
            f"{source} holds a database that is not a Followup Desk database; {_UNCHANGED}."
        )
    return snapshot


class CheckedBackup:
    """A backup that passed every check, unpacked in a work folder: ``restore()`` applies it."""

    def __init__(
        self, source: Path, manifest: Manifest, paths: AppPaths, unpacked: dict[str, Path]
    ) -> None:
        self.source = source
        self.manifest = manifest
        self._paths = paths
        self._unpacked = unpacked

    def restore(self, now: datetime, invites_dir: Path) -> RestoreReport:
        """Keep the current data aside, then put the backup's data in place and migrate it."""
        paths, manifest = self._paths, self.manifest
        aside = keep_aside(paths, now, invites_dir)
        kept = f" Your data as it was is in {aside}." if aside else ""
        assert manifest.database is not None  # checked_backup refuses a backup without one
        try:
            _put_database(self._unpacked[manifest.database], paths.database)
        except sqlite3.Error as exc:
            raise StorageError(
                f"The backup's database could not be put in place ({exc}); the database was "
                f"left as it was.{kept}"
            ) from exc
        restored = [manifest.database]
        try:
            for name, unpacked in self._unpacked.items():
                target = _restorable(paths, manifest, name)
                if target is None or name == manifest.database:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, unpacked.read_bytes())
                restored.append(name)
        except OSError as exc:
            raise StorageError(
                f"The database was restored, but {exc.filename} could not be written "
                f"({exc.strerror}).{kept}"
            ) from exc
        with closing(connect(paths.database)) as conn:  # migrates an older backup
            schema_after = int(conn.execute("PRAGMA user_version").fetchone()[0])
            rows = conn.execute(
                "SELECT id, ics_path FROM booking WHERE status = 'booked' AND ics_path != ''"
                " ORDER BY id"
            ).fetchall()
        missing = tuple(int(i) for i, p in rows if not Path(str(p)).is_file())
        log.info("restored %s from %s; kept the old data in %s", restored, self.source, aside)
        return RestoreReport(manifest, aside, tuple(restored), schema_after, missing)


@contextmanager
def checked_backup(source: Path, paths: AppPaths) -> Iterator[CheckedBackup]:
    """Check a backup completely, changing nothing; yield it ready to restore."""
    source = source.expanduser().absolute()
    with _open_zip(source) as archive:
        manifest = _manifest_in(archive, source)
        if manifest.database is None:
            raise BackupRefusedError(f"{source} holds no database; {_UNCHANGED}.")
        try:
            paths.data_dir.mkdir(parents=True, exist_ok=True)
            work_dir = tempfile.TemporaryDirectory(prefix=".restore-", dir=paths.data_dir)
        except OSError as exc:
            raise StorageError(
                f"The data folder {paths.data_dir} cannot be written ({exc.strerror}); "
                f"{_UNCHANGED}."
            ) from exc
        with work_dir as work:
            unpacked = _unpack(archive, manifest, paths, Path(work), source)
            _check_database(unpacked[manifest.database], source)
            yield CheckedBackup(source, manifest, paths, unpacked)
