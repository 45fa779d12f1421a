"""The calendars found on a CalDAV server: which count as busy, and the one receiving bookings.

A table over the server's event calendars: a tick per calendar for "counts as busy", and one
choice among the writable calendars for "receives bookings" (read-only ones are marked and
cannot be chosen). Space and B do the same from the keyboard (see the widget).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from followup_desk.domain.accounts import CalendarInfo
from followup_desk.ui.viewmodels.table import HeadedTableModel

HEADERS = ("Calendar", "Counts as busy", "Receives bookings")
BUSY, BOOKINGS = 1, 2

_Index = QModelIndex | QPersistentModelIndex
_CHECKED = Qt.CheckState.Checked
_UNCHECKED = Qt.CheckState.Unchecked


def event_calendars(calendars: Iterable[CalendarInfo]) -> list[CalendarInfo]:
    return [c for c in calendars if "VEVENT" in c.components]


class CalendarChoiceModel(HeadedTableModel):
    headers = HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._calendars: list[CalendarInfo] = []
        self._busy: set[str] = set()
        self._bookings = ""
        self.message = ""  # why the last choice was refused

    # --- state -----------------------------------------------------------------------------

    def set_calendars(
        self, calendars: Sequence[CalendarInfo], busy: Iterable[str], bookings: str
    ) -> None:
        self.beginResetModel()
        self._calendars = event_calendars(calendars)
        known = {c.url for c in self._calendars}
        self._busy = {u for u in busy if u in known}
        writable = {c.url for c in self._calendars if not c.read_only}
        self._bookings = bookings if bookings in writable else ""
        self.message = ""
        self.endResetModel()

    def calendars(self) -> tuple[CalendarInfo, ...]:
        return tuple(self._calendars)

    def busy(self) -> tuple[str, ...]:
        return tuple(c.url for c in self._calendars if c.url in self._busy)

    def bookings(self) -> str:
        return self._bookings

    def calendar(self, row: int) -> CalendarInfo | None:
        return self._calendars[row] if 0 <= row < len(self._calendars) else None

    # --- commands --------------------------------------------------------------------------

    def toggle_busy(self, row: int) -> None:
        calendar = self.calendar(row)
        if calendar is None:
            return
        if calendar.url in self._busy:
            self._busy.discard(calendar.url)
        else:
            self._busy.add(calendar.url)
        self.message = ""
        cell = self.index(row, BUSY)
        self.dataChanged.emit(cell, cell)

    def choose_bookings(self, row: int) -> bool:
        """Make the calendar the one receiving bookings (again: none does); False if refused."""
        calendar = self.calendar(row)
        if calendar is None:
            return False
        if calendar.read_only:
            self.message = f"{calendar.name} is read-only for you: bookings cannot go there."
            self.dataChanged.emit(self.index(row, BOOKINGS), self.index(row, BOOKINGS))
            return False
        self._bookings = "" if self._bookings == calendar.url else calendar.url
        self.message = ""
        self.dataChanged.emit(
            self.index(0, BOOKINGS), self.index(len(self._calendars) - 1, BOOKINGS)
        )
        return True

    # --- Qt's model ------------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._calendars)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        calendar = self._calendars[index.row()]
        if index.column() == BUSY or (index.column() == BOOKINGS and not calendar.read_only):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._calendars):
            return None
        calendar = self._calendars[index.row()]
        column = index.column()
        busy = calendar.url in self._busy
        bookings = calendar.url == self._bookings
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return calendar.name + (" (read-only)" if calendar.read_only else "")
            if column == BOOKINGS and calendar.read_only:
                return "read-only"
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == 0:
                return calendar.name + (" (read-only)" if calendar.read_only else "")
            if column == BUSY:
                return "counts as busy" if busy else "does not count as busy"
            if calendar.read_only:
                return "read-only: cannot receive bookings"
            return "receives bookings" if bookings else "does not receive bookings"
        if role == Qt.ItemDataRole.CheckStateRole:
            if column == BUSY:
                return _CHECKED if busy else _UNCHECKED
            if column == BOOKINGS and not calendar.read_only:
                return _CHECKED if bookings else _UNCHECKED
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return calendar.url
        return None

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        wanted = value == _CHECKED or value == _CHECKED.value
        row = index.row()
        if index.column() == BUSY:
            if wanted != (self._calendars[row].url in self._busy):
                self.toggle_busy(row)
            return True
        if index.column() == BOOKINGS:
            if wanted != (self._calendars[row].url == self._bookings):
                return self.choose_bookings(row)
            return True
        return False
