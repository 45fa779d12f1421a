"""Sending the invitation through the rep's SMTP server (smtplib), and testing the account.

One connection per call: connect (STARTTLS on 587, TLS from the first byte on 465, or plain
for a server on this computer), EHLO, log in, send, QUIT. Certificates are checked against
the system's authorities, or, when the rep trusted one by its fingerprint, against exactly
that certificate. Every failure becomes a ConnectionReport (``check``) or a SendError
(``send``) whose sentence says what happened and what to do (smtp_failures has the
words); the password is never logged.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence

from followup_desk.adapters.imip import ascii_address
from followup_desk.adapters.smtp_failures import (
    AUTH_CODES,
    Failure,
    classify,
    reply_text,
    send_error,
)
from followup_desk.adapters.tls import format_fingerprint, same_fingerprint
from followup_desk.domain.accounts import Check, ConnectionReport, Security, SmtpAccount
from followup_desk.errors import SendError

log = logging.getLogger(__name__)

# Sent as the EHLO name when the local address cannot be read. An address literal is what
# Thunderbird sends too: it does not leak the computer's name, and every server accepts it.
_FALLBACK_EHLO = "[127.0.0.1]"
# What a connection can raise: smtplib's, ssl's and the socket's errors are all OSErrors;
# a host name IDNA cannot encode raises UnicodeError, a port beyond 65535 OverflowError.
_ERRORS = (OSError, Failure, UnicodeError, OverflowError)


class SmtpGateway:
    """The :class:`~followup_desk.domain.ports.MailGateway` speaking SMTP."""

    def __init__(self, *, timeout: float = 20.0, final_reply: float | None = None) -> None:
        """``final_reply``: how long the server may take to accept a message it has whole
        (servers scan it first; RFC 5321 4.5.3.2.6 allows minutes); past it, the message's
        fate is unknown and the rep decides."""
        self._timeout = timeout
        self._final_reply = final_reply if final_reply is not None else max(timeout, 120.0)

    def check(
        self, account: SmtpAccount, password: str, *, timeout: float = 15.0
    ) -> ConnectionReport:
        """Connect, log in and quit; the report says how it went. Never raises for the network."""
        where = f"{account.host}:{account.port}"
        try:
            client, server, logged_in = self._open(account, password, timeout)
        except _ERRORS as exc:
            failure = classify(exc, account, timeout)
            log.info("SMTP check of %s failed: %s", where, failure.kind)
            return ConnectionReport(
                check=failure.check, message=failure.message, fingerprint=failure.fingerprint
            )
        try:
            _try_sender(client, account, logged_in)
            client.quit()
        except _ERRORS as exc:
            failure = classify(exc, account, timeout)
            log.info("SMTP check of %s failed: %s", where, failure.kind)
            return ConnectionReport(check=failure.check, message=failure.message, server=server)
        finally:
            client.close()
        if logged_in:
            message = (
                f"Connected to {where} as {account.username}; mail will go out from "
                f"{account.from_address}."
            )
        else:
            message = (
                f"Connected to {where}; the server asked for no password. Mail will go out "
                f"from {account.from_address}."
            )
        log.info("SMTP check of %s: connected", where)
        return ConnectionReport(check=Check.CONNECTED, message=message, server=server)

    def send(
        self, account: SmtpAccount, password: str, message: bytes, recipients: Sequence[str]
    ) -> None:
        """Hand ``message`` to the server for ``recipients``. Raises SendError."""
        if not recipients:
            raise ValueError("a message needs at least one recipient")
        sender, sender_utf8 = ascii_address(account.from_address)
        envelope = [ascii_address(r) for r in recipients]
        wanted = {ascii_address(r)[0]: r for r in recipients}  # envelope form -> as given
        try:
            client, _, _ = self._open(account, password, self._timeout)
        except _ERRORS as exc:
            raise send_error(classify(exc, account, self._timeout)) from exc
        try:
            options: list[str] = []
            if sender_utf8 or any(utf8 for _, utf8 in envelope):
                options = _utf8_options(client, account, sender, sender_utf8, envelope)
            refused = _transmit(client, sender, list(wanted), message, options, self._final_reply)
            try:
                client.quit()
            except OSError as exc:  # the server took the message; how it says goodbye is moot
                log.debug("QUIT to %s:%s failed: %s", account.host, account.port, exc)
        except _Unconfirmed as exc:
            log.warning(
                "%s:%s got the message but did not confirm it: %s",
                account.host,
                account.port,
                exc.__cause__,
            )
            raise SendError(
                f"{account.host}:{account.port} received the message but did not confirm it "
                f"within {self._final_reply:g} seconds, so it may have arrived. Sending it "
                "again could give the prospect two: check your sent mail or ask them, then "
                "mark it arrived or send it again.",
                "uncertain",
            ) from exc.__cause__
        except _ERRORS as exc:
            raise send_error(classify(exc, account, self._timeout)) from exc
        finally:
            client.close()
        if refused:
            names = ", ".join(
                f"{wanted.get(a, a)} ({code} {reply_text(answer)})"
                for a, (code, answer) in refused.items()
            )
            raise SendError(
                f"{account.host} refused {names}; the others received the invitation. Check the "
                "address with the prospect.",
                "rejected",
            )
        log.info(
            "sent %d bytes through %s:%s to %d recipient(s)",
            len(message),
            account.host,
            account.port,
            len(wanted),
        )

    # -- the connection -----------------------------------------------------------------------

    def _open(
        self, account: SmtpAccount, password: str, timeout: float
    ) -> tuple[smtplib.SMTP, str, bool]:
        """A connected, secured, logged-in client, the server's name, and whether it logged in."""
        context = _context(account)
        client: smtplib.SMTP
        # Connected by the constructor (starttls() and SMTP_SSL take the host for SNI and the
        # name check from there). local_hostname given: smtplib would ask DNS for ours.
        host, port, ehlo = account.host, account.port, _FALLBACK_EHLO
        if account.security is Security.TLS:
            client = smtplib.SMTP_SSL(
                host, port, local_hostname=ehlo, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(host, port, local_hostname=ehlo, timeout=timeout)
        try:
            client.local_hostname = _ehlo_name(client)
            client.ehlo()
            server = (client.ehlo_resp or b"").decode("utf-8", "replace").partition("\n")[0]
            if account.security is Security.STARTTLS:
                if not client.has_extn("starttls"):
                    raise _no_starttls(account)
                client.starttls(context=context)
                client.ehlo()
            if account.security is not Security.NONE:
                _check_pinned(client, account)
            logged_in = _log_in(client, account, password)
        except BaseException:
            client.close()
            raise
        return client, server.strip(), logged_in


def _context(account: SmtpAccount) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if account.trusted_fingerprint:
        # The rep trusted this very certificate: no authority vouches for it, and its name
        # may not match. _check_pinned compares it right after the handshake instead.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _ehlo_name(client: smtplib.SMTP) -> str:
    if client.sock is None:
        return _FALLBACK_EHLO
    try:
        address = ipaddress.ip_address(client.sock.getsockname()[0].split("%")[0])
    except (OSError, ValueError):
        return _FALLBACK_EHLO
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"


def _check_pinned(client: smtplib.SMTP, account: SmtpAccount) -> None:
    if not account.trusted_fingerprint:
        return
    sock = client.sock
    der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
    presented = format_fingerprint(der) if der else ""
    if not same_fingerprint(account.trusted_fingerprint, presented):
        raise Failure(
            Check.UNTRUSTED_CERTIFICATE,
            "certificate",
            f"The certificate of {account.host} has changed since you trusted it: its SHA-256 "
            f"fingerprint is now {presented or 'unknown'}. Trust the new one only if your "
            "mail provider confirms they replaced it; otherwise someone may be intercepting "
            "the connection.",
            presented,
        )


def _is_local(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _log_in(client: smtplib.SMTP, account: SmtpAccount, password: str) -> bool:
    """Log in when the server offers it; False when it asks for no password."""
    if not client.has_extn("auth"):
        return False
    if account.security is Security.NONE and not _is_local(account.host):
        raise Failure(
            Check.UNREACHABLE,
            "refused",
            f"{account.host} is not on this computer, and without TLS your password would "
            "cross the network unencrypted. Choose STARTTLS (port 587) or TLS (port 465).",
        )
    user = account.username
    if user.isascii() and password.isascii():
        client.login(user, password)
        return True
    # smtplib encodes credentials as ASCII; RFC 4616 (PLAIN) and the servers want UTF-8.
    offered = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
        code, answer = client.docmd("AUTH", f"PLAIN {token}")
    elif "LOGIN" in offered:
        code, answer = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, answer = client.docmd(_b64(password))
    else:
        code, answer = 504, b"no mechanism for a user name or password with accents"
    if code not in (235, 503):  # 503: already logged in
        raise smtplib.SMTPAuthenticationError(code, answer)
    return True


def _try_sender(client: smtplib.SMTP, account: SmtpAccount, logged_in: bool) -> None:
    """MAIL FROM, then RSET: whether the server lets this account send from its address."""
    sender, _ = ascii_address(account.from_address)
    code, answer = client.mail(sender)
    if code == 250:
        client.rset()
        return
    if code in AUTH_CODES and not logged_in:
        raise Failure(
            Check.UNREACHABLE,
            "auth",
            f"{account.host} wants you to log in but offers no login on this connection "
            f"({code} {reply_text(answer)}). Choose STARTTLS (port 587) or TLS (port 465).",
        )
    raise smtplib.SMTPSenderRefused(code, answer, sender)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


class _Unconfirmed(Exception):
    """The message went out after DATA but the server's answer never came."""


def _transmit(
    client: smtplib.SMTP,
    sender: str,
    recipients: list[str],
    message: bytes,
    options: list[str],
    final_reply: float,
) -> dict[str, tuple[int, bytes]]:
    """MAIL, RCPT and DATA as smtplib's sendmail does them, telling apart a failure before
    the message went out (safe to retry) from one after it (it may have arrived: raises
    :class:`_Unconfirmed`). Returns the refused recipients, as sendmail does."""
    client.ehlo_or_helo_if_needed()
    if client.does_esmtp and client.has_extn("size"):
        options = [*options, f"SIZE={len(message)}"]
    code, answer = client.mail(sender, options)
    if code != 250:
        _reset(client)
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        code, answer = client.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, answer)
    if len(refused) == len(recipients):
        _reset(client)
        raise smtplib.SMTPRecipientsRefused(refused)
    code, answer = client.docmd("DATA")
    if code != 354:
        _reset(client)
        raise smtplib.SMTPDataError(code, answer)
    body = _DOT_AT_LINE_START.sub(b"..", message)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        client.send(body + b".\r\n")
        if client.sock is not None:
            client.sock.settimeout(final_reply)
        code, answer = client.getreply()
    except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionResetError) as exc:
        raise _Unconfirmed() from exc
    if code != 250:
        _reset(client)
        raise smtplib.SMTPDataError(code, answer)
    return refused


