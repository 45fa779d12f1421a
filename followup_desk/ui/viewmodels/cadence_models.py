"""The tables of the cadences dialog: the list of cadences and the steps of the one shown.

Read-only for the built-ins; each cell can carry the domain's sentences about it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from followup_desk.domain.cadences import Anchor, Cadence, CadenceStep, Channel

_Index = QModelIndex | QPersistentModelIndex
_Value = int | str | None

KeyRole = Qt.ItemDataRole.UserRole + 1
ProblemRole = Qt.ItemDataRole.UserRole + 2  # the sentences about one cell, a list of str

CHANNEL_LABELS = {
    Channel.CALL: "Call",
    Channel.VOICEMAIL: "Voicemail",
    Channel.EMAIL: "Email",
    Channel.LINKEDIN: "LinkedIn message",
    Channel.TEXT: "Text message",
    Channel.VISIT: "Visit",
}
CHANNEL_WORDS = {c: "LinkedIn" if c is Channel.LINKEDIN else c.value for c in Channel}
ANCHOR_LABELS = {Anchor.START: "the start", Anchor.PREVIOUS: "the previous step"}
FIELDS = ("days", "anchor", "channel", "message", "closes")
HEADERS = ("Days after", "Counted from", "Channel", "Message", "Closes file after")
NEW_STEP = CadenceStep(Channel.EMAIL, 2, Anchor.PREVIOUS)
STEP_SENTENCE = re.compile(r"Step (\d+): ")


def short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _whole(value: object) -> int | None:
    """A whole number from the editor (int, or text such as " -3 "); None when it is not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,6}\s*", value):
        return int(value)
    return None


def field_of(sentence: str) -> str:
    """Which field of a step a domain sentence ("Step 3: ...") is about."""
    if "{reply_by}" in sentence:
        return "message"
    if "offset" in sentence:
        return "days"
    if "clos" in sentence:
        return "closes"
    return "message"


class CadenceStepsModel(QAbstractTableModel):
    """The draft's steps, one row each; editable only for the rep's own cadences."""

    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.steps: list[CadenceStep] = []
        self.editable = False
        self._problems: dict[tuple[int, str], list[str]] = {}

    def set_steps(self, steps: list[CadenceStep], editable: bool) -> None:
        self.beginResetModel()
        self.steps = list(steps)
        self.editable = editable
        self._problems = {}
        self.endResetModel()

    def set_problems(self, problems: dict[tuple[int, str], list[str]]) -> None:
        if problems == self._problems:
            return
        self._problems = problems
        if self.steps:
            last = self.index(len(self.steps) - 1, len(FIELDS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # --- reading -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.steps)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation is Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return f"Step {section + 1}" if 0 <= section < len(self.steps) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.steps):
            return None
        step = self.steps[index.row()]
        field = FIELDS[index.column()]
        problems = self._problems.get((index.row(), field), [])
        if role == Qt.ItemDataRole.DisplayRole:
            shown = self._shown(step, field)
            return f"⚠ {shown}" if problems else shown
        if role == Qt.ItemDataRole.EditRole:
            return self._raw(step, field)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Step {index.row() + 1}, {HEADERS[index.column()]}: {self._shown(step, field)}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            if problems:
                return " ".join(problems)
            return step.template if field == "message" and step.template else None
        if role == ProblemRole:
            return list(problems)
        return None

    @staticmethod
    def _shown(step: CadenceStep, field: str) -> str:
        if field == "days":
            return str(step.days)
        if field == "anchor":
            return ANCHOR_LABELS[step.anchor]
        if field == "channel":
            return CHANNEL_LABELS[step.channel]
        if field == "message":
            lines = step.template.strip().splitlines()
            first = lines[0] if lines else ""
            return first if len(first) <= 60 and len(lines) < 2 else first[:59] + "…"
        if step.closes_after_days is None:
            return ""
        return f"{step.closes_after_days} day{'' if step.closes_after_days == 1 else 's'}"

    @staticmethod
    def _raw(step: CadenceStep, field: str) -> _Value:
        if field == "days":
            return step.days
        if field == "anchor":
            return step.anchor.value
        if field == "channel":
            return step.channel.value
        if field == "message":
            return step.template
        return "" if step.closes_after_days is None else str(step.closes_after_days)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        # the message is multi-line text: it is edited below the table, not in the cell
        in_cell = self.editable and FIELDS[index.column()] != "message"
        return flags | Qt.ItemFlag.ItemIsEditable if in_cell else flags

    # --- editing -------------------------------------------------------------------------

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not self.editable or role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        step = self.steps[index.row()]
        changed = self._with(step, FIELDS[index.column()], value)
        if changed is None:
            return False
        if changed != step:
            self.steps[index.row()] = changed
            self.dataChanged.emit(index, index)
            self.edited.emit()
        return True

    @staticmethod
    def _with(step: CadenceStep, field: str, value: object) -> CadenceStep | None:
        """The step with one field changed, or None when the value cannot be that field."""
        if field == "days":
            days = _whole(value)
            return None if days is None else replace(step, days=days)
        if field == "anchor":
            anchor = next((a for a in Anchor if value in (a, a.value, ANCHOR_LABELS[a])), None)
            return None if anchor is None else replace(step, anchor=anchor)
        if field == "channel":
            channel = next((c for c in Channel if value in (c, c.value, CHANNEL_LABELS[c])), None)
            return None if channel is None else replace(step, channel=channel)
        if field == "message":
            return replace(step, template=value) if isinstance(value, str) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return replace(step, closes_after_days=None)
        closes = _whole(value)
        return None if closes is None else replace(step, closes_after_days=closes)

    def insert(self, row: int, step: CadenceStep) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.steps.insert(row, step)
        self.endInsertRows()
        self.edited.emit()

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.steps[row]
        self.endRemoveRows()
        self.edited.emit()

    def move_down(self, row: int) -> None:
        """Swap a step with the one below it."""
        self.beginMoveRows(QModelIndex(), row + 1, row + 1, QModelIndex(), row)
        self.steps[row], self.steps[row + 1] = self.steps[row + 1], self.steps[row]
        self.endMoveRows()
        self.edited.emit()


class CadenceListModel(QAbstractListModel):
    """Every cadence by name; built-ins say so."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cadences: list[tuple[Cadence, bool]] = []

    def set_cadences(self, cadences: list[tuple[Cadence, bool]]) -> None:
        self.beginResetModel()
        self.cadences = list(cadences)
        self.endResetModel()

    def row_of(self, key: str) -> int:
        return next((r for r, (c, _) in enumerate(self.cadences) if c.key == key), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cadences)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.cadences):
            return None
        cadence, builtin = self.cadences[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{cadence.name} · built in" if builtin else cadence.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Built in and read-only: copy it to make it your own." if builtin else None
        if role == KeyRole:
            return cadence.key
        return None
