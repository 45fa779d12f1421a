"""The weekly review in the window: groups with counts, prospects inside by urgency, and the
one-key actions on the selected prospect. Every action runs in the worker, then the review
is built again, so what is shown is always what the database says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from followup_desk.atomic import export_text
from followup_desk.domain.booking import Booking, Prospect
from followup_desk.domain.cadences import Cadence, Channel
from followup_desk.domain.phrases import format_short_day
from followup_desk.domain.review import (
    GROUP_TITLES,
    DueNow,
    Group,
    Review,
    ReviewBounds,
    ReviewItem,
)
from followup_desk.domain.touches import Direction, Outcome
from followup_desk.errors import UserError
from followup_desk.ui.runner import DeskRunner

if TYPE_CHECKING:
    from followup_desk.app import Desk
    from followup_desk.services.followup_outbox import Draft, MessageSent
    from followup_desk.services.followups import TouchLogged

_Index = QModelIndex | QPersistentModelIndex
Loaded = tuple[
    Review,
    list[tuple[Booking, Prospect]],
    list[Cadence],
    list[tuple[date, dict[str, int]]],
    bool,
    list[DueNow],
]
ItemRole = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Prospect", "Due", "What")
# internalId of a group row; an item row stores its group's number + 1 (ids are unsigned)
_GROUP_ROW = 0
PAGE = 100  # rows read at a time per group: a few screens' worth


@dataclass
class _Shown:
    """A group as the window has it: its first items, and how many it has in all."""

    group: Group
    items: list[ReviewItem]
    size: int
    asking: bool = False  # its next rows are being read
    stuck: bool = False  # reading them failed: F5 reads the review again


class ReviewModel(QAbstractItemModel):
    """Groups (with their counts) at the top level, their prospects below, most urgent first.

    A group holds its first rows; ``read_more`` asks for the rows after the last one shown
    (``moreWanted``), read in the worker and added by ``add_more``. So a review of thousands
    opens as fast as one of ten, and the counts are always the whole group's. (Not Qt's
    canFetchMore/fetchMore: a tree view calls those as it expands a group, which would read
    every group's second page at once; the review page asks when the rep gets near the end.)
    """

    moreWanted = Signal(object, object)  # a Group, and its last item shown

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[_Shown] = []
        self._generation = 0  # a new review: rows asked for the old one are dropped
        self._bounds: ReviewBounds | None = None

    def set_review(self, review: Review | None) -> None:
        self.beginResetModel()
        counts = review.counts() if review else {}
        self._groups = (
            [_Shown(g, list(items), counts[g]) for g, items in review.groups if counts[g]]
            if review
            else []
        )
        self._bounds = review.bounds if review else None
        self._generation += 1
        self.endResetModel()

    def reached(self) -> dict[Group, int]:
        """The rows each group has read past the first page, counting those being read: a
        new review reads as many of that group, so the rep keeps their place."""
        reached = {s.group: len(s.items) + (PAGE if s.asking else 0) for s in self._groups}
        return {group: n for group, n in reached.items() if n > PAGE}

    def bounds(self) -> ReviewBounds | None:
        """What the review shown was grouped against (its later rows are read against it)."""
        return self._bounds

    def generation(self) -> int:
        return self._generation

    def add_more(self, group: Group, items: Sequence[ReviewItem], generation: int) -> None:
        """The rows read after a group's last one (dropped when the review changed since)."""
        if generation != self._generation:
            return
        for row, shown in enumerate(self._groups):
            if shown.group is not group:
                continue
            shown.asking = False
            if not items:  # the group shrank since it was counted: its title says so
                shown.size = len(shown.items)
                title = self.createIndex(row, 0, _GROUP_ROW)
                self.dataChanged.emit(title, title)
                return
            first = len(shown.items)
            self.beginInsertRows(
                self.createIndex(row, 0, _GROUP_ROW), first, first + len(items) - 1
            )
            shown.items.extend(items)
            self.endInsertRows()
            return

    def more_failed(self, group: Group, generation: int) -> None:
        for shown in self._groups if generation == self._generation else ():
            if shown.group is group:
                shown.asking, shown.stuck = False, True

    def _shown_at(self, parent: _Index) -> _Shown | None:
        if not parent.isValid() or parent.internalId() != _GROUP_ROW or parent.column() != 0:
            return None
        return self._groups[parent.row()] if 0 <= parent.row() < len(self._groups) else None

    def can_read_more(self, parent: _Index) -> bool:
        shown = self._shown_at(parent)
        return (
            shown is not None
            and bool(shown.items)
            and len(shown.items) < shown.size
            and not shown.asking
            and not shown.stuck
        )

    def read_more(self, parent: _Index) -> None:
        shown = self._shown_at(parent)
        if shown is not None and self.can_read_more(parent):
            shown.asking = True
            self.moreWanted.emit(shown.group, shown.items[-1])

    def item(self, index: _Index) -> ReviewItem | None:
        if not index.isValid() or index.internalId() == _GROUP_ROW:
            return None
        group = int(index.internalId()) - 1
        items = self._groups[group].items
        return items[index.row()] if 0 <= index.row() < len(items) else None

    def group_index(self, group: Group) -> QModelIndex:
        for row, shown in enumerate(self._groups):
            if shown.group is group:
                return self.createIndex(row, 0, _GROUP_ROW)
        return QModelIndex()

    def index_of(self, prospect_id: int) -> QModelIndex:
        for number, shown in enumerate(self._groups):
            for row, item in enumerate(shown.items):
                if item.facts.prospect_id == prospect_id:
                    return self.createIndex(row, 0, number + 1)
        return QModelIndex()

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP_ROW)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _GROUP_ROW:
            return QModelIndex()
        return self.createIndex(int(child.internalId()) - 1, 0, _GROUP_ROW)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        shown = self._shown_at(parent)
        return len(shown.items) if shown is not None else 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation is Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP_ROW:
            shown = self._groups[index.row()]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                title = f"{GROUP_TITLES[shown.group]} ({shown.size:,})"
                return title if index.column() == 0 else None
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        item = self.item(index)
        if item is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            facts = item.facts
            if index.column() == 0:
                return facts.name + (f", {facts.company}" if facts.company else "")
            if index.column() == 1:
                return format_short_day(item.due) if item.due else ""
            return item.what
        if role == ItemRole:
            return item
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ReviewViewModel(QObject):
    """The review's state and commands; every command ends with the review built afresh."""

    changed = Signal()
    message = Signal(str)  # a sentence for the status line
    emptyNote = Signal(str, object)  # the warning, and a callable that logs it anyway
    outcomesChanged = Signal()
    bookRequested = Signal(object)  # a Prospect to book now
    textReady = Signal(str)  # a cadence message, for the clipboard
    mailRequested = Signal(str, str)  # address and message, for the mail program
    draftReady = Signal(object, object)  # a ReviewItem and the Draft to confirm, then send
    sendWarning = Signal(str, object, object)  # the warning, the item, the Draft as edited
    outboxNeeded = Signal()  # something was queued: the outbox worker may send it now

    def __init__(self, runner: DeskRunner, stale_days: int = 14) -> None:
        super().__init__()
        self.runner = runner
        self.stale_days = stale_days
        self.model = ReviewModel(self)
        self.review: Review | None = None
        self.awaiting: list[tuple[Booking, Prospect]] = []
        self.cadences: list[Cadence] = []
        self.weeks: list[tuple[date, dict[str, int]]] = []
        self.can_send = False  # an SMTP account exists: Shift+M sends the message
        self.due_now: list[DueNow] = []  # everyone overdue or due today
        self.acted_on: int | None = None  # the prospect the last action was on, until shown
        self.error = ""
        self.model.moreWanted.connect(self._read_more)

    # --- loading ---------------------------------------------------------------------

    def _read_more(self, group: Group, last: ReviewItem) -> None:
        generation, bounds = self.model.generation(), self.model.bounds()
        if bounds is None:
            return

        def job(desk: Desk) -> tuple[ReviewItem, ...]:
            return desk.followups.review_more(group, last, PAGE, bounds)

        def failed(error: UserError) -> None:
            self.model.more_failed(group, generation)
            self._failed(error)

        self.runner.submit(job, lambda items: self.model.add_more(group, items, generation), failed)

    def load(self) -> None:
        stale = self.stale_days
        reached = self.model.reached()  # the rep keeps the rows they scrolled to

        def job(desk: Desk) -> Loaded:
            review = desk.followups.review(stale, PAGE, reached)
            cadences = [c for c, _ in desk.cadences.cadences()]
            can_send = desk.followup_outbox.can_send()
            awaiting = desk.followups.awaiting_outcome()
            due_now = desk.followups.due_now(stale)
            return review, awaiting, cadences, desk.followups.pipeline(), can_send, due_now

        def done(result: Loaded) -> None:
            (self.review, self.awaiting, self.cadences, self.weeks, self.can_send, self.due_now) = (
                result
            )
            self.error = ""
            self.model.set_review(self.review)
            self.changed.emit()
            self.outcomesChanged.emit()

        self.runner.submit(job, done, self._failed)

    def _failed(self, error: UserError) -> None:
        self.error = str(error)
        self.message.emit(self.error)
        self.changed.emit()

    def _then_reload(
        self, job: Callable[[Desk], object], said: Callable[[object], str], acted_on: int
    ) -> None:
        def done(result: object) -> None:
            self.message.emit(said(result))
            self.outboxNeeded.emit()  # a due touch may have changed: its task goes out
            self._reload_after(acted_on)

        self.runner.submit(job, done, self._failed)

    def _reload_after(self, acted_on: int) -> None:
        """The review read again after an action on ``acted_on``: the rep is done with them,
        so the cursor may move on (``acted_on`` is cleared once the review has been shown)."""
        self.acted_on = acted_on
        self.load()

    def counts_line(self) -> str:
        if self.review is None:
            return "Reading…"
        counts = self.review.counts()
        shown = [f"{GROUP_TITLES[g]} {counts[g]:,}" for g in Group if g is not Group.LATER]
        return " · ".join(shown) + f" · Later {counts[Group.LATER]:,}"

    # --- one-key actions -----------------------------------------------------------------

    def log_touch(
        self, item: ReviewItem, channel: Channel, inbound: bool, note: str, force: bool = False
    ) -> None:
        pid = item.facts.prospect_id
        direction = Direction.IN if inbound else Direction.OUT

        def job(desk: Desk) -> TouchLogged:
            return desk.followups.log_touch(pid, channel, direction, note, force=force)

        def done(result: TouchLogged) -> None:
            due = f"; next touch {format_short_day(result.next_due)}" if result.next_due else ""
            self.message.emit(f"Logged a {channel.value} with {item.facts.name}{due}.")
            self.outboxNeeded.emit()
            self._reload_after(pid)

        def failed(error: UserError) -> None:
            if _is_empty_touch_warning(error):
                self.emptyNote.emit(
                    str(error), lambda: self.log_touch(item, channel, inbound, note, True)
                )
                return
            self._failed(error)

        self.runner.submit(job, done, failed)

    def snooze(self, item: ReviewItem, until: date) -> None:
        pid = item.facts.prospect_id
        self._then_reload(
            lambda desk: desk.followups.snooze(pid, until),
            lambda _r: f"{item.facts.name} snoozed until {format_short_day(until)}.",
            pid,
        )

    def enrol(self, item: ReviewItem, key: str) -> None:
        pid = item.facts.prospect_id
        self._then_reload(
            lambda desk: desk.followups.enrol(pid, key),
            lambda e: f"{item.facts.name} enrolled in {getattr(e, 'cadence_name', key)}.",
            pid,
        )

    def close_file(self, item: ReviewItem, reason: str) -> None:
        pid = item.facts.prospect_id
        self._then_reload(
            lambda desk: desk.followups.close(pid, reason),
            lambda _r: f"{item.facts.name}'s file is closed ({reason}).",
            pid,
        )

    def record_outcome(self, booking: Booking, prospect: Prospect, outcome: Outcome) -> None:
        booking_id, prospect_id = booking.id, prospect.id
        assert booking_id is not None and prospect_id is not None

        def said(_result: object) -> str:
            if outcome is Outcome.RESCHEDULED:
                self.bookRequested.emit(prospect)
                return f"{prospect.name}: book the new time."
            if outcome is Outcome.HELD:
                return f"{prospect.name}: meeting held. What is the next step?"
            return f"{prospect.name} is back among those without a next step."

        self._then_reload(
            lambda desk: desk.followups.record_outcome(booking_id, outcome), said, prospect_id
        )

    def copy_message(self, item: ReviewItem) -> None:
        pid = item.facts.prospect_id

        def done(text: str) -> None:
            if text:
                self.textReady.emit(text)
                self.message.emit(f"The message for {item.facts.name} is on the clipboard.")
            else:
                self.message.emit(f"{item.facts.name} has no cadence message due.")

        self.runner.submit(lambda desk: desk.followups.message(pid), done, self._failed)

    def mail_message(self, item: ReviewItem) -> None:
        """The next cadence message in the rep's own mail program (mailto:)."""
        pid = item.facts.prospect_id

        def job(desk: Desk) -> tuple[str, str]:
            prospect = desk.bookings.prospect(pid)
            return (prospect.email if prospect else ""), desk.followups.message(pid)

        def done(result: tuple[str, str]) -> None:
            email, text = result
            self.mailRequested.emit(email, text)

        self.runner.submit(job, done, self._failed)

    def prepare_send(self, item: ReviewItem) -> None:
        """Shift+M: the cadence message as the e-mail it would be, for the rep to confirm."""
        pid = item.facts.prospect_id

        def done(draft: Draft) -> None:
            self.draftReady.emit(item, draft)

        self.runner.submit(lambda desk: desk.followup_outbox.draft(pid), done, self._failed)

    def send_message(self, item: ReviewItem, draft: Draft, force: bool = False) -> None:
        """Log the e-mail touch and send it (it waits in the outbox when it cannot go)."""
        pid = item.facts.prospect_id

        def job(desk: Desk) -> MessageSent:
            return desk.followup_outbox.send_message(pid, draft.body, draft.subject, force=force)

        def done(result: MessageSent) -> None:
            if result.delivered:
                said = f"Sent {result.subject!r} to {item.facts.name} and logged it."
            elif result.sent is not None and result.sent.state.value == "unknown":
                said = (
                    f"Logged the e-mail to {item.facts.name}, but the server never confirmed "
                    "it: it may have arrived. See the Outbox (Ctrl+B) to mark it arrived or "
                    "send it again."
                )
            else:
                why = result.sent.message if result.sent else ""
                said = (
                    f"Logged the e-mail to {item.facts.name}; it waits in the outbox"
                    + (f" ({why})" if why else "")
                    + "."
                )
            due = (
                f" Next touch {format_short_day(result.touch.next_due)}."
                if result.touch.next_due
                else ""
            )
            self.message.emit(said + due)
            self.outboxNeeded.emit()
            self._reload_after(pid)

        def failed(error: UserError) -> None:
            if _is_empty_touch_warning(error):
                self.sendWarning.emit(str(error), item, draft)
                return
            self._failed(error)

        self.runner.submit(job, done, failed)

    def book_now(self, item: ReviewItem) -> None:
        def done(prospect: Prospect | None) -> None:
            if prospect is not None:
                self.bookRequested.emit(prospect)

        pid = item.facts.prospect_id
        self.runner.submit(lambda desk: desk.bookings.prospect(pid), done, self._failed)

    def export_csv(self, path: Path) -> None:
        """The whole review (every row, not only those shown) as CSV, written in the worker;
        the review is read again after (the export's review may have closed files)."""
        stale = self.stale_days

        def job(desk: Desk) -> None:
            from followup_desk.services.review_export import review_csv

            export_text(path, review_csv(desk.followups.review(stale)), "nothing was saved")

        def done(_result: None) -> None:
            self.message.emit(f"The review is in {path}.")
            self.load()

        # a file that cannot be written is said on the status line; the review stays shown
        self.runner.submit(job, done, lambda error: self.message.emit(str(error)))


def _is_empty_touch_warning(error: UserError) -> bool:
    """A "says nothing new" warning the rep may override (imported when first needed: the
    follow-up services stay off the path to the first window)."""
    from followup_desk.services.followups import EmptyTouchWarning

    return isinstance(error, EmptyTouchWarning)
