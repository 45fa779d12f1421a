"""The accounts dialog's list: each account, what it is used for, and the commands on it
(add, change the password, change a CalDAV account's calendars, remove).

Everything runs in the accounts worker: reading the list, probing the system keyring,
testing a connection, saving. After a change the window reopens its other workers, so the
ticked calendars count as busy and the outbox uses the new account at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from followup_desk.domain.accounts import Account, CalDavAccount, InvitesBy, SmtpAccount
from followup_desk.errors import UserError
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.account_draft import CalDavDraft
from followup_desk.ui.viewmodels.smtp_draft import SmtpDraft
from followup_desk.ui.viewmodels.table import HeadedTableModel

if TYPE_CHECKING:
    from followup_desk.app import Desk

HEADERS = ("Kind", "Name", "Where", "Used for")
AccountRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def where(account: Account) -> str:
    if isinstance(account, CalDavAccount):
        host = urlsplit(account.url).netloc or account.url
        return f"{account.username}@{host}"
    return f"{account.username}@{account.host}:{account.port}"


def used_for(account: Account) -> str:
    if isinstance(account, CalDavAccount):
        names = {c.url: c.name for c in account.calendars}
        busy = ", ".join(names.get(u, u) for u in account.busy_calendars) or "none"
        bookings = names.get(account.bookings_calendar, "") or "none"
        by = "this app" if account.invites_by is InvitesBy.APP else "the calendar server"
        tasks = names.get(account.task_list, "") or "none (no calendar here takes tasks)"
        return (
            f"busy: {busy} · bookings go to: {bookings} · due touches (tasks) go to: {tasks}"
            f" · invitations e-mailed by {by}"
        )
    return f"sends the invitations, from {account.from_address}"


class AccountsModel(HeadedTableModel):
    headers = HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._accounts: list[Account] = []

    def set_accounts(self, accounts: Sequence[Account]) -> None:
        self.beginResetModel()
        self._accounts = list(accounts)
        self.endResetModel()

    def account(self, row: int) -> Account | None:
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def names(self) -> frozenset[str]:
        return frozenset(a.name for a in self._accounts)

    def row_total(self) -> int:
        return len(self._accounts)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._accounts):
            return None
        account = self._accounts[index.row()]
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            kind = "Calendar (CalDAV)" if isinstance(account, CalDavAccount) else "E-mail (SMTP)"
            cells = (kind, account.name, where(account), used_for(account))
            return cells[index.column()] if 0 <= index.column() < len(cells) else None
        if role == AccountRole:
            return account
        return None


class AccountsViewModel(QObject):
    changed = Signal()
    accountsChanged = Signal()  # one was saved, removed or got a new password

    def __init__(self, runner: DeskRunner, rep_email: str) -> None:
        super().__init__()
        self.runner = runner
        self.rep_email = rep_email
        self.model = AccountsModel(self)
        self.keyring_problem = ""
        self.loaded = False
        self.status = ""
        self.status_role = "muted"

    def load(self) -> None:
        def job(desk: Desk) -> tuple[list[Account], str]:
            return desk.accounts.all(), desk.accounts.keyring_problem()

        def done(result: tuple[list[Account], str]) -> None:
            accounts, problem = result
            self.model.set_accounts(accounts)
            self.keyring_problem = problem
            self.loaded = True
            self.changed.emit()

        self.runner.submit(job, done, self._failed)

    def _failed(self, error: UserError) -> None:
        self.say(str(error), "error")

    def say(self, text: str, role: str = "muted") -> None:
        self.status = text
        self.status_role = role
        self.changed.emit()

    # --- drafts ----------------------------------------------------------------------------

    def new_caldav(self) -> CalDavDraft:
        return CalDavDraft(self.runner, self.keyring_problem, self.model.names())

    def edit_caldav(self, account: CalDavAccount) -> CalDavDraft:
        return CalDavDraft(self.runner, self.keyring_problem, self.model.names(), account)

    def new_smtp(self) -> SmtpDraft:
        return SmtpDraft(self.runner, self.keyring_problem, self.model.names(), self.rep_email)

    def edit_smtp(self, account: SmtpAccount) -> SmtpDraft:
        names = self.model.names()
        return SmtpDraft(self.runner, self.keyring_problem, names, self.rep_email, account)

    def after_save(self, sentence: str) -> None:
        self.say(sentence, "ok")
        self.load()
        self.accountsChanged.emit()

    # --- commands on a saved account -------------------------------------------------------

    def remove(self, account: Account) -> None:
        name = account.name

        def job(desk: Desk) -> None:
            desk.accounts.remove(name)

        def done(_result: None) -> None:
            self.after_save(f"Removed the account {name!r} and its stored password.")

        self.runner.submit(job, done, self._failed)

    def change_password(self, account: Account, password: str) -> None:
        """Store the new password, then test the account with it."""
        if not password:
            self.say("The password is empty; nothing was changed.", "warning")
            return
        name = account.name

        def job(desk: Desk) -> tuple[bool, str, bool]:
            kept = desk.accounts.set_password(name, password)
            report = desk.accounts.test(name)
            return kept, report.message, report.ok

        def done(result: tuple[bool, str, bool]) -> None:
            kept, sentence, ok = result
            where = "in your system keyring" if kept else "for this run only (no system keyring)"
            self.after_save(f"New password for {name!r} kept {where}. {sentence}")
            if not ok:
                self.say(self.status, "warning")

        self.say(f"Storing the password of {name!r} and testing it…")
        self.runner.submit(job, done, self._failed)
