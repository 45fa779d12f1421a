"""Calendar feeds over real HTTP: conditional GET, content hashes, and every failure's sentence.

A small http.server on 127.0.0.1 (random port) plays the calendar host. Its routes are
the situations a rep meets: a feed with an ETag, one with only Last-Modified, one with
neither, a private feed, a missing one, a failing server, a slow one, a huge one.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from followup_desk.adapters import feeds, ics_source
from followup_desk.adapters.ics_reader import ParsedBusy
from followup_desk.adapters.ics_source import IcsCalendarSource
from followup_desk.domain.intervals import BusyBlock
from followup_desk.errors import SourceError
from tests.conftest import ICS_FIXTURES

ZONE = "Europe/Berlin"
WINDOW = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
CALENDAR = (ICS_FIXTURES / "transparent_and_opaque.ics").read_bytes()
CALENDAR_BLOCKS = (
    BusyBlock(datetime(2026, 6, 3, 11, tzinfo=UTC), datetime(2026, 6, 3, 12, tzinfo=UTC)),
    BusyBlock(datetime(2026, 6, 3, 13, tzinfo=UTC), datetime(2026, 6, 3, 14, tzinfo=UTC)),
)
OTHER_CALENDAR = (ICS_FIXTURES / "floating_time.ics").read_bytes()
ETAG = '"v1-6d8f"'
LAST_MODIFIED = "Mon, 01 Jun 2026 08:00:00 GMT"
TWO_MEGABYTES = 2 << 20
SLOW_SECONDS = 5.0  # how long the slow routes stall at most (released at teardown)


@dataclass
class Host:
    """What the calendar host serves and what it saw."""

    base: str
    bodies: dict[str, bytes] = field(default_factory=dict)
    seen: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def statuses(self, path: str) -> list[int]:
        return [status for seen_path, status, _ in self.seen if seen_path == path]

    def headers(self, path: str) -> list[dict[str, str]]:
        return [headers for seen_path, _, headers in self.seen if seen_path == path]


class _Handler(BaseHTTPRequestHandler):
    host: Host  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.host.seen.append((self.path, status, dict(self.headers.items())))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        route = self.path
        body = self.host.bodies.get(route, CALENDAR)
        calendar = {"Content-Type": "text/calendar; charset=utf-8"}
        if route == "/etag.ics":
            if self.headers.get("If-None-Match") == ETAG:
                self._send(304, headers={"ETag": ETAG})
            else:
                self._send(200, body, {**calendar, "ETag": ETAG})
        elif route == "/etag-no-304.ics":  # a host that ignores If-None-Match
            self._send(200, body, {**calendar, "ETag": ETAG})
        elif route == "/modified.ics":
            if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                self._send(304)
            else:
                self._send(200, body, {**calendar, "Last-Modified": LAST_MODIFIED})
        elif route == "/plain.ics":  # no validators at all
            self._send(200, body, calendar)
        elif route == "/login.html":
            page = (ICS_FIXTURES / "not_a_calendar.html").read_bytes()
            self._send(200, page, {"Content-Type": "text/html"})
        elif route == "/private.ics":
            self._send(401, b"auth needed", {"WWW-Authenticate": 'Basic realm="cal"'})
        elif route == "/missing.ics":
            self._send(404, b"no such calendar")
        elif route == "/broken.ics":
            self._send(500, b"stack trace")
        elif route == "/slow.ics":  # says nothing until long after the timeout
            self.host.release.wait(SLOW_SECONDS)
            self._send(200, body, calendar)
        elif route == "/stalls-mid-body.ics":  # headers, half the body, then silence
            self.host.seen.append((route, 200, dict(self.headers.items())))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.host.release.wait(SLOW_SECONDS)
        elif route == "/trickle.ics":  # a few bytes every so often: no single read times out
            self.host.seen.append((route, 200, dict(self.headers.items())))
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"BEGIN:VCALENDAR\r\n")
            while not self.host.release.wait(0.05):
                self.wfile.write(b"X-FILLER:x\r\n")
                self.wfile.flush()
        elif route == "/big-declared.ics":  # says 2 MB up front; nothing needs reading
            self._send(200, b"", {**calendar, "Content-Length": str(TWO_MEGABYTES)})
        elif route == "/big-undeclared.ics":  # 2 MB with no length, ended by closing
            self.host.seen.append((route, 200, dict(self.headers.items())))
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"X-FILLER:" + b"x" * 1014 + b"\r\n"  # 1 KiB lines
            for _ in range(TWO_MEGABYTES // len(chunk) + 1):
                self.wfile.write(chunk)
        else:
            self._send(404)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handlers: nothing outlives a test

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, size cap) breaks the pipe; that is expected."""


