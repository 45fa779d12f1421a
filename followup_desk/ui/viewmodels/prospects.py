"""The prospects list: each prospect with its next booked step, or a clear "no next step"."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from followup_desk.domain.phrases import format_clock
from followup_desk.services.booking import NextStep

NO_NEXT_STEP = "⚠ No next step"
HEADERS = ("Prospect", "Company", "Next step")
# Custom roles: the NextStep itself, and whether the row lacks a booked next step.
StepRole = Qt.ItemDataRole.UserRole + 1
MissingRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class ProspectsModel(QAbstractTableModel):
    def __init__(self, rep_zone: str, clock_24h: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[NextStep] = []
        self._zone = ZoneInfo(rep_zone)
        self._clock_24h = clock_24h

    def set_steps(self, steps: Sequence[NextStep]) -> None:
        self.beginResetModel()
        # those without a next step first: they are the ones to act on
        self._rows = sorted(steps, key=lambda s: (s.booking is not None, s.prospect.name.lower()))
        self.endResetModel()

    def step(self, row: int) -> NextStep | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, prospect_id: int) -> int | None:
        return next((i for i, s in enumerate(self._rows) if s.prospect.id == prospect_id), None)

    def missing_count(self) -> int:
        return sum(1 for s in self._rows if s.booking is None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation is Qt.Orientation.Horizontal
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def _when(self, step: NextStep) -> str:
        if step.booking is None:
            return NO_NEXT_STEP
        local = step.booking.start.astimezone(self._zone)
        return f"{local:%a} {local.day} {local:%b} {format_clock(local, clock_24h=self._clock_24h)}"

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
            return step.booking is None
        return None
