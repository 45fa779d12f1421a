"""Passwords in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

Never in a file, the database or a log. When no usable keyring backend exists (a bare
server, a locked-down session), :meth:`KeyringSecrets.problem` says so plainly and passwords
are kept in memory for this run only.
"""

from __future__ import annotations

import logging

SERVICE = "Followup Desk"

log = logging.getLogger(__name__)


class KeyringSecrets:
    """The :class:`~followup_desk.domain.ports.Secrets` port over the ``keyring`` library."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._session: dict[str, str] = {}
        self._problem: str | None = None

    def problem(self) -> str:
        if self._problem is None:
            self._problem = self._probe()
        return self._problem

    def _probe(self) -> str:
        try:
            import keyring
            from keyring.backends import chainer, fail
        except (ImportError, RuntimeError, OSError) as exc:  # no keyring, said plainly
            log.warning("keyring cannot be loaded: %r", exc)
            return (
                "There is no system keyring to keep passwords in, so passwords are kept for "
                "this run only; you will be asked again next time."
            )
        backend = keyring.get_keyring()
        usable = not isinstance(backend, fail.Keyring) and not (
            isinstance(backend, chainer.ChainerBackend) and not backend.backends
        )
        if not usable or getattr(backend, "priority", 1) <= 0:
            return (
                "There is no system keyring to keep passwords in (on Linux, install and unlock "
                "GNOME Keyring or KWallet), so passwords are kept for this run only; you will "
                "be asked again next time."
            )
        return ""

    def get(self, key: str) -> str | None:
        if key in self._session:
            return self._session[key]
        if self.problem():
            return None
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(self._service, key)
        except (KeyringError, OSError) as exc:
            log.warning("keyring read failed for %s: %r", key, exc)
            return None

    def set(self, key: str, secret: str) -> bool:
        if self.problem():
            self._session[key] = secret
            return False
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self._service, key, secret)
        except (KeyringError, OSError) as exc:
            log.warning("keyring write failed for %s: %r", key, exc)
            self._problem = (
                f"The system keyring refused to store the password ({type(exc).__name__}); "
                "it is kept for this run only."
            )
            self._session[key] = secret
            return False
        self._session.pop(key, None)
        return True

    def delete(self, key: str) -> None:
        self._session.pop(key, None)
        if self.problem():
            return
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self._service, key)
        except PasswordDeleteError:
            pass
        except (KeyringError, OSError) as exc:
            log.warning("keyring delete failed for %s: %r", key, exc)
