"""Booking, rescheduling and cancelling a next step, and listing who has one.

Order of work, always: validate, check the slot against fresh busy time, save in SQLite
(one transaction), and only then write the invite. A refused write leaves the booking
saved and says how to write the invite again.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from followup_desk.domain.booking import (
    Booking,
    BookingStatus,
    Prospect,
    Task,
    TaskKind,
    TaskStatus,
    confirm_due,
    is_valid_email,
)
from followup_desk.domain.followup import understand
from followup_desk.domain.outbox import Channel, NewJob, parse_channels
from followup_desk.domain.phrases import format_clock, format_day, format_offset
from followup_desk.domain.ports import BookingStore, Clock, InviteWriter
from followup_desk.domain.settings import Settings
from followup_desk.domain.slots import Unavailable, check_slot
from followup_desk.domain.zone_search import is_zone
from followup_desk.errors import (
    InvalidInputError,
    InviteWriteError,
    NotFoundError,
    SlotUnavailableError,
)
from followup_desk.services.freebusy import BusyResult
from followup_desk.services.scheduling import SchedulingService

if TYPE_CHECKING:  # the window imports this module on its way to the first paint
    from followup_desk.services.outbox import OutboxService

log = logging.getLogger(__name__)

UID_DOMAIN = "followup-desk"


@dataclass(frozen=True)
class BookingRequest:
    name: str
    email: str
    start: datetime
    length: timedelta
    prospect_zone: str | None = None
    company: str = ""
    phone: str = ""
    follow_up_said: str = ""
    ics_target: str | None = None
    channels: tuple[str, ...] = ()
    follow_up_channel: str = ""
    # the date the rep settled on to act, when they changed the one the app suggested
    follow_up_date: date | None = None
    # how the invite goes out: "ics", "caldav", "email"; None: the settings' default
    send: tuple[str, ...] | None = None


@dataclass(frozen=True)
class BookingOutcome:
    booking: Booking
    prospect: Prospect
    ics_path: str
    warnings: tuple[str, ...] = ()
    # the network channels queued in the outbox with the booking ("caldav", "email")
    queued: tuple[str, ...] = ()


@dataclass(frozen=True)
class NextStep:
    prospect: Prospect
    booking: Booking | None
    confirm_on: date | None


def end_of(start: datetime, length: timedelta) -> datetime:
    """The real end: an hour-long meeting lasts an hour even across a clock change.

    Adding to a zoned datetime adds wall-clock time, which is off by the DST shift.
    """
    return (start.astimezone(UTC) + length).astimezone(start.tzinfo)


def check_zone(name: str, what: str) -> ZoneInfo:
    if is_zone(name):
        return ZoneInfo(name)
    raise InvalidInputError(
        f"{what} {name!r} is not a time zone name; use an IANA name such as "
        "'Europe/London' or 'America/Chicago'."
    )


def slug(text: str) -> str:
    """A file-name-safe rendering of a person's name (letters kept, accents too)."""
    normal = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w]+", "-", normal, flags=re.UNICODE).strip("-_").lower()
    return cleaned[:40].strip("-") or "prospect"


def invite_file_name(booking: Booking, prospect: Prospect, kind: str) -> str:
    local = booking.start.astimezone(ZoneInfo(booking.rep_zone))
    suffix = "" if kind == "invite" else f"_{kind}"
    return f"{local:%Y-%m-%d_%H%M}_{slug(prospect.name)}_b{booking.id}{suffix}.ics"


