"""What went wrong with an SMTP connection, in the rep's words.

smtplib, ssl and the socket raise a dozen kinds of error; each becomes one Failure that
says what happened and what to do, with the Check a connection test shows and the SendError
kind the outbox acts on (``unreachable``, ``timeout`` and ``server`` are retried).
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl

from followup_desk.adapters.tls import is_certificate_error, peer_fingerprint
from followup_desk.domain.accounts import Check, Security, SmtpAccount
from followup_desk.errors import SendError

log = logging.getLogger(__name__)

AUTH_CODES = frozenset({530, 534, 535, 538})  # replies meaning "log in (properly) first"


class Failure(Exception):
    """A failure classified once, for both check() (``check``) and send() (``kind``)."""

    def __init__(self, check: Check, kind: str, message: str, fingerprint: str = "") -> None:
        super().__init__(message)
        self.check = check
        self.kind = kind
        self.message = message
        self.fingerprint = fingerprint


def reply_text(answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    return " ".join(text.split())


def classify(exc: BaseException, account: SmtpAccount, timeout: float) -> Failure:
    """Our words for what smtplib, ssl or the socket raised."""
    host, where = account.host, f"{account.host}:{account.port}"
    if isinstance(exc, Failure):
        return exc
    if is_certificate_error(exc):
        return _untrusted(exc, account, timeout)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _auth_failure(exc.smtp_code, reply_text(exc.smtp_error), account)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _recipients_refused(exc.recipients, host)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _reply_failure(
            exc.smtp_code,
            reply_text(exc.smtp_error),
            host,
            f"{host} refused to send as {account.from_address}",
            "Use the address this account may send from as the From address.",
        )
    if isinstance(exc, smtplib.SMTPDataError):
        return _reply_failure(
            exc.smtp_code,
            reply_text(exc.smtp_error),
            host,
            f"{host} refused the message",
            "Its answer above says why; your provider can tell you more.",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_failure(
            exc.smtp_code,
            reply_text(exc.smtp_error),
            host,
            f"{where} turned the connection down",
            "Check the server name and port with your provider.",
        )
    if isinstance(exc, socket.gaierror):
        return Failure(
            Check.UNREACHABLE,
            "unreachable",
            f"The server name {host} could not be found (DNS). Check its spelling and that "
            "this computer is online.",
        )
    if isinstance(exc, ConnectionRefusedError):
        return Failure(
            Check.UNREACHABLE,
            "unreachable",
            f"{where} refused the connection: nothing listens on that port. Check the port "
            "(587 for STARTTLS, 465 for TLS) and that the server is running.",
        )
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        hint = (
            " Port 465 expects TLS from the first byte: choose TLS rather than STARTTLS."
            if account.security is Security.STARTTLS and account.port == 465
            else " Check the server name, the port and that this computer is online."
        )
        return Failure(
            Check.UNREACHABLE,
            "timeout",
            f"{where} did not answer within {timeout:g} second{'' if timeout == 1 else 's'}.{hint}",
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError):
        return Failure(
            Check.UNREACHABLE,
            "unreachable",
            f"{where} closed the connection unexpectedly. Check the port and the security "
            "setting (STARTTLS on 587, TLS on 465); if they are right, try again later.",
        )
    if isinstance(exc, ssl.SSLError):
        if "WRONG_VERSION_NUMBER" in str(exc) or "wrong version number" in str(exc):
            return Failure(
                Check.UNREACHABLE,
                "refused",
                f"{where} does not speak TLS from the first byte: choose STARTTLS (usually "
                "port 587) instead of TLS.",
            )
        return Failure(
            Check.UNREACHABLE,
            "unreachable",
            f"The secure connection to {where} failed ({exc.reason or exc}). Check the port "
            "and the security setting with your provider.",
        )
    return Failure(
        Check.UNREACHABLE,
        "unreachable",
        f"{where} could not be reached ({getattr(exc, 'strerror', None) or exc}). Check the "
        "server name, the port and that this computer is online.",
    )


def _untrusted(exc: BaseException, account: SmtpAccount, timeout: float) -> Failure:
    reason = getattr(exc, "verify_message", "") or "no authority this computer knows vouches for it"
    try:
        fingerprint = peer_fingerprint(
            account.host,
            account.port,
            timeout,
            starttls_smtp=account.security is Security.STARTTLS,
        )
    except OSError as error:
        log.debug("fingerprint of %s:%s not read: %s", account.host, account.port, error)
        fingerprint = ""
    shown = f" Its SHA-256 fingerprint is {fingerprint}." if fingerprint else ""
    return Failure(
        Check.UNTRUSTED_CERTIFICATE,
        "certificate",
        f"The certificate of {account.host} is not trusted ({reason}).{shown} Trust it only if "
        "your provider or administrator confirms that fingerprint.",
        fingerprint,
    )


def _auth_failure(code: int, answer: str, account: SmtpAccount) -> Failure:
    if 400 <= code < 500:
        return Failure(
            Check.UNREACHABLE,
            "server",
            f"{account.host} could not check the password just now ({code} {answer}). Try "
            "again in a few minutes.",
        )
    if code == 534:
        advice = (
            "The provider wants an app password (or a sign-in in the browser first): create "
            "one in your account's security settings and enter it here."
        )
    else:
        advice = "Check the user name and enter the password again."
    return Failure(
        Check.WRONG_PASSWORD,
        "auth",
        f"{account.host} refused the user name {account.username!r} or its password "
        f"({code} {answer}). {advice}",
    )


def _recipients_refused(refused: dict[str, tuple[int, bytes]], host: str) -> Failure:
    codes = [code for code, _ in refused.values()]
    names = ", ".join(f"{a} ({code} {reply_text(answer)})" for a, (code, answer) in refused.items())
    if all(400 <= code < 500 for code in codes):
        return Failure(
            Check.UNREACHABLE,
            "server",
            f"{host} cannot take mail for {names} just now. It will be tried again.",
        )
    if 552 in codes:
        return Failure(
            Check.UNREACHABLE,
            "quota",
            f"{host} refused {names}: a mailbox or the account is over its quota. Free some "
            "space, or ask the prospect for another address.",
        )
    return Failure(
        Check.UNREACHABLE,
        "rejected",
        f"{host} refused the recipient {names}. Check the address with the prospect.",
    )


def _reply_failure(code: int, answer: str, host: str, what: str, advice: str) -> Failure:
    if code == 552:
        return Failure(
            Check.UNREACHABLE,
            "quota",
            f"{what} ({code} {answer}): a quota or size limit is reached. Free some space in "
            "the mailbox, or ask your provider.",
        )
    if 400 <= code < 500 or code == -1:
        return Failure(
            Check.UNREACHABLE,
            "server",
            f"{what} for now ({code} {answer}). It will be tried again later.",
        )
    if code in AUTH_CODES:
        return Failure(
            Check.WRONG_PASSWORD,
            "auth",
            f"{what} ({code} {answer}): it wants you logged in. Check the user name and password.",
        )
    return Failure(Check.UNREACHABLE, "rejected", f"{what} ({code} {answer}). {advice}")


def send_error(failure: Failure) -> SendError:
    return SendError(failure.message, failure.kind, fingerprint=failure.fingerprint)
