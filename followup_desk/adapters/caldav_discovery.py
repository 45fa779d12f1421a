"""Finding a rep's calendars from a server address and a user name (RFC 6764, RFC 4791).

"Test connection" gives exactly one :class:`ConnectionReport`: connected with the calendars
found (their names, colours, components and whether the rep may write to them), or the one
thing that went wrong, said so the rep knows what to do: the password, the address, the
certificate (with its fingerprint, to trust it by), a server that is no CalDAV server, or
calendars that are all read-only.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, unquote, urljoin, urlsplit

from caldav.collection import CalendarSet, Principal
from caldav.davclient import DAVClient
from caldav.elements import cdav, dav, ical
from caldav.elements.base import BaseElement
from caldav.lib import error as dav_error
from caldav.response import DAVResponse, PropfindResult
from niquests.exceptions import RequestException

from followup_desk.adapters import tls
from followup_desk.adapters.caldav_failures import Where, network_failure
from followup_desk.domain.accounts import CalDavAccount, CalendarInfo, Check, ConnectionReport

log = logging.getLogger(__name__)

#: Opens a client for (url, certificate check, RFC 6764 discovery); closes it on exit.
ClientOpener = Callable[[str, bool | str, bool], AbstractContextManager[DAVClient]]

_NETWORK_ERRORS = (RequestException, OSError)
# caldav's errors; lxml's XMLSyntaxError (a SyntaxError) for an answer that says it is XML
# and is not (lxml ships no types, so it is caught by its builtin base class); and the
# ValueError caldav raises when a server names its principal on another host.
_DAV_ERRORS = (dav_error.DAVError, SyntaxError, ValueError)
_WRITE_PRIVILEGES = {"{DAV:}all", "{DAV:}write", "{DAV:}write-content"}
_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"
_COMPONENTS = "{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set"
_COLOR = "{http://apple.com/ns/ical/}calendar-color"
WELL_KNOWN = "/.well-known/caldav"


@dataclass(frozen=True)
class Address:
    """The server address the rep typed, made usable."""

    url: str  # with a scheme; the path as typed ("" or "/" for a bare server)
    host: str
    port: int
    https: bool
    bare: bool  # typed without a scheme: RFC 6764 discovery (SRV, well-known) applies

    @property
    def shown(self) -> str:
        default = 443 if self.https else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"

    @property
    def is_literal(self) -> bool:
        """An IP address or localhost: no DNS service records to look up."""
        if self.host == "localhost":
            return True
        try:
            ipaddress.ip_address(self.host.strip("[]"))
        except ValueError:
            return False
        return True

    def candidates(self) -> list[tuple[str, bool]]:
        """Where to look for the user's principal, in order, and whether through RFC 6764.

        A name typed without a scheme goes to caldav's RFC 6764 discovery (DNS SRV and TXT
        records, then https://name/.well-known/caldav, then https://name/). A bare server
        URL is asked through /.well-known/caldav first (the client follows its redirect),
        then at its root; a URL with a path is taken at its word first.
        """
        at_root = urlsplit(self.url).path in ("", "/")
        if self.bare and at_root and not self.is_literal:
            return [(self.shown, True)]
        root = f"{'https' if self.https else 'http'}://{self.shown}/"
        well_known = root + WELL_KNOWN.lstrip("/")
        if at_root:
            return [(well_known, False), (root, False)]
        return [(self.url, False), (well_known, False)]


def parse_address(text: str) -> Address:
    raw = text.strip()
    bare = "://" not in raw
    parts = urlsplit(raw if not bare else "https://" + raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{text!r} is not a server address. Type one like https://cal.example.com."
        )
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as exc:
        raise ValueError(
            f"{text!r} has an invalid port. Type one like cal.example.com:8443."
        ) from exc
    return Address(parts.geturl(), parts.hostname, port, https, bare)


class _Stop(Exception):
    """Ends a check early with the report to give."""

    def __init__(self, report: ConnectionReport) -> None:
        super().__init__(report.message)
        self.report = report


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


class Discovery:
    """One connection test: principal, calendar home, calendars; see :meth:`check`."""

    def __init__(self, open_client: ClientOpener, timeout: float) -> None:
        self._open = open_client
        self._timeout = timeout

    def _fingerprint(self, address: Address) -> str:
        try:
            return tls.peer_fingerprint(address.host, address.port, self._timeout)
        except OSError as exc:
            log.info("could not read the certificate of %s: %s", address.shown, exc)
            return ""

    def check(self, account: CalDavAccount, verify: bool | str) -> ConnectionReport:
        """The one report on ``account``; ``verify`` is a pinned fingerprint or True."""
        try:
            address = parse_address(account.url)
        except ValueError as exc:
            return ConnectionReport(Check.UNREACHABLE, str(exc))
        where = Where(address.shown, account.username, timeout=self._timeout)
        try:
            report = self._check(account, address, where, verify if address.https else True)
        except _Stop as stop:
            report = stop.report
        log.info("CalDAV check of %s as %s: %s", address.shown, account.username, report.check)
        return report

    def _check(
        self, account: CalDavAccount, address: Address, where: Where, verify: bool | str
    ) -> ConnectionReport:
        if isinstance(verify, str):
            self._compare_fingerprint(account, address, where)
        for candidate, discover in address.candidates():
            url = candidate
            if candidate.endswith(WELL_KNOWN):
                url = self._context_path(candidate, address, where, verify)
                if not url:
                    continue
            with self._open(url, verify, discover) as client:
                home = self._home(client, address, where)
                if home:
                    return self._listing(client, home, address, where)
        raise _Stop(
            ConnectionReport(
                Check.NOT_CALDAV,
                f"{address.shown} answers, but not as a CalDAV calendar server (no calendar "
                "home was found). Check the address: some servers need a path, such as "
                "https://host/remote.php/dav/.",
            )
        )

    def _context_path(self, url: str, address: Address, where: Where, verify: bool | str) -> str:
        """Where /.well-known/caldav redirects to (RFC 6764 5), or "" when it does not.

        Asked with a GET that does not follow the redirect, as caldav's own RFC 6764 code
        does: a client following a 302 turns the PROPFIND into a GET (niquests, like
        browsers), and Xandikos answers /.well-known/caldav with a 302.
        """
        with self._open(url, verify, False) as client:
            try:
                response = client.session.get(
                    url, allow_redirects=False, timeout=self._timeout, verify=verify
                )
            except _NETWORK_ERRORS as exc:
                raise _Stop(self._network_report(exc, address, where)) from exc
        location = response.headers.get("Location") if response.is_redirect else None
        if not location:
            return ""
        target = urljoin(url, str(location))
        if address.https and not target.startswith("https:"):
            log.warning("ignoring a redirect from https to %s", target)
            return ""
        return target

    def _compare_fingerprint(self, account: CalDavAccount, address: Address, where: Where) -> None:
        try:
            seen = tls.peer_fingerprint(address.host, address.port, where.timeout)
        except OSError as exc:
            raise _Stop(self._network_report(exc, address, where)) from exc
        if not tls.same_fingerprint(account.trusted_fingerprint, seen):
            raise _Stop(
                ConnectionReport(
                    Check.UNTRUSTED_CERTIFICATE,
                    f"The certificate of {address.shown} has CHANGED since you trusted it; "
                    f"its fingerprint is now {seen}. Trust it again only if you know why it "
                    "changed (it was renewed, say): otherwise someone may be listening in.",
                    fingerprint=seen,
                )
            )

    def _network_report(
        self, exc: BaseException, address: Address, where: Where
    ) -> ConnectionReport:
        failure = network_failure(exc, where)
        if failure.kind == "certificate":
            fingerprint = self._fingerprint(address)
            shown = f" Its fingerprint is {fingerprint}." if fingerprint else ""
            return ConnectionReport(
                Check.UNTRUSTED_CERTIFICATE,
                f"The certificate of {address.shown} is not trusted (it may be self-signed)."
                f"{shown} If this is your own server and the fingerprint matches, trust it.",
                fingerprint=fingerprint,
            )
        if failure.kind == "timeout":
            message = (
                f"{address.shown} did not answer within {where.timeout:g} seconds. Check the "
                "address, or try again when the network is better."
            )
        elif failure.kind == "dns":
            message = (
                f"The name {address.host} could not be found. Check the address for typing "
                "errors, and that this computer is online."
            )
        elif failure.kind == "tls":
            message = (
                f"No secure (https) connection could be made to {address.shown}. If the "
                "server speaks plain http, type the address with http://."
            )
        elif "refused" in failure.reason:
            message = (
                f"Nothing answers at {address.shown} (the connection was refused). Check the "
                "address and port, and that the server is running."
            )
        else:
            message = (
                f"{address.shown} closed the connection without answering. Check the address "
                "and port (http or https?)."
            )
        return ConnectionReport(Check.UNREACHABLE, message)

    def _home(self, client: DAVClient, address: Address, where: Where) -> str:
        """The calendar home URL found from ``client``'s URL, or "" when there is none."""
        try:
            principal = Principal(client=client)
            # a str, or several homes as a list (then the first is the user's own)
            home: object = principal.get_property(cdav.CalendarHomeSet())
        except dav_error.AuthorizationError as exc:
            raise _Stop(
                ConnectionReport(
                    Check.WRONG_PASSWORD,
                    f"{address.shown} refused the user name {where.user!r} with this password. "
                    "Check both and try again; some servers want an app password.",
                )
            ) from exc
        except _NETWORK_ERRORS as exc:
            raise _Stop(self._network_report(exc, address, where)) from exc
        except _DAV_ERRORS as exc:
            log.info("no CalDAV principal at %s: %s", client.url, exc)
            return ""
        if isinstance(home, list):
            home = home[0] if home else None
        if not isinstance(home, str) or not home:
            return ""
        return urljoin(str(principal.url), quote(unquote(home), safe="/@:"))

    def _listing(
        self, client: DAVClient, home: str, address: Address, where: Where
    ) -> ConnectionReport:
        props: list[BaseElement] = [
            dav.ResourceType(),
            dav.DisplayName(),
            cdav.SupportedCalendarComponentSet(),
            ical.CalendarColor(),
            dav.CurrentUserPrivilegeSet(),
        ]
        try:
            response = cast(
                DAVResponse,
                CalendarSet(client=client, url=home).get_properties(
                    props, depth=1, parse_response_xml=False
                ),
            )
        except dav_error.AuthorizationError as exc:
            raise _Stop(
                ConnectionReport(
                    Check.WRONG_PASSWORD,
                    f"{address.shown} does not let {where.user!r} list the calendars. Check the "
                    "user name and password.",
                )
            ) from exc
        except _NETWORK_ERRORS as exc:
            raise _Stop(self._network_report(exc, address, where)) from exc
        except _DAV_ERRORS as exc:
            log.info("calendar home %s not listable: %s", home, exc)
            raise _Stop(
                ConnectionReport(
                    Check.NOT_CALDAV,
                    f"{address.shown} named a calendar home but does not list it. Check the "
                    "address, or ask the server's administrator.",
                )
            ) from exc
        calendars = tuple(self._calendars(response, home))
        server = str(response.headers.get("Server", "") or "")
        events = [c for c in calendars if "VEVENT" in c.components]
        counted = f"{len(calendars)} calendar{'s' if len(calendars) != 1 else ''} found"
        if not events:
            return ConnectionReport(
                Check.READ_ONLY,
                f"Connected to {address.shown} as {where.user}, but there is no calendar for "
                "events there. Create one in your calendar program, then test again.",
                calendars,
                home,
                server=server,
            )
        if all(c.read_only for c in events):
            return ConnectionReport(
                Check.READ_ONLY,
                f"Connected to {address.shown} as {where.user}, but every calendar there is "
                "read-only for you, so bookings cannot be written. Ask for write access to "
                "one, or use another account.",
                calendars,
                home,
                server=server,
            )
        return ConnectionReport(
            Check.CONNECTED,
            f"Connected to {address.shown} as {where.user}: {counted}.",
            calendars,
            home,
            server=server,
        )

    @staticmethod
    def _calendars(response: DAVResponse, home: str) -> Iterator[CalendarInfo]:
        for result in response.results or []:
            if not isinstance(result, PropfindResult):
                continue
            properties: dict[str, Any] = result.properties
            if _CALENDAR not in _as_list(properties.get("{DAV:}resourcetype")):
                continue
            url = urljoin(home, quote(result.href, safe="/@:"))
            if not url.endswith("/"):
                url += "/"
            name = str(properties.get("{DAV:}displayname") or "").strip()
            if not name:
                name = unquote(url.rstrip("/").rsplit("/", 1)[-1])
            privileges = properties.get("{DAV:}current-user-privilege-set")
            read_only = privileges is not None and not _WRITE_PRIVILEGES & set(_as_list(privileges))
            components = tuple(c.upper() for c in _as_list(properties.get(_COMPONENTS)))
            yield CalendarInfo(
                url=url,
                name=name,
                read_only=read_only,
                # RFC 4791 5.2.3: without the property, a calendar takes every component
                components=components or ("VEVENT", "VTODO"),
                color=str(properties.get(_COLOR) or ""),
            )
