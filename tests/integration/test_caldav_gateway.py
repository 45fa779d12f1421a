"""The CalDAV gateway against real Radicale and Xandikos servers on 127.0.0.1.

Connection tests (discovery, passwords, certificates, read-only calendars), then one
contract that every server must pass for writes and sync: a booking never turns into two
events, whatever the network does, and a refresh moves only what changed.
"""

from __future__ import annotations

import http.server
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from followup_desk.adapters.caldav_gateway import CaldavGateway
from followup_desk.adapters.tls import format_fingerprint
from followup_desk.domain.accounts import CalDavAccount, CalendarInfo, Check
from followup_desk.errors import SendError
from tests.servers import (
    CalDavServer,
    FaultProxy,
    free_port,
    make_self_signed_cert,
    start_radicale,
)


def account_for(
    server: CalDavServer, calendar_url: str = "", *, url: str = "", trusted_fingerprint: str = ""
) -> CalDavAccount:
    """The rep's account on ``server``; ``calendar_url`` is its calendar "Work"."""
    return CalDavAccount(
        name="work",
        url=url or server.url,
        username=server.username,
        calendars=(CalendarInfo(calendar_url, "Work"),) if calendar_url else (),
        trusted_fingerprint=trusted_fingerprint,
    )


def event(
    uid: str,
    *,
    sequence: int = 0,
    summary: str = "Demo call",
    partstat: str = "NEEDS-ACTION",
    start: str = "20261201T100000Z",
) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followup Desk tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\n"
        f"DURATION:PT30M\r\nSEQUENCE:{sequence}\r\nSUMMARY:{summary}\r\n"
        "ORGANIZER:mailto:rep@example.com\r\n"
        f"ATTENDEE;PARTSTAT={partstat};RSVP=TRUE:mailto:prospect@example.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def new_uid() -> str:
    return f"{uuid.uuid4()}@followup-desk.test"


def fingerprint_of(cert: Path) -> str:
    import ssl

    return format_fingerprint(ssl.PEM_cert_to_DER_cert(cert.read_text(encoding="ascii")))


@pytest.fixture
def gateway() -> CaldavGateway:
    return CaldavGateway(timeout=5.0)


# -- connection tests --------------------------------------------------------------------------


def test_connects_from_the_bare_server_address_and_lists_calendars(
    radicale: CalDavServer, gateway: CaldavGateway
) -> None:
    work = radicale.make_calendar(f"work-{uuid.uuid4().hex[:6]}", display_name="Work")
    tasks = radicale.make_calendar(
        f"tasks-{uuid.uuid4().hex[:6]}", components=("VTODO",), display_name="Tasks"
    )
    report = gateway.check(account_for(radicale), radicale.password)

    assert report.check is Check.CONNECTED, report.message
    assert report.message.startswith(f"Connected to 127.0.0.1:{radicale.url.split(':')[-1][:-1]}")
    assert report.home_url == radicale.home_url
    found = {c.url: c for c in report.calendars}
    assert found[work].name == "Work" and "VEVENT" in found[work].components
    assert found[tasks].components == ("VTODO",)
    assert not found[work].read_only


def test_connects_to_xandikos_from_its_root(xandikos: CalDavServer, gateway: CaldavGateway) -> None:
    report = gateway.check(account_for(xandikos), xandikos.password)

    assert report.check is Check.CONNECTED, report.message
    assert report.home_url == xandikos.home_url
    assert any("VEVENT" in c.components for c in report.calendars)


def test_connects_from_a_calendar_home_url(radicale: CalDavServer, gateway: CaldavGateway) -> None:
    radicale.make_calendar(f"home-{uuid.uuid4().hex[:6]}")
    report = gateway.check(account_for(radicale, url=radicale.home_url), radicale.password)

    assert report.check is Check.CONNECTED, report.message
    assert report.home_url == radicale.home_url


def test_a_wrong_password_says_so(radicale: CalDavServer, gateway: CaldavGateway) -> None:
    report = gateway.check(account_for(radicale), "not-the-password")

    assert report.check is Check.WRONG_PASSWORD
    assert radicale.username in report.message


def test_a_stopped_server_is_unreachable(tmp_path: Path, gateway: CaldavGateway) -> None:
    server = start_radicale(tmp_path / "gone")
    server.stop()

    report = gateway.check(account_for(server), server.password)

    assert report.check is Check.UNREACHABLE
    assert "refused" in report.message


