"""The outbox tab: what waits to be sent, what was sent, and what needs the rep.

The table lists jobs with those that need the rep first; below it, the selected job's full
reason and what to do. Keys on the table: R retries now, A says an e-mail of unknown fate
did arrive, S sends it again, Delete drops a job (after asking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from followup_desk.domain.outbox import JobState
from followup_desk.ui.viewmodels.outbox import (
    CHANNEL_WORDS,
    NEEDS_REP,
    OutboxModel,
    OutboxViewModel,
)
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

KEYS_HINT = (
    "R retry now · A it arrived · S send again · Delete drop · F5 read answers now · "
    "Ctrl+Shift+A accounts"
)

if TYPE_CHECKING:
    from followup_desk.storage.outbox import JobRow


class OutboxTable(QTableView):
    """The jobs; R, A, S and Delete act on the selected one."""

    def __init__(self, panel: OutboxPanel, model: OutboxModel) -> None:
        super().__init__()
        self._panel = panel
        self.setModel(model)
        self.setAccessibleName("Outbox")
        self.setFont(scaled_font(1.0))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        for column in range(model.columnCount() - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        actions = {
            Qt.Key.Key_R: self._panel.retry,
            Qt.Key.Key_A: self._panel.arrived,
            Qt.Key.Key_S: self._panel.send_again,
            Qt.Key.Key_Delete: self._panel.drop,
            Qt.Key.Key_F5: self._panel.vm.read_now,
        }
        action = actions.get(Qt.Key(event.key()))
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if action is None or not plain:
            super().keyPressEvent(event)
            return
        action()
        event.accept()


class OutboxPanel(QWidget):
    def __init__(self, vm: OutboxViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setAccessibleName("Outbox")
        self.title = QLabel("Outbox")
        self.title.setFont(scaled_font(1.3, bold=True))
        self.summary = QLabel()
        self.summary.setAccessibleName("Outbox summary")
        set_role_colour(self.summary, "muted")
        self.table = OutboxTable(self, vm.model)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setFont(scaled_font(1.1))
        self.detail.setAccessibleName("The selected job")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.retry_button = QPushButton("&Retry now  (R)")
        self.arrived_button = QPushButton("It &arrived  (A)")
        self.again_button = QPushButton("&Send again  (S)")
        self.drop_button = QPushButton("&Drop…  (Delete)")
        self.all_button = QPushButton("Retry a&ll")
        self.retry_button.clicked.connect(self.retry)
        self.arrived_button.clicked.connect(self.arrived)
        self.again_button.clicked.connect(self.send_again)
        self.drop_button.clicked.connect(self.drop)
        self.all_button.clicked.connect(vm.retry_all)
        self.all_button.setToolTip("Try every waiting or held job now.")
        buttons = QHBoxLayout()
        for button in (
            self.retry_button,
            self.arrived_button,
            self.again_button,
            self.drop_button,
        ):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.all_button)
        self.hint = QLabel(KEYS_HINT)
        set_role_colour(self.hint, "muted")

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)

        self._kept: int | None = None
        vm.model.modelAboutToBeReset.connect(self._remember)
        vm.model.modelReset.connect(self._restore)
        vm.changed.connect(self.refresh)
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(lambda _now, _before: self._show_selected())
        self.refresh()

    # --- showing ---------------------------------------------------------------------------

    def selected(self) -> JobRow | None:
        index = self.table.currentIndex()
        return self.vm.model.row(index.row()) if index.isValid() else None

    def _remember(self) -> None:
        row = self.selected()
        self._kept = row.job.id if row else None

    def _restore(self) -> None:
        model = self.vm.model
        found = model.row_of(self._kept) if self._kept is not None else None
        row = found if found is not None else (0 if model.rowCount() else None)
        if row is not None:
            self.table.setCurrentIndex(model.index(row, 0))
            self.table.selectRow(row)
        self._show_selected()

    def refresh(self) -> None:
        self.summary.setText(self.vm.summary())
        self._show_selected()

    def _show_selected(self) -> None:
        row = self.selected()
        state = row.job.state if row else None
        self.retry_button.setEnabled(state in (JobState.WAITING, JobState.HELD))
        self.arrived_button.setEnabled(state is JobState.UNKNOWN)
        self.again_button.setEnabled(state is JobState.UNKNOWN)
        self.drop_button.setEnabled(state in (JobState.WAITING, JobState.HELD, JobState.UNKNOWN))
        if row is None:
            self.detail.setText(
                "Invites sent by calendar or e-mail appear here until they are delivered."
                if not self.vm.model.rowCount()
                else ""
            )
            set_role_colour(self.detail, "muted")
            return
        self.detail.setText(self.vm.model.detail(row))
        job = row.job
        role = "error" if job.state is JobState.HELD else "muted"
        if job.state is JobState.UNKNOWN or (job.state is JobState.WAITING and job.attempts):
            role = "warning"
        set_role_colour(self.detail, role)

    def focus_table(self) -> None:
        model = self.vm.model
        if model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(model.index(0, 0))
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- the rep's decisions ---------------------------------------------------------------

    def retry(self) -> None:
        row = self.selected()
        if row is not None:
            self.vm.retry(row)

    def arrived(self) -> None:
        row = self.selected()
        if row is not None:
            self.vm.arrived(row)

    def send_again(self) -> None:
        row = self.selected()
        if row is not None:
            self.vm.send_again(row)

    def drop(self) -> None:
        row = self.selected()
        if row is None or row.job.state not in (*NEEDS_REP, JobState.WAITING):
            return
        what = CHANNEL_WORDS[row.job.channel]
        answer = QMessageBox.question(
            self,
            "Drop this job?",
            f"Give up sending the {what} for {row.prospect}? The booking stays; the "
            f"{what} will not be sent.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.drop(row)
