"""Real servers for the integration tests, started on 127.0.0.1 at random ports.

Radicale and Xandikos (CalDAV) run as subprocesses; the SMTP server is aiosmtpd in a thread;
the Secret Service is a private D-Bus session bus with gnome-keyring on it. ``FaultProxy``
sits between a client and a server and answers, drops or delays requests on demand. Nothing
here is a mock: the servers are the programs a rep's company would run.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import http.client
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import keyring.backend
import keyring.errors
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.fault_proxy import FaultProxy, ProxiedRequest

__all__ = [
    "CalDavServer",
    "FaultProxy",
    "MemoryKeyring",
    "ProxiedRequest",
    "ReceivedMail",
    "SecretServiceSession",
    "SmtpServer",
    "free_port",
    "make_self_signed_cert",
    "start_radicale",
    "start_secret_service",
    "start_smtp",
    "start_xandikos",
]

LOCALHOST = "127.0.0.1"
START_TIMEOUT = 20.0
DAV = "{DAV:}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now (it may be taken later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
        return port


# ---------------------------------------------------------------------------------------------
# Subprocess servers


@dataclass
class _Process:
    """A server subprocess whose output goes to a log file (a pipe could fill and block it)."""

    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def log_tail(self, limit: int = 4000) -> str:
        self.log_file.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-limit:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        self.log_file.close()


def _spawn(
    command: list[str],
    log_path: Path,
    env: dict[str, str] | None = None,
    *,
    stdin: bytes | None = None,
) -> _Process:
    """Start a server; ``stdin``, if given, is written to it and then closed."""
    log_file = log_path.open("ab")
    popen = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
    )
    if popen.stdin is not None:
        with popen.stdin:
            popen.stdin.write(stdin or b"")
    return _Process(popen, log_path, log_file)


def _wait_for_port(process: _Process, port: int, name: str) -> bool:
    """Poll until the port accepts connections; False if the server died of a port clash."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            tail = process.log_tail()
            if "in use" in tail.lower():
                process.stop()
                return False
            process.stop()
            raise RuntimeError(f"{name} exited with {process.popen.returncode}:\n{tail}")
        with contextlib.suppress(OSError), socket.create_connection((LOCALHOST, port), 0.5):
            return True
        time.sleep(0.05)
    process.stop()
    raise RuntimeError(
        f"{name} did not answer on port {port} in {START_TIMEOUT} s:\n{process.log_tail()}"
    )


def _start_on_free_port(
    name: str, command_for: Callable[[int], list[str]], log_path: Path
) -> tuple[_Process, int]:
    for _attempt in range(5):
        port = free_port()
        process = _spawn(command_for(port), log_path)
        if _wait_for_port(process, port, name):
            return process, port
    raise RuntimeError(f"{name} found no free port after 5 attempts")


# ---------------------------------------------------------------------------------------------
# CalDAV


