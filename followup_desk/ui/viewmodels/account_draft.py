"""An account being added or changed (the e-mail one is in smtp_draft): what the rep typed,
the connection test and its answer, and Save.

The test runs in the accounts worker, never on the GUI thread; Esc stops waiting for its
answer (a late answer is then ignored). Save is possible once a test with exactly the typed
address, user and password succeeded, and, without a system keyring, once the rep agreed
that the password is kept for this run only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from followup_desk.domain.accounts import (
    Account,
    CalDavAccount,
    Check,
    ConnectionReport,
    InvitesBy,
    check_account_name,
    pick_calendars,
)
from followup_desk.errors import AccountError, UserError
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.calendar_choice import CalendarChoiceModel

if TYPE_CHECKING:
    from followup_desk.app import Desk
    from followup_desk.services.accounts import Added

log = logging.getLogger(__name__)

SAVABLE = (Check.CONNECTED, Check.READ_ONLY)
ROLES = {
    Check.CONNECTED: "ok",
    Check.READ_ONLY: "warning",
    Check.UNTRUSTED_CERTIFICATE: "warning",
}
STOPPED = "Stopped waiting for the answer. Change what needs changing and test again."


def save_new(account: Account, password: str | None) -> Callable[[Desk], str]:
    """The worker job that saves a new account, unless its name was taken meanwhile."""

    def job(desk: Desk) -> str:
        if any(a.name == account.name for a in desk.accounts.all()):
            raise AccountError(
                f"There is already an account named {account.name!r}; choose another name."
            )
        return saved_sentence(desk.accounts.save(account, password))

    return job


def saved_sentence(added: Added) -> str:
    said = f"Saved the account {added.account.name!r}."
    if added.in_keyring:
        return said + " Its password is in your system keyring."
    return said + " Its password is kept for this run only: there is no system keyring."


class Draft(QObject):
    """What both kinds of account share: fields, the test, the keyring consent, Save."""

    changed = Signal()
    saved = Signal(str)  # the sentence for the accounts list

    FIELDS: tuple[str, ...] = ()
    TESTED: tuple[str, ...] = ()  # the fields a successful test vouches for
    KIND = ""

    def __init__(self, runner: DeskRunner, keyring_problem: str, taken: frozenset[str]) -> None:
        super().__init__()
        self.runner = runner
        self.keyring_problem = keyring_problem
        self.taken = taken
        self._values = dict.fromkeys(self.FIELDS, "")
        self.errors: dict[str, str] = {}
        self.report: ConnectionReport | None = None
        self.result = ""  # the test's sentence, or why there was none
        self.result_role = "muted"
        self.testing = False
        self.saving = False
        self.agreed = False
        self.fingerprint = ""  # a certificate the rep chose to trust
        self._serial = 0
        self._tested: tuple[str, ...] | None = None

    # --- fields ----------------------------------------------------------------------------

    def value(self, field: str) -> str:
        return self._values[field]

    def set_value(self, field: str, text: str) -> None:
        if self._values[field] == text:
            return
        self._values[field] = text
        self.errors.pop(field, None)
        self.changed.emit()

    def _key(self) -> tuple[str, ...]:
        return (*(self._values[f] for f in self.TESTED), self.fingerprint)

    def tested_ok(self) -> bool:
        return (
            self.report is not None and self.report.check in SAVABLE and self._tested == self._key()
        )

    def needs_consent(self) -> bool:
        return bool(self.keyring_problem) and bool(self._values.get("password"))

    def set_agreed(self, agreed: bool) -> None:
        if agreed != self.agreed:
            self.agreed = agreed
            self.changed.emit()

    def can_save(self) -> bool:
        if self.testing or self.saving or not self.tested_ok():
            return False
        return self.agreed or not self.needs_consent()

    def save_hint(self) -> str:
        """Why Save is not possible yet ("" when it is)."""
        if self.saving:
            return "Saving…"
        if self.testing:
            return "Waiting for the test's answer…"
        if not self.tested_ok():
            return "Test the connection first (Enter); Save follows a good test."
        if self.needs_consent() and not self.agreed:
            return "Tick “Keep the password for this run only” (Alt+K), then save."
        return ""

    # --- testing ---------------------------------------------------------------------------

    def _problems_for_test(self) -> dict[str, str]:
        raise NotImplementedError

    def _check(self) -> Callable[[Desk], ConnectionReport]:
        """The worker job that tests the connection."""
        raise NotImplementedError

    def _connected(self, report: ConnectionReport) -> None:
        """A test succeeded: take what it found (the calendars)."""

    def test(self) -> None:
        if self.testing:
            return
        problems = self._problems_for_test()
        if problems:
            self.errors.update(problems)
            self.changed.emit()
            return
        self._serial += 1
        serial = self._serial
        key = self._key()
        self.testing = True
        self.result = "Testing the connection…"
        self.result_role = "muted"
        self.changed.emit()

        def done(report: ConnectionReport) -> None:
            if serial != self._serial:
                log.info("a test answered after the rep stopped waiting: %s", report.check.value)
                return
            self.testing = False
            self.report = report
            self._tested = key
            self.result = report.message
            self.result_role = ROLES.get(report.check, "error")
            if report.check in SAVABLE:
                self._connected(report)
            self.changed.emit()

        def failed(error: UserError) -> None:
            if serial != self._serial:
                return
            self.testing = False
            self.report = None
            self.result = str(error)
            self.result_role = "error"
            self.changed.emit()

        self.runner.submit(self._check(), done, failed)

    def cancel_test(self) -> bool:
        """Esc while testing: stop waiting (the answer, if it comes, is ignored)."""
        if not self.testing:
            return False
        self._serial += 1
        self.testing = False
        self.report = None
        self.result = STOPPED
        self.result_role = "warning"
        self.changed.emit()
        return True

    def untrusted(self) -> str:
        """The fingerprint of a certificate the last test did not trust ("" if none)."""
        report = self.report
        if report is not None and report.check is Check.UNTRUSTED_CERTIFICATE:
            return report.fingerprint
        return ""

    def trust(self) -> None:
        """Trust the certificate the test showed, and test again."""
        fingerprint = self.untrusted()
        if fingerprint:
            self.fingerprint = fingerprint
            self.test()

    # --- saving ----------------------------------------------------------------------------

    def _name(self) -> str:
        return self._values["name"].strip() or self.KIND

    def _save_job(self) -> Callable[[Desk], str]:
        raise NotImplementedError

    def save(self) -> bool:
        if not self.can_save():
            return False
        try:
            key = check_account_name(self._name())
        except ValueError as exc:
            self.errors["name"] = str(exc)
            self.changed.emit()
            return False
        if key in self.taken and self._is_new():
            self.errors["name"] = f"There is already an account named {key!r}; choose another."
            self.changed.emit()
            return False
        self.saving = True
        self.changed.emit()

        def done(sentence: str) -> None:
            self.saving = False
            self.changed.emit()
            self.saved.emit(sentence)

        def failed(error: UserError) -> None:
            self.saving = False
            self.result = str(error)
            self.result_role = "error"
            self.changed.emit()

        self.runner.submit(self._save_job(), done, failed)
        return True

    def _is_new(self) -> bool:
        return True


class CalDavDraft(Draft):
    FIELDS = ("url", "username", "password", "name")
    TESTED = ("url", "username", "password")
    KIND = "caldav"

    def __init__(
        self,
        runner: DeskRunner,
        keyring_problem: str,
        taken: frozenset[str],
        existing: CalDavAccount | None = None,
    ) -> None:
        super().__init__(runner, keyring_problem, taken)
        self.existing = existing
        self.calendars = CalendarChoiceModel(self)
        self.invites_by = InvitesBy.APP
        if existing is not None:
            self._values.update(url=existing.url, username=existing.username, name=existing.name)
            self.fingerprint = existing.trusted_fingerprint
            self.invites_by = existing.invites_by
            self.calendars.set_calendars(
                existing.calendars, existing.busy_calendars, existing.bookings_calendar
            )

    def _is_new(self) -> bool:
        return self.existing is None

    def set_invites_by(self, by: InvitesBy) -> None:
        if by is not self.invites_by:
            self.invites_by = by
            self.changed.emit()

    def tested_ok(self) -> bool:
        if self.existing is not None and not self._values["password"]:
            return True  # the stored password stays: only the choices change
        return super().tested_ok()

    def url(self) -> str:
        address = self._values["url"].strip()
        return address if "://" in address or not address else "https://" + address

    def _problems_for_test(self) -> dict[str, str]:
        problems = {}
        if not self._values["url"].strip():
            problems["url"] = "Type the server's address, such as https://cloud.example.com."
        if not self._values["username"].strip():
            problems["username"] = "Type your user name on that server."
        if self.existing is None and not self._values["password"]:
            problems["password"] = "Type the password (or an app password)."
        return problems

    def _account(self) -> CalDavAccount:
        return CalDavAccount(
            name=self._name().lower(),
            url=self.url(),
            username=self._values["username"].strip(),
            invites_by=self.invites_by,
            trusted_fingerprint=self.fingerprint,
        )

    def _check(self) -> Callable[[Desk], ConnectionReport]:
        password = self._values["password"]
        existing = self.existing
        if existing is not None:
            name, fingerprint = existing.name, self.fingerprint
            changed_trust = fingerprint != existing.trusted_fingerprint

            def test_saved(desk: Desk) -> ConnectionReport:
                if changed_trust:
                    desk.accounts.trust(name, fingerprint)  # stored on the account at once
                return desk.accounts.test(name, password or None)

            return test_saved
        draft = self._account()

        def test_new(desk: Desk) -> ConnectionReport:
            return desk.accounts.check_caldav(draft, password)

        return test_new

    def _connected(self, report: ConnectionReport) -> None:
        if self.existing is None or not self.calendars.rowCount():
            bookings, busy = pick_calendars(report.calendars, None, None)
        else:  # keep the rep's choices for the calendars still there
            bookings, busy = self.calendars.bookings(), self.calendars.busy()
        self.calendars.set_calendars(report.calendars, busy, bookings)

    def _save_job(self) -> Callable[[Desk], str]:
        password = self._values["password"] or None
        busy, bookings = self.calendars.busy(), self.calendars.bookings()
        calendars = self.calendars.calendars()
        by, fingerprint = self.invites_by, self.fingerprint
        home = self.report.home_url if self.report else ""
        if self.existing is not None:
            name = self.existing.name

            def save_changes(desk: Desk) -> str:
                current = desk.accounts.get(name)
                if not isinstance(current, CalDavAccount):
                    raise AccountError(f"The account {name!r} is no longer a CalDAV account.")
                known = calendars or current.calendars
                account = replace(
                    current,
                    calendars=known,
                    home_url=home or current.home_url,
                    busy_calendars=busy,
                    bookings_calendar=bookings,
                    invites_by=by,
                    trusted_fingerprint=fingerprint,
                )
                return saved_sentence(desk.accounts.save(account, password))

            return save_changes
        account = replace(
            self._account(),
            home_url=home,
            calendars=calendars,
            busy_calendars=busy,
            bookings_calendar=bookings,
        )
        return save_new(account, password)
