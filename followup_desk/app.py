"""Composition root: paths, logging, settings, storage, adapters and services, wired once.

Nothing here is imported on the way to anything slow: feeds are only fetched when a
service is asked for slots, and Qt is only loaded by ``followup_desk.ui``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from followup_desk.adapters.clock import SystemClock
from followup_desk.adapters.ics_source import IcsCalendarSource
from followup_desk.adapters.ics_writer import IcsInviteWriter
from followup_desk.domain.cadences import Cadence
from followup_desk.domain.ports import Clock
from followup_desk.domain.settings import Settings
from followup_desk.logs import setup_logging
from followup_desk.paths import AppPaths, resolve_paths
from followup_desk.resources_access import empty_phrases
from followup_desk.services.booking import BookingService
from followup_desk.services.followups import FollowupService
from followup_desk.services.freebusy import FreeBusyService
from followup_desk.services.scheduling import SchedulingService
from followup_desk.storage.bookings import SqliteBookingStore
from followup_desk.storage.busy_cache import SqliteBusyCache
from followup_desk.storage.cadence_file import builtin_cadences, dump_cadences, parse_cadences
from followup_desk.storage.db import connect
from followup_desk.storage.followups import SqliteFollowupStore
from followup_desk.storage.settings_file import load_settings

log = logging.getLogger(__name__)


@dataclass
class Desk:
    """Everything the two faces (window and command line) use, built once."""

    paths: AppPaths
    settings: Settings
    conn: sqlite3.Connection
    clock: Clock
    freebusy: FreeBusyService
    scheduling: SchedulingService
    bookings: BookingService
    followups: FollowupService

    def close(self) -> None:
        # lets SQLite gather the statistics its planner needs, cheaply, once in a while
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()


class TomlCadences:
    """Cadences as TOML text: how they are stored, exported and imported."""

    def parse(self, text: str, where: str) -> list[Cadence]:
        return parse_cadences(text, where)

    def dump(self, cadences: Sequence[Cadence]) -> str:
        return dump_cadences(cadences)


def init_logging(paths: AppPaths | None = None) -> AppPaths:
    paths = paths or resolve_paths()
    setup_logging(paths.log_file)
    return paths


def open_desk(paths: AppPaths | None = None, clock: Clock | None = None) -> Desk:
    """Load settings, open the database and wire the services."""
    paths = paths or resolve_paths()
    settings = load_settings(paths.settings_file)
    clock = clock or SystemClock()
    conn = connect(paths.database)
    store = SqliteBookingStore(conn)
    reader = IcsCalendarSource(
        timeout=settings.feed_timeout_seconds, max_megabytes=settings.max_source_megabytes
    )
    freebusy = FreeBusyService(reader, SqliteBusyCache(conn), store, clock)
    scheduling = SchedulingService(freebusy)
    bookings = BookingService(
        store, IcsInviteWriter(clock), scheduling, clock, settings, paths.invites_dir
    )
    followups = FollowupService(
        SqliteFollowupStore(conn),
        store,
        TomlCadences(),
        builtin_cadences(),
        empty_phrases(),
        clock,
        settings,
    )
    followups.install_builtins()
    return Desk(paths, settings, conn, clock, freebusy, scheduling, bookings, followups)
