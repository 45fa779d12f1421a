"""The cadence message sent through the rep's SMTP account, against a real SMTP server
(aiosmtpd): the touch is written first, the e-mail goes through the outbox, and a server
that is down keeps it waiting without losing the touch.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followup_desk import cli
from followup_desk.adapters.clock import FixedClock
from followup_desk.app import Desk, Gateways, open_desk
from followup_desk.domain.accounts import SmtpAccount
from followup_desk.domain.outbox import JobKind, JobState
from followup_desk.domain.touches import Direction, Outcome
from followup_desk.errors import InvalidInputError
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.services.followup_outbox import UnfilledMessageWarning
from followup_desk.services.followups import EmptyTouchWarning
from followup_desk.storage.outbox import SqliteOutbox
from tests.conftest import SettingsWriter, add_mail_account
from tests.servers import MemoryKeyring, SmtpServer, start_smtp

BERLIN = ZoneInfo("Europe/Berlin")
MET = datetime(2026, 12, 8, 10, 0, tzinfo=BERLIN)
MONDAY = datetime(2026, 12, 14, 9, 0, tzinfo=BERLIN)
FILLED = """Hi Ada,

As promised after our meeting, here is the pilot report, with the returns figures first:
12% fewer returns in March.

Robin"""


def parse(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def prospect(
    fd_home: AppPaths, write_settings: SettingsWriter, memory_keyring: MemoryKeyring
) -> int:
    """Ada, met on Tuesday 8 December and enrolled in the short e-mail cadence on Monday."""
    write_settings(minimum_notice=0)
    desk = open_desk(fd_home, clock=FixedClock(MET - timedelta(days=1)))
    try:
        outcome = desk.bookings.book(
            BookingRequest(
                name="Ada Lovelace",
                email="ada@example.com",
                start=MET,
                length=timedelta(minutes=30),
                send=("ics",),
                company="Analytical Engines",
            )
        )
    finally:
        desk.close()
    desk = open_desk(fd_home, clock=FixedClock(MONDAY))
    try:
        assert outcome.booking.id is not None and outcome.prospect.id is not None
        desk.followups.record_outcome(outcome.booking.id, Outcome.HELD)
        desk.followups.enrol(outcome.prospect.id, "short-email")
    finally:
        desk.close()
    return outcome.prospect.id


def open_with_smtp(fd_home: AppPaths, smtp: SmtpServer) -> Desk:
    desk = open_desk(fd_home, clock=FixedClock(MONDAY), gateways=Gateways(3.0))
    add_mail_account(desk, smtp)
    return desk


@pytest.fixture
def desk(fd_home: AppPaths, prospect: int, smtp_server: SmtpServer) -> Iterator[Desk]:
    opened = open_with_smtp(fd_home, smtp_server)
    yield opened
    opened.close()


def test_the_message_arrives_and_the_touch_moves_the_cadence_on(
    desk: Desk, prospect: int, smtp_server: SmtpServer
) -> None:
    sent = desk.followup_outbox.send_message(prospect, FILLED)
    assert sent.delivered
    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["ada@example.com"]
    message = parse(mail.data)
    assert message["From"].addresses[0].addr_spec == "robin@example.com"
    assert message["From"].addresses[0].display_name == "Robin Rep"
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    assert message["Subject"] == "Following up: our meeting on Tuesday 8 December"
    body = message.get_content()
    assert "Hi Ada" in body and "12% fewer returns" in body
    (touch,) = desk.followups.touches(prospect)
    assert (touch.channel, touch.direction) == ("email", Direction.OUT)
    assert "12% fewer returns" in touch.note
    enrolment = desk.followups.active_enrolment(prospect)
    assert enrolment is not None and enrolment.done_steps == frozenset({0})


def test_a_stopped_server_keeps_the_email_waiting_and_the_touch_logged(
    fd_home: AppPaths, prospect: int
) -> None:
    smtp = start_smtp()
    desk = open_with_smtp(fd_home, smtp)
    try:
        smtp.stop()  # the mail server goes away
        sent = desk.followup_outbox.send_message(prospect, FILLED, "Your pilot report")
        assert not sent.delivered
        assert sent.sent is not None and sent.sent.state is JobState.WAITING
        # nothing lost: the touch is in the database, the e-mail waits in the outbox
        assert [t.channel for t in desk.followups.touches(prospect)] == ["email"]
        (row,) = SqliteOutbox(desk.conn).rows(include_done=False)
        assert row.job.kind is JobKind.MESSAGE and row.what == "e-mail: Your pilot report"
        # the server is back (on another port): the outbox sends it, once
        again = start_smtp()
        try:
            account = desk.accounts.get("mail")
            assert isinstance(account, SmtpAccount)
            desk.accounts.save(replace(account, port=again.port))
            desk.outbox.retry()
            assert [r.state for r in desk.outbox.run_due()] == [JobState.SENT]
            (mail,) = again.wait_for(1)
            assert parse(mail.data)["Subject"] == "Your pilot report"
            assert desk.outbox.run_due() == []
        finally:
            again.stop()
    finally:
        desk.close()


def test_an_unfilled_or_empty_message_is_questioned_and_nothing_is_sent(
    desk: Desk, prospect: int, smtp_server: SmtpServer
) -> None:
    with pytest.raises(UnfilledMessageWarning, match=r"\[the information they asked for\]"):
        desk.followup_outbox.send_message(prospect)  # the template as it is
    with pytest.raises(EmptyTouchWarning, match="nothing new"):
        desk.followup_outbox.send_message(prospect, "Hi Ada, just checking in. Any update?")
    assert desk.followups.touches(prospect) == []
    assert SqliteOutbox(desk.conn).rows() == []
    assert smtp_server.messages == []


def test_without_an_smtp_account_or_an_address_it_says_so(fd_home: AppPaths, prospect: int) -> None:
    desk = open_desk(fd_home, clock=FixedClock(MONDAY))
    try:
        with pytest.raises(InvalidInputError, match="no e-mail \\(SMTP\\) account"):
            desk.followup_outbox.send_message(prospect, FILLED)
        assert desk.followups.touches(prospect) == []
        assert not desk.followup_outbox.can_send()
    finally:
        desk.close()


def test_the_command_line_sends_the_message(
    prospect: int, smtp_server: SmtpServer, fd_home: AppPaths, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    open_with_smtp(fd_home, smtp_server).close()
    body = tmp_path / "message.txt"
    body.write_text("Subject: The pilot report\n\n" + FILLED, encoding="utf-8")
    now = "--now", "2026-12-14T09:00"
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["send-message", str(prospect), "--body-file", str(body), "--dry-run", *now],
                    out, err)  # fmt: skip
    assert code == 0, err.getvalue()
    assert "To: Ada Lovelace <ada@example.com>" in out.getvalue()
    assert "Subject: The pilot report" in out.getvalue()
    assert smtp_server.messages == []
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["send-message", str(prospect), "--body-file", str(body), *now], out, err)
    assert code == 0, err.getvalue()
    assert "Sent 'The pilot report' to ada@example.com." in out.getvalue()
    (mail,) = smtp_server.wait_for(1)
    message = parse(mail.data)
    assert message["Subject"] == "The pilot report"
    assert not message.get_content().startswith("Subject:")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["send-message", str(prospect), *now], out, err) == 1
    assert "[" in err.getvalue() and "--force" in err.getvalue()
