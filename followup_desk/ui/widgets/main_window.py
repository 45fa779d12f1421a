"""The main window: prospects on the left; the prospect, the narrowing flow and what
happened on the right; the weekly review and the outbox on their own tabs. It wires widgets
to the view models and owns the keyboard map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from followup_desk import APP_NAME
from followup_desk.domain.booking import Prospect
from followup_desk.errors import SettingsError
from followup_desk.services.booking import NextStep
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.single_instance import Kind, what_is
from followup_desk.ui.viewmodels.desk import DeskViewModel, Mode
from followup_desk.ui.viewmodels.outbox import OutboxSnapshot, OutboxViewModel
from followup_desk.ui.viewmodels.outbox_worker import OutboxWorker
from followup_desk.ui.viewmodels.review import ReviewViewModel
from followup_desk.ui.widgets import busy_offer, data_actions, reply_import, window_menus
from followup_desk.ui.widgets.banner import SourceBanner
from followup_desk.ui.widgets.narrowing_panel import NarrowingPanel
from followup_desk.ui.widgets.outbox_panel import OutboxPanel
from followup_desk.ui.widgets.outcome_panel import OutcomePanel
from followup_desk.ui.widgets.prospect_form import ProspectForm
from followup_desk.ui.widgets.prospects_view import ProspectsView
from followup_desk.ui.widgets.review_panel import ReviewPanel
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

WORKING = "Working…"
OUTBOX_TAB = "Out&box"


class MainWindow(QMainWindow):
    def __init__(
        self,
        vm: DeskViewModel,
        review: ReviewViewModel,
        state_file: Path,
        log_dir: Path,
        settings_file: Path,
        *,
        outbox: OutboxViewModel,
        outbox_worker: OutboxWorker,
        accounts_runner: Callable[[], DeskRunner],
    ) -> None:
        super().__init__()
        self.vm = vm
        self.review_vm = review
        self.outbox_vm = outbox
        self.outbox_worker = outbox_worker
        self._make_accounts_runner = accounts_runner
        self.accounts_runner: DeskRunner | None = None
        self.accounts_dialog: QDialog | None = None
        self._settings_file = settings_file
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat)
        self._log_dir = log_dir
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        rules = vm.settings.rules

        # left: who has a next step, who has none
        self.list_title = QLabel("Prospects")
        self.list_title.setFont(scaled_font(1.2, bold=True))
        self.list_hint = QLabel("B book · R move · Delete cancel")
        set_role_colour(self.list_hint, "muted")
        self.prospects = ProspectsView(vm.prospects)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.outcome_notice = QPushButton()
        self.outcome_notice.setAccessibleName("Meetings waiting for their outcome")
        self.outcome_notice.hide()
        left_layout.addWidget(self.outcome_notice)
        left_layout.addWidget(self.list_title)
        left_layout.addWidget(self.prospects, 1)
        left_layout.addWidget(self.list_hint)

        # right: the prospect, the flow, what happened
        self.banner = SourceBanner()
        self.mode_label = QLabel()
        self.mode_label.setFont(scaled_font(1.3, bold=True))
        self.form = ProspectForm(vm.form)
        self.length = QComboBox()
        self.length.setAccessibleName("Meeting length")
        for minutes in rules.meeting_lengths:
            self.length.addItem(f"{minutes} minutes", minutes)
        if rules.default_length in rules.meeting_lengths:
            self.length.setCurrentIndex(rules.meeting_lengths.index(rules.default_length))
        self.length.currentIndexChanged.connect(
            lambda _i: vm.set_length(int(self.length.currentData()))
        )
        length_label = QLabel("&Length")
        length_label.setBuddy(self.length)
        zones = QLabel(f"Your zone: {rules.time_zone}")
        set_role_colour(zones, "muted")
        length_row = QHBoxLayout()
        length_row.addWidget(self.mode_label)
        length_row.addStretch(1)
        length_row.addWidget(zones)
        length_row.addWidget(length_label)
        length_row.addWidget(self.length)
        self.panel = NarrowingPanel(vm.flow, vm.send)
        self.outcome = OutcomePanel(rules.time_zone, rules.clock_24h, vm.delivery)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Problem")
        set_role_colour(self.error_label, "error")
        self.error_label.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.banner)
        right_layout.addLayout(length_row)
        right_layout.addWidget(self.form)
        right_layout.addWidget(self.error_label)
        right_layout.addWidget(self.panel, 1)
        right_layout.addWidget(self.outcome, 1)

        # on a short screen (or with a banner above the flow) the right side scrolls
        # rather than squeezing the options into each other
        right_scroll = QScrollArea()
        right_scroll.setWidget(right)
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right_scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        left.setMinimumWidth(320)
        splitter.setSizes([500, 900])  # room for the prospect's name beside its reply
        self.splitter = splitter
        self.review = ReviewPanel(review)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(splitter, "Next &step")
        self.pages.addTab(self.review, "&Weekly review")
        self.outbox = OutboxPanel(outbox)
        self.pages.addTab(self.outbox, OUTBOX_TAB)
        self.pages.currentChanged.connect(self._page_changed)
        self.setCentralWidget(self.pages)
        self.setAcceptDrops(True)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self.statusBar().addPermanentWidget(self.busy)
        self.outbox_badge = QPushButton()
        self.outbox_badge.setFlat(True)
        self.outbox_badge.setAccessibleName("Outbox needs you")
        self.outbox_badge.setToolTip("Show the outbox (Ctrl+B)")
        self.outbox_badge.clicked.connect(self.show_outbox)
        set_role_colour(self.outbox_badge, "warning")
        self.outbox_badge.hide()
        self.statusBar().addPermanentWidget(self.outbox_badge)
        self.new_action = window_menus.build(self)

        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.activated.connect(self.leave_flow)
        vm.runner.busyChanged.connect(self._busy)
        vm.bannerChanged.connect(lambda: self.banner.show_banner(vm.banner))
        vm.outcomeChanged.connect(self._outcome_changed)
        vm.errorChanged.connect(self._error_changed)
        vm.focusField.connect(self.form.focus_field)
        vm.modeChanged.connect(self._mode_changed)
        vm.listLoaded.connect(self._list_loaded)
        vm.flow.changed.connect(self._flow_changed)
        vm.notice.connect(lambda text: self.statusBar().showMessage(text, 20000))
        review.message.connect(lambda text: self.statusBar().showMessage(text, 20000))
        review.bookRequested.connect(self._book_prospect)
        review.outcomesChanged.connect(self._outcomes_changed)
        review.changed.connect(vm.refresh_list)
        self.outcome_notice.clicked.connect(self._answer_outcomes)
        self.form.submitted.connect(self.focus_flow)
        self.panel.dateEntered.connect(lambda text: self.panel.date_answer(vm.choose_date(text)))
        self.outcome.newRequested.connect(self.new_step)
        self.outcome.writeAgainRequested.connect(vm.write_invite_again)
        self.prospects.bookRequested.connect(self.book_for)
        self.prospects.rescheduleRequested.connect(self.reschedule)
        self.prospects.cancelRequested.connect(self.cancel)
        outbox_worker.snapshot.connect(self._outbox_snapshot)
        outbox_worker.problem.connect(lambda text: self._status(f"Outbox: {text}"))
        outbox.changed.connect(self._outbox_changed)
        outbox.message.connect(self._status)
        outbox.runRequested.connect(outbox_worker.run_now)
        outbox.readRequested.connect(outbox_worker.read_replies)
        vm.outboxNeeded.connect(outbox_worker.run_now)
        vm.reopened.connect(outbox_worker.reopen)
        vm.reopened.connect(outbox_worker.run_now)
        self._mode_changed()
        self._restore_geometry()

    # --- menus ---------------------------------------------------------------------------

    def edit_cadences(self) -> None:
        from followup_desk.ui.viewmodels.cadences import CadencesViewModel
        from followup_desk.ui.widgets.cadence_editor import CadenceEditor

        CadenceEditor(CadencesViewModel(self.vm.runner), parent=self).exec()
        self.review_vm.load()  # the review's "enrol in a cadence" list follows the edits

    def show_keys(self) -> None:
        QMessageBox.information(self, "Keys", window_menus.KEYS)

    def back_up(self) -> None:
        data_actions.back_up(self, self.vm, self._status)

    def restore_backup(self) -> None:
        data_actions.restore(self, self.vm, self._settings_file, self._status)

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 30000)

    def edit_settings(self) -> None:
        """Name, e-mail, zone, hours, the busy calendar and how bookings go out, in the
        setup dialog; the zone proposed is the rep's own, not the one this machine is in."""
        from followup_desk.ui.viewmodels.setup import SetupViewModel
        from followup_desk.ui.widgets.setup_dialog import SetupDialog

        try:  # the file's zone, as the dialog's other fields (the rep may have edited it)
            zone = load_settings(self._settings_file).rules.time_zone
        except SettingsError:
            zone = self.vm.settings.rules.time_zone
        setup = SetupViewModel(self._settings_file, zone)
        saved: list[object] = []
        setup.saved.connect(saved.append)
        SetupDialog(setup, parent=self).exec()
        if saved:
            self.vm.apply_settings(load_settings(self._settings_file))
            self.form.focus_field("name")

    def edit_accounts(self) -> None:
        """File › Accounts…: its worker is started on first use and kept until the end."""
        from followup_desk.ui.viewmodels.accounts import AccountsViewModel
        from followup_desk.ui.widgets.accounts_dialog import AccountsDialog

        if self.accounts_dialog is not None:
            self.accounts_dialog.raise_()
            self.accounts_dialog.activateWindow()
            return
        if self.accounts_runner is None:
            self.accounts_runner = self._make_accounts_runner()
        accounts = AccountsViewModel(self.accounts_runner, self.vm.settings.rep.email)
        accounts.accountsChanged.connect(self._accounts_changed)
        dialog = AccountsDialog(accounts, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._accounts_closed())
        self.accounts_dialog = dialog
        dialog.open()  # modal, without a nested event loop: the workers keep reporting

    def _accounts_changed(self) -> None:
        """An account was saved, removed or got a new password: every worker sees it now."""
        self.vm.accounts_changed()
        self.outbox_worker.reopen()
        self.outbox_worker.run_now()

    def _accounts_closed(self) -> None:
        self.accounts_dialog = None
        self.activateWindow()  # the keyboard comes back to where the rep was

    def import_reply(self) -> None:
        reply_import.choose_and_import(self, self.vm, self._status)

    def show_outbox(self) -> None:
        self.pages.setCurrentWidget(self.outbox)
        self.outbox.focus_table()

    def _outbox_snapshot(self, snapshot: OutboxSnapshot) -> None:
        self.outbox_vm.set_snapshot(snapshot)
        self.vm.delivery.update(snapshot.rows)
        if snapshot.replies:
            self._status(reply_import.replies_sentence(snapshot.replies) + ".")
        if snapshot.replies or any(s.booking_id for s in snapshot.sent):
            self.vm.refresh_list()  # the Reply column

    def _outbox_changed(self) -> None:
        needs = self.outbox_vm.needs_you
        index = self.pages.indexOf(self.outbox)
        self.pages.setTabText(
            index,
            f"{OUTBOX_TAB} · {needs} need{'s' if needs == 1 else ''} you" if needs else OUTBOX_TAB,
        )
        self.outbox_badge.setText(f"⚠ Outbox: {needs} need{'s' if needs == 1 else ''} you")
        self.outbox_badge.setVisible(bool(needs))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and reply_import.reply_files(mime.urls()):
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        files = reply_import.reply_files(event.mimeData().urls())
        if not files:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        reply_import.import_replies(self, self.vm, files, self._status)

    def show_review(self) -> None:
        self.pages.setCurrentWidget(self.review)
        self.review.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _page_changed(self, index: int) -> None:
        if self.pages.widget(index) is self.review:
            self.review_vm.load()
            self.review.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.pages.widget(index) is self.outbox:
            self.outbox_vm.load()
            self.outbox.focus_table()

    def _book_prospect(self, prospect: Prospect) -> None:
        """'Book now' from the review, or a meeting that was rescheduled: the flow, prefilled."""
        self.pages.setCurrentIndex(0)
        self.book_for(NextStep(prospect, None, None))

    def _outcomes_changed(self) -> None:
        waiting = len(self.review_vm.awaiting)
        self.outcome_notice.setVisible(bool(waiting))
        noun = "meeting is over: did it" if waiting == 1 else "meetings are over: did they"
        self.outcome_notice.setText(f"⚠ {waiting} {noun} happen?")

    def _answer_outcomes(self) -> None:
        self.show_review()
        self.review.ask_outcomes()

    def open_logs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir)))

    # --- reactions -----------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        bar = self.statusBar()
        if busy and not bar.currentMessage():
            bar.showMessage(WORKING, 0)
        elif not busy and bar.currentMessage() == WORKING:
            bar.clearMessage()

    def _mode_changed(self) -> None:
        vm = self.vm
        if vm.mode is Mode.RESCHEDULE and vm.rescheduling is not None:
            self.mode_label.setText(f"Move the meeting with {vm.rescheduling.prospect.name}")
        else:
            self.mode_label.setText("New next step")
        self.length.setEnabled(vm.mode is Mode.NEW)

    def _flow_changed(self) -> None:
        narrowing = self.vm.flow.narrowing
        if narrowing is not None:
            self.form.today = narrowing.today

    def _outcome_changed(self) -> None:
        vm = self.vm
        self.error_label.hide()
        if vm.outcome is None:
            self.outcome.hide()
            self.panel.show()
            return
        self.panel.hide()
        self.outcome.show_outcome(vm.outcome, vm.outcome_kind, vm.sent_with)
        self.outcome.setFocus(Qt.FocusReason.OtherFocusReason)

    def _error_changed(self) -> None:
        self.error_label.setText(self.vm.error)
        self.error_label.setVisible(bool(self.vm.error))

    def _list_loaded(self) -> None:
        missing = self.vm.prospects.missing_count()
        total = self.vm.prospects.rowCount()
        if not total:
            self.list_title.setText("Prospects · none yet")
        elif missing:
            self.list_title.setText(f"Prospects · {missing} without a next step")
        else:
            self.list_title.setText(f"Prospects · {total}, all with a next step")

    # --- commands ------------------------------------------------------------------------

    def _would_lose_typing(self) -> bool:
        """Typed details that are neither booked nor being booked right now."""
        vm = self.vm
        return vm.outcome is None and not vm.booking_in_flight and vm.form.has_data()

    def new_step(self) -> None:
        if self._would_lose_typing() and not self._discard_ok():
            return
        self.vm.start_new()
        self.form.focus_field("name")

    def focus_flow(self) -> None:
        if self.vm.outcome is not None:
            return
        self.vm.refresh_if_old()
        self.panel.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_list(self) -> None:
        self.prospects.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def book_for(self, step: NextStep) -> None:
        if self._would_lose_typing() and not self._discard_ok():
            return
        self.panel.date_answer("")
        self.vm.book_again(step)
        self.form.focus_field("name")
        self.focus_flow()

    def reschedule(self, step: NextStep) -> None:
        if self._would_lose_typing() and not self._discard_ok():
            return
        self.panel.date_answer("")
        self.vm.start_reschedule(step)
        self.focus_flow()

    def cancel(self, step: NextStep) -> None:
        """Delete in the list: ask, naming how the cancellation goes out (as the invite did)."""
        if step.booking is None:
            return
        channels = self.vm.channels_of(step)
        ways = {
            "caldav": "marked cancelled in your calendar",
            "email": "e-mailed to them",
            "ics": "written as an .ics file for them to import",
        }
        said = [ways[c] for c in ("caldav", "email", "ics") if c in channels]
        if not said:
            said, channels = [ways["ics"]], ("ics",)
        how = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
        answer = QMessageBox.question(
            self,
            "Cancel the meeting?",
            f"Cancel the meeting with {step.prospect.name}? The cancellation is {how}.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.cancel(step, channels)

    def _discard_ok(self) -> bool:
        name = self.vm.form.value("name").strip() or "this prospect"
        answer = QMessageBox.question(
            self,
            "Leave this next step?",
            f"What you typed about {name} has not been booked and will be lost.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def leave_flow(self) -> None:
        """Esc: leave the flow; ask first when typed data would be lost."""
        vm = self.vm
        if self.pages.currentWidget() is self.outbox:  # Esc in the outbox: back to the flow
            self.pages.setCurrentIndex(0)
            return
        if self.panel.date_edit.isVisible():  # Esc in the date field only closes it
            self.panel.date_answer("")
            return
        if self._would_lose_typing() and not self._discard_ok():
            return
        vm.leave()
        self.focus_list()

    # --- started again, or given a file -------------------------------------------------

    def raise_to_front(self) -> None:
        """Another start of the app, the tray or a notice asked for this window."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def open_given(self, args: Sequence[str]) -> None:
        """Files and links the app was started with: a calendar is offered as busy time."""
        for arg in args:
            given = what_is(arg)
            if given.kind is Kind.CALENDAR:
                busy_offer.offer(
                    self,
                    given,
                    self._settings_file,
                    self.vm,
                    may_go_on=lambda: not self._would_lose_typing() or self._discard_ok(),
                )
            else:
                self.statusBar().showMessage(given.note, 20000)

    # --- window state --------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._state.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._state.setValue("window/geometry", self.saveGeometry())
        self._state.sync()
        self.shutdown_workers()
        super().closeEvent(event)

    def shutdown_workers(self) -> None:
        """Stop every worker thread, each after the job under way (the app is closing)."""
        self.outbox_worker.shutdown()
        if self.accounts_runner is not None:
            self.accounts_runner.shutdown()
        self.vm.runner.shutdown()
