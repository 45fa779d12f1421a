"""Certificates: the fingerprint of a server's certificate, and trusting one by it.

A rep's own server often has a self-signed certificate. The connection test then says the
certificate is not trusted and shows its SHA-256 fingerprint; when the rep trusts it, the
fingerprint is stored with the account and from then on the connection is accepted when,
and only when, the server presents that very certificate.
"""

from __future__ import annotations

import hashlib
import socket
import ssl


def format_fingerprint(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def same_fingerprint(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return text.replace(":", "").replace(" ", "").strip().upper()

    return bool(a) and norm(a) == norm(b)


def peer_fingerprint(host: str, port: int, timeout: float, *, starttls_smtp: bool = False) -> str:
    """The SHA-256 fingerprint of the certificate ``host:port`` presents (not verified).

    With ``starttls_smtp`` the connection speaks SMTP up to STARTTLS first. Raises
    ``OSError`` when the server cannot be reached or speaks no TLS.
    """
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as raw:
        if starttls_smtp:
            _smtp_starttls(raw)
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    if not der:
        raise OSError("the server presented no certificate")
    return format_fingerprint(der)


def _smtp_starttls(raw: socket.socket) -> None:
    reader = raw.makefile("rb")

    def reply() -> bytes:
        line = b""
        while True:
            line = reader.readline(1024)
            if not line or line[3:4] != b"-":
                return line

    reply()  # greeting
    raw.sendall(b"EHLO followup-desk\r\n")
    reply()
    raw.sendall(b"STARTTLS\r\n")
    answer = reply()
    if not answer.startswith(b"220"):
        raise OSError("the server does not offer STARTTLS")


def is_certificate_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a failed certificate check."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        text = str(current)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return True
        current = current.__cause__ or current.__context__
    return False
