"""The CalendarSource port for calendars on a CalDAV server, kept in step by sync tokens.

A source named ``caldav:<account>:<calendar url>`` is read through the CalDAV gateway: only
what changed since the last sync travels, into a local copy (the CalDavItemStore); the
busy blocks are computed from that copy. The fingerprint is the sync token, so a calendar
that did not change is recognised without parsing anything.

This module does not import caldav: the gateway is handed in, so the window starts
without loading the CalDAV library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from followup_desk.adapters.caldav_objects import describe
from followup_desk.adapters.ics_reader import busy_blocks
from followup_desk.domain.accounts import (
    CALDAV_SOURCE_PREFIX,
    CalDavAccount,
    parse_caldav_source,
)
from followup_desk.domain.intervals import BusyBlock
from followup_desk.domain.ports import CalDavGateway, CalDavItemStore, CalendarSource, SourceLoad
from followup_desk.errors import SourceError

log = logging.getLogger(__name__)


class CalDavCalendarSource:
    """Reads ``caldav:`` sources; see :class:`followup_desk.domain.ports.CalendarSource`."""

    def __init__(
        self,
        accounts: Callable[[str], CalDavAccount | None],
        password: Callable[[CalDavAccount], str | None],
        store: CalDavItemStore,
        gateway: CalDavGateway,
    ) -> None:
        self._accounts = accounts
        self._password = password
        self._store = store
        self._gateway = gateway

    def load(
        self,
        source: str,
        window: tuple[datetime, datetime],
        zone: str,
        known_fingerprint: str | None,
    ) -> SourceLoad:
        parsed = parse_caldav_source(source)
        if parsed is None:
            raise SourceError(
                source,
                f"{source} does not name a CalDAV calendar (caldav:<account>:<calendar URL>). "
                "Check free_busy.sources in the settings.",
            )
        name, calendar_url = parsed
        account = self._accounts(name)
        if account is None:
            raise SourceError(
                source,
                f"There is no CalDAV account named {name!r}. Add it in Accounts (or with "
                f"`followup-desk account add`), or remove {source} from the busy calendars.",
            )
        password = self._password(account)
        if password is None:
            raise SourceError(
                source,
                f"The password of the account {name!r} is not set. Set it in File › "
                f"Accounts… (Ctrl+Shift+A), or with `followup-desk account password {name}`.",
            )
        token = self._store.token(source)
        changes = self._gateway.changes(account, password, calendar_url, token)
        nothing_new = not changes.full and not changes.changed and not changes.deleted
        if nothing_new and changes.token == token and changes.token == known_fingerprint:
            return SourceLoad(changes.token, unchanged=True)
        self._store.apply(source, changes)
        label = _label(account, calendar_url)
        blocks, warnings = _busy(self._store.items(source), label, window, zone)
        return SourceLoad(changes.token, False, blocks, warnings)


def _label(account: CalDavAccount, calendar_url: str) -> str:
    info = account.calendar(calendar_url)
    return f"{info.name} ({account.name})" if info else f"{calendar_url} ({account.name})"


def _busy(
    items: Iterable[bytes], label: str, window: tuple[datetime, datetime], zone: str
) -> tuple[tuple[BusyBlock, ...], tuple[str, ...]]:
    """Busy blocks of every stored object; one that cannot be read is named and skipped."""
    blocks: list[BusyBlock] = []
    warnings: list[str] = []
    for data in items:
        try:
            parsed = busy_blocks(data, label, window, zone)
        except SourceError as exc:
            log.info("skipping an unreadable event in %s: %s", label, exc)
            warnings.append(
                f"{label}: the event {describe(data)} could not be read and is left out; the "
                "rest of the calendar counts."
            )
            continue
        blocks.extend(parsed.blocks)
        warnings.extend(w for w in parsed.warnings if w not in warnings)
    return tuple(sorted(blocks)), tuple(warnings)


class CompositeCalendarSource:
    """Sends ``caldav:`` sources to the CalDAV source and every other to the .ics one.

    The CalDAV source is built on first use (``caldav``), so a rep without a CalDAV
    account never imports the caldav library.
    """

    def __init__(self, ics: CalendarSource, caldav: Callable[[], CalendarSource]) -> None:
        self._ics = ics
        self._make_caldav = caldav
        self._caldav: CalendarSource | None = None

    def load(
        self,
        source: str,
        window: tuple[datetime, datetime],
        zone: str,
        known_fingerprint: str | None,
    ) -> SourceLoad:
        if not source.startswith(CALDAV_SOURCE_PREFIX):
            return self._ics.load(source, window, zone, known_fingerprint)
        if self._caldav is None:
            self._caldav = self._make_caldav()
        return self._caldav.load(source, window, zone, known_fingerprint)
