"""The window's conductor: the prospect form, the narrowing flow, booking, and the list.

Everything slow (reading calendars, booking, which re-checks free/busy) is a job for the
worker thread; this object sends the job, shows that it is under way, and turns the answer
into state: a narrowing to walk, a booking done, or a sentence next to the right field.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from followup_desk.domain.accounts import Account
from followup_desk.domain.booking import BookingStatus
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.phrases import format_short_day
from followup_desk.domain.review import State
from followup_desk.domain.settings import Settings
from followup_desk.domain.slots import Slot
from followup_desk.errors import InviteWriteError, SlotUnavailableError, UserError
from followup_desk.services.booking import BookingOutcome, BookingRequest, NextStep
from followup_desk.services.freebusy import BusyResult
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.narrowing import NarrowingViewModel
from followup_desk.ui.viewmodels.prospect_form import ProspectFormViewModel
from followup_desk.ui.viewmodels.prospects import ProspectsModel
from followup_desk.ui.viewmodels.sending import Delivery, SendChoice, availability

if TYPE_CHECKING:  # only the worker thread opens a Desk
    from followup_desk.app import Desk

log = logging.getLogger(__name__)

# Busy time is read for this many days ahead when the flow opens: every horizon fits.
AHEAD_DAYS = 27
# A snapshot older than this is read again when the rep comes back to the flow.
REFRESH_AFTER_SECONDS = 300


_NO_REP = "Your name and e-mail are not set yet"


def _invite_problem(error: InviteWriteError) -> str:
    """The sentence for the window: why the file could not be written, no command line."""
    text = str(error)
    reason = text.split(" is saved, but ", 1)[-1].split(" Then run:", 1)[0]
    return (
        f"The invite could not be written: {reason} Fix that and press W to write it again "
        "(or set another folder under [invites] in the settings)."
    )


STALE_TAIL = " Using the copy read "  # how the free/busy service words a stale copy
NOTHING_TICKED = "Tick at least one way to send the invite: C calendar, E e-mail, I .ics file."
SEND_TITLE = "&Book and send the invite"
WRITE_TITLE = "&Book and write the invite"


def source_lines(busy: BusyResult, zone: ZoneInfo, now: datetime) -> tuple[str, ...]:
    """The banner's sentences for sources that failed; a stale copy says "as of HH:MM"."""
    lines = []
    for report in busy.reports:
        if report.state == "failed":
            lines.append(report.message)
        elif report.state == "stale":
            head = report.message.split(STALE_TAIL, 1)[0]
            when = ""
            if report.as_of is not None:
                local = report.as_of.astimezone(zone)
                day = (
                    ""
                    if local.date() == now.astimezone(zone).date()
                    else f"{format_short_day(local)} "
                )
                when = f", as of {day}{local:%H:%M}"
            lines.append(f"{head} Using its last good copy{when} (may be stale).")
    return (*lines, *busy.warnings)


def queued_now(desk: Desk, outcome: BookingOutcome) -> BookingOutcome:
    """The outcome with the network channels really queued for its booking's new state
    (a cancellation e-mail for an invitation that never went out is not queued)."""
    booking_id = outcome.booking.id
    if not outcome.queued or booking_id is None:
        return outcome
    from followup_desk.storage.outbox import SqliteOutbox  # in the worker, off the start path

    sequence = outcome.booking.sequence
    queued = {
        r.job.channel.value
        for r in SqliteOutbox(desk.conn).rows(limit=200)  # open ones first, then the newest
        if r.job.booking_id == booking_id and r.job.sequence == sequence
    }
    return replace(outcome, queued=tuple(c for c in outcome.queued if c in queued))


def _notice(outcome: BookingOutcome, kind: str) -> str:
    start = outcome.booking.start.astimezone(ZoneInfo(outcome.booking.rep_zone))
    where = f"; invite at {outcome.ics_path}" if outcome.ics_path else ""
    when = f"{format_short_day(start)} {start:%H:%M}"
    return f"{kind.capitalize()}: {outcome.prospect.name}, {when}{where}."


# the list, the prospects' states, the network channels each booking's invite went out on,
# and the bookings whose invite has reached the prospect by one of them
_ListData = tuple[
    list[NextStep],
    dict[int, tuple[State, date | None]],
    dict[int, tuple[str, ...]],
    frozenset[int],
]


class Mode(Enum):
    NEW = "new"
    RESCHEDULE = "reschedule"


@dataclass(frozen=True)
class Banner:
    """Trouble with a free/busy source, named, with what to do."""

    lines: tuple[str, ...]
    stale: bool


