"""Accounts: add, test, list, change and remove; passwords go to the keyring and nowhere else.

The network is only touched by ``check_*`` and ``add_*`` (which test before saving), always
through the gateways, which answer a :class:`ConnectionReport` instead of raising.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from followup_desk.domain.accounts import (
    Account,
    AccountKind,
    CalDavAccount,
    Check,
    ConnectionReport,
    InvitesBy,
    Security,
    SmtpAccount,
    account_key,
    caldav_source,
    check_account_name,
    find_tasks_calendar,
    pick_calendars,
)
from followup_desk.domain.booking import is_valid_email
from followup_desk.domain.ports import CalDavGateway, Clock, MailGateway, Secrets
from followup_desk.domain.settings import Settings
from followup_desk.errors import AccountError, InvalidInputError, NotFoundError

log = logging.getLogger(__name__)


class AccountStore(Protocol):
    def all(self) -> list[Account]: ...

    def get(self, name: str) -> Account | None: ...

    def save(self, account: Account, at: datetime) -> Account: ...

    def delete(self, name: str) -> bool: ...


@dataclass(frozen=True)
class Added:
    """An account saved, what its test found, and where its password went."""

    account: Account
    report: ConnectionReport
    in_keyring: bool
    notes: tuple[str, ...] = ()


class AccountService:
    def __init__(
        self,
        store: AccountStore,
        secrets: Secrets,
        caldav: Callable[[], CalDavGateway],
        mail: Callable[[], MailGateway],
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._store = store
        self._secrets = secrets
        self._caldav = caldav
        self._mail = mail
        self._clock = clock
        self._settings = settings

    # --- reading ---------------------------------------------------------------------------

    def all(self) -> list[Account]:
        return self._store.all()

    def get(self, name: str) -> Account:
        account = self._store.get(name.strip().lower())
        if account is None:
            names = ", ".join(a.name for a in self._store.all()) or "none yet"
            raise NotFoundError(
                f"There is no account {name!r} (accounts: {names}); "
                "`followup-desk account list` shows them."
            )
        return account

    def caldav_account(self, name: str) -> CalDavAccount | None:
        account = self._store.get(name)
        return account if isinstance(account, CalDavAccount) else None

    def first(self, kind: AccountKind) -> Account | None:
        return next((a for a in self._store.all() if a.kind is kind), None)

    def busy_sources(self) -> tuple[str, ...]:
        """The free/busy source names of every ticked CalDAV calendar."""
        return tuple(
            caldav_source(a.name, url)
            for a in self._store.all()
            if isinstance(a, CalDavAccount)
            for url in a.busy_calendars
        )

    def password(self, account: Account) -> str | None:
        return self._secrets.get(account_key(account))

    def keyring_problem(self) -> str:
        return self._secrets.problem()

    # --- testing ---------------------------------------------------------------------------

    def check_caldav(self, account: CalDavAccount, password: str) -> ConnectionReport:
        report = self._caldav().check(account, password)
        log.info("caldav check %s: %s", account.name, report.check.value)
        return report

    def check_smtp(self, account: SmtpAccount, password: str) -> ConnectionReport:
        report = self._mail().check(account, password)
        log.info("smtp check %s: %s", account.name, report.check.value)
        return report

    def test(self, name: str, password: str | None = None) -> ConnectionReport:
        """Test a saved account with its stored password (or the one given)."""
        account = self.get(name)
        secret = password if password is not None else self.password(account)
        if secret is None:
            return self._no_password(account)
        if isinstance(account, CalDavAccount):
            report = self.check_caldav(account, secret)
            if report.ok and report.calendars:
                # the server's calendars may have changed: keep the list fresh, keep choices
                known = {c.url for c in report.calendars}
                self._store.save(
                    replace(
                        account,
                        calendars=report.calendars,
                        home_url=report.home_url or account.home_url,
                        busy_calendars=tuple(u for u in account.busy_calendars if u in known),
                    ),
                    self._clock.now(),
                )
            return report
        return self.check_smtp(account, secret)

    def check_changes(self, account: SmtpAccount, password: str | None = None) -> ConnectionReport:
        """Test new settings of a saved e-mail account, with its stored password unless a
        new one is given; nothing is saved."""
        secret = password if password is not None else self.password(self.get(account.name))
        if secret is None:
            return self._no_password(account)
        return self.check_smtp(account, secret)

    def _no_password(self, account: Account) -> ConnectionReport:
        return ConnectionReport(
            Check.NO_PASSWORD,
            f"No password is stored for the account {account.name!r}"
            + (f" ({self._secrets.problem()})" if self._secrets.problem() else "")
            + f"; set it with: followup-desk account password {account.name}",
        )

    # --- adding and changing ---------------------------------------------------------------

    def _free_name(self, name: str, kind: AccountKind) -> str:
        try:
            key = check_account_name(name or kind.value)
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
        existing = self._store.get(key)
        if existing is not None and existing.kind is not kind:
            raise AccountError(
                f"There is already a {existing.kind.value} account named {key!r}; "
                "choose another name (--name)."
            )
        return key

    def add_caldav(
        self,
        *,
        name: str,
        url: str,
        username: str,
        password: str,
        bookings_calendar: str | None = None,
        busy_calendars: Sequence[str] | None = None,
        invites_by: InvitesBy = InvitesBy.APP,
        trusted_fingerprint: str = "",
        tasks_calendar: str | None = None,
    ) -> Added:
        key = self._free_name(name, AccountKind.CALDAV)
        address = url.strip()
        if not address:
            raise InvalidInputError("Give the CalDAV server's address (--url).")
        if "://" not in address:
            address = "https://" + address
        if not username.strip():
            raise InvalidInputError("Give the user name for the CalDAV server (--username).")
        draft = CalDavAccount(
            name=key,
            url=address,
            username=username.strip(),
            invites_by=invites_by,
            trusted_fingerprint=trusted_fingerprint.strip(),
        )
        report = self.check_caldav(draft, password)
        if report.check not in (Check.CONNECTED, Check.READ_ONLY):
            raise AccountError(report.message + _trust_hint(report))
        try:
            bookings, busy = pick_calendars(
                report.calendars, bookings_calendar, tuple(busy_calendars or ()) or None
            )
            tasks = find_tasks_calendar(report.calendars, tasks_calendar) if tasks_calendar else ""
        except LookupError as exc:
            raise AccountError(str(exc)) from None
        notes = []
        if not bookings:
            notes.append(
                "No calendar there can receive bookings; invites will not be written to this "
                "server (free/busy still counts)."
            )
        account = replace(
            draft,
            home_url=report.home_url,
            calendars=report.calendars,
            bookings_calendar=bookings,
            busy_calendars=busy,
            tasks_calendar=tasks,
        )
        return self._save(account, password, report, notes)

    def add_smtp(
        self,
        *,
        name: str,
        host: str,
        port: int,
        username: str,
        from_address: str,
        password: str,
        security: Security = Security.STARTTLS,
        trusted_fingerprint: str = "",
    ) -> Added:
        key = self._free_name(name, AccountKind.SMTP)
        if not host.strip():
            raise InvalidInputError("Give the SMTP server's host name (--host).")
        if not 0 < port < 65536:
            raise InvalidInputError(f"{port} is not a port number (1-65535).")
        sender = from_address.strip()
        if not is_valid_email(sender):
            raise InvalidInputError(f"{from_address!r} is not an e-mail address for From.")
        notes: list[str] = []
        rep = self._settings.rep.email
        if rep and rep.casefold() != sender.casefold():
            raise InvalidInputError(
                f"The From address {sender} must be the invites' organizer, your address "
                f"{rep} (rep.email in the settings): use --from {rep}, or change rep.email."
            )
        account = SmtpAccount(
            name=key,
            host=host.strip(),
            port=port,
            username=username.strip(),
            from_address=sender,
            security=security,
            trusted_fingerprint=trusted_fingerprint.strip(),
        )
        report = self.check_smtp(account, password)
        if not report.ok:
            raise AccountError(report.message + _trust_hint(report))
        return self._save(account, password, report, notes)

    def _save(
        self, account: Account, password: str, report: ConnectionReport, notes: list[str]
    ) -> Added:
        saved = self._store.save(_with_task_list(account), self._clock.now())
        in_keyring = self._secrets.set(account_key(saved), password)
        if not in_keyring:
            notes.append(self._secrets.problem())
        log.info("account %s (%s) saved", saved.name, saved.kind.value)
        return Added(saved, report, in_keyring, tuple(notes))

    def save(self, account: Account, password: str | None = None) -> Added:
        """Save an account the window has tested (and the password, when given)."""
        if isinstance(account, SmtpAccount):
            rep = self._settings.rep.email
            if rep and rep.casefold() != account.from_address.casefold():
                raise InvalidInputError(
                    f"The From address {account.from_address} must be your address {rep} "
                    "(the invites' organizer)."
                )
        saved = self._store.save(_with_task_list(account), self._clock.now())
        notes: list[str] = []
        in_keyring = True
        if password is not None:
            in_keyring = self._secrets.set(account_key(saved), password)
            if not in_keyring:
                notes.append(self._secrets.problem())
        report = ConnectionReport(Check.CONNECTED, f"Account {saved.name!r} saved.")
        return Added(saved, report, in_keyring, tuple(notes))

    def set_password(self, name: str, password: str) -> bool:
        return self._secrets.set(account_key(self.get(name)), password)

    def trust(self, name: str, fingerprint: str) -> Account:
        account = self.get(name)
        return self._store.save(
            replace(account, trusted_fingerprint=fingerprint), self._clock.now()
        )

    def remove(self, name: str) -> None:
        account = self.get(name)
        self._store.delete(account.name)
        self._secrets.delete(account_key(account))
        log.info("account %s removed", account.name)


def _with_task_list(account: Account) -> Account:
    """A CalDAV account with its task list recorded (the one picked, when none was chosen)."""
    if isinstance(account, CalDavAccount) and not account.tasks_calendar:
        return replace(account, tasks_calendar=account.task_list)
    return account


def _trust_hint(report: ConnectionReport) -> str:
    if report.check is Check.UNTRUSTED_CERTIFICATE and report.fingerprint:
        return f" To trust this certificate, add: --trust {report.fingerprint}"
    return ""
