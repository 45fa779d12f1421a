"""The outbox worker: a second worker thread (its own Desk and SQLite connection) that sends
what the outbox holds, so a slow server never holds up the narrowing flow.

Each run puts back what a stop mid-send left behind (``recover``: jobs "sending" for
minutes, so never another worker's send under way), sends what is due; at start it also
reads the prospects' replies from the calendar server, and the tasks completed in another
app from the task list (each logged as a touch). Then it runs again when the next job
is due (at least 2 s and at most 60 s later: it polls every minute anyway), at once after
each booking, move or cancellation, and reads replies every 10 minutes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from followup_desk.errors import UserError
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.outbox import OutboxSnapshot, take_snapshot

if TYPE_CHECKING:
    from followup_desk.app import Desk

log = logging.getLogger(__name__)

MIN_WAIT_S = 2.0
POLL_S = 60.0
REPLIES_EVERY_MS = 10 * 60 * 1000


def wait_seconds(wake_in: float | None) -> float:
    """How long to sleep before the next run: until the next job is due, within bounds."""
    if wake_in is None:
        return POLL_S
    return min(POLL_S, max(MIN_WAIT_S, wake_in))


class OutboxWorker(QObject):
    snapshot = Signal(object)  # an OutboxSnapshot after every run
    problem = Signal(str)  # the worker itself failed (its database, say)

    def __init__(self, runner: DeskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # the bounds hold, not +-5 %
        self._timer.timeout.connect(self.run_now)
        self._replies = QTimer(self)
        self._replies.setInterval(REPLIES_EVERY_MS)
        self._replies.timeout.connect(self.read_replies)
        self.started = False
        self.stopped = False
        self.runs = 0  # finished runs, for tests and the log
        self._in_flight = False
        self._again = False
        self._want_replies = True

    @property
    def next_run_ms(self) -> int:
        """Milliseconds until the timer runs the outbox again (-1: not scheduled)."""
        return self._timer.remainingTime() if self._timer.isActive() else -1

    def start(self) -> None:
        """The first run (recover, send what is due, read replies); then on its own."""
        if self.started or self.stopped:
            return
        self.started = True
        self._replies.start()
        self.run_now()

    def run_now(self) -> None:
        if self.stopped:
            return
        if not self.started:
            self.start()  # a booking before the first run: the first run sends it
            return
        if self._in_flight:
            self._again = True
            return
        self._timer.stop()
        self._in_flight = True
        replies = self._want_replies
        self._want_replies = False

        def job(desk: Desk) -> OutboxSnapshot:
            desk.outbox.recover()
            sent = desk.outbox.run_due()
            read = desk.outbox.refresh_replies() if replies else []
            if replies:  # tasks completed in another app: logged as touches
                for line in desk.followup_outbox.read_back_tasks():
                    log.info("%s", line)
                sent = [*sent, *desk.outbox.run_due()]  # the task writes that followed
            return take_snapshot(desk, sent, read)

        def failed(error: UserError) -> None:
            # what this run was to do first is still to be done
            self._want_replies = self._want_replies or replies
            self._failed(error)

        self.runner.submit(job, self._done, failed)

    def read_replies(self) -> None:
        self._want_replies = True
        self.run_now()

    def reopen(self) -> None:
        """The accounts changed: the worker's Desk is opened afresh for its next run."""
        self.runner.reopen()

    def _done(self, snapshot: OutboxSnapshot) -> None:
        self._in_flight = False
        self.runs += 1
        if self.stopped:
            return
        self.snapshot.emit(snapshot)
        if self._again:
            self._again = False
            self.run_now()
            return
        self._timer.start(int(wait_seconds(snapshot.wake_in) * 1000))

    def _failed(self, error: UserError) -> None:
        self._in_flight = False
        self.runs += 1
        log.warning("outbox run failed: %s", error)
        if self.stopped:
            return
        self.problem.emit(str(error))
        self._timer.start(int(POLL_S * 1000))

    def shutdown(self) -> None:
        """Stop the timers, let the job under way finish, close the worker's database."""
        self.stopped = True
        self._timer.stop()
        self._replies.stop()
        self.runner.shutdown()
