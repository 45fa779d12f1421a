"""The outbox tab: every invite sent over the network, what became of it, and what to do.

The table is a plain list of :class:`~followup_desk.storage.outbox.JobRow`, held and unknown
ones first. The rep's decisions (retry now, it arrived, send again, drop) are quick database
changes made in the window's worker; sending is the outbox worker's business, which is asked
to run at once afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from followup_desk.domain.outbox import Channel, JobState, Method
from followup_desk.domain.phrases import format_clock
from followup_desk.errors import UserError
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.table import HeadedTableModel

if TYPE_CHECKING:
    from followup_desk.app import Desk
    from followup_desk.services.outbox import ReplyRead, Sent
    from followup_desk.storage.outbox import JobRow

log = logging.getLogger(__name__)

ACCOUNTS = "File › Accounts… (Ctrl+Shift+A)"
CHANNEL_WORDS = {Channel.CALDAV: "calendar", Channel.EMAIL: "e-mail", Channel.ICS: ".ics file"}
HEADERS = ("Prospect", "Meeting", "Channel", "State", "Tries", "Next try, or what to do")
JobRole = Qt.ItemDataRole.UserRole + 1
NeedsRepRole = Qt.ItemDataRole.UserRole + 2
NEEDS_REP = (JobState.HELD, JobState.UNKNOWN)
ROWS_SHOWN = 500

# What to do, per kind of failure: in the window's own terms, never a command line.
# "{retry}" is how to send it again from where the sentence is read.
_ADVICE = {
    "auth": f"Correct the password in {ACCOUNTS}, then {{retry}}.",
    "no-password": f"Type the password in {ACCOUNTS} (Change password), then {{retry}}.",
    "certificate": f"Test the account in {ACCOUNTS} and trust the certificate, then {{retry}}.",
    "account": f"Add the account again in {ACCOUNTS}, then {{retry}}; or drop it.",
    "refused": "Fix it on the server (or choose another calendar in Accounts), then {retry}.",
    "quota": "Make room on the server, then {retry}; or drop it.",
    "conflict": "{retry} to try again, or drop it.",
    "rejected": "Check the prospect's address; drop this e-mail if it is wrong.",
    "unexpected": "{retry} to try again; the details are in the log.",
    "unknown": "Check with the prospect, then: A it arrived (never send it again) · S send again.",
}
_ADVICE["uncertain"] = _ADVICE["unknown"]
_OWN_WORDS = {
    "no-password": "No password is stored for this account.",
    "account": "The account this goes through no longer exists.",
}
IN_OUTBOX = "press R"
ELSEWHERE = "retry it in the Outbox (Ctrl+B, then R)"


def advice(row: JobRow, retry: str = IN_OUTBOX) -> str:
    """The reason a job did not go, and what to do about it, in one or two sentences."""
    job = row.job
    kind = row.error_kind or ("unknown" if job.state is JobState.UNKNOWN else "")
    reason = job.last_error.strip()
    if "followup-desk" in reason or kind in _OWN_WORDS:
        reason = _OWN_WORDS.get(kind, "Sending failed.")
    if job.state is JobState.WAITING:
        return reason or "Waiting to be sent."
    todo = _ADVICE.get(kind, "").format(retry=retry)
    if todo[:1].islower() and todo.startswith(retry):
        todo = todo[:1].upper() + todo[1:]
    return f"{reason} {todo}".strip()


def state_words(job_state: JobState, attempts: int) -> str:
    return {
        JobState.WAITING: "will try again" if attempts else "waiting to send",
        JobState.SENDING: "sending…",
        JobState.SENT: "sent ✓",
        JobState.HELD: "⚠ held: needs you",
        JobState.UNKNOWN: "⚠ did it go out?",
        JobState.DROPPED: "dropped",
    }[job_state]


@dataclass(frozen=True)
class OutboxSnapshot:
    """The outbox as one worker saw it, with what its run sent and what replies it read."""

    rows: tuple[JobRow, ...]
    counts: dict[str, int]
    wake_in: float | None  # seconds until the next job is due (None: nothing waits)
    sent: tuple[Sent, ...] = ()
    replies: tuple[ReplyRead, ...] = ()

    @property
    def needs_you(self) -> int:
        return sum(self.counts.get(s.value, 0) for s in NEEDS_REP)


def take_snapshot(
    desk: Desk, sent: Sequence[Sent] = (), replies: Sequence[ReplyRead] = ()
) -> OutboxSnapshot:
    """Read the outbox (in a worker): rows, counts and when the next job is due."""
    from followup_desk.storage.outbox import SqliteOutbox  # in the worker, when first read

    rows = tuple(SqliteOutbox(desk.conn).rows(limit=ROWS_SHOWN))
    wake = desk.outbox.next_wake()
    wake_in = (wake - desk.clock.now()).total_seconds() if wake else None
    return OutboxSnapshot(rows, desk.outbox.counts(), wake_in, tuple(sent), tuple(replies))


_Index = QModelIndex | QPersistentModelIndex


class OutboxModel(HeadedTableModel):
    headers = HEADERS

    def __init__(self, rep_zone: str, clock_24h: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[JobRow] = []
        self._zone = ZoneInfo(rep_zone)
        self._clock_24h = clock_24h

    def set_rows(self, rows: Sequence[JobRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> JobRow | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def row_of(self, job_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.job.id == job_id), None)

    def row_total(self) -> int:
        return len(self._rows)

    def _clock(self, moment: datetime) -> str:
        local = moment.astimezone(self._zone)
        return f"{local:%a} {local.day} {local:%b} {format_clock(local, clock_24h=self._clock_24h)}"

    def _channel(self, row: JobRow) -> str:
        word = CHANNEL_WORDS[row.job.channel]
        return f"{word} (cancellation)" if row.job.method is Method.CANCEL else word

    def _next(self, row: JobRow) -> str:
        job = row.job
        if job.state is JobState.WAITING:
            local = job.next_try.astimezone(self._zone)
            return f"next try {local:%H:%M:%S}"
        if job.state is JobState.SENT:
            return f"sent {self._clock(job.updated)}"
        if job.state is JobState.DROPPED:
            return job.last_error or "dropped"
        if job.state is JobState.SENDING:
            return "being sent now"
        return advice(row)

    def detail(self, row: JobRow) -> str:
        """The selected job in a sentence or two: what it is, where it stands, what to do."""
        job = row.job
        what = f"The {self._channel(row)} for {row.prospect}"
        if job.state is JobState.HELD:
            return f"{what} is held. {advice(row)}"
        if job.state is JobState.UNKNOWN:
            why = (
                "the server took it but never confirmed it"
                if row.error_kind == "uncertain"
                else "the app stopped while sending it"
            )
            return f"{what} may or may not have gone out: {why}. " + (
                advice(row).removeprefix(job.last_error.strip()).strip()
            )
        if job.state is JobState.WAITING and job.attempts:
            local = job.next_try.astimezone(self._zone)
            return f"{what} is tried again at {local:%H:%M:%S} (R: now). {advice(row)}"
        if job.state is JobState.WAITING:
            return f"{what} waits to be sent."
        if job.state is JobState.SENDING:
            return f"{what} is being sent."
        if job.state is JobState.SENT:
            return f"{what} was sent {self._clock(job.updated)}."
        return f"{what} was dropped ({job.last_error or 'by you'})."

    def text(self, row: JobRow, column: int) -> str:
        job = row.job
        return (
            row.prospect,
            self._clock(row.start),
            self._channel(row),
            state_words(job.state, job.attempts),
            str(job.attempts),
            self._next(row),
        )[column]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(row, index.column()) if 0 <= index.column() < len(HEADERS) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.job.state is JobState.WAITING and row.job.attempts:
                return advice(row)
            return self._next(row)
        if role == JobRole:
            return row
        if role == NeedsRepRole:
            return row.job.state in NEEDS_REP
        return None


class OutboxViewModel(QObject):
    """The outbox tab's state and the rep's decisions."""

    changed = Signal()
    message = Signal(str)  # a sentence for the status line
    runRequested = Signal()  # something is due now: the outbox worker should run
    readRequested = Signal()  # the rep wants the answers and completed tasks read now

    def __init__(self, runner: DeskRunner, rep_zone: str, clock_24h: bool = True) -> None:
        super().__init__()
        self.runner = runner
        self.model = OutboxModel(rep_zone, clock_24h, self)
        self.counts: dict[str, int] = {}
        self.needs_you = 0
        self.loaded = False

    def set_snapshot(self, snapshot: OutboxSnapshot) -> None:
        self.model.set_rows(snapshot.rows)
        self.counts = dict(snapshot.counts)
        self.needs_you = snapshot.needs_you
        self.loaded = True
        self.changed.emit()

    def summary(self) -> str:
        if not self.loaded:
            return "Reading the outbox…"
        parts = []
        if self.needs_you:
            parts.append(f"{self.needs_you} need{'s' if self.needs_you == 1 else ''} you")
        for state, word in (
            (JobState.WAITING, "waiting"),
            (JobState.SENDING, "sending"),
            (JobState.SENT, "sent"),
        ):
            if self.counts.get(state.value):
                parts.append(f"{self.counts[state.value]} {word}")
        return " · ".join(parts) if parts else "Nothing has been sent through the outbox yet."

    def load(self) -> None:
        self.runner.submit(take_snapshot, self.set_snapshot, self._failed)

    def _failed(self, error: UserError) -> None:
        self.message.emit(str(error))

    def _decide(self, change: Callable[[Desk], str], run: bool) -> None:
        def job(desk: Desk) -> tuple[str, OutboxSnapshot]:
            said = change(desk)
            return said, take_snapshot(desk)

        def done(result: tuple[str, OutboxSnapshot]) -> None:
            said, snapshot = result
            self.set_snapshot(snapshot)
            if said:
                self.message.emit(said)
            if run:
                self.runRequested.emit()

        self.runner.submit(job, done, self._failed)

    def retry(self, row: JobRow) -> None:
        """R: try a waiting or held job now (an e-mail of unknown fate: send it again)."""
        job_id = row.job.id
        if row.job.state in (JobState.SENT, JobState.DROPPED, JobState.SENDING):
            self.message.emit(f"That {CHANNEL_WORDS[row.job.channel]} is {row.job.state.value}.")
            return

        def change(desk: Desk) -> str:
            if not desk.outbox.retry([job_id]):
                raise UserError("That job is no longer open; the outbox is shown afresh.")
            return f"Sending the {CHANNEL_WORDS[row.job.channel]} for {row.prospect} now…"

        self._decide(change, run=True)

    def read_now(self) -> None:
        """F5: the prospects' answers and the tasks completed elsewhere, read now rather
        than at the next ten-minute refresh."""
        self.message.emit("Reading answers and completed tasks from the calendar server…")
        self.readRequested.emit()

    def retry_all(self) -> None:
        def change(desk: Desk) -> str:
            count = desk.outbox.retry()
            return f"Trying {count} job{'s' if count != 1 else ''} now…" if count else ""

        self._decide(change, run=True)

    def arrived(self, row: JobRow) -> None:
        """A: the rep checked: the e-mail of unknown fate did arrive; never send it again."""
        if row.job.state is not JobState.UNKNOWN:
            self.message.emit("Only an e-mail whose fate is unknown can be marked as arrived.")
            return
        job_id = row.job.id

        def change(desk: Desk) -> str:
            desk.outbox.mark_arrived(job_id)
            return f"Marked as arrived: the e-mail to {row.prospect} will not be sent again."

        self._decide(change, run=False)

    def send_again(self, row: JobRow) -> None:
        """S: an e-mail of unknown fate is sent again (the rep decided it did not arrive)."""
        if row.job.state is not JobState.UNKNOWN:
            self.message.emit("Send again is for an e-mail whose fate is unknown; R retries.")
            return
        self.retry(row)

    def drop(self, row: JobRow) -> None:
        job_id = row.job.id

        def change(desk: Desk) -> str:
            desk.outbox.drop(job_id)
            return f"Dropped: the {CHANNEL_WORDS[row.job.channel]} for {row.prospect}."

        self._decide(change, run=False)
