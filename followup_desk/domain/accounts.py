"""Accounts: where the rep's calendars and mail live. Never their passwords (the keyring has those).

A CalDAV account names the server, the user, the calendars found there and which of them
count as busy and which one receives bookings. An SMTP account names the host, the port,
how the connection is secured and the From address, which is the invites' ORGANIZER.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    CALDAV = "caldav"
    SMTP = "smtp"


class Security(StrEnum):
    """How an SMTP connection is secured."""

    STARTTLS = "starttls"  # plain connect, then STARTTLS (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
    NONE = "none"  # only for a server on this machine


class InvitesBy(StrEnum):
    """Who e-mails the prospect when a booking lands on a CalDAV server.

    ``APP``: the app sends the iMIP mail, and the event on the server carries
    SCHEDULE-AGENT=CLIENT on the attendee so a scheduling server (RFC 6638) stays quiet.
    ``SERVER``: the server sends it; the app's own e-mail is skipped for that booking.
    Either way the prospect gets exactly one invitation.
    """

    APP = "app"
    SERVER = "server"


@dataclass(frozen=True)
class CalendarInfo:
    """One calendar collection found on a CalDAV server."""

    url: str
    name: str
    read_only: bool = False
    components: tuple[str, ...] = ("VEVENT",)  # what it accepts: VEVENT, VTODO
    color: str = ""


@dataclass(frozen=True)
class CalDavAccount:
    name: str  # the rep's label, unique among accounts ("work", "fastmail")
    url: str  # what the rep typed: a server address or a full calendar-home URL
    username: str
    home_url: str = ""  # the calendar home found by discovery
    calendars: tuple[CalendarInfo, ...] = ()
    busy_calendars: tuple[str, ...] = ()  # calendar URLs whose events count as busy
    bookings_calendar: str = ""  # the calendar URL bookings are written to
    invites_by: InvitesBy = InvitesBy.APP
    trusted_fingerprint: str = ""  # SHA-256 of a certificate the rep chose to trust
    id: int | None = None
    # the calendar due touches go to as tasks: a URL, "" (pick one) or NO_TASKS (none)
    tasks_calendar: str = ""

    @property
    def kind(self) -> AccountKind:
        return AccountKind.CALDAV

    @property
    def task_list(self) -> str:
        """The URL of the calendar that receives the due touches as tasks ("" for none).

        The recorded choice while the server still offers it as a writable task calendar;
        otherwise the one :func:`pick_tasks_calendar` picks.
        """
        if self.tasks_calendar == NO_TASKS:
            return ""
        chosen = self.calendar(self.tasks_calendar) if self.tasks_calendar else None
        if chosen is not None and not chosen.read_only and "VTODO" in chosen.components:
            return chosen.url
        return pick_tasks_calendar(self.calendars, self.bookings_calendar)

    def calendar(self, url: str) -> CalendarInfo | None:
        return next((c for c in self.calendars if c.url == url), None)


@dataclass(frozen=True)
class SmtpAccount:
    name: str
    host: str
    port: int
    username: str
    from_address: str
    security: Security = Security.STARTTLS
    trusted_fingerprint: str = ""
    id: int | None = None

    @property
    def kind(self) -> AccountKind:
        return AccountKind.SMTP


Account = CalDavAccount | SmtpAccount


class Check(StrEnum):
    """The one answer "Test connection" gives."""

    CONNECTED = "connected"
    WRONG_PASSWORD = "wrong-password"
    UNREACHABLE = "unreachable"
    UNTRUSTED_CERTIFICATE = "untrusted-certificate"
    NOT_CALDAV = "not-caldav"
    READ_ONLY = "read-only"
    NO_PASSWORD = "no-password"


@dataclass(frozen=True)
class ConnectionReport:
    """What a connection test found, with the sentence to show."""

    check: Check
    message: str
    calendars: tuple[CalendarInfo, ...] = ()
    home_url: str = ""
    fingerprint: str = ""  # the certificate's SHA-256 (hex, colon-separated) when untrusted
    server: str = ""  # what the server said it is, for the log and the dialog

    @property
    def ok(self) -> bool:
        return self.check is Check.CONNECTED


def account_key(account: Account) -> str:
    """The keyring entry's user name: one password per account, whatever its user name."""
    return f"{account.kind.value}:{account.name}"


