"""An e-mail (SMTP) account being added, or one already saved being changed: host, port,
security, user name, From, password; tested in the accounts worker before it is saved.

Changing a saved account keeps its stored password unless the rep types a new one; the
changed settings are tested with it before Save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from followup_desk.domain.accounts import ConnectionReport, Security, SmtpAccount
from followup_desk.domain.booking import is_valid_email
from followup_desk.errors import AccountError
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.account_draft import Draft, save_new, saved_sentence

if TYPE_CHECKING:
    from followup_desk.app import Desk

PORTS = {Security.STARTTLS: 587, Security.TLS: 465}


class SmtpDraft(Draft):
    FIELDS = ("host", "port", "username", "from_address", "password", "name")
    TESTED = ("host", "port", "username", "from_address", "password")
    KIND = "smtp"

    def __init__(
        self,
        runner: DeskRunner,
        keyring_problem: str,
        taken: frozenset[str],
        rep_email: str,
        existing: SmtpAccount | None = None,
    ) -> None:
        super().__init__(runner, keyring_problem, taken)
        self.rep_email = rep_email
        self.existing = existing
        self.security = Security.STARTTLS
        self._values.update(port="587", from_address=rep_email)
        if existing is not None:
            self._values.update(
                host=existing.host,
                port=str(existing.port),
                username=existing.username,
                from_address=existing.from_address,
                name=existing.name,
            )
            self.security = existing.security
            self.fingerprint = existing.trusted_fingerprint

    def _is_new(self) -> bool:
        return self.existing is None

    def _key(self) -> tuple[str, ...]:
        return (*super()._key(), self.security.value)

    def set_security(self, security: Security) -> None:
        if security is self.security:
            return
        port = self._values["port"].strip()
        if port in ("", *(str(p) for p in PORTS.values())) and security in PORTS:
            self._values["port"] = str(PORTS[security])
        self.security = security
        self.changed.emit()

    def _port(self) -> int | None:
        text = self._values["port"].strip()
        return int(text) if text.isdigit() and 0 < int(text) < 65536 else None

    def _problems_for_test(self) -> dict[str, str]:
        problems = {}
        if not self._values["host"].strip():
            problems["host"] = "Type the SMTP server's name, such as smtp.example.com."
        if self._port() is None:
            problems["port"] = "Type a port number: 587 with STARTTLS, 465 with TLS."
        if not self._values["username"].strip():
            problems["username"] = "Type your user name on that server."
        sender = self._values["from_address"].strip()
        if not is_valid_email(sender):
            problems["from_address"] = "Type your e-mail address, such as robin@example.com."
        elif self.rep_email and sender.casefold() != self.rep_email.casefold():
            problems["from_address"] = (
                f"Invitations must come from you, their organizer: {self.rep_email} (your "
                "address in Settings). Use it here, or change it in Settings first."
            )
        if self.existing is None and not self._values["password"]:
            problems["password"] = "Type the password (or an app password)."
        return problems

    def _account(self) -> SmtpAccount:
        return SmtpAccount(
            name=self.existing.name if self.existing else self._name().lower(),
            host=self._values["host"].strip(),
            port=self._port() or PORTS.get(self.security, 587),
            username=self._values["username"].strip(),
            from_address=self._values["from_address"].strip(),
            security=self.security,
            trusted_fingerprint=self.fingerprint,
        )

    def _check(self) -> Callable[[Desk], ConnectionReport]:
        password = self._values["password"]
        draft = self._account()
        if self.existing is not None:

            def test_changes(desk: Desk) -> ConnectionReport:
                return desk.accounts.check_changes(draft, password or None)

            return test_changes

        def test_new(desk: Desk) -> ConnectionReport:
            return desk.accounts.check_smtp(draft, password)

        return test_new

    def _save_job(self) -> Callable[[Desk], str]:
        password = self._values["password"]
        account = self._account()
        if self.existing is not None:

            def save_changes(desk: Desk) -> str:
                if not isinstance(desk.accounts.get(account.name), SmtpAccount):
                    raise AccountError(f"The account {account.name!r} is no longer there.")
                return saved_sentence(desk.accounts.save(account, password or None))

            return save_changes
        return save_new(account, password)