_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


def _reset(client: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):  # the refusal is what the rep needs to hear
        client.rset()


def _utf8_options(
    client: smtplib.SMTP,
    account: SmtpAccount,
    sender: str,
    sender_utf8: bool,
    envelope: list[tuple[str, bool]],
) -> list[str]:
    """SMTPUTF8 for an address with accents before the @, when the server can take it."""
    if client.has_extn("smtputf8"):
        return ["SMTPUTF8", "BODY=8BITMIME"]
    address = sender if sender_utf8 else next(a for a, utf8 in envelope if utf8)
    raise Failure(
        Check.UNREACHABLE,
        "rejected",
        f"{account.host} cannot send to or from {address}: the part before the @ has "
        "characters beyond ASCII and the server does not support them (SMTPUTF8). Ask for an "
        "ASCII address, or send through another account.",
    )


def _no_starttls(account: SmtpAccount) -> Failure:
    if account.port == 465:
        hint = "choose TLS, since port 465 speaks TLS from the first byte"
    elif _is_local(account.host):
        hint = (
            "a server on this computer may go without encryption (Security: None in the "
            "window, --plain on the command line)"
        )
    else:
        hint = "choose TLS on port 465, or the port your provider names for secure sending"
    return Failure(
        Check.UNREACHABLE,
        "refused",
        f"{account.host}:{account.port} does not offer STARTTLS, so the connection cannot be "
        f"encrypted and your password is not sent: {hint}.",
    )
