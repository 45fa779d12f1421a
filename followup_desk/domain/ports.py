"""The ports the services need; storage and adapters implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from followup_desk.domain.accounts import CalDavAccount, ConnectionReport, SmtpAccount
from followup_desk.domain.booking import Booking, Prospect, Rep, Task
from followup_desk.domain.cadences import Cadence
from followup_desk.domain.enrolments import (
    Enrolment,
    EnrolmentUpdate,
    StoredCadence,
    StoredTouch,
)
from followup_desk.domain.intervals import BusyBlock
from followup_desk.domain.outbox import NewJob, Reply
from followup_desk.domain.review import (
    DueNow,
    Group,
    Place,
    ProspectFacts,
    ReviewBounds,
    ReviewItem,
)
from followup_desk.domain.touches import Direction, Outcome


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class CacheEntry:
    """What the cache knows of one free/busy source."""

    source: str
    fingerprint: str
    zone: str
    window_start: datetime
    window_end: datetime
    loaded_at: datetime
    blocks: tuple[BusyBlock, ...]
    last_error: str = ""
    warnings: tuple[str, ...] = ()

    def covers(self, start: datetime, end: datetime, zone: str) -> bool:
        return self.zone == zone and self.window_start <= start and end <= self.window_end


@dataclass(frozen=True)
class SourceLoad:
    """The outcome of reading a source: either unchanged, or fresh blocks and warnings."""

    fingerprint: str
    unchanged: bool
    blocks: tuple[BusyBlock, ...] = ()
    warnings: tuple[str, ...] = field(default=())


class BusyCache(Protocol):
    def get(self, source: str) -> CacheEntry | None: ...

    def put(self, entry: CacheEntry) -> None: ...

    def mark_error(self, source: str, message: str) -> None: ...


class CalendarSource(Protocol):
    def load(
        self,
        source: str,
        window: tuple[datetime, datetime],
        zone: str,
        known_fingerprint: str | None,
    ) -> SourceLoad:
        """Read ``source``; when its fingerprint equals ``known_fingerprint`` say unchanged.

        Raises :class:`followup_desk.errors.SourceError` with a sentence for the user.
        """
        ...


class BookingStore(Protocol):
    def save_new_booking(
        self, prospect: Prospect, booking: Booking, task: Task, jobs: Sequence[NewJob] = ()
    ) -> tuple[Prospect, Booking]:
        """Save all three in one transaction, with the outbox jobs that send the invite."""
        ...

    def update_booking(
        self, booking: Booking, task: Task | None, jobs: Sequence[NewJob] = ()
    ) -> Booking: ...

    def set_ics_path(self, booking_id: int, path: str) -> None: ...

    def booking(self, booking_id: int) -> Booking | None: ...

    def prospect(self, prospect_id: int) -> Prospect | None: ...

    def active_bookings(self, start: datetime, end: datetime) -> Sequence[Booking]: ...

    def prospects_with_next_step(
        self, now: datetime
    ) -> Sequence[tuple[Prospect, Booking | None, Task | None]]: ...


class InviteWriter(Protocol):
    def write(self, booking: Booking, prospect: Prospect, rep: Rep, target: str) -> str:
        """Write the invite (REQUEST, or CANCEL for a cancelled booking) to ``target``.

        Returns the path written. Raises :class:`followup_desk.errors.InviteWriteError`.
        """
        ...


class FollowupStore(Protocol):
    """Outcomes, touches, files closed or snoozed, cadences and enrolments."""

    def awaiting_outcome(self, now: datetime) -> list[tuple[Booking, Prospect]]: ...

    def record_outcome(self, booking_id: int, outcome: Outcome, at: datetime) -> None: ...

    def close(
        self, prospect_id: int, reason: str, at: datetime, jobs: Sequence[NewJob] = ()
    ) -> None: ...

    def reopen(self, prospect_id: int) -> None: ...

    def closed_reason(self, prospect_id: int) -> str | None: ...

    def snooze(self, prospect_id: int, until: date | None) -> None: ...

    def set_follow_up(self, prospect_id: int, on: date | None) -> None: ...

    def add_touch(
        self,
        prospect_id: int,
        at: datetime,
        channel: str,
        direction: Direction,
        note: str,
        enrolment: Enrolment | None = None,
        step: int | None = None,
        enrolment_update: EnrolmentUpdate | None = None,
        jobs: Sequence[NewJob] = (),
    ) -> int: ...

    def touches(self, prospect_id: int, limit: int = 200) -> list[StoredTouch]: ...

    def cadences(self) -> list[StoredCadence]: ...

    def save_cadence(self, cadence: StoredCadence, at: datetime) -> None: ...

    def delete_cadence(self, key: str) -> None: ...

    def enrol(
        self,
        prospect_id: int,
        cadence: StoredCadence,
        started: date,
        next_due: date | None,
        next_what: str,
        task_key: str = "",
        jobs: Sequence[NewJob] = (),
        at: datetime | None = None,
    ) -> Enrolment: ...

    def active_enrolment(self, prospect_id: int) -> Enrolment | None: ...

    def active_enrolments(self) -> list[Enrolment]: ...

    def queue_jobs(self, prospect_id: int, jobs: Sequence[NewJob], at: datetime) -> None: ...

    def update_enrolment(
        self,
        enrolment_id: int,
        status: str,
        reason: str,
        done: frozenset[int],
        next_due: date | None,
        next_what: str,
        snoozes: Sequence[tuple[date, int]] | None = None,
        jobs: Sequence[NewJob] = (),
        at: datetime | None = None,
    ) -> None: ...

    def review_facts(
        self, now: datetime, *, include_closed: bool = False
    ) -> list[ProspectFacts]: ...

    def review_first(
        self, bounds: ReviewBounds, limit: int | None, limits: Mapping[Group, int] | None = None
    ) -> tuple[dict[Group, int], list[tuple[Group, ProspectFacts, Place]]]:
        """Each group's size, and its first ``limit`` prospects (None: all; ``limits`` for
        some groups), in order, each with its place in that order."""
        ...

    def review_due_now(self, bounds: ReviewBounds) -> list[DueNow]:
        """Every prospect overdue or due today, with its due date."""
        ...

    def review_after(
        self, bounds: ReviewBounds, group: Group, after: ReviewItem, limit: int | None
    ) -> list[tuple[ProspectFacts, Place]]: ...

    def sweep_candidates(self, now: datetime) -> list[tuple[Enrolment, str, bool]]: ...

    def save_week_counts(self, week: date, counts: dict[str, int]) -> None: ...

    def week_counts(self, since: date) -> list[tuple[date, dict[str, int]]]: ...


class CadenceCodec(Protocol):
    """Cadences to and from their text form (a TOML file the rep can share)."""

    def parse(self, text: str, where: str) -> list[Cadence]: ...

    def dump(self, cadences: Sequence[Cadence]) -> str: ...


@dataclass(frozen=True)
class RemoteObject:
    """One calendar object on a CalDAV server: where it is, its ETag and its text."""

    href: str
    etag: str
    data: bytes


@dataclass(frozen=True)
class RemoteChanges:
    """What a sync found: objects new or changed since the last token, and hrefs gone."""

    token: str
    changed: tuple[RemoteObject, ...]
    deleted: tuple[str, ...]
    full: bool  # True: ``changed`` is the whole calendar, forget what was stored before


class CalDavGateway(Protocol):
    """The CalDAV server, through the caldav library. Every failure is a SendError/SourceError."""

    def check(
        self, account: CalDavAccount, password: str, *, timeout: float = 15.0
    ) -> ConnectionReport:
        """Discover the calendars (RFC 6764, current-user-principal) and say how it went."""
        ...

    def put_event(
        self,
        account: CalDavAccount,
        password: str,
        calendar_url: str,
        uid: str,
        data: bytes,
        *,
        href: str = "",
        etag: str = "",
    ) -> RemoteObject:
        """Create (If-None-Match: *) or update (If-Match: etag) the event ``uid``.

        Safe to repeat: a create that finds the object already there (412) reads it and
        updates it only if ours is newer (SEQUENCE); an update refused with 412 reads the
        server's copy and writes ours over it with the fresh ETag. Raises SendError.
        """
        ...

    def find_by_uid(
        self, account: CalDavAccount, password: str, calendar_url: str, uid: str
    ) -> RemoteObject | None: ...

    def changes(
        self, account: CalDavAccount, password: str, calendar_url: str, token: str
    ) -> RemoteChanges:
        """Objects changed since ``token`` (sync-collection, RFC 6578), or all when the token
        is empty or the server no longer knows it. Raises SourceError."""
        ...


class CalDavItemStore(Protocol):
    """The local copy of each busy calendar's objects, kept in step by sync tokens."""

    def token(self, source: str) -> str: ...

    def apply(self, source: str, changes: RemoteChanges) -> None: ...

    def items(self, source: str) -> list[bytes]: ...