@pytest.fixture
def host() -> Iterator[Host]:
    state = Host(base="")

    class Handler(_Handler):
        host = state

    server = _Server(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make any further parse fail the test; call it between the first and second load."""

    def refuse() -> None:
        def parse(*args: object) -> ParsedBusy:
            raise AssertionError("an unchanged feed was parsed again")

        monkeypatch.setattr(ics_source, "busy_blocks", parse)

    return refuse


def source(**kwargs: Any) -> IcsCalendarSource:
    return IcsCalendarSource(**{"timeout": 2.0, **kwargs})


def failure(url: str, **kwargs: Any) -> SourceError:
    with pytest.raises(SourceError) as raised:
        source(**kwargs).load(url, WINDOW, ZONE, None)
    assert raised.value.source == url
    return raised.value


# --- unchanged feeds are recognised without parsing --------------------------------------------


def test_an_etag_feed_is_read_once_then_answered_not_modified(
    host: Host, no_parse: Callable[[], None]
) -> None:
    url = host.url("/etag.ics")
    first = source().load(url, WINDOW, ZONE, None)
    assert first.unchanged is False
    assert first.fingerprint == f"etag:{ETAG}"
    assert first.blocks == CALENDAR_BLOCKS

    no_parse()
    second = source().load(url, WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is True
    assert second.fingerprint == first.fingerprint
    assert second.blocks == ()
    assert host.statuses("/etag.ics") == [200, 304]
    assert host.headers("/etag.ics")[1]["If-None-Match"] == ETAG


def test_a_host_ignoring_if_none_match_is_still_recognised_by_its_etag(
    host: Host, no_parse: Callable[[], None]
) -> None:
    url = host.url("/etag-no-304.ics")
    first = source().load(url, WINDOW, ZONE, None)

    no_parse()
    second = source().load(url, WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is True
    assert host.statuses("/etag-no-304.ics") == [200, 200]


def test_a_last_modified_feed_is_answered_not_modified(
    host: Host, no_parse: Callable[[], None]
) -> None:
    url = host.url("/modified.ics")
    first = source().load(url, WINDOW, ZONE, None)
    assert first.fingerprint == f"modified:{LAST_MODIFIED}"

    no_parse()
    second = source().load(url, WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is True
    assert host.statuses("/modified.ics") == [200, 304]
    assert host.headers("/modified.ics")[1]["If-Modified-Since"] == LAST_MODIFIED


def test_a_feed_without_validators_is_recognised_by_its_content(
    host: Host, no_parse: Callable[[], None]
) -> None:
    url = host.url("/plain.ics")
    first = source().load(url, WINDOW, ZONE, None)
    assert first.fingerprint.startswith("sha256:")
    assert first.blocks == CALENDAR_BLOCKS

    no_parse()
    second = source().load(url, WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is True
    assert second.fingerprint == first.fingerprint


def test_a_feed_whose_content_changed_is_read_again(host: Host) -> None:
    url = host.url("/plain.ics")
    first = source().load(url, WINDOW, ZONE, None)
    host.bodies["/plain.ics"] = OTHER_CALENDAR

    second = source().load(url, WINDOW, ZONE, first.fingerprint)

    assert second.unchanged is False
    assert second.fingerprint != first.fingerprint
    assert second.blocks == (
        BusyBlock(datetime(2026, 6, 2, 7, tzinfo=UTC), datetime(2026, 6, 2, 8, tzinfo=UTC)),
    )


def test_the_feed_request_names_the_app_and_asks_for_a_calendar(host: Host) -> None:
    source().load(host.url("/plain.ics"), WINDOW, ZONE, None)

    (headers,) = host.headers("/plain.ics")
    assert headers["User-Agent"].startswith("FollowupDesk/")
    assert headers["Accept"].startswith("text/calendar")


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "fetched"),
    [
        ("webcal://calendar.example.com/robin.ics", "https://calendar.example.com/robin.ics"),
        ("WEBCAL://calendar.example.com/a/b.ics", "https://calendar.example.com/a/b.ics"),
        ("webcals://calendar.example.com/robin.ics", "https://calendar.example.com/robin.ics"),
        ("https://calendar.example.com/robin.ics", "https://calendar.example.com/robin.ics"),
        ("http://calendar.example.com/robin.ics", "http://calendar.example.com/robin.ics"),
    ],
)
def test_webcal_addresses_are_fetched_over_https(given: str, fetched: str) -> None:
    assert feeds.is_feed(given)
    assert feeds.http_url(given) == fetched


@pytest.mark.parametrize(
    "path", ["/home/robin/work.ics", "C:\\Users\\robin\\work.ics", "~/cal.ics", "file:///x.ics"]
)
def test_file_paths_are_not_feeds(path: str) -> None:
    assert not feeds.is_feed(path)


# --- every failure has its own sentence --------------------------------------------------------


def test_a_private_feed_asks_for_the_secret_address(host: Host) -> None:
    url = host.url("/private.ics")

    assert str(failure(url)) == (
        f"{url} refused access (401 Unauthorized). If the calendar is private, use its "
        "secret address (the 'secret iCal address' in Google Calendar) instead."
    )


def test_a_missing_feed_says_to_check_the_address(host: Host) -> None:
    url = host.url("/missing.ics")

    assert str(failure(url)) == (
        f"{url} was not found (404 Not Found). Check the address; the calendar may "
        "have been unpublished."
    )


def test_a_failing_server_says_to_try_later(host: Host) -> None:
    url = host.url("/broken.ics")

    assert str(failure(url)) == (
        f"The server of {url} failed (500 Internal Server Error). This is usually "
        "temporary; try again later."
    )


def test_the_three_http_failures_read_differently(host: Host) -> None:
    messages = {str(failure(host.url(p))) for p in ("/private.ics", "/missing.ics", "/broken.ics")}

    assert len(messages) == 3


def test_a_page_that_is_not_a_calendar_is_named(host: Host) -> None:
    url = host.url("/login.html")

    assert str(failure(url)).startswith(f"{url} is not an iCalendar file")


def test_a_server_that_does_not_answer_in_time_gets_the_timeout_sentence(host: Host) -> None:
    url = host.url("/slow.ics")

    assert str(failure(url, timeout=0.5)) == (
        f"{url} did not answer within 0.5 seconds. Check your connection or try again "
        "later; the last copy read is used meanwhile, if there is one."
    )


def test_a_server_that_stops_in_the_middle_gets_the_timeout_sentence(host: Host) -> None:
    url = host.url("/stalls-mid-body.ics")

    assert str(failure(url, timeout=0.5)).startswith(f"{url} did not answer within 0.5 seconds.")


def test_a_server_that_trickles_bytes_for_ever_still_gets_the_timeout_sentence(
    host: Host,
) -> None:
    url = host.url("/trickle.ics")

    assert str(failure(url, timeout=0.3)).startswith(f"{url} did not answer within 0.3 seconds.")


@pytest.mark.parametrize("path", ["/big-declared.ics", "/big-undeclared.ics"])
def test_a_feed_over_the_size_limit_is_refused(host: Host, path: str) -> None:
    url = host.url(path)

    assert str(failure(url, max_megabytes=1)) == (
        f"{url} is larger than 1 MB, too large for a free/busy calendar. Export a shorter "
        "range, or raise free_busy.max_source_megabytes in the settings."
    )


def test_a_host_that_refuses_connections_is_unreachable() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/calendar.ics"

    message = str(failure(url))

    assert message.startswith(f"{url} could not be reached (")
    assert message.endswith(
        "Check the address and your connection; the last copy read is used meanwhile, "
        "if there is one."
    )