@dataclass
class CalDavServer:
    """A running CalDAV server and the account a test uses on it."""

    kind: str
    url: str
    username: str
    password: str
    home_url: str
    #: the certificate to trust when the server speaks TLS (None: plain HTTP)
    ca_cert: Path | None = None
    #: user -> URL of the calendar that is read-only for that user (Radicale's read_only_for)
    read_only_urls: dict[str, str] = field(default_factory=dict)
    _process: _Process | None = field(default=None, repr=False)
    _users_file: Path | None = field(default=None, repr=False)

    def add_user(self, username: str, password: str) -> CalDavServer:
        """Radicale: another account on this server, with an empty calendar home of its own.

        Returns a view of the same server as that user (stopping the view stops nothing).
        Tests that discover every calendar in the home need this, since a session-wide
        server holds the other tests' calendars too.
        """
        if self._users_file is None:
            raise ValueError(f"{self.kind} has no accounts to add to")
        # Radicale re-reads the file at each login (htpasswd_cache is off); replace it whole
        # so a login never reads half a line.
        lines = self._users_file.read_text(encoding="utf-8") + f"{username}:{password}\n"
        staging = self._users_file.with_suffix(".new")
        staging.write_text(lines, encoding="utf-8")
        staging.replace(self._users_file)
        return replace(
            self,
            username=username,
            password=password,
            home_url=f"{self.url}{username}/",
            read_only_urls={},
            _process=None,
        )

    # -- HTTP ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        auth: tuple[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One HTTP request on a fresh connection; ``auth`` defaults to the test account."""
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or LOCALHOST
        port = parts.port or (443 if parts.scheme == "https" else 80)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=str(self.ca_cert) if self.ca_cert else None)
            connection = http.client.HTTPSConnection(host, port, timeout=10, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=10)
        user, password = auth or (self.username, self.password)
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        all_headers = {"Authorization": f"Basic {token}", **(headers or {})}
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def _expect(
        self, method: str, url: str, body: bytes, headers: dict[str, str], ok: tuple[int, ...]
    ) -> bytes:
        status, answer = self.request(method, url, body, headers)
        if status not in ok:
            text = answer.decode("utf-8", "replace")[:2000]
            raise RuntimeError(f"{self.kind}: {method} {url} answered {status}: {text}")
        return answer

    # -- what tests call --------------------------------------------------------------------

    def make_calendar(
        self,
        name: str,
        *,
        components: tuple[str, ...] = ("VEVENT",),
        display_name: str | None = None,
    ) -> str:
        """MKCALENDAR in the calendar home; returns the calendar's URL (ending in "/")."""
        url = urllib.parse.urljoin(self.home_url, urllib.parse.quote(name) + "/")
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        shown = display_name if display_name is not None else name
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:set><D:prop>"
            f"<D:displayname>{_xml_text(shown)}</D:displayname>"
            f"<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set>"
            "</D:prop></D:set></C:mkcalendar>"
        ).encode()
        headers = {"Content-Type": "application/xml; charset=utf-8"}
        self._expect("MKCALENDAR", url, body, headers, ok=(201,))
        return url

    def put(self, calendar_url: str, filename: str, ics: bytes) -> None:
        """Store one calendar object as ``filename`` in the calendar (creates or replaces)."""
        url = urllib.parse.urljoin(calendar_url, urllib.parse.quote(filename))
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        self._expect("PUT", url, ics, headers, ok=(200, 201, 204))

    def hrefs(self, collection_url: str) -> list[str]:
        """The hrefs a Depth 1 PROPFIND lists in the collection (itself excluded)."""
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>'
            b'<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/></D:prop>'
            b"</D:propfind>"
        )
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        answer = self._expect("PROPFIND", collection_url, body, headers, ok=(207,))
        own_path = urllib.parse.urlsplit(collection_url).path.rstrip("/")
        found = []
        for response in ElementTree.fromstring(answer).iter(f"{DAV}response"):
            href = (response.findtext(f"{DAV}href") or "").strip()
            path = urllib.parse.urlsplit(href).path
            if urllib.parse.unquote(path).rstrip("/") != urllib.parse.unquote(own_path):
                found.append(href)
        return found

    def objects(self, calendar_url: str) -> dict[str, bytes]:
        """Everything really stored in the calendar: href -> body (PROPFIND, then GET each)."""
        return {
            href: self._expect("GET", urllib.parse.urljoin(calendar_url, href), b"", {}, ok=(200,))
            for href in self.hrefs(calendar_url)
            if not href.endswith("/")
        }

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _radicale_rights(read_only_for: dict[str, str]) -> str:
    """Owner-only rights, except the listed collections, which their user may only read."""
    rules = []
    for number, (user, collection) in enumerate(read_only_for.items()):
        rules.append(
            f"[read-only-{number}]\nuser: {user}\ncollection: {collection.strip('/')}\n"
            "permissions: r\n"
        )
    rules.append("[root]\nuser: .+\ncollection:\npermissions: R\n")
    rules.append("[principal]\nuser: .+\ncollection: {user}\npermissions: RW\n")
    rules.append("[calendars]\nuser: .+\ncollection: {user}/[^/]+\npermissions: rw\n")
    return "\n".join(rules)


