"""Reminders: the review read again every few minutes, and a notice for what newly came due.

A notice goes out for a touch that came due (due today or overdue) and for a meeting whose
outcome is still to be recorded, each once: what was announced is remembered for the
session, so a tick that finds the same things says nothing. Nothing is written anywhere:
after a restart, what is due is announced once more. The review itself is read by the
review view model, in the worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from followup_desk.domain.booking import Booking, Prospect
from followup_desk.domain.phrases import format_short_day
from followup_desk.domain.review import DueNow, Group, ReviewItem
from followup_desk.ui.viewmodels.review import ReviewViewModel

EVERY_MS = 5 * 60 * 1000
FIRST_MS = 20 * 1000  # once shortly after the start, when the first paint's jobs are done
NAMES_SHOWN = 3

Key = tuple[str, int, str]


def _touch_key(due: DueNow) -> Key:
    # the due date is part of it: a touch snoozed or rescheduled that comes due again is new
    return ("touch", due.prospect_id, due.due.isoformat())


def _meeting_key(booking: Booking) -> Key:
    return ("outcome", booking.id or 0, booking.start.isoformat())


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown


def touch_notice(
    new: Sequence[DueNow], read: Mapping[int, ReviewItem], today: date
) -> tuple[str, str]:
    """What newly came due, most overdue first; ``read`` holds the review's rows read, which
    say what the touch is (with many due, the window reads the first rows of each group)."""
    if len(new) == 1:
        one = new[0]
        item = read.get(one.prospect_id)
        said = item.what if item is not None and item.due == one.due else ""
        what = said[:1].upper() + said[1:] if said else "A touch"
        when = f"was due {format_short_day(one.due)}" if one.due < today else "due today"
        return f"Touch due: {one.name}", f"{what}, {when}."
    return f"{len(new):,} touches due", _names([n.name for n in new]) + "."


def outcome_notice(meetings: Sequence[tuple[Booking, Prospect]]) -> tuple[str, str]:
    if len(meetings) == 1:
        booking, prospect = meetings[0]
        start = booking.start.astimezone(ZoneInfo(booking.rep_zone))
        return (
            f"Did the meeting with {prospect.name} happen?",
            f"It was on {format_short_day(start)} at {start:%H:%M}. Say so in the weekly review.",
        )
    names = _names([p.name for _, p in meetings])
    return f"{len(meetings)} meetings are over", f"Did they happen? {names}."


class RemindersViewModel(QObject):
    """Today's counts for the tray, and ``notify(title, text)`` for what is new."""

    notify = Signal(str, str)
    countsChanged = Signal()

    def __init__(
        self,
        review: ReviewViewModel,
        every_ms: int = EVERY_MS,
        first_ms: int = FIRST_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.review = review
        self.due: int | None = None  # touches due today or overdue; None until first read
        self.overdue = 0
        self.awaiting: int | None = None  # meetings over, their outcome not recorded
        self._announced: set[Key] = set()
        self._first_ms = first_ms
        self._timer = QTimer(self)
        self._timer.setInterval(every_ms)
        self._timer.timeout.connect(self.check)
        review.changed.connect(self._review_changed)

    def start(self) -> None:
        self._timer.start()
        QTimer.singleShot(self._first_ms, self, self.check)

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        """Read the review again (in the worker); what changed arrives by ``changed``."""
        self.review.load()

    def _review_changed(self) -> None:
        review = self.review.review
        if review is None:
            return  # not read yet, or the first read failed
        # every touch due now, not only those of the rows the review has read
        due_now = self.review.due_now
        awaiting = list(self.review.awaiting)
        self.due = len(due_now)
        self.overdue = sum(1 for d in due_now if d.due < review.today)
        self.awaiting = len(awaiting)
        self.countsChanged.emit()
        new_due = [d for d in due_now if _touch_key(d) not in self._announced]
        new_meetings = [m for m in awaiting if _meeting_key(m[0]) not in self._announced]
        self._announced.update(_touch_key(d) for d in new_due)
        self._announced.update(_meeting_key(b) for b, _ in new_meetings)
        if new_due:
            read = {
                i.facts.prospect_id: i
                for group in (Group.OVERDUE, Group.DUE_TODAY)
                for i in review.items(group)
            }
            self.notify.emit(*touch_notice(new_due, read, review.today))
        if new_meetings:
            self.notify.emit(*outcome_notice(new_meetings))
