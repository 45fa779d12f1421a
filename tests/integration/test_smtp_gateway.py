"""The SMTP gateway against a real SMTP server (aiosmtpd on 127.0.0.1): what the rep sees
when testing the account, and what reaches the server when an invitation is sent."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest

from followup_desk.adapters.ics_writer import build_invite
from followup_desk.adapters.imip import build_imip
from followup_desk.adapters.smtp_gateway import SmtpGateway
from followup_desk.domain.accounts import Check, Security, SmtpAccount
from followup_desk.domain.booking import Booking, BookingStatus, Prospect, Rep
from followup_desk.domain.ports import MailGateway
from followup_desk.errors import SendError
from tests.servers import SmtpServer, make_self_signed_cert, start_smtp

NOW = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
START = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
FROM = "rep@example.com"
REP = Rep(name="Robin Rep", email=FROM)
PROSPECT = Prospect(id=3, name="Dana Müller", email="dana@acme.example", time_zone="Asia/Tokyo")
BOOKING = Booking(
    id=7,
    prospect_id=3,
    uid="7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk",
    sequence=0,
    status=BookingStatus.BOOKED,
    start=START,
    end=START + timedelta(minutes=45),
    rep_zone="Europe/Berlin",
    prospect_zone="Asia/Tokyo",
    title="Follow-up call: Acme pilot",
    created=NOW,
    updated=NOW,
)
TIMEOUT = 5.0


def invitation(prospect: Prospect = PROSPECT) -> bytes:
    calendar = build_invite(BOOKING, prospect, REP, NOW)
    return build_imip(BOOKING, prospect, REP, from_address=FROM, calendar=calendar, stamp=NOW)


def account_for(
    server: SmtpServer, security: Security, *, trusted_fingerprint: str = ""
) -> SmtpAccount:
    return SmtpAccount(
        name="work",
        host=server.host,
        port=server.port,
        username=server.username,
        from_address=FROM,
        security=security,
        trusted_fingerprint=trusted_fingerprint,
    )


@pytest.fixture
def gateway() -> MailGateway:
    # typed as the port: mypy checks that SmtpGateway is a MailGateway
    return SmtpGateway(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_self_signed_cert(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def plain_server() -> Iterator[SmtpServer]:
    server = start_smtp(reject={"nobody@acme.example"})
    yield server
    server.stop()


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = start_smtp(tls_cert=certificate)
    yield server
    server.stop()


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = start_smtp(tls_cert=certificate, implicit_tls=True)
    yield server
    server.stop()


def test_the_invitation_arrives_as_an_imip_request_for_the_prospect(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    account = account_for(plain_server, Security.NONE)

    gateway.send(account, plain_server.password, invitation(), [PROSPECT.email])

    (mail,) = plain_server.wait_for(1)
    assert mail.mail_from == FROM
    assert mail.rcpt_tos == [PROSPECT.email]
    message = email.message_from_bytes(mail.data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    (invite,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    data = invite.get_payload(decode=True)
    assert isinstance(data, bytes)
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert invite.get_param("method") == calendar["METHOD"] == "REQUEST"
    assert event["UID"] == BOOKING.uid
    assert str(event["ATTENDEE"]) == f"mailto:{PROSPECT.email}"
    assert message["Message-ID"] == "<request.0.7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk>"
    assert [a.get_filename() for a in message.iter_attachments()] == ["invite.ics"]


def test_testing_the_account_says_connected_and_the_from_address(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    report = gateway.check(account_for(plain_server, Security.NONE), plain_server.password)

    assert report.check is Check.CONNECTED
    assert report.message == (
        f"Connected to {plain_server.host}:{plain_server.port} as rep; mail will go out from "
        f"{FROM}."
    )


def test_a_wrong_password_is_named_and_nothing_is_sent(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    account = account_for(plain_server, Security.NONE)

    report = gateway.check(account, "not-the-password")
    with pytest.raises(SendError) as caught:
        gateway.send(account, "not-the-password", invitation(), [PROSPECT.email])

    assert report.check is Check.WRONG_PASSWORD
    assert "535" in report.message
    assert caught.value.kind == "auth"
    assert not caught.value.retry
    assert "not-the-password" not in report.message + str(caught.value)
    assert plain_server.messages == []


def test_a_password_with_accents_logs_in(gateway: MailGateway) -> None:
    server = start_smtp(password="pässwört-東京")
    try:
        account = account_for(server, Security.NONE)

        report = gateway.check(account, "pässwört-東京")
        gateway.send(account, "pässwört-東京", invitation(), [PROSPECT.email])

        assert report.check is Check.CONNECTED
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()


def test_a_stopped_server_is_unreachable_and_the_send_will_be_retried(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    account = account_for(plain_server, Security.NONE)
    plain_server.stop()

    report = gateway.check(account, plain_server.password)
    with pytest.raises(SendError) as caught:
        gateway.send(account, plain_server.password, invitation(), [PROSPECT.email])

    assert report.check is Check.UNREACHABLE
    assert "refused the connection" in report.message
    assert caught.value.kind == "unreachable"
    assert caught.value.retry


def test_a_message_taken_but_not_confirmed_is_not_retried_since_it_may_have_arrived() -> None:
    server = start_smtp(data_delay=3)
    try:
        account = account_for(server, Security.NONE)
        with pytest.raises(SendError) as caught:
            SmtpGateway(timeout=1, final_reply=1).send(
                account, server.password, invitation(), [PROSPECT.email]
            )
        assert caught.value.kind == "uncertain"
        assert not caught.value.retry  # a retry could give the prospect two invitations
        assert "may have arrived" in str(caught.value)
        assert len(server.wait_for(1)) == 1  # and indeed it did arrive
    finally:
        server.stop()


def test_a_server_that_scans_a_message_longer_than_the_connection_timeout_still_sends_it() -> None:
    # content filters take their time after the final dot: that wait is not a network timeout
    server = start_smtp(data_delay=2)
    try:
        account = account_for(server, Security.NONE)
        SmtpGateway(timeout=1).send(account, server.password, invitation(), [PROSPECT.email])
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()


def test_lines_that_start_with_a_dot_arrive_unchanged(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    # a lone "." would end the message early if the client did not double it (RFC 5321 4.5.2)
    message = (
        b"From: robin@example.com\r\nTo: dana@acme.example\r\nSubject: dots\r\n\r\n"
        b"first\r\n.\r\n.second\r\n..third"
    )
    account = account_for(plain_server, Security.NONE)
    gateway.send(account, plain_server.password, message, [PROSPECT.email])
    [mail] = plain_server.wait_for(1)
    assert mail.data.replace(b"\r\n", b"\n").endswith(b"first\n.\n.second\n..third\n")


def test_a_refused_recipient_is_named(gateway: MailGateway, plain_server: SmtpServer) -> None:
    account = account_for(plain_server, Security.NONE)

    with pytest.raises(SendError) as caught:
        gateway.send(account, plain_server.password, invitation(), ["nobody@acme.example"])

    assert caught.value.kind == "rejected"
    assert "nobody@acme.example" in str(caught.value)
    assert "550" in str(caught.value)
    assert plain_server.messages == []


def test_an_address_with_accents_before_the_at_goes_out_with_smtputf8(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    prospect = dataclasses.replace(PROSPECT, email="zoë@acme.example")

    gateway.send(
        account_for(plain_server, Security.NONE),
        plain_server.password,
        invitation(prospect),
        [prospect.email],
    )

    (mail,) = plain_server.wait_for(1)
    assert mail.rcpt_tos == ["zoë@acme.example"]
    # the headers are UTF-8 (RFC 6532); the bytes parser would keep them as surrogates
    message = email.message_from_string(mail.data.decode("utf-8"), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "zoë@acme.example"


def test_starttls_chosen_on_a_server_without_it_sends_no_password(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    account = account_for(plain_server, Security.STARTTLS)

    report = gateway.check(account, plain_server.password)
    with pytest.raises(SendError) as caught:
        gateway.send(account, plain_server.password, invitation(), [PROSPECT.email])

    assert report.check is Check.UNREACHABLE
    assert "does not offer STARTTLS" in report.message
    # the test server is on this computer: the sentence says how to go without encryption
    assert "--plain" in report.message and "Security: None" in report.message
    assert caught.value.kind == "refused"


def test_a_self_signed_starttls_server_is_untrusted_until_its_fingerprint_is_trusted(
    gateway: MailGateway, starttls_server: SmtpServer
) -> None:
    account = account_for(starttls_server, Security.STARTTLS)

    untrusted = gateway.check(account, starttls_server.password)
    with pytest.raises(SendError) as caught:
        gateway.send(account, starttls_server.password, invitation(), [PROSPECT.email])

    assert untrusted.check is Check.UNTRUSTED_CERTIFICATE
    assert len(untrusted.fingerprint) == 95  # 32 bytes, hex, colon-separated
    assert untrusted.fingerprint in untrusted.message
    assert caught.value.kind == "certificate"
    assert caught.value.fingerprint == untrusted.fingerprint
    assert starttls_server.messages == []

    trusted = dataclasses.replace(account, trusted_fingerprint=untrusted.fingerprint)
    assert gateway.check(trusted, starttls_server.password).check is Check.CONNECTED
    gateway.send(trusted, starttls_server.password, invitation(), [PROSPECT.email])
    (mail,) = starttls_server.wait_for(1)
    assert mail.rcpt_tos == [PROSPECT.email]


def test_a_certificate_other_than_the_trusted_one_is_refused(
    gateway: MailGateway, starttls_server: SmtpServer
) -> None:
    other = "AB:" * 31 + "CD"
    account = account_for(starttls_server, Security.STARTTLS, trusted_fingerprint=other)

    report = gateway.check(account, starttls_server.password)
    with pytest.raises(SendError) as caught:
        gateway.send(account, starttls_server.password, invitation(), [PROSPECT.email])

    assert report.check is Check.UNTRUSTED_CERTIFICATE
    assert "has changed since you trusted it" in report.message
    assert report.fingerprint and report.fingerprint != other
    assert caught.value.kind == "certificate"
    assert starttls_server.messages == []


def test_implicit_tls_is_untrusted_then_trusted_by_fingerprint(
    gateway: MailGateway, tls_server: SmtpServer
) -> None:
    account = account_for(tls_server, Security.TLS)

    untrusted = gateway.check(account, tls_server.password)

    assert untrusted.check is Check.UNTRUSTED_CERTIFICATE
    assert untrusted.fingerprint
    trusted = dataclasses.replace(account, trusted_fingerprint=untrusted.fingerprint)
    assert gateway.check(trusted, tls_server.password).check is Check.CONNECTED
    gateway.send(trusted, tls_server.password, invitation(), [PROSPECT.email])
    (mail,) = tls_server.wait_for(1)
    assert mail.mail_from == FROM


def test_tls_chosen_on_a_starttls_port_says_to_choose_starttls(
    gateway: MailGateway, plain_server: SmtpServer
) -> None:
    report = gateway.check(account_for(plain_server, Security.TLS), plain_server.password)

    assert report.check is Check.UNREACHABLE
    assert "choose STARTTLS" in report.message