def pick_calendars(
    calendars: tuple[CalendarInfo, ...],
    bookings: str | None,
    busy: tuple[str, ...] | None,
) -> tuple[str, tuple[str, ...]]:
    """The bookings calendar URL and busy calendar URLs from names or URLs the rep gave.

    With one writable event calendar on the server and nothing named, it is both. With
    several and nothing named, the first writable one receives bookings and every event
    calendar counts as busy. Raises ``LookupError`` naming what was not found.
    """
    events = [c for c in calendars if "VEVENT" in c.components]

    def find(wanted: str) -> CalendarInfo:
        key = wanted.strip()
        for calendar in events:
            if key in (calendar.url, calendar.name) or calendar.url.rstrip("/").endswith(
                "/" + key.strip("/")
            ):
                return calendar
        for calendar in events:
            if calendar.name.casefold() == key.casefold():
                return calendar
        names = ", ".join(repr(c.name) for c in events) or "none"
        raise LookupError(f"There is no calendar {wanted!r} on the server (found: {names}).")

    if bookings:
        chosen = find(bookings)
        if chosen.read_only:
            raise LookupError(
                f"The calendar {chosen.name!r} is read-only for you; choose one you can write to."
            )
        bookings_url = chosen.url
    else:
        writable = [c for c in events if not c.read_only]
        bookings_url = writable[0].url if writable else ""
    busy_urls = (
        tuple(find(name).url for name in busy if name.strip())
        if busy
        else tuple(c.url for c in events)
    )
    return bookings_url, busy_urls


NO_TASKS = "none"


def pick_tasks_calendar(calendars: tuple[CalendarInfo, ...], bookings_url: str) -> str:
    """The calendar due touches go to as tasks: a writable task list (a calendar that takes
    VTODO and no VEVENT), else the bookings calendar when it takes VTODO, else none ("")."""
    writable = [c for c in calendars if not c.read_only and "VTODO" in c.components]
    lists = [c for c in writable if "VEVENT" not in c.components]
    if lists:
        return lists[0].url
    if any(c.url == bookings_url for c in writable):
        return bookings_url
    return ""


def find_tasks_calendar(calendars: tuple[CalendarInfo, ...], wanted: str) -> str:
    """The URL of the task calendar the rep named (name or URL), or NO_TASKS for "none".

    Raises ``LookupError`` naming what was not found or cannot take tasks.
    """
    key = wanted.strip()
    if key.casefold() in (NO_TASKS, "off", "no"):
        return NO_TASKS
    for calendar in calendars:
        if key in (calendar.url, calendar.name) or calendar.name.casefold() == key.casefold():
            if calendar.read_only or "VTODO" not in calendar.components:
                raise LookupError(
                    f"The calendar {calendar.name!r} cannot hold tasks (it is read-only or "
                    "takes events only); choose a task list."
                )
            return calendar.url
    names = ", ".join(repr(c.name) for c in calendars if "VTODO" in c.components) or "none"
    raise LookupError(f"There is no task list {wanted!r} on the server (task lists: {names}).")


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
CALDAV_SOURCE_PREFIX = "caldav:"


def check_account_name(name: str) -> str:
    """The name, lower-cased; raises ``ValueError`` with the reason when it cannot be used."""
    key = name.strip().lower()
    if not key:
        raise ValueError("An account needs a name, such as 'work' or 'fastmail'.")
    if len(key) > 40 or not set(key) <= _NAME_CHARS:
        raise ValueError(
            f"{name!r} cannot name an account: use up to 40 letters a-z, digits, '.', '_' or '-'."
        )
    return key


def caldav_source(account: str, calendar_url: str) -> str:
    """How a CalDAV calendar is named among the free/busy sources."""
    return f"{CALDAV_SOURCE_PREFIX}{account}:{calendar_url}"


def parse_caldav_source(source: str) -> tuple[str, str] | None:
    """``(account, calendar URL)`` for a CalDAV source, ``None`` for any other source."""
    if not source.startswith(CALDAV_SOURCE_PREFIX):
        return None
    account, _, url = source[len(CALDAV_SOURCE_PREFIX) :].partition(":")
    return (account, url) if account and url else None
