"""The real servers the integration tests stand on behave as a client would notice."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from pathlib import Path

import keyring
import niquests
import pytest
from keyring.backend import KeyringBackend

from tests.integration.conftest import FaultProxyFactory
from tests.servers import (
    CalDavServer,
    MemoryKeyring,
    SmtpServer,
    start_radicale,
    start_smtp,
)

EVENT = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followup Desk//tests//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20250301T090000Z\r\n"
    b"DTSTART:20250303T100000Z\r\nDTEND:20250303T103000Z\r\nSUMMARY:Follow-up call\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
MESSAGE = b"From: rep@example.com\r\nTo: buyer@example.com\r\nSubject: Next step\r\n\r\nHi\r\n"


def event(uid: str) -> bytes:
    return EVENT % uid.encode()


def _calendar_session(server: CalDavServer) -> niquests.Session:
    session = niquests.Session()
    session.auth = (server.username, server.password)
    return session


# -- CalDAV ------------------------------------------------------------------------------------


def test_radicale_refuses_a_wrong_password_and_accepts_the_right_one(
    radicale: CalDavServer,
) -> None:
    wrong, _ = radicale.request(
        "PROPFIND", radicale.home_url, headers={"Depth": "0"}, auth=(radicale.username, "wrong-pw")
    )
    right, _ = radicale.request("PROPFIND", radicale.home_url, headers={"Depth": "0"})
    assert (wrong, right) == (401, 207)


def test_a_calendar_made_on_radicale_is_listed_in_the_home(
    radicale_calendar: tuple[CalDavServer, str],
) -> None:
    server, calendar_url = radicale_calendar
    assert calendar_url.startswith(server.home_url) and calendar_url.endswith("/")
    listed = {server.url.rstrip("/") + href for href in server.hrefs(server.home_url)}
    assert calendar_url in listed


def test_radicale_keeps_an_event_put_in_a_calendar(
    radicale_calendar: tuple[CalDavServer, str],
) -> None:
    server, calendar_url = radicale_calendar
    server.put(calendar_url, "call-1.ics", event("call-1"))
    [(href, body)] = server.objects(calendar_url).items()
    assert href.endswith("/call-1.ics")
    assert b"UID:call-1" in body


def test_a_read_only_calendar_on_radicale_answers_403_to_a_put(tmp_path: Path) -> None:
    server = start_radicale(tmp_path, read_only_for={"rep": "rep/team"})
    try:
        team = server.read_only_urls["rep"]
        status, _ = server.request(
            "PUT", team + "x.ics", event("x"), {"Content-Type": "text/calendar"}
        )
        assert status == 403
        assert server.objects(team) == {}
    finally:
        server.stop()


def test_radicale_over_tls_is_trusted_only_with_its_certificate(
    tmp_path: Path, tls_cert: tuple[Path, Path]
) -> None:
    server = start_radicale(tmp_path, tls=tls_cert)
    try:
        assert server.url.startswith("https://")
        calendar_url = server.make_calendar("secure")
        with niquests.Session() as session:
            answer = session.request(
                "PROPFIND",
                calendar_url,
                headers={"Depth": "0"},
                auth=(server.username, server.password),
                verify=str(tls_cert[0]),
            )
            assert answer.status_code == 207
        # a fresh session: niquests would reuse the verified connection despite verify=True
        with niquests.Session() as session, pytest.raises(niquests.exceptions.SSLError):
            session.get(calendar_url, verify=True)
    finally:
        server.stop()


def test_xandikos_keeps_a_put_and_lists_it(xandikos_calendar: tuple[CalDavServer, str]) -> None:
    server, calendar_url = xandikos_calendar
    server.put(calendar_url, "call-2.ics", event("call-2"))
    assert [href.rpartition("/")[2] for href in server.hrefs(calendar_url)] == ["call-2.ics"]
    assert b"UID:call-2" in server.objects(calendar_url)[server.hrefs(calendar_url)[0]]


# -- SMTP --------------------------------------------------------------------------------------


def test_smtp_server_receives_mail_sent_after_login(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.login(smtp_server.username, smtp_server.password)
        client.sendmail("rep@example.com", ["buyer@example.com"], MESSAGE)
    [mail] = smtp_server.wait_for(1)
    assert (mail.mail_from, mail.rcpt_tos) == ("rep@example.com", ["buyer@example.com"])
    assert b"Subject: Next step" in mail.data


def test_smtp_server_refuses_a_wrong_password_with_535(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login(smtp_server.username, "wrong-pw")
        assert refused.value.smtp_code == 535


def test_smtp_server_refuses_mail_without_login(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("rep@example.com", ["buyer@example.com"], MESSAGE)
        assert refused.value.smtp_code == 530
    assert smtp_server.messages == []


def test_smtp_server_refuses_a_listed_recipient_with_550() -> None:
    server = start_smtp(reject={"gone@example.com"})
    try:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.login(server.username, server.password)
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                client.sendmail("rep@example.com", ["gone@example.com"], MESSAGE)
        assert refused.value.recipients["gone@example.com"][0] == 550
    finally:
        server.stop()


def test_smtp_over_starttls_with_the_self_signed_certificate(tls_cert: tuple[Path, Path]) -> None:
    server = start_smtp(tls_cert=tls_cert)
    try:
        context = ssl.create_default_context(cafile=str(tls_cert[0]))
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.starttls(context=context)
            client.login(server.username, server.password)
            client.sendmail("rep@example.com", ["buyer@example.com"], MESSAGE)
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()


def test_smtp_with_implicit_tls(tls_cert: tuple[Path, Path]) -> None:
    server = start_smtp(tls_cert=tls_cert, implicit_tls=True)
    try:
        context = ssl.create_default_context(cafile=str(tls_cert[0]))
        with smtplib.SMTP_SSL(server.host, server.port, timeout=5, context=context) as client:
            client.login(server.username, server.password)
            client.sendmail("rep@example.com", ["buyer@example.com"], MESSAGE)
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()


# -- FaultProxy --------------------------------------------------------------------------------


def test_proxy_forwards_and_counts_on_a_kept_alive_connection(
    xandikos_calendar: tuple[CalDavServer, str], fault_proxy: FaultProxyFactory
) -> None:
    server, calendar_url = xandikos_calendar  # Xandikos speaks HTTP/1.1 and keeps connections
    proxy = fault_proxy(server.url)
    with _calendar_session(server) as session:
        for number in range(3):
            put = session.put(
                proxy.via(calendar_url) + f"e{number}.ics",
                data=event(f"e{number}"),
                headers={"Content-Type": "text/calendar"},
            )
            assert put.status_code == 201
    assert (proxy.requests, proxy.connections) == (3, 1)
    assert proxy.bytes_up > 3 * len(event("e0")) and proxy.bytes_down > 0
    assert len(server.objects(calendar_url)) == 3
    proxy.reset_counters()
    assert (proxy.requests, proxy.connections, proxy.bytes_up, proxy.bytes_down) == (0, 0, 0, 0)


def test_proxy_answers_an_error_without_forwarding(
    radicale_calendar: tuple[CalDavServer, str], fault_proxy: FaultProxyFactory
) -> None:
    server, calendar_url = radicale_calendar
    proxy = fault_proxy(server.url)
    proxy.fail_next(status=503)
    with _calendar_session(server) as session:
        url = proxy.via(calendar_url) + "a.ics"
        put = session.put(url, data=event("a"), headers={"Content-Type": "text/calendar"})
        assert put.status_code == 503
        assert server.objects(calendar_url) == {}
        # the same kept-alive connection carries on normally
        put = session.put(url, data=event("a"), headers={"Content-Type": "text/calendar"})
        assert put.status_code == 201


def test_proxy_can_let_a_put_land_and_still_answer_500(
    radicale_calendar: tuple[CalDavServer, str], fault_proxy: FaultProxyFactory
) -> None:
    server, calendar_url = radicale_calendar
    proxy = fault_proxy(server.url)
    proxy.fail_after_forward_next()
    with _calendar_session(server) as session:
        put = session.put(
            proxy.via(calendar_url) + "landed.ics",
            data=event("landed"),
            headers={"Content-Type": "text/calendar"},
        )
    assert put.status_code == 500
    assert [href.rpartition("/")[2] for href in server.objects(calendar_url)] == ["landed.ics"]


def test_a_dropped_connection_raises_on_the_client_before_or_after_the_server_saw_it(
    radicale_calendar: tuple[CalDavServer, str], fault_proxy: FaultProxyFactory
) -> None:
    server, calendar_url = radicale_calendar
    proxy = fault_proxy(server.url)
    with _calendar_session(server) as session:
        proxy.drop_next()
        with pytest.raises(niquests.exceptions.ConnectionError):
            session.put(
                proxy.via(calendar_url) + "lost.ics",
                data=event("lost"),
                headers={"Content-Type": "text/calendar"},
            )
        proxy.drop_after_forward_next()
        with pytest.raises(niquests.exceptions.ConnectionError):
            session.put(
                proxy.via(calendar_url) + "kept.ics",
                data=event("kept"),
                headers={"Content-Type": "text/calendar"},
            )
    assert [href.rpartition("/")[2] for href in server.objects(calendar_url)] == ["kept.ics"]
    assert [(seen.fault, seen.forwarded) for seen in proxy.history] == [
        ("drop", False),
        ("drop_after_forward", True),
    ]


def test_a_delayed_answer_makes_a_client_time_out(
    radicale_calendar: tuple[CalDavServer, str], fault_proxy: FaultProxyFactory
) -> None:
    server, calendar_url = radicale_calendar
    proxy = fault_proxy(server.url)
    proxy.delay_next(seconds=1.0)
    with _calendar_session(server) as session, pytest.raises(niquests.exceptions.Timeout):
        session.request("PROPFIND", proxy.via(calendar_url), headers={"Depth": "0"}, timeout=0.2)


def test_random_faults_repeat_with_the_same_seed(
    radicale_calendar: tuple[CalDavServer, str], fault_proxy: FaultProxyFactory
) -> None:
    server, calendar_url = radicale_calendar

    def faults_seen(seed: int) -> list[str]:
        proxy = fault_proxy(server.url)
        proxy.set_random_faults(0.5, seed=seed, delay=0.01)
        with _calendar_session(server) as session:
            for _ in range(12):
                with contextlib.suppress(niquests.exceptions.ConnectionError):
                    session.get(proxy.via(calendar_url))
        return [seen.fault for seen in proxy.history]

    first = faults_seen(7)
    assert first == faults_seen(7)
    assert "" in first and len(set(first)) > 2


# -- keyrings ----------------------------------------------------------------------------------


def test_the_secret_service_stores_and_returns_a_password(
    secret_service_keyring: KeyringBackend,
) -> None:
    keyring.set_password("followup-desk-test", "rep@example.com", "s3cret")
    assert keyring.get_password("followup-desk-test", "rep@example.com") == "s3cret"
    keyring.delete_password("followup-desk-test", "rep@example.com")
    assert keyring.get_password("followup-desk-test", "rep@example.com") is None


def test_the_memory_keyring_replaces_the_backend_for_one_test(
    memory_keyring: MemoryKeyring,
) -> None:
    keyring.set_password("followup-desk-test", "rep", "pw")
    assert memory_keyring.passwords == {("followup-desk-test", "rep"): "pw"}
