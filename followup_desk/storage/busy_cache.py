"""Parsed free/busy sources cached in SQLite, so an unchanged calendar is never re-parsed.

Blocks are stored as UTC epoch seconds: reading back thousands of them costs a few
milliseconds.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from followup_desk.domain.intervals import BusyBlock
from followup_desk.domain.ports import CacheEntry
from followup_desk.storage.codec import instant, parse_instant
from followup_desk.storage.db import transaction


class SqliteBusyCache:
    """The :class:`~followup_desk.domain.ports.BusyCache` over one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, source: str) -> CacheEntry | None:
        row = self._conn.execute(
            "SELECT fingerprint, zone, window_start, window_end, loaded_at, last_error, warnings"
            " FROM busy_source WHERE source = ?",
            (source,),
        ).fetchone()
        if row is None:
            return None
        stamp = datetime.fromtimestamp
        blocks = tuple(
            BusyBlock(stamp(s, UTC), stamp(e, UTC), bool(a))
            for s, e, a in self._conn.execute(
                "SELECT start_ts, end_ts, all_day FROM busy_block WHERE source = ?"
                " ORDER BY start_ts",
                (source,),
            )
        )
        return CacheEntry(
            source=source,
            fingerprint=row[0],
            zone=row[1],
            window_start=parse_instant(row[2]),
            window_end=parse_instant(row[3]),
            loaded_at=parse_instant(row[4]),
            blocks=blocks,
            last_error=row[5],
            warnings=tuple(w for w in row[6].split("\n") if w),
        )

    def put(self, entry: CacheEntry) -> None:
        with transaction(self._conn):
            self._conn.execute("DELETE FROM busy_block WHERE source = ?", (entry.source,))
            self._conn.execute(
                "INSERT OR REPLACE INTO busy_source (source, fingerprint, zone, window_start,"
                " window_end, loaded_at, last_error, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.source,
                    entry.fingerprint,
                    entry.zone,
                    instant(entry.window_start),
                    instant(entry.window_end),
                    instant(entry.loaded_at),
                    entry.last_error,
                    "\n".join(w.replace("\n", " ") for w in entry.warnings),
                ),
            )
            self._conn.executemany(
                "INSERT INTO busy_block (source, start_ts, end_ts, all_day) VALUES (?, ?, ?, ?)",
                [
                    (entry.source, int(b.start.timestamp()), int(b.end.timestamp()), b.all_day)
                    for b in entry.blocks
                ],
            )

    def mark_error(self, source: str, message: str) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE busy_source SET last_error = ? WHERE source = ?", (message, source)
            )
