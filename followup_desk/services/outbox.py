"""Sending invites through the outbox: CalDAV, e-mail, and reading the prospect's answer.

:meth:`OutboxService.jobs_for` turns a booking's new state into jobs, which the booking
service saves in the booking's own transaction. :meth:`OutboxService.run_due` sends what is
due, one job at a time: claim (saved), send, record (saved). Network errors, timeouts and
5xx answers wait and retry with backoff; a wrong password, a refused write or a full quota
hold the job until the rep fixes the cause and asks again. Nothing is sent twice: a CalDAV
event is written under its stable UID with preconditions, and an e-mail marked sent is
never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from followup_desk.domain.accounts import AccountKind, CalDavAccount, InvitesBy, SmtpAccount
from followup_desk.domain.booking import Booking, BookingStatus, Prospect
from followup_desk.domain.outbox import (
    Channel,
    Job,
    JobKind,
    JobState,
    Method,
    NewJob,
    backoff,
)
from followup_desk.domain.ports import (
    BookingStore,
    CalDavGateway,
    Clock,
    InviteComposer,
    MailGateway,
)
from followup_desk.domain.settings import Settings
from followup_desk.errors import InvalidInputError, NotFoundError, SendError
from followup_desk.services.accounts import AccountService

log = logging.getLogger(__name__)

# Longer than any one send may take: connect, TLS, log in, write (timeouts included), the
# SMTP server's final answer (two minutes). A job "sending" for longer was left by a stop.
STALE_SEND = timedelta(minutes=5)


class OutboxStore(Protocol):
    def job(self, job_id: int) -> Job | None: ...

    def due(self, now: datetime, limit: int = 50) -> list[Job]: ...

    def next_wake(self) -> datetime | None: ...

    def claim(self, job_id: int, at: datetime) -> bool: ...

    def mark_sent(self, job: Job, at: datetime, href: str = "", etag: str = "") -> None: ...

    def mark_retry(
        self, job: Job, at: datetime, error: str, kind: str, next_try: datetime
    ) -> None: ...

    def mark_held(self, job: Job, at: datetime, error: str, kind: str) -> None: ...

    def mark_unknown(self, job: Job, at: datetime, error: str, kind: str) -> None: ...

    def recover(self, at: datetime, claimed_before: datetime) -> int: ...

    def retry(self, at: datetime, job_ids: Sequence[int] | None = None) -> int: ...

    def resolve(self, job_id: int, state: JobState, at: datetime, note: str) -> bool: ...

    def counts(self) -> dict[str, int]: ...

    def remote_events(self, account: str) -> list[tuple[int, str, str]]: ...

    def set_reply(self, booking_id: int, reply: str, at: datetime) -> bool: ...

    def booking_by_uid(self, uid: str) -> int | None: ...

    def channels_used(self, booking_id: int) -> list[str]: ...

    def channels_by_booking(self) -> dict[int, list[str]]: ...


@dataclass(frozen=True)
class Sent:
    """What one attempt at one job came to."""

    job_id: int
    booking_id: int | None  # None for a task or a follow-up e-mail
    channel: Channel
    state: JobState
    message: str
    kind: JobKind = JobKind.INVITE


@dataclass(frozen=True)
class ReplyRead:
    booking_id: int
    prospect: str
    partstat: str


CHANNEL_WORDS = {Channel.CALDAV: "calendar", Channel.EMAIL: "e-mail", Channel.ICS: ".ics file"}


class OutboxService:
    def __init__(
        self,
        store: OutboxStore,
        bookings: BookingStore,
        accounts: AccountService,
        composer: InviteComposer,
        caldav: Callable[[], CalDavGateway],
        mail: Callable[[], MailGateway],
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._store = store
        self._bookings = bookings
        self._accounts = accounts
        self._composer = composer
        self._caldav = caldav
        self._mail = mail
        self._clock = clock
        self._settings = settings

    # --- building jobs ---------------------------------------------------------------------

    def check_channels(self, channels: Sequence[Channel]) -> None:
        """Refuse, before anything is saved, channels that have no account to go through."""
        if Channel.CALDAV in channels:
            account = self._accounts.first(AccountKind.CALDAV)
            if account is None:
                raise InvalidInputError(
                    "There is no CalDAV account to write the invite to; add one "
                    "(File > Accounts..., or followup-desk account add caldav ...) or send "
                    "another way (--send ics,email)."
                )
            if isinstance(account, CalDavAccount) and not account.bookings_calendar:
                raise InvalidInputError(
                    f"The CalDAV account {account.name!r} has no calendar to receive bookings "
                    "(all are read-only); choose one in Accounts."
                )
        if Channel.EMAIL in channels and self._accounts.first(AccountKind.SMTP) is None:
            raise InvalidInputError(
                "There is no e-mail (SMTP) account to send the invitation through; add one "
                "(File > Accounts..., or followup-desk account add smtp ...) or send another "
                "way (--send ics,caldav)."
            )

    def jobs_for(
        self, booking: Booking, prospect: Prospect, channels: Sequence[Channel]
    ) -> tuple[list[NewJob], list[str]]:
        """The jobs that send the booking's current state, and notes for the rep."""
        jobs: list[NewJob] = []
        notes: list[str] = []
        rep = self._settings.rep
        stamp = self._clock.now()
        method = Method.CANCEL if booking.status is BookingStatus.CANCELLED else Method.REQUEST
        caldav = self._accounts.first(AccountKind.CALDAV)
        server_invites = (
            isinstance(caldav, CalDavAccount)
            and caldav.invites_by is InvitesBy.SERVER
            and Channel.CALDAV in channels
        )
        if Channel.CALDAV in channels and isinstance(caldav, CalDavAccount):
            data = self._composer.calendar(
                booking,
                prospect,
                rep,
                stamp,
                stored=True,
                client_schedules=caldav.invites_by is InvitesBy.APP,
            )
            jobs.append(
                NewJob(Channel.CALDAV, caldav.name, booking.uid, booking.sequence, method, data)
            )
        smtp = self._accounts.first(AccountKind.SMTP)
        if Channel.EMAIL in channels and isinstance(smtp, SmtpAccount):
            if server_invites:
                server = caldav.name if caldav else ""
                notes.append(
                    f"No e-mail from the app: the calendar server of {server!r} sends the "
                    "invitation itself (so the prospect gets exactly one)."
                )
            else:
                calendar = self._composer.calendar(booking, prospect, rep, stamp)
                message = self._composer.email(
                    booking,
                    prospect,
                    rep,
                    from_address=smtp.from_address,
                    calendar=calendar,
                    stamp=stamp,
                )
                jobs.append(
                    NewJob(
                        Channel.EMAIL,
                        smtp.name,
                        booking.uid,
                        booking.sequence,
                        method,
                        message,
                        recipient=prospect.email,
                    )
                )
        return jobs, notes

    # --- sending ---------------------------------------------------------------------------

    def channels_used(self, booking_id: int) -> tuple[Channel, ...]:
        return tuple(Channel(c) for c in self._store.channels_used(booking_id))

    def channels_by_booking(self) -> dict[int, tuple[Channel, ...]]:
        """The channels of every booking's invite, in one query."""
        return {
            booking: tuple(Channel(c) for c in channels)
            for booking, channels in self._store.channels_by_booking().items()
        }

    def recover(self, stale_after: timedelta = STALE_SEND) -> int:
        """Jobs left "sending" by a stop mid-send, claimed over ``stale_after`` ago: no send
        of ours takes that long (timeouts included), so none is under way."""
        now = self._clock.now()
        count = self._store.recover(now, now - stale_after)
        if count:
            log.warning("outbox: %s job(s) were mid-send when the app stopped", count)
        return count

    def next_wake(self) -> datetime | None:
        return self._store.next_wake()

    def counts(self) -> dict[str, int]:
        return self._store.counts()

    def run_due(
        self,
        *,
        limit: int = 50,
        booking_id: int | None = None,
        uid: str | None = None,
        kind: JobKind | None = None,
    ) -> list[Sent]:
        """Send every job due now (or only the booking's, the UID's, or those of a kind);
        returns what each came to."""
        results = []
        for job in self._store.due(self._clock.now(), limit):
            if booking_id is not None and job.booking_id != booking_id:
                continue
            if uid is not None and job.uid != uid:
                continue
            if kind is not None and job.kind is not kind:
                continue
            results.append(self.send(job))
        return results

    def send(self, job: Job) -> Sent:
        if not self._store.claim(job.id, self._clock.now()):
            current = self._store.job(job.id)
            state = current.state if current else JobState.DROPPED
            return Sent(
                job.id, job.booking_id, job.channel, state, "taken by another worker", job.kind
            )
        try:
            href, etag = self._deliver(job)
        except SendError as exc:
            now = self._clock.now()
            attempts = job.attempts + 1
            if exc.retry:
                wait = backoff(attempts)
                message = f"{exc} Trying again in {_say(wait.total_seconds())}."
                self._store.mark_retry(job, now, message, exc.kind, now + wait)
                log.info("outbox job %s: %s, retry in %s", job.id, exc.kind, wait)
                return Sent(
                    job.id, job.booking_id, job.channel, JobState.WAITING, message, job.kind
                )
            if exc.kind == "uncertain":  # it may have arrived: never sent again on its own
                self._store.mark_unknown(job, now, str(exc), exc.kind)
                log.warning("outbox job %s: fate unknown", job.id)
                return Sent(
                    job.id, job.booking_id, job.channel, JobState.UNKNOWN, str(exc), job.kind
                )
            self._store.mark_held(job, now, str(exc), exc.kind)
            log.warning("outbox job %s held: %s", job.id, exc.kind)
            return Sent(job.id, job.booking_id, job.channel, JobState.HELD, str(exc), job.kind)
        except Exception:
            # a bug or a library surprise: keep the job, say so, log the traceback
            log.exception("outbox job %s failed unexpectedly", job.id)
            now = self._clock.now()
            message = (
                "Sending failed for a reason the app did not expect (details in the log); "
                "the job is kept: retry it from the outbox."
            )
            self._store.mark_held(job, now, message, "unexpected")
            return Sent(job.id, job.booking_id, job.channel, JobState.HELD, message, job.kind)
        self._store.mark_sent(job, self._clock.now(), href, etag)
        log.info("outbox job %s sent (%s)", job.id, job.channel.value)
        return Sent(job.id, job.booking_id, job.channel, JobState.SENT, "sent", job.kind)

    def _password(self, account: CalDavAccount | SmtpAccount) -> str:
        secret = self._accounts.password(account)
        if secret is None:
            problem = self._accounts.keyring_problem()
            raise SendError(
                f"No password is stored for the account {account.name!r}"
                + (f" ({problem})" if problem else "")
                + f". Set it (followup-desk account password {account.name}), then retry "
                "the outbox.",
                "no-password",
            )
        return secret

    def _deliver(self, job: Job) -> tuple[str, str]:
        account = (
            self._accounts.caldav_account(job.account) if job.channel is Channel.CALDAV else None
        )
        if job.channel is Channel.CALDAV:
            if account is None:
                raise SendError(_gone(job.account), "account")
            calendar = job.target if job.kind is JobKind.TASK else account.bookings_calendar
            if not calendar:
                raise SendError(
                    f"The account {account.name!r} has no calendar for bookings; choose one "
                    "in Accounts, then retry.",
                    "refused",
                )
            found = self._caldav().put_event(
                account,
                self._password(account),
                calendar,
                job.uid,
                job.payload,
                href=job.remote_href,
                etag=job.remote_etag,
            )
            return found.href, found.etag
        smtp = next(
            (
                a
                for a in self._accounts.all()
                if isinstance(a, SmtpAccount) and a.name == job.account
            ),
            None,
        )
        if smtp is None:
            raise SendError(_gone(job.account), "account")
        self._mail().send(smtp, self._password(smtp), job.payload, [job.recipient])
        return "", ""

    # --- the rep's decisions ---------------------------------------------------------------

    def retry(self, job_ids: Sequence[int] | None = None) -> int:
        return self._store.retry(self._clock.now(), job_ids)

    def mark_arrived(self, job_id: int) -> None:
        """The rep says an e-mail of unknown fate did arrive: never send it again."""
        if not self._store.resolve(job_id, JobState.SENT, self._clock.now(), "marked sent by you"):
            raise NotFoundError(f"There is no open outbox job {job_id}.")

    def drop(self, job_id: int) -> None:
        if not self._store.resolve(job_id, JobState.DROPPED, self._clock.now(), "dropped by you"):
            raise NotFoundError(f"There is no open outbox job {job_id}.")

    # --- replies ---------------------------------------------------------------------------

    def import_reply(self, path: Path) -> list[ReplyRead]:
        """Read a METHOD:REPLY .ics or e-mail and record each answer it holds."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
        return self.record_replies(data, str(path))

    def record_replies(self, data: bytes, where: str) -> list[ReplyRead]:
        found = []
        for reply in self._composer.replies(data, where):
            booking_id = self._store.booking_by_uid(reply.uid)
            if booking_id is None:
                raise NotFoundError(
                    f"{where} answers a meeting this app did not book (UID {reply.uid})."
                )
            booking = self._bookings.booking(booking_id)
            prospect = self._bookings.prospect(booking.prospect_id) if booking else None
            if booking is None or prospect is None:
                continue
            if reply.attendee and reply.attendee.casefold() != prospect.email.casefold():
                log.info(
                    "reply from %s for booking %s (not the prospect)", reply.attendee, booking_id
                )
            self._store.set_reply(booking_id, reply.partstat.upper(), self._clock.now())
            found.append(ReplyRead(booking_id, prospect.name, reply.partstat.upper()))
        if not found:
            raise InvalidInputError(f"{where} holds no answer to an invitation.")
        return found

    def refresh_replies(self) -> list[ReplyRead]:
        """Read the attendee's PARTSTAT from the server's copy of each booked event."""
        read: list[ReplyRead] = []
        for account in self._accounts.all():
            if not isinstance(account, CalDavAccount) or not account.bookings_calendar:
                continue
            secret = self._accounts.password(account)
            if secret is None:
                continue
            gateway = self._caldav()
            for booking_id, _href, uid in self._store.remote_events(account.name):
                try:
                    found = gateway.find_by_uid(account, secret, account.bookings_calendar, uid)
                except SendError as exc:
                    log.info("reading replies from %s stopped: %s", account.name, exc)
                    break
                if found is None:
                    continue
                booking = self._bookings.booking(booking_id)
                prospect = self._bookings.prospect(booking.prospect_id) if booking else None
                if prospect is None:
                    continue
                for reply in self._composer.replies(found.data, uid):
                    if reply.attendee.casefold() != prospect.email.casefold():
                        continue
                    if reply.partstat.upper() == "NEEDS-ACTION":
                        continue
                    if self._store.set_reply(booking_id, reply.partstat.upper(), self._clock.now()):
                        read.append(ReplyRead(booking_id, prospect.name, reply.partstat.upper()))
        return read


def _gone(name: str) -> str:
    return (
        f"The account {name!r} this job goes through no longer exists; add it again "
        "(followup-desk account add ...) and retry, or drop the job."
    )


def _say(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"
