"""Composition root: paths, logging, settings, storage, adapters and services, wired once.

Nothing here is imported on the way to anything slow: feeds are only fetched when a
service is asked for slots, and Qt is only loaded by ``followup_desk.ui``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from followup_desk.adapters.caldav_source import CalDavCalendarSource, CompositeCalendarSource
from followup_desk.adapters.clock import SystemClock
from followup_desk.adapters.ics_source import IcsCalendarSource
from followup_desk.adapters.ics_writer import IcsInviteWriter, build_invite
from followup_desk.adapters.secrets import KeyringSecrets
from followup_desk.domain.booking import Booking, Prospect, Rep
from followup_desk.domain.cadences import Cadence
from followup_desk.domain.outbox import Reply
from followup_desk.domain.ports import (
    CalDavGateway,
    CalendarSource,
    Clock,
    MailGateway,
    Secrets,
)
from followup_desk.domain.settings import Settings
from followup_desk.domain.tasks import DueTask, PlainMail, SeenTask
from followup_desk.logs import setup_logging
from followup_desk.paths import AppPaths, resolve_paths
from followup_desk.resources_access import empty_phrases
from followup_desk.services.accounts import AccountService
from followup_desk.services.booking import BookingService
from followup_desk.services.cadence_library import CadenceLibrary
from followup_desk.services.enrolment_plans import EnrolmentPlans
from followup_desk.services.followup_jobs import FollowupJobs
from followup_desk.services.followup_outbox import FollowupOutbox
from followup_desk.services.followups import FollowupService
from followup_desk.services.freebusy import FreeBusyService
from followup_desk.services.outbox import OutboxService
from followup_desk.services.scheduling import SchedulingService
from followup_desk.storage.accounts import SqliteAccountStore
from followup_desk.storage.bookings import SqliteBookingStore
from followup_desk.storage.busy_cache import SqliteBusyCache
from followup_desk.storage.cadence_file import builtin_cadences, dump_cadences, parse_cadences
from followup_desk.storage.db import connect
from followup_desk.storage.followups import SqliteFollowupStore
from followup_desk.storage.outbox import SqliteCalDavItems, SqliteOutbox
from followup_desk.storage.settings_file import load_settings
from followup_desk.storage.tasks import SqliteTaskLedger

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
    cadences: CadenceLibrary
    followups: FollowupService
    accounts: AccountService
    outbox: OutboxService
    followup_outbox: FollowupOutbox

    def close(self) -> None:
        # lets SQLite gather the statistics its planner needs, cheaply, once in a while
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()


class Composer:
    """The :class:`~followup_desk.domain.ports.InviteComposer`: .ics and iMIP builders."""

    def calendar(
        self,
        booking: Booking,
        prospect: Prospect,
        rep: Rep,
        stamp: datetime,
        *,
        stored: bool = False,
        client_schedules: bool = False,
    ) -> bytes:
        return build_invite(
            booking, prospect, rep, stamp, stored=stored, client_schedules=client_schedules
        )

    def email(
        self,
        booking: Booking,
        prospect: Prospect,
        rep: Rep,
        *,
        from_address: str,
        calendar: bytes,
        stamp: datetime,
    ) -> bytes:
        from followup_desk.adapters.imip import build_imip

        return build_imip(
            booking, prospect, rep, from_address=from_address, calendar=calendar, stamp=stamp
        )

    def replies(self, data: bytes, where: str) -> list[Reply]:
        from followup_desk.adapters.imip import parse_replies

        return [
            Reply(r.uid, r.attendee, r.partstat, r.sequence, r.comment)
            for r in parse_replies(data, where)
        ]


class FollowupObjects:
    """The :class:`~followup_desk.services.followup_jobs.FollowupComposer`: VTODOs and
    plain-text e-mails (adapters/followup_objects.py)."""

    def task(self, task: DueTask, sequence: int, stamp: datetime) -> bytes:
        from followup_desk.adapters.followup_objects import build_task

        return build_task(task, sequence, stamp)

    def tasks_in(self, data: bytes) -> list[SeenTask]:
        from followup_desk.adapters.followup_objects import read_tasks

        return read_tasks(data)

    def message(self, mail: PlainMail) -> bytes:
        from followup_desk.adapters.followup_objects import build_message

        return build_message(mail)


class Gateways:
    """The network gateways, imported and built on first use (caldav is slow to import)."""

    def __init__(self, timeout: float, *, mail_final_reply: float | None = None) -> None:
        """``mail_final_reply``: how long an SMTP server may take to accept a whole message
        (default: two minutes, or ``timeout`` when longer)."""
        self._timeout = timeout
        self._mail_final_reply = mail_final_reply
        self._caldav: CalDavGateway | None = None
        self._mail: MailGateway | None = None

    def caldav(self) -> CalDavGateway:
        if self._caldav is None:
            from followup_desk.adapters.caldav_gateway import CaldavGateway

            self._caldav = CaldavGateway(timeout=self._timeout)
        return self._caldav

    def mail(self) -> MailGateway:
        if self._mail is None:
            from followup_desk.adapters.smtp_gateway import SmtpGateway

            self._mail = SmtpGateway(timeout=self._timeout, final_reply=self._mail_final_reply)
        return self._mail


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


def open_desk(
    paths: AppPaths | None = None,
    clock: Clock | None = None,
    secrets: Secrets | None = None,
    gateways: Gateways | None = None,
) -> Desk:
    """Load settings, open the database and wire the services.

    ``secrets`` and ``gateways`` outlive one Desk in the window (passwords kept for this run
    only must survive a reload of the settings); the command line makes fresh ones.
    """
    paths = paths or resolve_paths()
    settings = load_settings(paths.settings_file)
    clock = clock or SystemClock()
    conn = connect(paths.database)
    store = SqliteBookingStore(conn)
    gateways = gateways or Gateways(settings.feed_timeout_seconds)
    accounts = AccountService(
        SqliteAccountStore(conn),
        secrets or KeyringSecrets(),
        gateways.caldav,
        gateways.mail,
        clock,
        settings,
    )
    # the ticked CalDAV calendars count as busy exactly as the .ics sources do
    settings = replace(settings, busy_sources=settings.busy_sources + accounts.busy_sources())
    reader = CompositeCalendarSource(
        IcsCalendarSource(
            timeout=settings.feed_timeout_seconds, max_megabytes=settings.max_source_megabytes
        ),
        lambda: _caldav_source(accounts, SqliteCalDavItems(conn), gateways),
    )
    freebusy = FreeBusyService(reader, SqliteBusyCache(conn), store, clock)
    scheduling = SchedulingService(freebusy)
    outbox = OutboxService(
        SqliteOutbox(conn),
        store,
        accounts,
        Composer(),
        gateways.caldav,
        gateways.mail,
        clock,
        settings,
    )
    bookings = BookingService(
        store, IcsInviteWriter(clock), scheduling, clock, settings, paths.invites_dir, outbox
    )
    jobs = FollowupJobs(
        SqliteTaskLedger(conn), accounts, FollowupObjects(), gateways.caldav, clock, settings
    )
    phrases = empty_phrases()
    followup_store = SqliteFollowupStore(conn)
    codec = TomlCadences()
    cadences = CadenceLibrary(followup_store, codec, builtin_cadences(), clock)
    cadences.install_builtins()
    plans = EnrolmentPlans(codec, store, clock, settings, jobs)
    followups = FollowupService(followup_store, store, cadences, plans, phrases, clock, settings)
    return Desk(
        paths,
        settings,
        conn,
        clock,
        freebusy,
        scheduling,
        bookings,
        cadences,
        followups,
        accounts,
        outbox,
        FollowupOutbox(followups, jobs, outbox, phrases),
    )


def _caldav_source(
    accounts: AccountService, items: SqliteCalDavItems, gateways: Gateways
) -> CalendarSource:
    return CalDavCalendarSource(
        accounts=accounts.caldav_account,
        password=accounts.password,
        store=items,
        gateway=gateways.caldav(),
    )