def _span(amount: timedelta) -> str:
    minutes = int(amount.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"


def unavailable_sentence(
    reason: Unavailable, start: datetime, zone: ZoneInfo, notice: timedelta
) -> str:
    local = start.astimezone(zone)
    when = f"{format_day(local.date())} at {format_clock(local)} ({format_offset(local)})"
    hint = f" See what is free with: followup-desk slots --day {local:%Y-%m-%d}"
    sentences = {
        Unavailable.NOT_WORKING_DAY: f"{when} is not on one of your working days.",
        Unavailable.OUTSIDE_HOURS: f"A meeting on {when} does not fit in your working hours.",
        Unavailable.PAST: f"{when} is already in the past.",
        Unavailable.TOO_SOON: (
            f"{when} is sooner than your minimum notice of {_span(notice)} allows "
            "(minimum_notice under [meetings] in settings.toml)."
        ),
        Unavailable.BUSY: (
            f"{when} is no longer free: it overlaps something in your calendar (buffers included)."
        ),
    }
    return sentences[reason] + hint


class BookingService:
    def __init__(
        self,
        store: BookingStore,
        writer: InviteWriter,
        scheduling: SchedulingService,
        clock: Clock,
        settings: Settings,
        default_folder: Path,
        outbox: OutboxService | None = None,
    ) -> None:
        self._outbox = outbox
        self._store = store
        self._writer = writer
        self._scheduling = scheduling
        self._clock = clock
        self._settings = settings
        self._folder = (
            Path(settings.invites_folder).expanduser()
            if settings.invites_folder
            else default_folder
        )

    @property
    def settings(self) -> Settings:
        return self._settings

    def _title(self, prospect: Prospect) -> str:
        return (
            self._settings.meeting_title.replace("{rep}", self._settings.rep.name)
            .replace("{prospect}", prospect.name)
            .replace("{company}", prospect.company or prospect.name)
        )

    def _check_free(
        self, start: datetime, length: timedelta, now: datetime, exclude: int | None
    ) -> BusyResult:
        rules = self._settings.rules
        day = start.astimezone(rules.zone).date()
        narrowing, busy = self._scheduling.narrowing(
            rules,
            self._settings.busy_sources,
            rules.time_zone,
            length,
            now,
            day - timedelta(days=1),
            day + timedelta(days=1),
            exclude_booking=exclude,
        )
        reason = check_slot(start, length, rules, narrowing.busy, now)
        if reason is not None:
            raise SlotUnavailableError(
                unavailable_sentence(reason, start, rules.zone, rules.minimum_notice)
            )
        return busy

    def _target(self, booking: Booking, prospect: Prospect, kind: str, given: str | None) -> str:
        name = invite_file_name(booking, prospect, kind)
        if given:
            # absolute, so the update is written next to it whatever folder runs it
            path = Path(given).expanduser().absolute()
            if path.is_dir() or given.endswith(("/", "\\")):
                return str(path / name)
            return str(path)
        if booking.ics_path:
            return str(Path(booking.ics_path).parent / name)
        return str(self._folder / name)

    def _channels(self, given: Sequence[str] | None, booking_id: int | None) -> tuple[Channel, ...]:
        """The channels asked for; for a change of a booking, those it was sent on."""
        if given is not None:
            try:
                channels = parse_channels(",".join(given))
            except ValueError as exc:
                raise InvalidInputError(str(exc)) from None
        else:
            used: tuple[Channel, ...] = ()
            if booking_id is not None and self._outbox is not None:
                used = self._outbox.channels_used(booking_id)
                existing = self._store.booking(booking_id)
                if existing is not None and existing.ics_path:
                    used = (Channel.ICS, *used)
            channels = used or parse_channels(",".join(self._settings.send_channels))
        network = [c for c in channels if c is not Channel.ICS]
        if network:
            if self._outbox is None:
                raise InvalidInputError("Sending by CalDAV or e-mail is not available here.")
            self._outbox.check_channels(network)
        return channels

    def _jobs(
        self, booking: Booking, prospect: Prospect, channels: Sequence[Channel]
    ) -> tuple[list[NewJob], list[str]]:
        network = [c for c in channels if c is not Channel.ICS]
        if not network or self._outbox is None:
            return [], []
        return self._outbox.jobs_for(booking, prospect, network)

    def _write(self, booking: Booking, prospect: Prospect, target: str) -> str:
        assert booking.id is not None
        try:
            path = self._writer.write(booking, prospect, self._settings.rep, target)
        except InviteWriteError as exc:
            reason = str(exc)
            raise InviteWriteError(
                f"Booking {booking.id} is saved, but {reason[:1].lower()}{reason[1:]} Then run: "
                f"followup-desk invite {booking.id} --ics FOLDER",
                booking_id=booking.id,
            ) from exc
        self._store.set_ics_path(booking.id, path)
        return path

    def book(self, request: BookingRequest) -> BookingOutcome:
        rules = self._settings.rules
        name = " ".join(request.name.split())
        if not name:
            raise InvalidInputError("The prospect's name is empty; type the name to book.")
        email = request.email.strip()
        if not is_valid_email(email):
            raise InvalidInputError(
                f"{request.email!r} is not an e-mail address; the invite needs one "
                "(name@example.com)."
            )
        rep = self._settings.rep
        if not rep.name or not is_valid_email(rep.email):
            raise InvalidInputError(
                "Your name and e-mail address are not set, and the invite needs them as its "
                "organizer: fill in name and email under [rep] in settings.toml "
                "(followup-desk settings shows where it is)."
            )
        zone_name = request.prospect_zone or rules.time_zone
        check_zone(zone_name, "The prospect's time zone")
        if not timedelta(minutes=5) <= request.length <= timedelta(hours=8):
            raise InvalidInputError("A meeting lasts between 5 minutes and 8 hours.")
        now = self._clock.now()
        start = request.start
        busy = self._check_free(start, request.length, now, None)
        today = now.astimezone(rules.zone).date()
        wish = (
            understand(request.follow_up_said, today, rules.working_days)
            if request.follow_up_said.strip()
            else None
        )
        prospect = Prospect(
            id=None,
            name=name,
            email=email,
            time_zone=zone_name,
            company=request.company.strip(),
            phone=request.phone.strip(),
            follow_up_said=request.follow_up_said.strip(),
            follow_up_stated=wish.stated if wish else None,
            follow_up_suggested=request.follow_up_date or (wish.suggested if wish else None),
            channels=tuple(c.strip() for c in request.channels if c.strip()),
            follow_up_channel=request.follow_up_channel.strip(),
        )
        booking = Booking(
            id=None,
            prospect_id=0,
            uid=f"{uuid.uuid4()}@{UID_DOMAIN}",
            sequence=0,
            status=BookingStatus.BOOKED,
            start=start,
            end=end_of(start, request.length),
            rep_zone=rules.time_zone,
            prospect_zone=zone_name,
            title=self._title(prospect),
            created=now,
            updated=now,
        )
        meeting_day = start.astimezone(rules.zone).date()
        task = Task(
            None,
            0,
            TaskKind.CONFIRM_DAY_BEFORE,
            confirm_due(meeting_day, today, rules.working_days),
            TaskStatus.OPEN,
        )
        channels = self._channels(request.send, None)
        jobs, notes = self._jobs(booking, prospect, channels)
        prospect, booking = self._store.save_new_booking(prospect, booking, task, jobs)
        log.info("booked %s for prospect %s", booking.id, prospect.id)
        path = ""
        if Channel.ICS in channels or request.ics_target:
            path = self._write(
                booking, prospect, self._target(booking, prospect, "invite", request.ics_target)
            )
        return BookingOutcome(
            replace(booking, ics_path=path or booking.ics_path),
            prospect,
            path,
            (*busy.problems, *notes),
            tuple(j.channel.value for j in jobs),
        )

    def _existing(self, booking_id: int) -> tuple[Booking, Prospect]:
        booking = self._store.booking(booking_id)
        if booking is None:
            raise NotFoundError(
                f"There is no booking {booking_id}; `followup-desk list` shows the bookings."
            )
        prospect = self._store.prospect(booking.prospect_id)
        assert prospect is not None  # foreign key
        return booking, prospect

    def reschedule(
        self, booking_id: int, start: datetime, send: Sequence[str] | None = None
    ) -> BookingOutcome:
        booking, prospect = self._existing(booking_id)
        if booking.status is BookingStatus.CANCELLED:
            raise InvalidInputError(
                f"Booking {booking_id} was cancelled; book a new meeting instead."
            )
        now = self._clock.now()
        busy = self._check_free(start, booking.length, now, booking.id)
        rules = self._settings.rules
        today = now.astimezone(rules.zone).date()
        moved = replace(
            booking,
            start=start,
            end=end_of(start, booking.length),
            sequence=booking.sequence + 1,
            updated=now,
        )
        task = Task(
            None,
            booking_id,
            TaskKind.CONFIRM_DAY_BEFORE,
            confirm_due(start.astimezone(rules.zone).date(), today, rules.working_days),
            TaskStatus.OPEN,
        )
        channels = self._channels(send, booking_id)
        jobs, notes = self._jobs(moved, prospect, channels)
        saved = self._store.update_booking(moved, task, jobs)
        path = ""
        if Channel.ICS in channels:
            target = self._target(
                replace(saved, ics_path=booking.ics_path),
                prospect,
                f"update-{saved.sequence}",
                None,
            )
            path = self._write(saved, prospect, target)
        return BookingOutcome(
            replace(saved, ics_path=path or saved.ics_path),
            prospect,
            path,
            (*busy.problems, *notes),
            tuple(j.channel.value for j in jobs),
        )

    def cancel(self, booking_id: int, send: Sequence[str] | None = None) -> BookingOutcome:
        booking, prospect = self._existing(booking_id)
        if booking.status is BookingStatus.CANCELLED:
            raise InvalidInputError(f"Booking {booking_id} is already cancelled.")
        now = self._clock.now()
        cancelled = replace(
            booking, status=BookingStatus.CANCELLED, sequence=booking.sequence + 1, updated=now
        )
        task = Task(None, booking_id, TaskKind.CONFIRM_DAY_BEFORE, now.date(), TaskStatus.CANCELLED)
        channels = self._channels(send, booking_id)
        jobs, notes = self._jobs(cancelled, prospect, channels)
        saved = self._store.update_booking(cancelled, task, jobs)
        path = ""
        if Channel.ICS in channels:
            target = self._target(
                replace(saved, ics_path=booking.ics_path), prospect, "cancel", None
            )
            path = self._write(saved, prospect, target)
        return BookingOutcome(
            replace(saved, ics_path=path or saved.ics_path),
            prospect,
            path,
            tuple(notes),
            tuple(j.channel.value for j in jobs),
        )

    def rewrite_invite(self, booking_id: int, target: str | None) -> BookingOutcome:
        """Write the booking's current invite again (after a refused write, or elsewhere)."""
        booking, prospect = self._existing(booking_id)
        kind = (
            "cancel"
            if booking.status is BookingStatus.CANCELLED
            else ("invite" if booking.sequence == 0 else f"update-{booking.sequence}")
        )
        path = self._write(booking, prospect, self._target(booking, prospect, kind, target))
        return BookingOutcome(replace(booking, ics_path=path), prospect, path)

    def prospect(self, prospect_id: int) -> Prospect | None:
        return self._store.prospect(prospect_id)

    def booking(self, booking_id: int) -> Booking | None:
        return self._store.booking(booking_id)

    def saved_without_invite(self, booking_id: int, reason: str) -> BookingOutcome:
        """What a booking whose invite could not be written looks like to the window."""
        booking, prospect = self._existing(booking_id)
        return BookingOutcome(booking, prospect, "", (reason,))

    def next_steps(self) -> list[NextStep]:
        now = self._clock.now()
        return [
            NextStep(p, b, t.due if t and t.status is TaskStatus.OPEN else None)
            for p, b, t in self._store.prospects_with_next_step(now)
        ]
