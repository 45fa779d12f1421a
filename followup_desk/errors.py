"""The one error tree of Followup Desk.

Every error a user can meet derives from :class:`FollowupDeskError`. Its message is a
sentence meant for the user: what went wrong and what to do. Adapters translate library
errors into these at the edge; the CLI and the window show ``str(error)`` and log the
traceback, never showing it.
"""

from __future__ import annotations


class FollowupDeskError(Exception):
    """Base of every error the app raises on purpose."""


class UserError(FollowupDeskError):
    """Shown to the user as it is, without a traceback."""


class SettingsError(UserError):
    """The settings file is unreadable or holds an invalid value (the key is named)."""


class InvalidInputError(UserError):
    """A value given by the user (a zone, an email, a date) is not acceptable."""


class SlotUnavailableError(UserError):
    """The requested time cannot be booked (busy, outside hours, too soon, in a DST gap)."""


class NotFoundError(UserError):
    """A booking or prospect that was asked for does not exist."""


class SourceError(UserError):
    """A free/busy source could not be read; ``source`` names it."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(message)
        self.source = source


class StorageError(UserError):
    """The database or a file could not be read or written."""


class InviteWriteError(StorageError):
    """The booking is saved but its invite file could not be written."""

    def __init__(self, message: str, booking_id: int | None = None) -> None:
        super().__init__(message)
        self.booking_id = booking_id  # set once the booking is saved: never book it again


class CadenceFileError(UserError):
    """A cadence file is not valid TOML (the line is named) or holds a bad cadence or step."""


class BackupRefusedError(UserError):
    """A file given to restore is not a Followup Desk backup this version can restore.

    Raised before anything is changed; the message says why in one sentence.
    """


class AccountError(UserError):
    """An account is missing, named twice, or its settings cannot be used."""


class SendError(UserError):
    """Sending through an account failed. ``retry`` says whether trying later may help.

    ``kind`` is one of: ``unreachable``, ``timeout``, ``server`` (5xx), ``auth`` (wrong user
    name or password), ``refused`` (403, read-only), ``quota``, ``conflict`` (412 that could
    not be resolved), ``certificate`` (TLS not trusted), ``rejected`` (a recipient refused),
    ``no-password``, ``uncertain`` (an e-mail the server took but never confirmed: it may
    have arrived, so only the rep may send it again). Transient kinds (``unreachable``,
    ``timeout``, ``server``) are retried with backoff; the others wait for the rep.
    """

    TRANSIENT = frozenset({"unreachable", "timeout", "server"})

    def __init__(self, message: str, kind: str, *, fingerprint: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.fingerprint = fingerprint

    @property
    def retry(self) -> bool:
        return self.kind in self.TRANSIENT
