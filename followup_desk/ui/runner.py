"""Work off the GUI thread: one worker thread owns its own Desk (and SQLite connection).

Reading a feed, parsing a big calendar or booking (which re-checks free/busy, maybe over
the network) runs there; the window only sends a job and gets a result or a sentence back
through queued signals, so it keeps answering. Jobs run one at a time, in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from followup_desk.errors import UserError

if TYPE_CHECKING:  # the Desk (and the calendar libraries behind it) loads in the worker
    from followup_desk.app import Desk

log = logging.getLogger(__name__)

Job = Callable[["Desk"], Any]
Done = Callable[[Any], None]
Failed = Callable[[UserError], None]

_REOPEN = object()


class _Worker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object)  # a UserError: its type says what happened

    def __init__(self, opener: Callable[[], Desk], log_hint: str) -> None:
        super().__init__()
        self._opener = opener
        self._desk: Desk | None = None
        self._log_hint = log_hint

    @Slot(int, object)
    def run(self, job_id: int, job: object) -> None:
        if job is _REOPEN:
            self.close()
            return
        assert callable(job)
        try:
            if self._desk is None:
                self._desk = self._opener()
            result = job(self._desk)
        except UserError as exc:
            log.info("job %s refused: %s", job_id, exc)
            self.failed.emit(job_id, exc)
        except Exception:
            log.exception("job %s failed", job_id)
            self.failed.emit(
                job_id,
                UserError(
                    "Something unexpected went wrong and nothing was changed. The details "
                    f"are in the log ({self._log_hint}); try again, and report it if it "
                    "repeats."
                ),
            )
        else:
            self.finished.emit(job_id, result)

    @Slot()
    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None


class DeskRunner(QObject):
    """Sends jobs to the worker thread and calls back on the GUI thread."""

    _submit = Signal(int, object)
    _close = Signal()
    busyChanged = Signal(bool)

    def __init__(
        self, opener: Callable[[], Desk], log_hint: str = "", name: str = "worker"
    ) -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName(f"followup-desk-{name}")
        self._worker = _Worker(opener, log_hint)
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._close.connect(self._worker.close)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._callbacks: dict[int, tuple[Done, Failed | None]] = {}
        self._next = 0
        self._thread.start()

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def submit(self, job: Job, on_done: Done, on_failed: Failed | None = None) -> int:
        self._next += 1
        self._callbacks[self._next] = (on_done, on_failed)
        if len(self._callbacks) == 1:
            self.busyChanged.emit(True)
        self._submit.emit(self._next, job)
        return self._next

    def reopen(self) -> None:
        """Open the Desk afresh for the next job (after the settings changed)."""
        self._submit.emit(0, _REOPEN)

    def _pop(self, job_id: int) -> tuple[Done, Failed | None] | None:
        callbacks = self._callbacks.pop(job_id, None)
        if not self._callbacks:
            self.busyChanged.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_finished(self, job_id: int, result: object) -> None:
        callbacks = self._pop(job_id)
        if callbacks is not None:
            callbacks[0](result)

    @Slot(int, object)
    def _on_failed(self, job_id: int, error: UserError) -> None:
        callbacks = self._pop(job_id)
        if callbacks is not None and callbacks[1] is not None:
            callbacks[1](error)
        elif callbacks is not None:
            log.warning("job %s failed with nobody listening: %s", job_id, error)

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self) -> None:
        """Finish the job under way, close the worker's database, stop the thread."""
        if not self._thread.isRunning():
            return
        self._close.emit()
        self._thread.quit()
        self._thread.wait()