def test_a_server_that_does_not_answer_in_time_is_unreachable(radicale: CalDavServer) -> None:
    with FaultProxy.to_url(radicale.url) as proxy:
        proxy.delay_next(1, seconds=2.0)
        report = CaldavGateway().check(
            account_for(radicale, url=proxy.url), radicale.password, timeout=0.5
        )

    assert report.check is Check.UNREACHABLE
    assert "did not answer within 0.5 seconds" in report.message


def test_a_name_that_does_not_resolve_is_unreachable(gateway: CaldavGateway) -> None:
    account = CalDavAccount("work", "http://calendar.invalid/", "rep")

    report = gateway.check(account, "pw")

    assert report.check is Check.UNREACHABLE
    assert "could not be found" in report.message


class _PlainSite(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is no access log."""


@pytest.fixture
def plain_web_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "index.html").write_text("<html><body>Hello</body></html>", encoding="utf-8")

    def handler(*args: object) -> _PlainSite:
        return _PlainSite(*args, directory=str(tmp_path))  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_web_server_that_is_not_caldav_says_so(
    plain_web_server: str, gateway: CaldavGateway
) -> None:
    account = CalDavAccount("work", plain_web_server, "rep")

    report = gateway.check(account, "pw")

    assert report.check is Check.NOT_CALDAV
    assert "not as a CalDAV" in report.message


def test_a_self_signed_certificate_can_be_trusted_by_its_fingerprint(
    tmp_path: Path, gateway: CaldavGateway
) -> None:
    cert, key = make_self_signed_cert(tmp_path / "tls")
    server = start_radicale(tmp_path / "radicale", tls=(cert, key))
    try:
        calendar = server.make_calendar("work")
        first = gateway.check(account_for(server), server.password)

        assert first.check is Check.UNTRUSTED_CERTIFICATE
        assert first.fingerprint == fingerprint_of(cert)
        assert first.fingerprint in first.message

        trusted = account_for(server, calendar, trusted_fingerprint=first.fingerprint)
        second = gateway.check(trusted, server.password)
        assert second.check is Check.CONNECTED, second.message

        uid = new_uid()
        stored = gateway.put_event(trusted, server.password, calendar, uid, event(uid))
        assert stored.etag
        with pytest.raises(SendError) as refused:
            gateway.put_event(account_for(server, calendar), server.password, calendar, uid, b"")
        assert refused.value.kind == "certificate"
        assert refused.value.fingerprint == first.fingerprint
    finally:
        server.stop()


def test_a_changed_certificate_is_not_trusted(tmp_path: Path, gateway: CaldavGateway) -> None:
    old_cert, _ = make_self_signed_cert(tmp_path / "old")
    cert, key = make_self_signed_cert(tmp_path / "new")
    server = start_radicale(tmp_path / "radicale", tls=(cert, key))
    try:
        account = account_for(server, trusted_fingerprint=fingerprint_of(old_cert))
        report = gateway.check(account, server.password)

        assert report.check is Check.UNTRUSTED_CERTIFICATE
        assert report.fingerprint == fingerprint_of(cert)
        assert "CHANGED" in report.message

        calendar = server.make_calendar("work")
        pinned = account_for(server, calendar, trusted_fingerprint=fingerprint_of(old_cert))
        with pytest.raises(SendError) as refused:
            gateway.put_event(pinned, server.password, calendar, "uid-1", event("uid-1"))
        assert refused.value.kind == "certificate"
        assert refused.value.fingerprint == fingerprint_of(cert)
    finally:
        server.stop()


def test_read_only_calendars_are_reported_and_refuse_bookings(
    tmp_path: Path, gateway: CaldavGateway
) -> None:
    server = start_radicale(tmp_path / "radicale", read_only_for={"rep": "rep/shared"})
    try:
        shared = server.read_only_urls["rep"]
        report = gateway.check(account_for(server), server.password)

        assert report.check is Check.READ_ONLY, report.message
        assert [c.read_only for c in report.calendars if c.url == shared] == [True]

        account = account_for(server, shared)
        uid = new_uid()
        with pytest.raises(SendError) as refused:
            gateway.put_event(account, server.password, shared, uid, event(uid))
        assert refused.value.kind == "refused"
        assert "'Work'" in str(refused.value) and "read-only" in str(refused.value)
    finally:
        server.stop()


# -- write failures ------------------------------------------------------------------------------


def test_a_write_with_a_wrong_password_waits_for_the_rep(
    radicale_calendar: tuple[CalDavServer, str], gateway: CaldavGateway
) -> None:
    server, calendar = radicale_calendar
    uid = new_uid()
    with pytest.raises(SendError) as failed:
        gateway.put_event(account_for(server, calendar), "wrong", calendar, uid, event(uid))

    assert failed.value.kind == "auth" and not failed.value.retry
    assert "Accounts" in str(failed.value)


def test_a_write_to_a_stopped_server_is_retried_later(
    tmp_path: Path, gateway: CaldavGateway
) -> None:
    calendar = f"http://127.0.0.1:{free_port()}/rep/work/"
    account = CalDavAccount("work", calendar, "rep")
    with pytest.raises(SendError) as failed:
        gateway.put_event(account, "pw", calendar, "uid-1", event("uid-1"))

    assert failed.value.kind == "unreachable" and failed.value.retry
    assert "kept" in str(failed.value)


@pytest.mark.parametrize(
    ("status", "kind"), [(500, "server"), (503, "server"), (507, "quota"), (403, "refused")]
)
def test_http_errors_on_a_write_say_what_happened(
    radicale_calendar: tuple[CalDavServer, str], status: int, kind: str
) -> None:
    server, calendar = radicale_calendar
    with FaultProxy.to_url(server.url) as proxy:
        via = proxy.via(calendar)
        account = account_for(server, via)
        gateway = CaldavGateway(timeout=5.0)
        proxy.fail_next(1, status)
        uid = new_uid()
        with pytest.raises(SendError) as failed:
            gateway.put_event(account, server.password, via, uid, event(uid))
    assert failed.value.kind == kind
    assert server.objects(calendar) == {}


def test_a_server_too_slow_to_answer_times_out(
    radicale_calendar: tuple[CalDavServer, str],
) -> None:
    server, calendar = radicale_calendar
    with FaultProxy.to_url(server.url) as proxy:
        via = proxy.via(calendar)
        gateway = CaldavGateway(timeout=0.5)
        proxy.delay_next(1, seconds=2.0)
        uid = new_uid()
        with pytest.raises(SendError) as failed:
            gateway.put_event(account_for(server, via), server.password, via, uid, event(uid))
    assert failed.value.kind == "timeout" and failed.value.retry


# -- the contract every server passes ----------------------------------------------------------


@pytest.fixture(params=["radicale", "xandikos"])
def calendar(request: pytest.FixtureRequest) -> tuple[CalDavServer, str]:
    """An empty calendar on each server in turn."""
    found: tuple[CalDavServer, str] = request.getfixturevalue(f"{request.param}_calendar")
    return found


@pytest.fixture
def proxy(calendar: tuple[CalDavServer, str]) -> Iterator[FaultProxy]:
    with FaultProxy.to_url(calendar[0].url) as proxy:
        yield proxy


def warm_up(gateway: CaldavGateway, account: CalDavAccount, password: str, url: str) -> None:
    """One call, so the gateway knows how the server logs in: a fault queued next then hits
    the request that carries the event, not the unauthenticated one answered 401."""
    gateway.changes(account, password, url, "")


class TestEventContract:
    """put_event, find_by_uid and changes on every server."""

    def test_creating_twice_makes_one_event(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        uid = new_uid()

        first = gateway.put_event(account, server.password, url, uid, event(uid))
        second = gateway.put_event(account, server.password, url, uid, event(uid))

        assert first.etag and second.href == first.href and second.etag == first.etag
        assert len(server.objects(url)) == 1

    def test_a_newer_revision_replaces_an_event_created_before(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        uid = new_uid()
        gateway.put_event(account, server.password, url, uid, event(uid))

        moved = event(uid, sequence=1, start="20261202T090000Z", summary="Moved")
        stored = gateway.put_event(account, server.password, url, uid, moved)

        assert b"Moved" in stored.data
        (only,) = server.objects(url).values()
        assert b"Moved" in only

    def test_an_update_with_a_stale_etag_keeps_the_prospects_answer(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        uid = new_uid()
        created = gateway.put_event(account, server.password, url, uid, event(uid))
        # the prospect accepts: the server's copy changes, and with it its ETag
        server.put(url, created.href.rsplit("/", 1)[-1], event(uid, partstat="ACCEPTED"))

        renamed = event(uid, summary="Demo call with the CFO")
        stored = gateway.put_event(
            account, server.password, url, uid, renamed, href=created.href, etag=created.etag
        )

        (only,) = server.objects(url).values()
        assert b"with the CFO" in only and b"PARTSTAT=ACCEPTED" in only
        assert stored.etag != created.etag

    def test_an_update_knowing_only_the_href_reads_the_etag_first(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        uid = new_uid()
        created = gateway.put_event(account, server.password, url, uid, event(uid))

        stored = gateway.put_event(
            account, server.password, url, uid, event(uid, summary="Renamed"), href=created.href
        )

        assert stored.href == created.href
        (only,) = server.objects(url).values()
        assert b"Renamed" in only

    def test_find_by_uid(self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway) -> None:
        server, url = calendar
        account = account_for(server, url)
        ours, theirs = new_uid(), "made-by-another-client"
        created = gateway.put_event(account, server.password, url, ours, event(ours))
        server.put(url, "some-other-name.ics", event(theirs))

        found = gateway.find_by_uid(account, server.password, url, ours)
        elsewhere = gateway.find_by_uid(account, server.password, url, theirs)

        assert found is not None and found.href == created.href and found.etag == created.etag
        assert elsewhere is not None and elsewhere.href.endswith("/some-other-name.ics")
        assert theirs.encode() in elsewhere.data and elsewhere.etag
        assert gateway.find_by_uid(account, server.password, url, "nobody") is None

    def test_a_create_that_landed_but_got_a_500_is_not_made_twice(
        self, calendar: tuple[CalDavServer, str], proxy: FaultProxy, gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        via = proxy.via(url)
        account = account_for(server, via)
        uid = new_uid()
        warm_up(gateway, account, server.password, via)

        proxy.fail_after_forward_next(1, 500)
        with pytest.raises(SendError) as failed:
            gateway.put_event(account, server.password, via, uid, event(uid))
        assert failed.value.kind == "server" and failed.value.retry
        assert len(server.objects(url)) == 1  # it landed all the same
        stored = gateway.put_event(account, server.password, via, uid, event(uid))

        assert stored.etag
        assert len(server.objects(url)) == 1
        puts = [r for r in proxy.history if r.method == "PUT"]
        assert len(puts) == 2  # the lost one, and the retry's If-None-Match that found it

    def test_a_create_whose_connection_dropped_is_not_made_twice(
        self, calendar: tuple[CalDavServer, str], proxy: FaultProxy, gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        via = proxy.via(url)
        account = account_for(server, via)
        uid = new_uid()
        warm_up(gateway, account, server.password, via)

        proxy.drop_after_forward_next(1)
        with pytest.raises(SendError) as failed:
            gateway.put_event(account, server.password, via, uid, event(uid))
        assert failed.value.kind == "unreachable" and failed.value.retry
        assert len(server.objects(url)) == 1  # it landed all the same
        gateway.put_event(account, server.password, via, uid, event(uid))

        assert len(server.objects(url)) == 1

    def test_an_update_whose_answer_was_lost_is_not_a_conflict(
        self, calendar: tuple[CalDavServer, str], proxy: FaultProxy, gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        via = proxy.via(url)
        account = account_for(server, via)
        uid = new_uid()
        created = gateway.put_event(account, server.password, via, uid, event(uid))
        moved = event(uid, sequence=1, summary="Moved")

        proxy.drop_after_forward_next(1)
        with pytest.raises(SendError):
            gateway.put_event(
                account, server.password, via, uid, moved, href=created.href, etag=created.etag
            )
        (landed,) = server.objects(url).values()
        assert b"Moved" in landed
        stored = gateway.put_event(
            account, server.password, via, uid, moved, href=created.href, etag=created.etag
        )

        (only,) = server.objects(url).values()
        assert b"Moved" in only and stored.etag != created.etag

    def test_changes_move_only_what_changed(
        self, calendar: tuple[CalDavServer, str], proxy: FaultProxy, gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        for n in range(60):
            # random text, so the server's gzip cannot shrink the full read to nothing
            notes = os.urandom(200).hex()
            server.put(url, f"busy-{n}.ics", event(f"busy-{n}", summary=f"Meeting {notes}"))
        via = proxy.via(url)
        account = account_for(server, via)
        warm_up(gateway, account, server.password, via)

        proxy.reset_counters()
        initial = gateway.changes(account, server.password, via, "")
        full_bytes = proxy.bytes_up + proxy.bytes_down
        assert initial.full and len(initial.changed) == 60 and initial.token

        server.put(url, "busy-7.ics", event("busy-7", sequence=1, summary="Moved"))
        proxy.reset_counters()
        refresh = gateway.changes(account, server.password, via, initial.token)
        refresh_bytes = proxy.bytes_up + proxy.bytes_down

        assert not refresh.full and refresh.deleted == ()
        assert [o.href.rsplit("/", 1)[-1] for o in refresh.changed] == ["busy-7.ics"]
        assert b"Moved" in refresh.changed[0].data and refresh.changed[0].etag
        assert refresh_bytes < full_bytes / 10, (refresh_bytes, full_bytes)

        proxy.reset_counters()
        quiet = gateway.changes(account, server.password, via, refresh.token)
        assert (quiet.token, quiet.changed, quiet.deleted) == (refresh.token, (), ())
        assert proxy.requests == 1

    def test_changes_report_a_deleted_event(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        for uid in ("keep", "drop"):
            server.put(url, f"{uid}.ics", event(uid))
        initial = gateway.changes(account, server.password, url, "")

        status, _ = server.request("DELETE", url + "drop.ics")
        assert status in (200, 204)
        refresh = gateway.changes(account, server.password, url, initial.token)

        assert refresh.changed == ()
        assert [h.rsplit("/", 1)[-1] for h in refresh.deleted] == ["drop.ics"]

    def test_a_token_the_server_forgot_means_one_full_read(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        server.put(url, "one.ics", event("one"))

        forgotten = "http://radicale.org/ns/sync/" + "0" * 64
        changes = gateway.changes(account, server.password, url, forgotten)

        assert changes.full and len(changes.changed) == 1 and changes.token != forgotten

    def test_without_sync_collection_the_calendar_is_read_again_only_when_its_ctag_moves(
        self, calendar: tuple[CalDavServer, str], proxy: FaultProxy, gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        server.put(url, "one.ics", event("one"))
        via = proxy.via(url)
        account = account_for(server, via)
        warm_up(gateway, account, server.password, via)

        proxy.fail_next(1, 501)  # as a server without RFC 6578 answers the REPORT
        listed = gateway.changes(account, server.password, via, "")
        proxy.reset_counters()
        quiet = gateway.changes(account, server.password, via, listed.token)
        quiet_requests = proxy.requests
        server.put(url, "two.ics", event("two"))
        moved = gateway.changes(account, server.password, via, quiet.token)

        assert listed.full and listed.token.startswith("ctag:") and len(listed.changed) == 1
        assert (quiet.token, quiet.changed, quiet.full) == (listed.token, (), False)
        assert quiet_requests == 1  # one PROPFIND of the CTag
        assert moved.full and len(moved.changed) == 2 and moved.token != listed.token

    def test_without_sync_collection_a_task_done_elsewhere_is_listed_too(
        self, calendar: tuple[CalDavServer, str], proxy: FaultProxy, gateway: CaldavGateway
    ) -> None:
        # how a task ticked done in another app reaches the read-back on such a server
        server, _events = calendar
        url = server.make_calendar(
            f"tasks-{uuid.uuid4().hex[:6]}", components=("VEVENT", "VTODO"), display_name="Both"
        )
        server.put(url, "one.ics", event("one"))
        done = (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VTODO\r\n"
            b"UID:touch-k-1@followup-desk\r\nDTSTAMP:20261201T000000Z\r\nDUE;VALUE=DATE:20261201"
            b"\r\nSTATUS:COMPLETED\r\nCOMPLETED:20261201T090000Z\r\nSUMMARY:Call Ada\r\n"
            b"END:VTODO\r\nEND:VCALENDAR\r\n"
        )
        server.put(url, "task.ics", done)
        via = proxy.via(url)
        account = account_for(server, via)
        warm_up(gateway, account, server.password, via)

        proxy.fail_next(1, 501)  # as a server without RFC 6578 answers the REPORT
        listed = gateway.changes(account, server.password, via, "")

        assert listed.full and listed.token.startswith("ctag:")
        texts = [o.data for o in listed.changed]
        assert len(texts) == 2
        assert any(b"STATUS:COMPLETED" in t and b"BEGIN:VTODO" in t for t in texts)

    def test_an_event_stored_under_another_name_is_updated_there(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        account = account_for(server, url)
        uid = "booked-from-another-laptop"
        server.put(url, "other-name.ics", event(uid))

        stored = gateway.put_event(
            account, server.password, url, uid, event(uid, sequence=1, summary="Moved")
        )

        assert stored.href.endswith("/other-name.ics")
        (only,) = server.objects(url).values()
        assert b"Moved" in only

    def test_a_calendar_url_typed_without_its_final_slash_works(
        self, calendar: tuple[CalDavServer, str], gateway: CaldavGateway
    ) -> None:
        server, url = calendar
        bare = url.rstrip("/")
        account = account_for(server, bare)
        uid = new_uid()

        stored = gateway.put_event(account, server.password, bare, uid, event(uid))
        changes = gateway.changes(account, server.password, bare, "")

        assert [o.href for o in changes.changed] == [stored.href]
        assert list(server.objects(url)) != []
