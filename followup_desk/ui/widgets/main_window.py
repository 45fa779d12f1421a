"""The main window: prospects on the left; the prospect, the narrowing flow and what
happened on the right. It wires widgets to the desk view model and owns the keyboard map.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from followup_desk import APP_NAME
from followup_desk.domain.booking import Prospect
from followup_desk.errors import SettingsError
from followup_desk.services.booking import NextStep
from followup_desk.storage.settings_file import load_settings, save_values
from followup_desk.ui.single_instance import Given, Kind, what_is
from followup_desk.ui.viewmodels.desk import DeskViewModel, Mode
from followup_desk.ui.viewmodels.review import ReviewViewModel
from followup_desk.ui.widgets import data_actions
from followup_desk.ui.widgets.banner import SourceBanner
from followup_desk.ui.widgets.narrowing_panel import NarrowingPanel
from followup_desk.ui.widgets.outcome_panel import OutcomePanel
from followup_desk.ui.widgets.prospect_form import ProspectForm
from followup_desk.ui.widgets.prospects_view import ProspectsView
from followup_desk.ui.widgets.review_panel import ReviewPanel
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

WORKING = "Working…"


class MainWindow(QMainWindow):
    def __init__(
        self,
        vm: DeskViewModel,
        review: ReviewViewModel,
        state_file: Path,
        log_dir: Path,
        settings_file: Path,
    ) -> None:
        super().__init__()
        self.vm = vm
        self.review_vm = review
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
        self.panel = NarrowingPanel(vm.flow)
        self.outcome = OutcomePanel(rules.time_zone, rules.clock_24h)
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

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        left.setMinimumWidth(320)
        splitter.setSizes([420, 980])
        self.splitter = splitter
        self.review = ReviewPanel(review)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(splitter, "Next &step")
        self.pages.addTab(self.review, "&Weekly review")
        self.pages.currentChanged.connect(self._page_changed)
        self.setCentralWidget(self.pages)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self.statusBar().addPermanentWidget(self.busy)
        self._build_menus()

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
        self._mode_changed()
        self._restore_geometry()

    # --- menus ---------------------------------------------------------------------------

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(menu, "&New next step", "Ctrl+N", self.new_step)
        self._action(menu, "&Find a time", "Ctrl+T", self.focus_flow)
        self._action(menu, "&Prospects list", "Ctrl+L", self.focus_list)
        self._action(menu, "&Weekly review", "Ctrl+R", self.show_review)
        self._action(menu, "&Export the review as CSV…", "Ctrl+E", self.review.export_csv)

        def edit_cadences() -> None:
            from followup_desk.ui.viewmodels.cadences import CadencesViewModel
            from followup_desk.ui.widgets.cadence_editor import CadenceEditor

            CadenceEditor(CadencesViewModel(self.vm.runner), parent=self).exec()
            self.review_vm.load()  # the review's "enrol in a cadence" list follows the edits

        self._action(menu, "&Cadences…", "Ctrl+K", edit_cadences)
        menu.addSeparator()
        self._action(menu, "&Settings…", "Ctrl+,", self.edit_settings)
        self._action(menu, "&Back up…", None, self.back_up)
        self._action(menu, "Restore a bac&kup…", None, self.restore_backup)
        self._action(menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keys", "F1", self.show_keys)
        self._action(help_menu, "Open the &log folder", None, self.open_logs)

    def _action(
        self, menu: object, text: str, keys: str | QKeySequence.StandardKey | None, slot: object
    ) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]  # a QMenu
        return action

    def show_keys(self) -> None:
        QMessageBox.information(
            self,
            "Keys",
            "Ctrl+N  new next step (the name field)\n"
            "Enter in a field  on to the flow\n"
            "1-5 or T N L W D  this week, next week, late next week, in two weeks, a date\n"
            "1 / 2  the offered day · M  two more days\n"
            "M / A  morning or afternoon\n"
            "type the hour (3 → 3 pm), ↑↓←→, Enter  the time\n"
            "Enter  book and write the invite\n"
            "Backspace or Alt+Left  back one step · Esc  leave\n"
            "C  copy the invite's path · O  open its folder · N  next prospect\n"
            "In the list: B book · R move · Delete cancel",
        )

    def back_up(self) -> None:
        data_actions.back_up(self, self.vm, self._status)

    def restore_backup(self) -> None:
        data_actions.restore(self, self.vm, self._settings_file, self._status)

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 30000)

    def edit_settings(self) -> None:
        """Name, e-mail, zone, hours and the busy calendar, in the setup dialog."""
        from followup_desk.storage.settings_file import load_settings, system_time_zone
        from followup_desk.ui.viewmodels.setup import SetupViewModel
        from followup_desk.ui.widgets.setup_dialog import SetupDialog

        setup = SetupViewModel(self._settings_file, system_time_zone())
        saved: list[object] = []
        setup.saved.connect(saved.append)
        SetupDialog(setup, parent=self).exec()
        if saved:
            self.vm.apply_settings(load_settings(self._settings_file))
            self.form.focus_field("name")

    def show_review(self) -> None:
        self.pages.setCurrentWidget(self.review)
        self.review.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _page_changed(self, index: int) -> None:
        if self.pages.widget(index) is self.review:
            self.review_vm.load()
            self.review.tree.setFocus(Qt.FocusReason.OtherFocusReason)

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
        self.outcome.show_outcome(vm.outcome, vm.outcome_kind)
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
        if step.booking is None:
            return
        answer = QMessageBox.question(
            self,
            "Cancel the meeting?",
            f"Cancel the meeting with {step.prospect.name}? A cancellation invite is written "
            "for them to import.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.cancel(step)

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
                self._offer_busy_calendar(given)
            else:
                self.statusBar().showMessage(given.note, 20000)

    def _offer_busy_calendar(self, given: Given) -> None:
        def say(text: str) -> None:
            self.statusBar().showMessage(text, 20000)

        try:
            sources = list(load_settings(self._settings_file).busy_sources)
        except SettingsError as exc:
            say(str(exc))
            return
        if given.source in sources:
            say(f"{given.subject} already counts as busy.")
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, "Add a busy calendar?", "", yes | no, self)
        box.setText(f"Add {given.name} as a calendar that counts as busy?")
        box.setInformativeText(f"{given.source}\n\nIts busy times are never offered to prospects.")
        box.setDefaultButton(yes)
        if box.exec() != yes:
            say(f"{given.subject} was not added.")
            return
        if self._would_lose_typing() and not self._discard_ok():
            say(f"{given.subject} was not added; open it again once this next step is booked.")
            return
        try:
            new_sources = [*sources, given.source]
            settings = save_values(self._settings_file, {"free_busy.sources": new_sources})
        except SettingsError as exc:
            say(str(exc))
            return
        self.vm.apply_settings(settings)
        say(f"{given.subject} now counts as busy.")

    # --- window state --------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._state.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._state.setValue("window/geometry", self.saveGeometry())
        self._state.sync()
        self.vm.runner.shutdown()
        super().closeEvent(event)