def start_radicale(
    folder: Path,
    *,
    users: dict[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
    read_only_for: dict[str, str] | None = None,
) -> CalDavServer:
    """Run Radicale with htpasswd (plain) logins; each user owns the collections under /user/.

    ``users`` maps login -> password; the first is the account the returned server uses
    (default ``{"rep": "secret-pw"}``). ``tls`` is (certificate, key): the server then
    speaks HTTPS and ``ca_cert`` is the certificate to trust. ``read_only_for`` maps a user to
    a collection path such as ``"rep/shared"``: the collection is created as a calendar before
    the server starts, and that user may read it but gets 403 on every write.
    """
    users = users or {"rep": "secret-pw"}
    read_only_for = read_only_for or {}
    folder.mkdir(parents=True, exist_ok=True)
    storage = folder / "collections"
    for collection in read_only_for.values():
        path = storage / "collection-root" / collection.strip("/")
        path.mkdir(parents=True, exist_ok=True)
        props = {"tag": "VCALENDAR", "C:supported-calendar-component-set": "VEVENT"}
        (path / ".Radicale.props").write_text(json.dumps(props), encoding="utf-8")
    (folder / "users").write_text(
        "".join(f"{user}:{password}\n" for user, password in users.items()), encoding="utf-8"
    )
    (folder / "rights").write_text(_radicale_rights(read_only_for), encoding="utf-8")
    tls_lines = ""
    if tls is not None:
        tls_lines = f"ssl = True\ncertificate = {tls[0]}\nkey = {tls[1]}\n"

    def command_for(port: int) -> list[str]:
        config = folder / "config"
        config.write_text(
            f"[server]\nhosts = {LOCALHOST}:{port}\ndelay_on_error = 0\n{tls_lines}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
            "htpasswd_encryption = plain\ndelay = 0\n\n"
            f"[rights]\ntype = from_file\nfile = {folder / 'rights'}\n\n"
            f"[storage]\nfilesystem_folder = {storage}\n\n"
            "[web]\ntype = none\n\n"
            "[logging]\nlevel = warning\n",
            encoding="utf-8",
        )
        return [sys.executable, "-m", "radicale", "--config", str(config)]

    process, port = _start_on_free_port("Radicale", command_for, folder / "radicale.log")
    scheme = "https" if tls else "http"
    url = f"{scheme}://{LOCALHOST}:{port}/"
    username, password = next(iter(users.items()))
    return CalDavServer(
        kind="radicale",
        url=url,
        username=username,
        password=password,
        home_url=f"{url}{username}/",
        ca_cert=tls[0] if tls else None,
        read_only_urls={u: f"{url}{c.strip('/')}/" for u, c in read_only_for.items()},
        _process=process,
        _users_file=folder / "users",
    )


def start_xandikos(folder: Path) -> CalDavServer:
    """Run Xandikos with its default layout: principal /user/, calendars in /user/calendars/.

    Xandikos has no authentication: it accepts any login, so the account is for show.
    """
    folder.mkdir(parents=True, exist_ok=True)

    def command_for(port: int) -> list[str]:
        return [
            sys.executable, "-m", "xandikos.web", "--defaults", "--no-detect-systemd",
            "-d", str(folder / "data"), "--state-dir", str(folder / "state"),
            "-l", LOCALHOST, "-p", str(port), "--current-user-principal", "/user/",
        ]  # fmt: skip

    process, port = _start_on_free_port("Xandikos", command_for, folder / "xandikos.log")
    url = f"http://{LOCALHOST}:{port}/"
    return CalDavServer(
        kind="xandikos",
        url=url,
        username="rep",
        password="any-pw",
        home_url=f"{url}user/calendars/",
        _process=process,
    )


# ---------------------------------------------------------------------------------------------
# TLS


def make_self_signed_cert(folder: Path, host: str = LOCALHOST) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost; returns (cert, key) PEM files.

    A client trusts it with ``ssl.create_default_context(cafile=cert)``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    names: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address(LOCALHOST)),
        x509.DNSName("localhost"),
    ]
    if host not in (LOCALHOST, "localhost"):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = folder / "cert.pem"
    key_path = folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


# ---------------------------------------------------------------------------------------------
# SMTP


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


