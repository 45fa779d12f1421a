"""File › Accounts…: the list of accounts, and the forms that add one or change its calendars.

The list comes first: kind, name, user@server and what each account is used for. Keys on it:
Enter changes a CalDAV account's calendars, P its password, Delete removes it (after
asking). Buttons add a CalDAV or an SMTP account. A form replaces the list until it is
saved or the rep goes back (Esc).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from followup_desk.domain.accounts import Account, CalDavAccount, SmtpAccount
from followup_desk.ui.viewmodels.accounts import AccountsViewModel
from followup_desk.ui.widgets.account_form import AccountForm
from followup_desk.ui.widgets.caldav_form import CalDavForm
from followup_desk.ui.widgets.smtp_form import SmtpForm
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

INTRO = (
    "A calendar (CalDAV) account lets the busy times of its calendars count and receives "
    "your bookings; an e-mail (SMTP) account sends the invitations. Passwords go to your "
    "system keyring, never to a file."
)


class AccountsTable(QTableView):
    def __init__(self, dialog: AccountsDialog) -> None:
        super().__init__()
        self._dialog = dialog
        self.setModel(dialog.vm.model)
        self.setAccessibleName("Accounts")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.verticalHeader().hide()
        # "used for" is a sentence: rows grow to show it whole
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.doubleClicked.connect(lambda _index: dialog.edit_selected())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Delete:
            self._dialog.remove_selected()
        elif key == Qt.Key.Key_P:
            self._dialog.change_password()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class AccountsDialog(QDialog):
    def __init__(self, vm: AccountsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setWindowTitle("Accounts")
        self.setFont(scaled_font(1.05))
        self.form: AccountForm | None = None

        self.pages = QStackedWidget()
        self.list_page = QWidget()
        title = QLabel("Accounts")
        title.setFont(scaled_font(1.3, bold=True))
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        set_role_colour(intro, "muted")
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setAccessibleName("Keyring")
        set_role_colour(self.keyring_note, "warning")
        self.table = AccountsTable(self)
        self.empty = QLabel("No account yet: add one below.")
        set_role_colour(self.empty, "muted")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What happened")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_caldav_button = QPushButton("Add a &calendar (CalDAV) account…")
        self.add_smtp_button = QPushButton("Add an &e-mail (SMTP) account…")
        self.edit_button = QPushButton("Change its calen&dars…")
        self.password_button = QPushButton("Change its &password…")
        self.remove_button = QPushButton("&Remove…")
        self.close_button = QPushButton("Close")
        self.add_caldav_button.clicked.connect(self.add_caldav)
        self.add_smtp_button.clicked.connect(self.add_smtp)
        self.edit_button.clicked.connect(self.edit_selected)
        self.password_button.clicked.connect(self.change_password)
        self.remove_button.clicked.connect(self.remove_selected)
        self.close_button.clicked.connect(self.accept)
        adding = QHBoxLayout()
        adding.addWidget(self.add_caldav_button)
        adding.addWidget(self.add_smtp_button)
        adding.addStretch(1)
        changing = QHBoxLayout()
        changing.addWidget(self.edit_button)
        changing.addWidget(self.password_button)
        changing.addWidget(self.remove_button)
        changing.addStretch(1)
        changing.addWidget(self.close_button)
        for button in (
            self.add_caldav_button,
            self.add_smtp_button,
            self.edit_button,
            self.password_button,
            self.remove_button,
            self.close_button,
        ):
            button.setAutoDefault(False)
        page = QVBoxLayout(self.list_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(title)
        page.addWidget(intro)
        page.addWidget(self.keyring_note)
        page.addWidget(self.table, 1)
        page.addWidget(self.empty)
        page.addWidget(self.status)
        page.addLayout(adding)
        page.addLayout(changing)
        self.pages.addWidget(self.list_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.pages)
        width = self.fontMetrics().averageCharWidth() * 100
        self.resize(width, int(width * 0.85))
        vm.changed.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.refresh())
        vm.model.modelReset.connect(self._select_first)
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        vm.load()

    # --- the list --------------------------------------------------------------------------

    def selected(self) -> Account | None:
        index = self.table.currentIndex()
        return self.vm.model.account(index.row()) if index.isValid() else None

    def _select_first(self) -> None:
        if self.vm.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.vm.model.index(0, 0))

    def refresh(self) -> None:
        vm = self.vm
        problem = vm.keyring_problem
        self.keyring_note.setText(f"⚠ {problem}" if problem else "")
        self.keyring_note.setVisible(bool(problem))
        count = vm.model.rowCount()
        self.empty.setVisible(vm.loaded and not count)
        self.empty.setText("No account yet: add one below." if vm.loaded else "Reading…")
        self.status.setText(vm.status)
        self.status.setVisible(bool(vm.status))
        set_role_colour(self.status, vm.status_role)
        account = self.selected()
        self.edit_button.setEnabled(account is not None)
        # both keep Alt+D: the calendars of a calendar account, the server of a mail one
        self.edit_button.setText(
            "Change its &details…" if isinstance(account, SmtpAccount) else "Change its calen&dars…"
        )
        self.password_button.setEnabled(account is not None)
        self.remove_button.setEnabled(account is not None)
        self.add_caldav_button.setEnabled(vm.loaded)
        self.add_smtp_button.setEnabled(vm.loaded)

    def show_list(self) -> None:
        if self.form is not None:
            self.form.draft.cancel_test()
            self.pages.removeWidget(self.form)
            self.form.deleteLater()
            self.form = None
        self.pages.setCurrentWidget(self.list_page)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open(self, form: AccountForm) -> None:
        self.form = form
        form.backRequested.connect(self.show_list)
        form.draft.saved.connect(self._saved)
        self.pages.addWidget(form)
        self.pages.setCurrentWidget(form)
        form.focus_first()

    def _saved(self, sentence: str) -> None:
        self.vm.after_save(sentence)
        self.show_list()

    def add_caldav(self) -> None:
        self._open(CalDavForm(self.vm.new_caldav()))

    def add_smtp(self) -> None:
        self._open(SmtpForm(self.vm.new_smtp()))

    def edit_selected(self) -> None:
        account = self.selected()
        if isinstance(account, CalDavAccount):
            self._open(CalDavForm(self.vm.edit_caldav(account)))
        elif isinstance(account, SmtpAccount):
            self._open(SmtpForm(self.vm.edit_smtp(account)))

    def change_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        password, ok = QInputDialog.getText(
            self,
            "Change the password",
            f"New password for {account.name!r} ({account.username}):",
            QLineEdit.EchoMode.Password,
        )
        self._back_to_list()
        if ok:
            self.vm.change_password(account, password)

    def remove_selected(self) -> None:
        account = self.selected()
        if account is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove this account?",
            f"Remove the account {account.name!r} and its stored password? Invites waiting "
            "to go out through it will wait until you add it again (or drop them in the "
            "outbox).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        self._back_to_list()
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.remove(account)

    def _back_to_list(self) -> None:
        """After a question box: the keyboard back on the list."""
        self.activateWindow()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- keys ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        form = self.form if self.pages.currentWidget() is self.form else None
        if key == Qt.Key.Key_Escape:
            if form is not None:
                if not form.escape():
                    self.show_list()
                event.accept()
                return
            self.reject()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            # Enter presses a focused push button; on a tick box it goes on (Space ticks).
            if isinstance(focus, QPushButton):
                focus.click()
            elif form is not None:
                form.primary()
            elif focus is self.table:
                self.edit_selected()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.form is not None:
            self.form.draft.cancel_test()
        super().closeEvent(event)
