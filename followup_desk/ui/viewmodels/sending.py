"""How an invite goes out (the confirm step's three toggles) and what became of it (the
booked screen's lines, updated as the outbox worker reports).

:class:`SendChoice` holds the ways out: the rep's CalDAV calendar, an e-mail, an .ics file;
each ticked or not, and each only available when its account exists. :class:`Delivery`
turns the outbox jobs of the booking just made into one line per channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from followup_desk.domain.accounts import Account, CalDavAccount, SmtpAccount
from followup_desk.domain.outbox import Channel, JobState
from followup_desk.ui.viewmodels.outbox import ELSEWHERE, advice

if TYPE_CHECKING:
    from followup_desk.services.booking import BookingOutcome
    from followup_desk.storage.outbox import JobRow

ORDER = (Channel.CALDAV, Channel.EMAIL, Channel.ICS)
KEYS = {"c": Channel.CALDAV, "e": Channel.EMAIL, "i": Channel.ICS}
# the toggles' captions; "&" marks the key that flips each one at the confirm step
CAPTIONS = {Channel.CALDAV: "&Calendar", Channel.EMAIL: "&E-mail", Channel.ICS: ".&ics file"}
NAMES = {Channel.CALDAV: "Calendar", Channel.EMAIL: "E-mail", Channel.ICS: ".ics file"}
ACCOUNTS_HINT = "File › Accounts… (Ctrl+Shift+A)"


@dataclass(frozen=True)
class Availability:
    """Why each network channel cannot be used now ("" when it can)."""

    caldav: str = ""
    email: str = ""


def availability(accounts: Iterable[Account]) -> Availability:
    listed = list(accounts)
    caldav = next((a for a in listed if isinstance(a, CalDavAccount)), None)
    smtp = next((a for a in listed if isinstance(a, SmtpAccount)), None)
    if caldav is None:
        why_caldav = f"No calendar (CalDAV) account yet: add one in {ACCOUNTS_HINT}."
    elif not caldav.bookings_calendar:
        why_caldav = (
            f"The account {caldav.name!r} has no calendar chosen to receive bookings: "
            f"choose one in {ACCOUNTS_HINT}."
        )
    else:
        why_caldav = ""
    why_email = "" if smtp else f"No e-mail (SMTP) account yet: add one in {ACCOUNTS_HINT}."
    return Availability(why_caldav, why_email)


def _channels(names: Iterable[str]) -> tuple[Channel, ...]:
    known = {c.value: c for c in Channel}
    found = [known[n] for n in names if n in known]
    return tuple(c for c in ORDER if c in found)


class SendChoice(QObject):
    """The three toggles. Until the accounts are read every channel counts as available
    (the booking service refuses a channel without an account, in a sentence)."""

    changed = Signal()

    def __init__(self, defaults: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._defaults = _channels(defaults) or (Channel.ICS,)
        self._why_not: dict[Channel, str] = dict.fromkeys(Channel, "")
        self._ticked: set[Channel] = set(self._defaults)
        self._wanted: tuple[Channel, ...] | None = None  # a booking's own channels (a move)
        self._touched = False
        self.message = ""

    # --- reading ---------------------------------------------------------------------------

    def is_ticked(self, channel: Channel) -> bool:
        return channel in self._ticked

    def why_not(self, channel: Channel) -> str:
        return self._why_not[channel]

    def chosen(self) -> tuple[str, ...]:
        return tuple(c.value for c in ORDER if c in self._ticked)

    def network(self) -> bool:
        return any(c is not Channel.ICS for c in self._ticked)

    def summary(self) -> str:
        """'calendar, e-mail and an .ics file' (what Enter will do)."""
        words = {Channel.CALDAV: "calendar", Channel.EMAIL: "e-mail", Channel.ICS: ".ics file"}
        parts = [words[c] for c in ORDER if c in self._ticked]
        if not parts:
            return "nothing ticked"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    # --- changing --------------------------------------------------------------------------

    def set_defaults(self, defaults: Sequence[str]) -> None:
        self._defaults = _channels(defaults) or (Channel.ICS,)
        self.reset()

    def set_availability(self, seen: Availability) -> None:
        self._why_not = {Channel.CALDAV: seen.caldav, Channel.EMAIL: seen.email, Channel.ICS: ""}
        if self._touched:
            self._ticked = {c for c in self._ticked if not self._why_not[c]}
        else:
            self._apply(self._wanted or self._defaults)
        self.changed.emit()

    def reset(self, channels: Sequence[str] | None = None) -> None:
        """A new booking (the settings' default) or a move (the channels it went out on)."""
        self._wanted = _channels(channels) if channels else None
        self._touched = False
        self.message = ""
        self._apply(self._wanted or self._defaults)
        self.changed.emit()

    def _apply(self, wanted: Sequence[Channel]) -> None:
        self._ticked = {c for c in wanted if not self._why_not[c]}
        if not self._ticked:
            self._ticked = {Channel.ICS}  # nothing else can go: the file always can

    def toggle(self, channel: Channel) -> None:
        reason = self._why_not[channel]
        if reason:
            self.message = reason
        else:
            self._touched = True
            self.message = ""
            if channel in self._ticked:
                self._ticked.discard(channel)
            else:
                self._ticked.add(channel)
        self.changed.emit()

    def press(self, text: str) -> bool:
        """C, E or I flips a toggle; anything else is not ours."""
        channel = KEYS.get(text.lower())
        if channel is None:
            return False
        self.toggle(channel)
        return True


@dataclass(frozen=True)
class Line:
    """One line of the booked screen: the words and how they look (ok, muted, warning, error)."""

    text: str
    role: str


_DONE = {
    "booked": {Channel.CALDAV: "in your calendar ✓", Channel.EMAIL: "sent to {to} ✓"},
    "moved": {
        Channel.CALDAV: "moved in your calendar ✓",
        Channel.EMAIL: "the new time was sent to {to} ✓",
    },
    "cancelled": {
        Channel.CALDAV: "marked cancelled in your calendar ✓",
        Channel.EMAIL: "the cancellation was sent to {to} ✓",
    },
}


class Delivery(QObject):
    """The fate of each network channel of the booking on the booked screen."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.booking_id: int | None = None
        self._sequence = 0
        self._kind = "booked"
        self._to = ""
        self._queued: tuple[Channel, ...] = ()
        self._skipped: tuple[Channel, ...] = ()
        self._jobs: dict[Channel, JobRow] = {}

    def start(self, outcome: BookingOutcome, kind: str, chosen: Sequence[str] | None) -> None:
        self.booking_id = outcome.booking.id
        self._sequence = outcome.booking.sequence
        self._kind = kind
        self._to = outcome.prospect.email
        self._queued = _channels(outcome.queued)
        asked = _channels(chosen or ())
        self._skipped = tuple(c for c in asked if c is not Channel.ICS and c not in self._queued)
        self._jobs = {}
        self.changed.emit()

    def clear(self) -> None:
        self.booking_id = None
        self._queued = self._skipped = ()
        self._jobs = {}
        self.changed.emit()

    def update(self, rows: Sequence[JobRow]) -> None:
        """The outbox as it is now; only this booking's newest job per channel counts."""
        if self.booking_id is None:
            return
        newest: dict[Channel, JobRow] = {}
        for row in rows:
            job = row.job
            if job.booking_id != self.booking_id or job.sequence != self._sequence:
                continue
            if job.channel not in newest or job.id > newest[job.channel].job.id:
                newest[job.channel] = row
        if newest != self._jobs:
            self._jobs = newest
            self.changed.emit()

    def pending(self) -> bool:
        """Something still on its way (the booked screen says "sending…")."""
        return any(
            c not in self._jobs or self._jobs[c].job.state in (JobState.WAITING, JobState.SENDING)
            for c in self._queued
        )

    def lines(self) -> list[Line]:
        if self.booking_id is None:
            return []
        shown = [self._line(c) for c in self._queued]
        for channel in self._skipped:
            shown.append(Line(f"{NAMES[channel]}: {self._why_skipped(channel)}", "muted"))
        return shown

    def _why_skipped(self, channel: Channel) -> str:
        if channel is Channel.EMAIL and self._kind == "cancelled":
            return "no cancellation to send: the invitation never went out by e-mail."
        if channel is Channel.EMAIL and Channel.CALDAV in self._queued:
            return (
                "the calendar server e-mails the invitation itself (so the prospect gets "
                "exactly one)."
            )
        return "nothing to send."

    def _line(self, channel: Channel) -> Line:
        name = NAMES[channel]
        row = self._jobs.get(channel)
        if row is None:
            return Line(f"{name}: sending…", "muted")
        job = row.job
        if job.state is JobState.SENT:
            done = _DONE.get(self._kind, _DONE["booked"])[channel].format(to=self._to)
            return Line(f"{name}: {done}", "ok")
        if job.state is JobState.SENDING or (job.state is JobState.WAITING and not job.attempts):
            return Line(f"{name}: sending…", "muted")
        if job.state is JobState.WAITING:
            return Line(f"{name}: waiting: {advice(row)}", "warning")
        if job.state is JobState.HELD:
            return Line(f"{name}: held: {advice(row, ELSEWHERE)}", "error")
        if job.state is JobState.UNKNOWN:
            return Line(f"{name}: did it go out? See the Outbox (Ctrl+B).", "warning")
        return Line(f"{name}: dropped ({job.last_error or 'by you'}).", "muted")