class _MailHandler:
    """aiosmtpd handler: checks logins, refuses listed recipients, keeps what arrives."""

    def __init__(
        self, server: SmtpServer, require_auth: bool, reject: set[str], data_delay: float = 0
    ) -> None:
        self._server = server
        self._require_auth = require_auth
        self._reject = {address.lower() for address in reject}
        self._data_delay = data_delay

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == self._server.username.encode()
            and data.password == self._server.password.encode()
        )
        return AuthResult(success=ok, handled=False)  # smtp_AUTH sends 235 or 535

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        # Checked here, not with aiosmtpd's auth_required: that one warns when TLS is off.
        if self._require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self._reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        mail = ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content))
        self._server._received(mail)
        if self._data_delay:  # the message is in; the answer is slow to come
            await asyncio.sleep(self._data_delay)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    username: str
    password: str
    messages: list[ReceivedMail] = field(default_factory=list)
    #: the certificate a client must trust for STARTTLS or implicit TLS (None: plain)
    tls_cert: Path | None = None
    implicit_tls: bool = False
    _controller: Controller | None = field(default=None, repr=False)
    _arrived: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def _received(self, mail: ReceivedMail) -> None:
        with self._arrived:
            self.messages.append(mail)
            self._arrived.notify_all()

    def wait_for(self, n: int, timeout: float = 10) -> list[ReceivedMail]:
        """Wait until at least ``n`` messages arrived; returns them all."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= n, timeout):
                raise AssertionError(
                    f"expected {n} message(s) within {timeout} s, got {len(self.messages)}"
                )
            return list(self.messages)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def start_smtp(
    *,
    username: str = "rep",
    password: str = "smtp-pw",
    tls_cert: tuple[Path, Path] | None = None,
    implicit_tls: bool = False,
    require_auth: bool = True,
    reject: set[str] | None = None,
    data_delay: float = 0,
) -> SmtpServer:
    """An SMTP server on 127.0.0.1 that takes AUTH PLAIN/LOGIN with the given account.

    With ``tls_cert`` (cert, key) it offers STARTTLS, and then only takes AUTH after it; with
    ``implicit_tls`` too, it speaks TLS from the first byte (port 465 style). Recipients in
    ``reject`` get 550 at RCPT TO. With ``data_delay`` the server keeps each message at once
    but answers the end of DATA that many seconds later.
    """
    if implicit_tls and tls_cert is None:
        raise ValueError("implicit_tls needs tls_cert")
    server = SmtpServer(
        host=LOCALHOST,
        port=0,
        username=username,
        password=password,
        tls_cert=tls_cert[0] if tls_cert else None,
        implicit_tls=implicit_tls,
    )
    handler = _MailHandler(server, require_auth, reject or set(), data_delay)
    context: ssl.SSLContext | None = None
    if tls_cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls_cert[0]), str(tls_cert[1]))
    # aiosmtpd passes these on to its SMTP class, whose keywords are typed one by one
    tls_options: dict[str, Any] = {}
    if context is not None and implicit_tls:
        tls_options = {"ssl_context": context, "auth_require_tls": False}
    elif context is not None:
        tls_options = {"tls_context": context, "auth_require_tls": True}
    else:
        tls_options = {"auth_require_tls": False}
    last_error: OSError | None = None
    for _attempt in range(5):
        port = free_port()
        controller = Controller(
            handler,
            hostname=LOCALHOST,
            port=port,
            server_hostname="smtp.test",
            authenticator=handler.authenticate,
            **tls_options,
        )
        try:
            controller.start()
        except OSError as error:  # the port was taken between free_port() and bind
            last_error = error
            controller.stop(no_assert=True)
            continue
        server.port = port
        server._controller = controller
        return server
    raise RuntimeError(f"SMTP server found no free port: {last_error}")


# ---------------------------------------------------------------------------------------------
# Keyrings


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this process only: ``keyring.set_keyring(MemoryKeyring())``."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's __init__ has no types
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(f"no password for {username}@{service}")


@dataclass
class SecretServiceSession:
    """A private D-Bus session bus with gnome-keyring's Secret Service on it.

    ``env`` holds the variables a process needs to use it (DBUS_SESSION_BUS_ADDRESS, HOME,
    XDG_*): apply them with ``monkeypatch.setenv`` in this process or pass them to a child.
    Both daemons run in the foreground as our children, so ``stop()`` ends and reaps them.
    """

    env: dict[str, str]
    _processes: list[_Process] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        while self._processes:
            self._processes.pop().stop()  # the keyring first, then its bus


def _require(command: str) -> str:
    found = shutil.which(command)
    if found is None:
        raise RuntimeError(
            f"{command} is not installed; run `bash packaging/system-deps.sh --test` "
            "(the integration tests need a real Secret Service)"
        )
    return found


# A session bus like the desktop's, minus <servicedir>: the system's activation file for
# org.freedesktop.secrets would otherwise let any early or late call start a second, locked
# gnome-keyring that nobody stops.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def start_secret_service(folder: Path) -> SecretServiceSession:
    """Start a D-Bus session bus and an unlocked gnome-keyring on it, all inside ``folder``."""
    dbus_daemon = _require("dbus-daemon")
    keyring_daemon = _require("gnome-keyring-daemon")
    folder.mkdir(parents=True, exist_ok=True)
    runtime = folder / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {
        "HOME": str(folder / "home"),
        "XDG_DATA_HOME": str(folder / "home" / ".local" / "share"),
        "XDG_CONFIG_HOME": str(folder / "home" / ".config"),
        "XDG_CACHE_HOME": str(folder / "home" / ".cache"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    for key in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    child_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    config = folder / "session-bus.conf"
    bus_socket = runtime / "bus"
    config.write_text(_BUS_CONFIG.format(socket=bus_socket), encoding="utf-8")
    address = f"unix:path={bus_socket}"
    session = SecretServiceSession(env={**env, "DBUS_SESSION_BUS_ADDRESS": address})
    child_env["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        bus = _spawn(
            [dbus_daemon, f"--config-file={config}", "--nofork"], folder / "dbus.log", child_env
        )
        session._processes.append(bus)
        _wait_for_bus(bus, bus_socket)
        # --unlock creates and unlocks the "login" collection (the "default" alias) from the
        # password on stdin, so no prompt is ever needed; --start would skip that.
        daemon = _spawn(
            [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
            folder / "gnome-keyring.log",
            child_env,
            stdin=b"login-pw",
        )
        session._processes.append(daemon)
        _wait_for_secret_service(daemon, address)
        _ensure_default_collection(address)
    except BaseException:
        session.stop()
        raise
    return session


def _wait_for_bus(bus: _Process, bus_socket: Path) -> None:
    """Poll until the bus accepts connections on its socket."""
    deadline = time.monotonic() + START_TIMEOUT
    while bus.popen.poll() is None and time.monotonic() < deadline:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(bus_socket))
            except OSError:
                time.sleep(0.02)
                continue
            return
    raise RuntimeError(f"dbus-daemon did not start:\n{bus.log_tail()}")


def _wait_for_secret_service(daemon: _Process, address: str) -> None:
    """Poll the bus until org.freedesktop.secrets has an owner."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus_object = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    deadline = time.monotonic() + START_TIMEOUT
    with open_dbus_connection(address) as connection:
        while time.monotonic() < deadline:
            reply = connection.send_and_get_reply(
                new_method_call(bus_object, "NameHasOwner", "s", ("org.freedesktop.secrets",))
            )
            if reply.body[0]:
                return
            if daemon.popen.poll() is not None:
                break
            time.sleep(0.05)
    raise RuntimeError(f"no Secret Service appeared on {address}:\n{daemon.log_tail()}")


def _ensure_default_collection(address: str) -> None:
    """Make sure the "default" alias points at an unlocked collection (keyring writes there)."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(address) as connection:
        try:
            collection = secretstorage.get_default_collection(connection)
        except secretstorage.exceptions.SecretStorageException as error:
            # Creating one would need a prompt, and there is no prompter here.
            raise RuntimeError(
                f"gnome-keyring made no default collection (--unlock should): {error}"
            ) from error
        if collection.is_locked():
            raise RuntimeError("the Secret Service's default collection is locked")