class MailGateway(Protocol):
    def check(
        self, account: SmtpAccount, password: str, *, timeout: float = 15.0
    ) -> ConnectionReport: ...

    def send(
        self, account: SmtpAccount, password: str, message: bytes, recipients: Sequence[str]
    ) -> None:
        """Hand ``message`` to the server for ``recipients``. Raises SendError."""
        ...


class Secrets(Protocol):
    """Passwords: in the OS keyring, or for this run only when there is none."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, secret: str) -> bool:
        """Store; False when the keyring is unusable and it is kept for this run only."""
        ...

    def delete(self, key: str) -> None: ...

    def problem(self) -> str:
        """Empty when the keyring works; else the sentence saying why not."""
        ...


class InviteComposer(Protocol):
    """The bytes each channel sends: the calendar object and the iMIP e-mail."""

    def calendar(
        self,
        booking: Booking,
        prospect: Prospect,
        rep: Rep,
        stamp: datetime,
        *,
        stored: bool = False,
        client_schedules: bool = False,
    ) -> bytes: ...

    def email(
        self,
        booking: Booking,
        prospect: Prospect,
        rep: Rep,
        *,
        from_address: str,
        calendar: bytes,
        stamp: datetime,
    ) -> bytes: ...

    def replies(self, data: bytes, where: str) -> list[Reply]:
        """The answers in an .ics or an e-mail; raises InvalidInputError naming ``where``."""
        ...
