"""What went wrong between us and a CalDAV server, as a kind and a sentence.

The gateway asks here what a network exception or an HTTP status means: the kind the
outbox retries on (``unreachable``, ``timeout``, ``server``) or waits for the rep on, and
the words of the sentence the window shows. Nothing here talks to the network.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from niquests.exceptions import Timeout as RequestTimeout

from followup_desk.adapters.tls import is_certificate_error


@dataclass(frozen=True)
class Where:
    """The server and calendar a call was about, for the sentences."""

    host: str  # "cal.example.com" or "127.0.0.1:5232", as the rep would recognise it
    user: str = ""
    calendar: str = ""  # the calendar's display name, or its URL's last part
    timeout: float = 15.0


class HttpError(Exception):
    """An HTTP error status from the server, kept until it becomes our own error."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Failure:
    """One failure, ready for SendError (kind, message) or a ConnectionReport."""

    kind: str  # a SendError kind, or "dns" / "not-found" refined by the caller
    reason: str  # half a sentence: "the connection was refused"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def network_failure(exc: BaseException, where: Where) -> Failure:
    """What a connection-level exception (niquests, OSError) means."""
    chain = list(_chain(exc))
    if is_certificate_error(exc) or any("Fingerprints did not match" in str(e) for e in chain):
        return Failure("certificate", "its certificate is not trusted")
    if any(isinstance(e, RequestTimeout | TimeoutError | socket.timeout) for e in chain):
        return Failure("timeout", f"it did not answer within {where.timeout:g} seconds")
    if any(isinstance(e, socket.gaierror) for e in chain):
        return Failure("dns", "its name could not be found")
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return Failure("unreachable", "the connection was refused")
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return Failure("tls", "no secure (https) connection could be made")
    return Failure("unreachable", "the connection broke before it answered")


def http_failure(status: int, body: bytes, where: Where) -> Failure:
    """What an HTTP error status on a write or read means."""
    text = body[:4000].decode("utf-8", errors="replace").lower()
    if status == 507 or "quota" in text:
        return Failure("quota", "the storage quota is used up")
    if status == 401:
        return Failure("auth", "the user name or password was refused")
    if status == 403:
        return Failure("refused", "writing is not allowed")
    if status in (404, 410):
        return Failure("not-found", "the calendar does not exist there")
    if status == 412:
        return Failure("conflict", "the event kept changing on the server")
    if status == 429 or status >= 500:
        return Failure("server", f"the server had a problem (HTTP {status})")
    return Failure("refused", f"it answered HTTP {status}")


def send_message(failure: Failure, where: Where, fingerprint: str = "") -> str:
    """The sentence for a failed write; the booking itself is always kept."""
    calendar = f"the calendar {where.calendar!r}" if where.calendar else "the calendar"
    the_calendar = "T" + calendar[1:]  # str.capitalize() would lower the name's capitals
    kept = "The booking is kept and will be sent when the server answers."
    match failure.kind:
        case "timeout":
            return f"{where.host} did not answer within {where.timeout:g} seconds. {kept}"
        case "server":
            return f"{where.host} could not store the event: {failure.reason}. {kept}"
        case "auth":
            return (
                f"{where.host} refused the user name {where.user!r} or its password. Check "
                "the password in Accounts; the booking is kept until then."
            )
        case "refused" if failure.reason == "writing is not allowed":
            return (
                f"{the_calendar} on {where.host} is read-only for {where.user!r}. "
                "Choose a calendar you can write to in Accounts; the booking is kept."
            )
        case "quota":
            return (
                f"{the_calendar} on {where.host} is full: the storage quota is used "
                "up. Free some space on the server, then send again; the booking is kept."
            )
        case "not-found":
            return (
                f"{the_calendar} no longer exists on {where.host}. Choose another "
                "calendar in Accounts; the booking is kept."
            )
        case "conflict":
            return (
                f"The event in {calendar} on {where.host} kept changing while it was written. "
                "Check it in your calendar program, then send again; the booking is kept."
            )
        case "certificate":
            shown = f" (fingerprint {fingerprint})" if fingerprint else ""
            return (
                f"The certificate of {where.host} is not trusted{shown}. Test the account in "
                "Accounts to see it and trust it; the booking is kept until then."
            )
        case "dns":
            return f"The name {where.host} could not be found. {kept}"
        case "tls":
            return (
                f"No secure (https) connection could be made to {where.host}. Check the "
                "address in Accounts (http or https?); the booking is kept."
            )
        case "unreachable":
            return f"{where.host} cannot be reached: {failure.reason}. {kept}"
        case _:
            return (
                f"{where.host} refused the event ({failure.reason}). The booking is kept; check "
                "the account in Accounts, or ask the server's administrator."
            )


def send_kind(failure: Failure) -> str:
    """The SendError kind of a failure (the outbox retries the transient ones)."""
    return {"dns": "unreachable", "tls": "unreachable", "not-found": "refused"}.get(
        failure.kind, failure.kind
    )


def read_message(failure: Failure, where: Where, fingerprint: str = "") -> str:
    """The sentence for a calendar that could not be read (free/busy refresh)."""
    calendar = f"The calendar {where.calendar!r}" if where.calendar else "The calendar"
    match failure.kind:
        case "auth":
            return (
                f"{where.host} refused the user name {where.user!r} or its password. Check "
                "the password in Accounts."
            )
        case "refused" | "not-found":
            return (
                f"{calendar} on {where.host} cannot be read ({failure.reason}). Check the "
                "account's calendars in Accounts."
            )
        case "certificate":
            shown = f" (fingerprint {fingerprint})" if fingerprint else ""
            return (
                f"The certificate of {where.host} is not trusted{shown}. Test the account in "
                "Accounts to see it and trust it."
            )
        case "tls":
            return (
                f"No secure (https) connection could be made to {where.host}. Check the "
                "address in Accounts (http or https?)."
            )
        case _:
            return (
                f"{calendar} on {where.host} could not be read: {failure.reason}. It is "
                "tried again at the next refresh."
            )
