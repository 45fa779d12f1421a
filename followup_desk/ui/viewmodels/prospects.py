"""The prospects list: each prospect with its next booked step, or a clear "no next step"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from followup_desk.domain.outbox import reply_word
from followup_desk.domain.phrases import format_clock
from followup_desk.domain.review import State
from followup_desk.services.booking import NextStep
from followup_desk.ui.viewmodels.table import HeadedTableModel

NO_NEXT_STEP = "⚠ No next step"
STATE_TEXT = {
    State.AWAITING_OUTCOME: "⚠ Did the meeting happen?",
    State.WAITING: "waiting for a reply",
    State.IN_CADENCE: "in a cadence",
    State.FOLLOW_UP_DATED: "follow-up dated",
    State.SNOOZED: "snoozed",
    State.CLOSED: "closed",
    State.NO_NEXT_STEP: NO_NEXT_STEP,
}
# Those that need the rep: no next step, or a meeting whose outcome nobody gave.
_NEEDS_REP = (State.NO_NEXT_STEP, State.AWAITING_OUTCOME)
HEADERS = ("Prospect", "Company", "Next step", "Reply")
# Custom roles: the NextStep itself, and whether the row lacks a booked next step.
StepRole = Qt.ItemDataRole.UserRole + 1
MissingRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class ProspectsModel(HeadedTableModel):
    headers = HEADERS

    def __init__(self, rep_zone: str, clock_24h: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[NextStep] = []
        self._states: dict[int, tuple[State, date | None]] = {}
        self._invited: frozenset[int] = frozenset()
        self._zone = ZoneInfo(rep_zone)
        self._clock_24h = clock_24h

    def set_steps(
        self,
        steps: Sequence[NextStep],
        states: dict[int, tuple[State, date | None]] | None = None,
        invited: frozenset[int] = frozenset(),
    ) -> None:
        """``invited``: the bookings whose invite went out by calendar or e-mail."""
        self.beginResetModel()
        self._states = dict(states or {})
        self._invited = invited
        # those who need the rep first, closed files last
        self._rows = sorted(steps, key=lambda s: (self._rank(s), s.prospect.name.lower()))
        self.endResetModel()

    def _state(self, step: NextStep) -> State:
        if step.booking is not None:
            return State.BOOKED
        return self._states.get(step.prospect.id or 0, (State.NO_NEXT_STEP, None))[0]

    def _rank(self, step: NextStep) -> int:
        state = self._state(step)
        return 0 if state in _NEEDS_REP else (2 if state is State.CLOSED else 1)

    def step(self, row: int) -> NextStep | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, prospect_id: int) -> int | None:
        return next((i for i, s in enumerate(self._rows) if s.prospect.id == prospect_id), None)

    def missing_count(self) -> int:
        return sum(1 for s in self._rows if self._state(s) in _NEEDS_REP)

    def row_total(self) -> int:
        return len(self._rows)

    def _when(self, step: NextStep) -> str:
        if step.booking is None:
            state = self._state(step)
            due = self._states.get(step.prospect.id or 0, (state, None))[1]
            text = STATE_TEXT.get(state, NO_NEXT_STEP)
            if due is not None and state in (State.IN_CADENCE, State.FOLLOW_UP_DATED):
                return f"{text}, due {due:%a} {due.day} {due:%b}"
            if due is not None and state is State.SNOOZED:
                return f"snoozed until {due:%a} {due.day} {due:%b}"
            return text
        local = step.booking.start.astimezone(self._zone)
        return f"{local:%a} {local.day} {local:%b} {format_clock(local, clock_24h=self._clock_24h)}"

    def _reply(self, step: NextStep) -> str:
        """The prospect's answer; "no answer yet" once an invite went out; "" otherwise."""
        booking = step.booking
        if booking is None:
            return ""
        if booking.reply:
            return reply_word(booking.reply)
        return reply_word("NEEDS-ACTION") if booking.id in self._invited else ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        step = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return step.prospect.name
            if column == 1:
                return step.prospect.company
            if column == 2:
                return self._when(step)
            if column == 3:
                return self._reply(step)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if step.booking is None:
                return f"{step.prospect.name} has no booked next step: press B to book one."
            confirm = (
                f"; confirm on {step.confirm_on:%a} {step.confirm_on.day}"
                if (step.confirm_on)
                else ""
            )
            return f"{step.prospect.email}{confirm}"
        if role == StepRole:
            return step
        if role == MissingRole:
            return self._state(step) in _NEEDS_REP
        return None
