"""The prospects list, with those who have no next step first and marked as such.

B books a next step for the selected prospect, R moves their booked one, Delete cancels it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from followup_desk.services.booking import NextStep
from followup_desk.ui.viewmodels.prospects import ProspectsModel
from followup_desk.ui.widgets.style import scaled_font


class ProspectsView(QTableView):
    bookRequested = Signal(object)  # NextStep
    rescheduleRequested = Signal(object)
    cancelRequested = Signal(object)

    def __init__(self, model: ProspectsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName("Prospects")
        self.setFont(scaled_font(1.05))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        # the prospect's answer in full: "accepted", "no answer yet"
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.doubleClicked.connect(lambda _index: self._act("book"))
        # a refresh of the list keeps the selected prospect selected
        self._kept: int | None = None
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)

    def _remember(self) -> None:
        step = self.selected()
        self._kept = step.prospect.id if step else None

    def _restore(self) -> None:
        model = self.model()
        assert isinstance(model, ProspectsModel)
        row = model.row_of(self._kept) if self._kept is not None else None
        if row is not None:
            self.selectRow(row)

    def selected(self) -> NextStep | None:
        model = self.model()
        assert isinstance(model, ProspectsModel)
        index = self.currentIndex()
        return model.step(index.row()) if index.isValid() else None

    def _act(self, what: str) -> None:
        step = self.selected()
        if step is None:
            return
        if what == "book" and step.booking is None:
            self.bookRequested.emit(step)
        elif what in ("book", "move"):  # booking someone booked means moving their meeting
            self.rescheduleRequested.emit(step)
        elif what == "cancel":
            self.cancelRequested.emit(step)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_B, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._act("book")
        elif key == Qt.Key.Key_R:
            self._act("move")
        elif key == Qt.Key.Key_Delete:
            self._act("cancel")
        else:
            super().keyPressEvent(event)
            return
        event.accept()