class DeskViewModel(QObject):
    bannerChanged = Signal()
    outcomeChanged = Signal()  # a booking, a move or a cancellation just happened
    focusField = Signal(str)  # a form field whose sentence needs the rep's eyes
    modeChanged = Signal()
    listLoaded = Signal()
    errorChanged = Signal()
    notice = Signal(str)  # something finished after the rep moved on (status bar)
    outboxNeeded = Signal()  # a booking, move or cancellation queued invites to send
    reopened = Signal()  # the settings or the data changed: every worker opens afresh

    def __init__(self, settings: Settings, runner: DeskRunner) -> None:
        super().__init__()
        self.settings = settings
        self.runner = runner
        rules = settings.rules
        self.form = ProspectFormViewModel(rules.time_zone, rules.working_days)
        self.flow = NarrowingViewModel(rules.time_zone, rules.default_length, rules.clock_24h)
        self.prospects = ProspectsModel(rules.time_zone, rules.clock_24h, self)
        self.send = SendChoice(settings.send_channels, self)
        self.delivery = Delivery(self)
        self.sent_with: tuple[str, ...] | None = None  # the channels of the booking shown
        self._used: dict[int, tuple[str, ...]] = {}  # booking -> its invite's network channels
        self.mode = Mode.NEW
        self.rescheduling: NextStep | None = None
        self.banner = Banner((), False)
        self.outcome: BookingOutcome | None = None
        self.outcome_kind = ""
        self.error = ""
        self.booking_in_flight = False
        self._loaded: tuple[date, date] | None = None
        self._loaded_at = 0.0
        self._load_serial = 0
        self._flow_serial = 0  # a new prospect or leaving the flow starts a new one
        self.chosen_length = rules.default_length
        self.form.changed.connect(self._form_changed)
        self.flow.confirmed.connect(self.book)
        self.send.changed.connect(self._send_changed)
        self._send_changed()

    # --- free/busy ---------------------------------------------------------------------

    def load_busy(self, until: date | None = None) -> None:
        """Read busy time in the worker; the flow shows 'reading' meanwhile."""
        settings = self.settings
        zone = self.form.zone
        length = self.flow.length
        exclude = (
            self.rescheduling.booking.id
            if self.rescheduling and (self.rescheduling.booking)
            else None
        )
        self._load_serial += 1
        serial = self._load_serial

        def job(desk: Desk) -> tuple[Narrowing, BusyResult, date, date, datetime]:
            now = desk.clock.now()
            today = now.astimezone(settings.rules.zone).date()
            last = max(today + timedelta(days=AHEAD_DAYS), until or today)
            narrowing, busy = desk.scheduling.narrowing(
                settings.rules,
                desk.settings.busy_sources,  # the file's sources and the ticked calendars
                zone,
                length,
                now,
                today,
                last,
                exclude_booking=exclude,
            )
            return narrowing, busy, today, last, now

        def done(result: tuple[Narrowing, BusyResult, date, date, datetime]) -> None:
            if serial != self._load_serial:
                return  # a newer read was asked for meanwhile
            narrowing, busy, first, last, now = result
            self._loaded = (first, last)
            lines = self._rep_lines() + source_lines(busy, settings.rules.zone, now)
            self.banner = Banner(lines, any(r.state == "stale" for r in busy.reports))
            self.bannerChanged.emit()
            self.flow.set_narrowing(narrowing)

        def failed(error: UserError) -> None:
            if serial == self._load_serial:
                self.banner = Banner((*self._rep_lines(), str(error)), False)
                self.bannerChanged.emit()
                self.flow.set_loading(False)

        self.flow.set_loading(True)
        self._loaded_at = time.monotonic()
        self.runner.submit(job, done, failed)

    def apply_settings(self, settings: Settings) -> None:
        """The rep changed their settings: the worker reopens with them, the flow restarts."""
        self.settings = settings
        self.form.set_default_zone(settings.rules.time_zone)
        self.chosen_length = settings.rules.default_length
        self.send.set_defaults(settings.send_channels)
        self.runner.reopen()
        self.reopened.emit()
        self.check_rep()
        self.start_new()
        self.refresh_list()
        self.load_accounts()

    def load_accounts(self) -> None:
        """Which ways out exist (a toggle without its account is disabled, and says why)."""

        def job(desk: Desk) -> list[Account]:
            return desk.accounts.all()

        def done(accounts: list[Account]) -> None:
            self.send.set_availability(availability(accounts))

        self.runner.submit(job, done, self._list_failed)

    def accounts_changed(self) -> None:
        """Accounts were added or changed: the worker reopens (the ticked calendars count as
        busy from now on), busy time is read again, what the rep typed stays."""
        self.runner.reopen()
        self.load_accounts()
        if not self.booking_in_flight:
            self.load_busy()

    def _send_changed(self) -> None:
        self.flow.set_confirm_title(SEND_TITLE if self.send.network() else WRITE_TITLE)

    def _rep_lines(self) -> tuple[str, ...]:
        rep = self.settings.rep
        if rep.name and rep.email:
            return ()
        return (f"{_NO_REP}: invites go out under them. File › Settings… (Ctrl+,) sets them.",)

    def check_rep(self) -> None:
        """Without the rep's name and e-mail no invite can be written: say so up front."""
        others = tuple(line for line in self.banner.lines if not line.startswith(_NO_REP))
        self.banner = Banner(self._rep_lines() + others, self.banner.stale)
        self.bannerChanged.emit()

    def refresh_if_old(self) -> None:
        """Busy time read long ago (the window stayed open): read it again."""
        if time.monotonic() - self._loaded_at > REFRESH_AFTER_SECONDS and not self.flow.loading:
            self.load_busy()

    def choose_date(self, text: str) -> str:
        """The rep typed a named date; read further ahead first when it lies beyond."""
        problem = self.flow.choose_date(text)
        needed = self.flow.needs_range()
        if not problem and needed and self._loaded and needed[1] > self._loaded[1]:
            self.load_busy(until=needed[1])
        return problem

    def _form_changed(self) -> None:
        narrowing = self.flow.narrowing
        if narrowing is not None and narrowing.prospect_zone.key != self.form.zone:
            self.flow.set_prospect_zone(self.form.zone)

    def set_length(self, minutes: int) -> None:
        if self.mode is Mode.NEW:
            self.chosen_length = minutes
        self.flow.set_length(minutes)

    # --- starting and leaving ----------------------------------------------------------

    def start_new(self) -> None:
        self._flow_serial += 1
        self.mode = Mode.NEW
        self.rescheduling = None
        self.outcome = None
        self.error = ""
        self.form.clear()
        self.send.reset()
        self.delivery.clear()
        self.flow.set_length(self.chosen_length)  # a moved meeting's length stays with it
        self.flow.reset()
        self.modeChanged.emit()
        self.outcomeChanged.emit()
        self.load_busy()

    def book_again(self, step: NextStep) -> None:
        """A known prospect without a next step: the form filled, the flow from the top."""
        self.start_new()
        self.form.fill(step.prospect)

    def start_reschedule(self, step: NextStep) -> None:
        if step.booking is None:
            self.book_again(step)
            return
        self._flow_serial += 1
        self.mode = Mode.RESCHEDULE
        self.rescheduling = step
        self.outcome = None
        self.error = ""
        self.form.locked = True  # before fill(), whose signal redraws the fields read-only
        self.form.fill(step.prospect)
        self.flow.set_length(int(step.booking.length.total_seconds() // 60))
        self.flow.reset()
        self.delivery.clear()
        self.modeChanged.emit()
        self.outcomeChanged.emit()
        self.load_busy()
        self.send.reset(self.channels_of(step))  # a move goes out the way the invite did

    def channels_of(self, step: NextStep) -> tuple[str, ...]:
        """The channels a booking's invite went out on, as the list last read them."""
        booking = step.booking
        if booking is None or booking.id is None:
            return ()
        used = self._used.get(booking.id, ())
        return ("ics", *used) if booking.ics_path else used

    def leave(self) -> None:
        self._flow_serial += 1
        self.mode = Mode.NEW
        self.rescheduling = None
        self.form.clear()
        self.flow.set_length(self.chosen_length)
        self.flow.reset()
        self.modeChanged.emit()

    # --- booking -------------------------------------------------------------------------

    def book(self, slot: Slot) -> None:
        if self.booking_in_flight:
            return
        send = self.send.chosen()
        if not send:
            self.flow.refuse(NOTHING_TICKED, back_to_times=False)
            return
        if self.mode is Mode.RESCHEDULE and self.rescheduling and self.rescheduling.booking:
            booking_id = self.rescheduling.booking.id
            assert booking_id is not None

            def move(desk: Desk) -> BookingOutcome:
                return queued_now(desk, desk.bookings.reschedule(booking_id, slot.start, send))

            self._run_booking(move, "moved", send)
            return
        if not self.form.validate():
            first = next(iter(self.form.errors))
            self.flow.refuse(
                "The invite needs the prospect's details: " + self.form.errors[first],
                back_to_times=False,
            )
            self.focusField.emit(first)
            return
        today = (self.flow.narrowing.today if self.flow.narrowing else None) or date.today()
        _, act = self.form.wish(today)
        form = self.form
        request = BookingRequest(
            name=form.value("name"),
            email=form.value("email"),
            start=slot.start,
            length=self.flow.length,
            prospect_zone=form.zone,
            company=form.value("company"),
            phone=form.value("phone"),
            follow_up_said=form.value("follow_up_said"),
            channels=tuple(sorted(form.channels)),
            follow_up_channel=form.value("follow_up_channel"),
            follow_up_date=act if form.follow_up_date else None,
            send=send,
        )

        def job(desk: Desk) -> BookingOutcome:
            try:
                return queued_now(desk, desk.bookings.book(request))
            except InviteWriteError as exc:
                if exc.booking_id is None:
                    raise
                # saved: the window must show it as booked, never offer to book it again
                saved = desk.bookings.saved_without_invite(exc.booking_id, _invite_problem(exc))
                queued = tuple(c.value for c in desk.outbox.channels_used(exc.booking_id))
                return replace(saved, queued=queued)

        self._run_booking(job, "booked", send)

    def _run_booking(
        self, job: Callable[[Desk], BookingOutcome], kind: str, send: tuple[str, ...]
    ) -> None:
        self.booking_in_flight = True
        self.flow.set_loading(True)
        serial = self._flow_serial

        def done(outcome: BookingOutcome) -> None:
            self.booking_in_flight = False
            self.flow.set_loading(False)
            self.refresh_list()
            if outcome.queued:
                self.outboxNeeded.emit()
            if serial != self._flow_serial:
                # the rep has moved on to the next prospect: say it, take nothing over
                self.notice.emit(_notice(outcome, kind))
                return
            self._show_outcome(outcome, kind, send)

        def failed(error: UserError) -> None:
            self.booking_in_flight = False
            self.flow.set_loading(False)
            if serial != self._flow_serial:
                self.notice.emit(f"Not booked: {error}")
                return
            # taken meanwhile, or the snapshot got old: back to the times, read afresh
            taken = isinstance(error, SlotUnavailableError)
            self.flow.refuse(str(error), back_to_times=taken)
            if taken:
                self.load_busy()

        self.runner.submit(job, done, failed)

    def _show_outcome(self, outcome: BookingOutcome, kind: str, send: Sequence[str] | None) -> None:
        self.outcome = outcome
        self.outcome_kind = kind
        self.sent_with = tuple(send) if send is not None else None
        self.error = ""
        self.delivery.start(outcome, kind, send)
        self.outcomeChanged.emit()

    def write_invite_again(self) -> None:
        """After a refused write: write the saved booking's invite again."""
        if self.outcome is None:
            return
        booking_id = self.outcome.booking.id
        assert booking_id is not None
        kind = self.outcome_kind

        def job(desk: Desk) -> BookingOutcome:
            try:
                return desk.bookings.rewrite_invite(booking_id, None)
            except InviteWriteError as exc:
                return desk.bookings.saved_without_invite(booking_id, _invite_problem(exc))

        def done(outcome: BookingOutcome) -> None:
            self.outcome = replace(outcome, queued=self.outcome.queued if self.outcome else ())
            self.outcome_kind = kind
            self.outcomeChanged.emit()

        self.runner.submit(job, done, self._list_failed)

    def cancel(self, step: NextStep, send: Sequence[str] | None = None) -> None:
        """Cancel the booking; the cancellation goes out on ``send`` (None: the way the
        invite went)."""
        if step.booking is None or step.booking.status is BookingStatus.CANCELLED:
            return
        booking_id = step.booking.id
        assert booking_id is not None
        channels = tuple(send) if send else None

        def job(desk: Desk) -> BookingOutcome:
            return queued_now(desk, desk.bookings.cancel(booking_id, channels))

        def done(outcome: BookingOutcome) -> None:
            self._show_outcome(outcome, "cancelled", channels)
            self.refresh_list()
            if outcome.queued:
                self.outboxNeeded.emit()

        self.runner.submit(job, done, self._list_failed)

    # --- the list ------------------------------------------------------------------------

    def refresh_list(self) -> None:
        def job(desk: Desk) -> _ListData:
            steps = desk.bookings.next_steps()
            every = desk.outbox.channels_by_booking()
            used = {
                s.booking.id: tuple(c.value for c in every.get(s.booking.id, ()))
                for s in steps
                if s.booking is not None and s.booking.id is not None
            }
            from followup_desk.storage.outbox import SqliteOutbox  # in the worker

            waiting = {
                (r.job.booking_id, r.job.channel.value)
                for r in SqliteOutbox(desk.conn).rows(include_done=False)
            }
            # invited: an invite went out on some channel (used, and not still on its way)
            invited = frozenset(
                b for b, channels in used.items() if any((b, c) not in waiting for c in channels)
            )
            return steps, desk.followups.states(), used, invited

        def done(result: _ListData) -> None:
            steps, states, used, invited = result
            self._used = used
            self.prospects.set_steps(steps, states, invited)
            self.listLoaded.emit()

        self.runner.submit(job, done, self._list_failed)

    def _list_failed(self, error: UserError) -> None:
        self.error = str(error)
        self.errorChanged.emit()
