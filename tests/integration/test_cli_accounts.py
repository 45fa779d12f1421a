"""The command line over real servers: `account add/test/list`, `book --send`, `outbox`,
`import-reply`, run in this process (so the keyring is the test's in-memory one) against a
real Radicale and a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

import icalendar
import pytest

from followup_desk import cli
from followup_desk.paths import AppPaths
from tests.conftest import SettingsWriter
from tests.servers import CalDavServer, FaultProxy, MemoryKeyring, SmtpServer, free_port

NOW = "2026-11-23T10:00"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> Run:
    def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(list(argv), out, err)
        return code, out.getvalue(), err.getvalue()

    return call


@pytest.fixture
def settings(write_settings: SettingsWriter) -> None:
    write_settings(name="Robin Rep", email="robin@example.com")


def add_caldav(
    run: Run, server: CalDavServer, *extra: str, password: str = ""
) -> tuple[int, str, str]:
    return run(
        "account", "add", "caldav", "--url", server.url, "--username", server.username,
        "--password-stdin", *extra, stdin=(password or server.password) + "\n",
    )  # fmt: skip


def add_smtp(run: Run, smtp: SmtpServer) -> tuple[int, str, str]:
    return run(
        "account", "add", "smtp", "--host", smtp.host, "--port", str(smtp.port),
        "--username", smtp.username, "--from", "robin@example.com", "--plain",
        "--password-stdin", stdin=smtp.password + "\n",
    )  # fmt: skip


def test_add_test_and_list_a_caldav_account(
    run: Run,
    settings: None,
    radicale_calendar: tuple[CalDavServer, str],
    memory_keyring: MemoryKeyring,
    fd_home: AppPaths,
) -> None:
    server, calendar = radicale_calendar
    code, out, err = add_caldav(run, server, "--bookings-calendar", calendar)
    assert code == 0, err
    assert "Connected to" in out
    assert "bookings go to: Work" in out
    assert memory_keyring.passwords[("Followup Desk", "caldav:caldav")] == server.password
    assert server.password.encode() not in fd_home.database.read_bytes()

    code, out, _ = run("account", "test", "caldav")
    assert code == 0 and "Connected" in out
    code, out, _ = run("account", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["kind"] == "caldav" and listed["bookings_calendar"] == "Work"
    assert "password" not in out.lower()
    # nowhere on disk: not in the database, its WAL, the settings or the log
    files = [f for f in fd_home.database.parent.parent.rglob("*") if f.is_file()]
    assert fd_home.log_file in files
    for path in files:
        assert server.password.encode() not in path.read_bytes(), path


def test_a_wrong_password_and_a_stopped_server_say_so(
    run: Run, settings: None, radicale_calendar: tuple[CalDavServer, str]
) -> None:
    server, _ = radicale_calendar
    code, _, err = add_caldav(run, server, password="wrong")
    assert code == 1
    assert "password" in err.lower() and "Traceback" not in err
    closed = f"http://127.0.0.1:{free_port()}/"
    code, _, err = run(
        "account", "add", "caldav", "--url", closed, "--username", "rep", "--password-stdin",
        stdin="x\n",
    )  # fmt: skip
    assert code == 1
    assert "refused" in err.lower() or "reach" in err.lower()
    code, out, _ = run("account", "list")
    assert "No accounts yet" in out


def test_book_sends_to_the_calendar_and_by_email_then_moves_and_cancels(
    run: Run,
    settings: None,
    radicale_calendar: tuple[CalDavServer, str],
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    server, calendar = radicale_calendar
    assert add_caldav(run, server, "--bookings-calendar", calendar)[0] == 0
    assert add_smtp(run, smtp_server)[0] == 0
    code, out, err = run(
        "book", "--name", "Dana Whitfield", "--email", "dana@example.com",
        "--start", "2026-12-04T15:00", "--now", NOW, "--send", "caldav,email",
    )  # fmt: skip
    assert code == 0, err
    assert "Sent the calendar for booking 1" in out
    assert "Sent the e-mail for booking 1" in out
    assert "Invite written" not in out  # no .ics asked for

    (stored,) = server.objects(calendar).values()
    event = icalendar.Calendar.from_ical(stored).walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == "mailto:dana@example.com"
    assert event["ATTENDEE"].params["SCHEDULE-AGENT"] == "CLIENT"
    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["dana@example.com"]
    message = message_from_bytes(mail.data, policy=policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    uid = str(event["UID"])

    code, out, err = run("reschedule", "1", "--start", "2026-12-07T10:30", "--now", NOW)
    assert code == 0, err
    assert "Sent the e-mail" in out and "Sent the calendar" in out
    (stored,) = server.objects(calendar).values()
    moved = icalendar.Calendar.from_ical(stored).walk("VEVENT")[0]
    assert str(moved["UID"]) == uid and int(str(moved["SEQUENCE"])) == 1

    assert run("cancel", "1", "--now", NOW)[0] == 0
    mails = smtp_server.wait_for(3)
    cancel = message_from_bytes(mails[-1].data, policy=policy.default)
    part = next(p for p in cancel.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL"
    (stored,) = server.objects(calendar).values()
    assert str(icalendar.Calendar.from_ical(stored).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"

    code, out, _ = run("outbox", "--json")
    jobs = json.loads(out)["jobs"]
    assert sorted(j["state"] for j in jobs) == ["sent"] * 6


def test_a_stopped_mail_server_leaves_the_booking_and_the_job_waiting(
    run: Run, settings: None, smtp_server: SmtpServer
) -> None:
    assert add_smtp(run, smtp_server)[0] == 0
    smtp_server.stop()
    code, out, err = run(
        "book", "--name", "Ana Silva", "--email", "ana@example.com",
        "--start", "2026-12-04T15:00", "--now", NOW, "--send", "email",
    )  # fmt: skip
    assert code == 0
    assert "Booked 1" in out
    assert "is not sent" in err and "Trying again" in err
    code, out, _ = run("outbox")
    assert "1 waiting" in out and "Ana Silva" in out


def test_import_reply_marks_the_answer(
    run: Run, settings: None, tmp_path: Path, fd_home: AppPaths
) -> None:
    code, out, _ = run(
        "book", "--name", "Ana Silva", "--email", "ana@example.com",
        "--start", "2026-12-04T15:00", "--now", NOW, "--json",
    )  # fmt: skip
    uid = json.loads(out)["uid"]
    reply = tmp_path / "reply.ics"
    reply.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261124T090000Z\r\nSEQUENCE:0\r\n"
        "ORGANIZER:mailto:robin@example.com\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Ana Silva:mailto:ana@example.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
        newline="",
    )
    code, out, err = run("import-reply", str(reply))
    assert code == 0, err
    assert out == "Ana Silva accepted (booking 1).\n"
    assert "; accepted" in run("list", "--now", NOW)[1]
    garbage = tmp_path / "not-a-reply.ics"
    garbage.write_text("hello", encoding="utf-8")
    code, _, err = run("import-reply", str(garbage))
    assert code == 1 and "not-a-reply.ics" in err and "Traceback" not in err


def test_busy_times_come_from_the_caldav_calendar_and_survive_the_server_going_away(
    run: Run, settings: None, radicale_calendar: tuple[CalDavServer, str]
) -> None:
    server, calendar = radicale_calendar
    server.put(
        calendar,
        "board.ics",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:board@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
        b"DTSTART:20261204T130000Z\r\nDTEND:20261204T150000Z\r\nSUMMARY:Board\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    proxy = FaultProxy.to_url(server.url)
    code, _, err = run(
        "account", "add", "caldav", "--url", proxy.via(server.home_url),
        "--username", server.username, "--password-stdin", stdin=server.password + "\n",
    )  # fmt: skip
    assert code == 0, err

    def starts() -> tuple[list[str], str]:
        code, out, err = run("slots", "--day", "2026-12-04", "--now", NOW, "--json")
        assert code == 0, err
        return [s["start"][11:16] for s in json.loads(out)], err

    free, _ = starts()
    assert "10:00" in free
    # Berlin 14:00-16:00 is the board meeting (plus 10-minute buffers)
    assert not any("13:55" < t < "16:10" for t in free)
    proxy.stop()  # the server is out of reach
    offline, err = starts()
    assert offline == free  # the cached copy still counts
    assert "may be stale" in err
