"""The CalDAV server, through the caldav library: discovery, conditional writes, sync.

:class:`CaldavGateway` implements :class:`followup_desk.domain.ports.CalDavGateway` for every
CalDAV account. Each call opens its own client (one HTTP session) and closes it, so calls
from worker threads never share a connection. Failures come back as our own answers: a
:class:`ConnectionReport` from check(), SendError from writes, SourceError from changes().

The work is done in caldav_discovery (check), caldav_writes (put, find) and caldav_sync
(changes); this module and those three are the only ones that import caldav (and with it
niquests and lxml), and nothing on the window's start path imports them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import cast
from urllib.parse import unquote, urlsplit

from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from niquests.exceptions import RequestException

from followup_desk.adapters import tls
from followup_desk.adapters.caldav_discovery import Discovery
from followup_desk.adapters.caldav_failures import (
    Failure,
    HttpError,
    Where,
    http_failure,
    network_failure,
    read_message,
    send_kind,
    send_message,
)
from followup_desk.adapters.caldav_sync import CalendarReader, SyncRefused
from followup_desk.adapters.caldav_writes import EventWriter, UidTaken
from followup_desk.domain.accounts import (
    CalDavAccount,
    ConnectionReport,
    caldav_source,
)
from followup_desk.domain.ports import RemoteChanges, RemoteObject
from followup_desk.errors import SendError, SourceError

log = logging.getLogger(__name__)

# What a call to the server can raise besides our own errors: the HTTP library's errors and
# socket errors; caldav's DAVError; lxml's XMLSyntaxError (a SyntaxError: lxml ships no
# types, so it is caught by its builtin base) when an answer claims to be XML and is not.
_FAILURES = (
    RequestException,
    OSError,
    dav_error.DAVError,
    SyntaxError,
    HttpError,
    SyncRefused,
    UidTaken,
)


class CaldavGateway:
    """The :class:`~followup_desk.domain.ports.CalDavGateway` over the caldav library."""

    def __init__(self, *, timeout: float = 15.0) -> None:
        self._timeout = timeout
        # server -> the auth scheme it asked for, so later calls skip the 401 round trip
        self._auth_types: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- sessions ---------------------------------------------------------------------------

    @contextmanager
    def _client(
        self,
        url: str,
        account: CalDavAccount,
        password: str,
        *,
        verify: bool | str,
        timeout: float,
        discover: bool = False,
    ) -> Iterator[DAVClient]:
        server = urlsplit(url).netloc if "://" in url else url
        with self._lock:
            auth_type = self._auth_types.get(server)
        client = DAVClient(
            url=url,
            username=account.username,
            password=password,
            auth_type=auth_type,
            # caldav annotates an int, and hands it on to niquests, which takes a float
            timeout=cast(int, timeout),
            ssl_verify_cert=verify,
            # DNS service records only for a name typed without a scheme; never for an IP
            # address or localhost, where the lookup could only wait and fail
            enable_rfc6764=discover,
        )
        try:
            yield client
            scheme = type(client.auth).__name__ if client.auth is not None else ""
            learnt = {"HTTPBasicAuth": "basic", "HTTPDigestAuth": "digest"}.get(scheme)
            if learnt:
                with self._lock:
                    self._auth_types[server] = learnt
        finally:
            client.close()

    @staticmethod
    def _verify(account: CalDavAccount, url: str) -> bool | str:
        """What niquests checks the certificate against: the CAs, or the trusted one.

        A trusted fingerprint is pinned on every connection ("sha256_<hex>"): niquests then
        accepts exactly that certificate, so another one fails even in mid-session.
        """
        if account.trusted_fingerprint and url.startswith("https:"):
            digest = account.trusted_fingerprint.replace(":", "").replace(" ", "").lower()
            return f"sha256_{digest}"
        return True

    # -- the port ---------------------------------------------------------------------------

    def check(
        self, account: CalDavAccount, password: str, *, timeout: float = 15.0
    ) -> ConnectionReport:
        def open_client(
            url: str, verify: bool | str, discover: bool
        ) -> AbstractContextManager[DAVClient]:
            return self._client(
                url, account, password, verify=verify, timeout=timeout, discover=discover
            )

        verify = self._verify(account, account.url if "://" in account.url else "https:")
        return Discovery(open_client, timeout).check(account, verify)

    def put_event(
        self,
        account: CalDavAccount,
        password: str,
        calendar_url: str,
        uid: str,
        data: bytes,
        *,
        href: str = "",
        etag: str = "",
    ) -> RemoteObject:
        try:
            with self._calendar_client(account, password, calendar_url) as client:
                return EventWriter(client, calendar_url).put(uid, data, href, etag)
        except _FAILURES as exc:
            raise self._send_error(exc, account, calendar_url) from exc

    def find_by_uid(
        self, account: CalDavAccount, password: str, calendar_url: str, uid: str
    ) -> RemoteObject | None:
        try:
            with self._calendar_client(account, password, calendar_url) as client:
                return EventWriter(client, calendar_url).find(uid)
        except _FAILURES as exc:
            raise self._send_error(exc, account, calendar_url) from exc

    def changes(
        self, account: CalDavAccount, password: str, calendar_url: str, token: str
    ) -> RemoteChanges:
        try:
            with self._calendar_client(account, password, calendar_url) as client:
                return CalendarReader(client, calendar_url).changes(token)
        except _FAILURES as exc:
            where = self._where(account, calendar_url)
            failure, fingerprint = self._failure(exc, where, calendar_url)
            if failure.reason == "writing is not allowed":
                failure = Failure("refused", "reading is not allowed")
            log.info("CalDAV sync of %s failed: %s (%s)", where.host, failure.kind, exc)
            raise SourceError(
                caldav_source(account.name, calendar_url),
                read_message(failure, where, fingerprint),
            ) from exc

    # -- inside -----------------------------------------------------------------------------

    def _calendar_client(
        self, account: CalDavAccount, password: str, calendar_url: str
    ) -> AbstractContextManager[DAVClient]:
        return self._client(
            calendar_url,
            account,
            password,
            verify=self._verify(account, calendar_url),
            timeout=self._timeout,
        )

    def _where(self, account: CalDavAccount, calendar_url: str) -> Where:
        info = account.calendar(calendar_url)
        name = info.name if info else unquote(calendar_url.rstrip("/").rsplit("/", 1)[-1])
        parts = urlsplit(calendar_url)
        host = parts.hostname or calendar_url
        default = 443 if parts.scheme == "https" else 80
        if parts.port and parts.port != default:
            host = f"{host}:{parts.port}"
        return Where(host, account.username, name, self._timeout)

    def _failure(self, exc: BaseException, where: Where, calendar_url: str) -> tuple[Failure, str]:
        """What ``exc`` means, and the certificate's fingerprint when that is the trouble."""
        if isinstance(exc, HttpError | SyncRefused):
            body = exc.body if isinstance(exc, HttpError) else b""
            failure = http_failure(exc.status, body, where)
        elif isinstance(exc, UidTaken):
            failure = Failure("conflict", "another event holds its UID")
        elif isinstance(exc, dav_error.DAVError) and exc.status:
            body = exc.body.encode() if isinstance(exc.body, str) else (exc.body or b"")
            failure = http_failure(exc.status, body, where)
        elif isinstance(exc, dav_error.DAVError | SyntaxError):
            failure = Failure("server", f"its answer could not be read ({exc})")
        else:
            failure = network_failure(exc, where)
        fingerprint = ""
        if failure.kind == "certificate":
            parts = urlsplit(calendar_url)
            try:
                fingerprint = tls.peer_fingerprint(
                    parts.hostname or "", parts.port or 443, where.timeout
                )
            except OSError as error:
                log.info("could not read the certificate of %s: %s", where.host, error)
        return failure, fingerprint

    def _send_error(
        self, exc: BaseException, account: CalDavAccount, calendar_url: str
    ) -> SendError:
        where = self._where(account, calendar_url)
        failure, fingerprint = self._failure(exc, where, calendar_url)
        log.info("CalDAV write to %s failed: %s (%s)", where.host, failure.kind, exc)
        return SendError(
            send_message(failure, where, fingerprint), send_kind(failure), fingerprint=fingerprint
        )
