"""The calendars found on the server, as a table of ticks: Space ticks or unticks "counts as
busy" on the selected calendar, B makes it the one receiving bookings (a mouse click on a
tick does the same)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from followup_desk.ui.viewmodels.calendar_choice import BOOKINGS, BUSY, CalendarChoiceModel


class CalendarTable(QTableView):
    def __init__(self, model: CalendarChoiceModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = model
        self.setModel(model)
        self.setAccessibleName("Calendars found")
        self.setAccessibleDescription(
            "Space: counts as busy or not. B: receives bookings. Read-only calendars cannot."
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(BUSY, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BOOKINGS, QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(self._first_row)
        self._fit()

    def _first_row(self) -> None:
        if self.choice.rowCount():
            self.setCurrentIndex(self.choice.index(0, 0))
        self._fit()

    def _fit(self) -> None:
        """As tall as its calendars (2 to 8 rows; more scroll), so what follows stays in view."""
        rows = max(2, min(8, self.choice.rowCount()))
        header = self.horizontalHeader().sizeHint().height()
        height = header + rows * self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth()
        self.setFixedHeight(height)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.currentIndex().row()
        if event.key() == Qt.Key.Key_Space and row >= 0:
            self.choice.toggle_busy(row)
        elif event.key() == Qt.Key.Key_B and row >= 0:
            self.choice.choose_bookings(row)
        else:
            super().keyPressEvent(event)
            return
        event.accept()
