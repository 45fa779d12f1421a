"""The weekly review page: counts on top, groups and prospects below, one key per action.

B book now · T log a touch · S snooze · E enrol in a cadence · M copy the cadence message ·
O open it in the mail program · Shift+M send it by e-mail (with an SMTP account) · X close
the file · A say whether past meetings happened · Ctrl+E export as CSV · F5 reload
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from followup_desk.domain.followup import parse_stated_date
from followup_desk.domain.review import Group, ReviewItem
from followup_desk.domain.touches import Outcome
from followup_desk.ui.viewmodels.review import ItemRole, ReviewViewModel
from followup_desk.ui.widgets.pipeline_chart import PipelineChart
from followup_desk.ui.widgets.style import scaled_font, set_role_colour
from followup_desk.ui.widgets.touch_dialog import CHANNEL_NAMES, TouchDialog

KEYS = (
    "B book now · T log a touch · S snooze · E enrol in a cadence · M copy its message · "
    "O mail it · X close the file · A past meetings · Ctrl+E export CSV · F5 reload"
)
SEND_KEY = "Shift+M send it by e-mail"
# Near the end of what a group has read, its next rows are read ahead: the cursor within
# half a page of it (a few Page Downs), or that end less than two screens below the view.
# Rows are never read for a group scrolled past: they would push the view's rows down.
NOBODY = (
    "Nobody to chase: every open prospect has a booked next step. Prospects you meet and "
    "do not book, and meetings that are over, show here."
)
NEAR_THE_END = 50
SCREENS_AHEAD = 2
CLOSE_REASONS = (
    "not interested",
    "no budget",
    "chose someone else",
    "no reply",
    "not a fit",
)


class ReviewTree(QTreeView):
    """The groups and prospects; one-key actions go to the page."""

    def __init__(self, page: ReviewPanel) -> None:
        super().__init__()
        self._page = page
        self.setAccessibleName("Weekly review")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = modifiers == Qt.KeyboardModifier.ShiftModifier
        if (modifiers and not shift) or not self._page.act(event.key(), shift=shift):
            super().keyPressEvent(event)
            return
        event.accept()


class ReviewPanel(QWidget):
    def __init__(self, vm: ReviewViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        layout = QVBoxLayout(self)
        self.title = QLabel("Weekly review")
        self.title.setFont(scaled_font(1.3, bold=True))
        self.counts = QLabel()
        self.counts.setFont(scaled_font(1.1))
        self.counts.setAccessibleName("Counts")
        self.counts.setWordWrap(True)
        self.outcomes = QPushButton()
        self.outcomes.setAccessibleName("Meetings waiting for their outcome")
        self.outcomes.clicked.connect(self.ask_outcomes)
        self.outcomes.hide()
        self.tree = ReviewTree(self)
        self.tree.setModel(vm.model)
        self.tree.setFont(scaled_font(1.05))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.keys = QLabel(KEYS)
        self.keys.setWordWrap(True)
        set_role_colour(self.keys, "muted")
        self.chart = PipelineChart()
        # said instead of an empty tree: nobody is waiting for the rep
        self.empty = QLabel(NOBODY)
        self.empty.setWordWrap(True)
        self.empty.hide()
        for widget in (self.title, self.counts, self.outcomes, self.empty):
            layout.addWidget(widget)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.chart)
        layout.addWidget(self.keys)
        # a group's next rows are read as its last ones come into view or near the cursor
        self.tree.verticalScrollBar().valueChanged.connect(self._read_what_shows)
        self.tree.selectionModel().currentChanged.connect(self._read_what_shows)
        self._kept: int | None = None  # the prospect under the cursor, kept across reloads
        self._kept_at: tuple[Group, int] | None = None  # and its group and row
        self.tree.selectionModel().currentChanged.connect(self._keep)
        vm.changed.connect(self.refresh)
        vm.outcomesChanged.connect(self._outcomes_changed)
        vm.emptyNote.connect(self._empty_note)
        vm.textReady.connect(lambda text: QGuiApplication.clipboard().setText(text))
        vm.mailRequested.connect(self._mail)
        vm.draftReady.connect(self._confirm_send)
        vm.sendWarning.connect(self._send_warning)
        self.refresh()

    # --- drawing -------------------------------------------------------------------------

    def refresh(self) -> None:
        kept = self._kept
        self.counts.setText(self.vm.error or self.vm.counts_line())
        self.empty.setVisible(self.vm.review is not None and self.vm.model.rowCount() == 0)
        self.tree.expandAll()
        if self.vm.review is not None:
            self.title.setText(f"Weekly review · {self.vm.review.today:%A %d %B}")
        self.chart.set_weeks(self.vm.weeks)
        with_send = KEYS.replace(" · X close", f" · {SEND_KEY} · X close", 1)
        self.keys.setText(with_send if self.vm.can_send else KEYS)
        self.tree.setCurrentIndex(self._place_for(kept))
        self._read_what_shows()

    def _place_for(self, kept: int | None) -> QModelIndex:
        """Where the cursor goes after a reload: the prospect it was on, wherever they are
        now; but when the rep's action moved them on (snoozed, logged, closed), whoever took
        their place in the group, so the rep works down a list without going back to its
        top. A reload by the clock or F5 never moves the cursor to someone else."""
        model = self.vm.model
        acted, self.vm.acted_on = self.vm.acted_on, None
        index = model.index_of(kept) if kept is not None else QModelIndex()
        item = model.item(index)
        moved_on = acted is not None and acted == kept
        if item is not None and (
            not moved_on or self._kept_at is None or item.group is self._kept_at[0]
        ):
            return index
        if self._kept_at is not None:
            group, row = self._kept_at
            parent = model.group_index(group)
            if parent.isValid() and model.rowCount(parent):
                return model.index(min(row, model.rowCount(parent) - 1), 0, parent)
        if index.isValid():
            return index
        first_group = model.index(0, 0)
        return model.index(0, 0, first_group) if first_group.isValid() else QModelIndex()

    def _keep(self, *_: object) -> None:
        item = self.selected()
        if item is not None:  # a reset clears the cursor: the prospect is found again after
            self._kept = item.facts.prospect_id
            self._kept_at = (item.group, self.tree.currentIndex().row())

    def _read_what_shows(self, *_: object) -> None:
        model, view = self.vm.model, self.tree.viewport().rect()
        current = self.tree.currentIndex()
        for row in range(model.rowCount()):
            group = model.index(row, 0)
            shown = model.rowCount(group)
            if not model.can_read_more(group) or not self.tree.isExpanded(group):
                continue
            end = self.tree.visualRect(model.index(shown - 1, 0, group))
            ahead = end.isValid() and end.bottom() >= 0
            ahead = ahead and end.top() <= view.bottom() + SCREENS_AHEAD * view.height()
            near = current.parent() == group and current.row() >= shown - NEAR_THE_END
            if near or ahead:
                model.read_more(group)

    def _outcomes_changed(self) -> None:
        waiting = len(self.vm.awaiting)
        self.outcomes.setVisible(bool(waiting))
        noun = "meeting is over: did it" if waiting == 1 else "meetings are over: did they"
        self.outcomes.setText(f"&{waiting} {noun} happen? (A)")

    def selected(self) -> ReviewItem | None:
        value = self.tree.currentIndex().data(ItemRole)
        return value if isinstance(value, ReviewItem) else None

    # --- actions -------------------------------------------------------------------------

    def act(self, key: int, *, shift: bool = False) -> bool:
        """One key, one action on the selected prospect (False: not ours)."""
        if shift:
            return key == Qt.Key.Key_M and self._on_selected(self.send_message)
        if key == Qt.Key.Key_A:
            self.ask_outcomes()
            return True
        if key == Qt.Key.Key_F5:
            self.vm.load()
            return True
        actions = {
            Qt.Key.Key_B: self.vm.book_now,
            Qt.Key.Key_T: self.log_touch,
            Qt.Key.Key_S: self.snooze,
            Qt.Key.Key_E: self.enrol,
            Qt.Key.Key_M: self.vm.copy_message,
            Qt.Key.Key_O: self.vm.mail_message,
            Qt.Key.Key_X: self.close_file,
        }
        action = actions.get(Qt.Key(key))
        if action is None:
            return False
        return self._on_selected(action)

    def _on_selected(self, action: Callable[[ReviewItem], object]) -> bool:
        item = self.selected()
        if item is None:
            self.vm.message.emit("Select a prospect first (arrow keys).")
            return True
        action(item)
        return True

    def send_message(self, item: ReviewItem) -> None:
        """Shift+M: the message is shown (and may be edited) before anything is sent."""
        if not self.vm.can_send:
            self.vm.message.emit(
                "There is no e-mail (SMTP) account to send through; add one in File > "
                "Accounts, or copy the message (M) or open it in your mail program (O)."
            )
            return
        self.vm.prepare_send(item)

    def _confirm_send(self, item: object, draft: object) -> None:
        # imported on first use: sending stays off the path to the first window
        from followup_desk.services.followup_outbox import Draft
        from followup_desk.ui.widgets.send_dialog import SendDialog

        if not isinstance(item, ReviewItem) or not isinstance(draft, Draft):
            return
        dialog = SendDialog(draft, self)
        if dialog.exec() == SendDialog.DialogCode.Accepted:
            self.vm.send_message(item, dialog.edited())

    def _send_warning(self, warning: str, item: object, draft: object) -> None:
        from followup_desk.services.followup_outbox import Draft

        if not isinstance(item, ReviewItem) or not isinstance(draft, Draft):
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Send it as it is?", warning, parent=self)
        anyway = box.addButton("&Send it anyway", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Rewrite it", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is anyway:
            self.vm.send_message(item, draft, force=True)
        else:
            self._confirm_send(item, draft)  # back to the message, as the rep left it

    def log_touch(self, item: ReviewItem) -> None:
        wanted = item.facts.cadence_what
        suggested = next((c for c in CHANNEL_NAMES if c.value == wanted), None)
        dialog = TouchDialog(item.facts.name, suggested, self)
        if dialog.exec() == TouchDialog.DialogCode.Accepted:
            channel, inbound, note = dialog.chosen()
            self.vm.log_touch(item, channel, inbound, note)

    def _empty_note(self, warning: str, log_anyway: object) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Nothing new?", warning, parent=self)
        anyway = box.addButton("&Log it anyway", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Rewrite it", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is anyway and callable(log_anyway):
            log_anyway()

    def snooze(self, item: ReviewItem) -> None:
        today = self.vm.review.today if self.vm.review else date.today()
        choices = ["Tomorrow", "Next week", "A date…"]
        choice, ok = QInputDialog.getItem(
            self, "Snooze", f"Nothing due for {item.facts.name} until:", choices, 0, False
        )
        if not ok:
            return
        if choice == "Tomorrow":
            until = today + timedelta(days=1)
        elif choice == "Next week":
            until = today + timedelta(days=7 - today.weekday())
        else:
            text, ok = QInputDialog.getText(self, "Snooze until", "Date (15 Dec, 2027-01-10):")
            parsed = parse_stated_date(text, today) if ok else None
            if parsed is None:
                if ok:
                    self.vm.message.emit(f"{text!r} is not a date I can read; nothing changed.")
                return
            until = parsed
        self.vm.snooze(item, until)

    def enrol(self, item: ReviewItem) -> None:
        cadences = self.vm.cadences
        if not cadences:
            self.vm.message.emit("No cadence to enrol in yet.")
            return
        names = [f"{c.name} ({len(c.steps)} steps)" for c in cadences]
        choice, ok = QInputDialog.getItem(
            self, "Enrol in a cadence", f"Follow up {item.facts.name} with:", names, 0, False
        )
        if ok:
            self.vm.enrol(item, cadences[names.index(choice)].key)

    def close_file(self, item: ReviewItem) -> None:
        reason, ok = QInputDialog.getItem(
            self,
            "Close the file",
            f"Why does {item.facts.name}'s file close? (it leaves the review)",
            list(CLOSE_REASONS),
            0,
            True,
        )
        if ok and reason.strip():
            self.vm.close_file(item, reason.strip())

    def ask_outcomes(self) -> None:
        for booking, prospect in list(self.vm.awaiting):
            start = booking.start.astimezone(ZoneInfo(booking.rep_zone))
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Did it happen?",
                f"Your meeting with {prospect.name} on {start:%A %d %B at %H:%M}: did it happen?",
                parent=self,
            )
            answers = {
                box.addButton("&Held", QMessageBox.ButtonRole.AcceptRole): Outcome.HELD,
                box.addButton("&No-show", QMessageBox.ButtonRole.AcceptRole): Outcome.NO_SHOW,
                box.addButton("&Rescheduled", QMessageBox.ButtonRole.AcceptRole): (
                    Outcome.RESCHEDULED
                ),
                box.addButton("&Cancelled", QMessageBox.ButtonRole.AcceptRole): Outcome.CANCELLED,
            }
            box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            outcome = answers.get(box.clickedButton())  # type: ignore[call-overload]
            if outcome is None:
                return  # the question waits until answered
            self.vm.record_outcome(booking, prospect, outcome)

    def _mail(self, email: str, text: str) -> None:
        if not text:
            self.vm.message.emit("No cadence message is due for them.")
            return
        query = urlencode({"body": text}, quote_via=quote)
        QDesktopServices.openUrl(QUrl(f"mailto:{quote(email)}?{query}"))

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the review", "weekly-review.csv", "CSV (*.csv)"
        )
        if not path:
            return
        self.vm.export_csv(Path(path))
