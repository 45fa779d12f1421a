"""Reminders: the review read again every few minutes, and a notice for what newly came due.

A notice goes out for a touch that came due (due today or overdue) and for a meeting whose
outcome is still to be recorded, each once: what was announced is remembered for the
session, so a tick that finds the same things says nothing. Nothing is written anywhere:
after a restart, what is due is announced once more. The review itself is read by the
review view model, in the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from followup_desk.domain.booking import Booking, Prospect
from followup_desk.domain.phrases import format_short_day
from followup_desk.domain.review import Group, ReviewItem
from followup_desk.ui.viewmodels.review import ReviewViewModel

EVERY_MS = 5 * 60 * 1000
FIRST_MS = 20 * 1000  # once shortly after the start, when the first paint's jobs are done
NAMES_SHOWN = 3

Key = tuple[str, int, str]


def _touch_key(item: ReviewItem) -> Key:
    # the due date is part of it: a touch snoozed or rescheduled that comes due again is new
    return ("touch", item.facts.prospect_id, item.due.isoformat() if item.due else "")


def _meeting_key(booking: Booking) -> Key:
    return ("outcome", booking.id or 0, booking.start.isoformat())


def _names(names: Sequence[str], total: int | None = None) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = (len(names) if total is None else total) - min(len(names), NAMES_SHOWN)
    return f"{shown} and {more:,} more" if more > 0 else shown


def touch_notice(
    items: Sequence[ReviewItem], today: date, total: int | None = None
) -> tuple[str, str]:
    """What newly came due; ``total`` is how many are due in all, when the review read only
    the first rows of its groups (the names are those of the rows read)."""
    count = len(items) if total is None else max(total, len(items))
    if count == 1:
        item = items[0]
        what = item.what[:1].upper() + item.what[1:] if item.what else "A touch"
        late = item.due is not None and item.due < today
        when = f"was due {format_short_day(item.due)}" if late and item.due else "due today"
        return f"Touch due: {item.facts.name}", f"{what}, {when}."
    return f"{count:,} touches due", _names([i.facts.name for i in items], count) + "."


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
        # the counts are the whole groups'; the items, the rows the review has read of them
        counts = review.counts()
        due = [*review.items(Group.OVERDUE), *review.items(Group.DUE_TODAY)]
        awaiting = list(self.review.awaiting)
        self.overdue = counts.get(Group.OVERDUE, 0)
        self.due = self.overdue + counts.get(Group.DUE_TODAY, 0)
        self.awaiting = len(awaiting)
        self.countsChanged.emit()
        new_due = [i for i in due if _touch_key(i) not in self._announced]
        new_meetings = [m for m in awaiting if _meeting_key(m[0]) not in self._announced]
        self._announced.update(_touch_key(i) for i in new_due)
        self._announced.update(_meeting_key(b) for b, _ in new_meetings)
        if new_due:
            # due beyond the rows read cannot be told new or not: the notice says how many
            # are due in all, and names the new ones read
            total = self.due if self.due > len(due) else None
            self.notify.emit(*touch_notice(new_due, review.today, total))
        if new_meetings:
            self.notify.emit(*outcome_notice(new_meetings))
