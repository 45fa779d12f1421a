"""The command line for accounts, the outbox and replies. No Qt here.

``account add caldav|smtp``, ``account test NAME``, ``account list``, ``account remove NAME``,
``account password NAME``; ``outbox [--json] [--retry]``; ``import-reply FILE``.
Passwords come from a prompt, or from standard input with ``--password-stdin``; they go to
the keyring and are never printed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from followup_desk.app import Desk
from followup_desk.domain.accounts import (
    Account,
    CalDavAccount,
    ConnectionReport,
    InvitesBy,
    Security,
)
from followup_desk.domain.outbox import Channel, JobKind, JobState, reply_word
from followup_desk.domain.phrases import format_clock, format_day
from followup_desk.errors import InvalidInputError, UserError
from followup_desk.services.outbox import CHANNEL_WORDS, Sent
from followup_desk.storage.outbox import JobRow, SqliteOutbox

Command = Callable[[Desk, argparse.Namespace, TextIO, TextIO], int]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    account = sub.add_parser("account", help="CalDAV and e-mail accounts (passwords: keyring)")
    actions = account.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add an account, after testing it")
    kinds = add.add_subparsers(dest="kind", metavar="KIND", required=True)
    caldav = kinds.add_parser("caldav", help="a CalDAV server: busy times and bookings")
    caldav.add_argument(
        "--url", required=True, help="the server's address (discovery finds the rest)"
    )
    caldav.add_argument("--username", required=True, help="your user name on the server")
    caldav.add_argument(
        "--bookings-calendar", metavar="NAME", help="the calendar bookings go to (name or URL)"
    )
    caldav.add_argument(
        "--busy-calendars",
        metavar="NAME,...",
        help="the calendars that count as busy (default: every event calendar)",
    )
    caldav.add_argument(
        "--tasks-calendar",
        metavar="NAME",
        help="the task list due touches go to (default: a task list on the server, else the "
        "bookings calendar if it takes tasks; 'none' for no tasks)",
    )
    caldav.add_argument(
        "--invites-by",
        choices=[i.value for i in InvitesBy],
        default=InvitesBy.APP.value,
        help="who e-mails the prospect: this app (default) or the calendar server",
    )
    smtp = kinds.add_parser("smtp", help="an SMTP server to send invitations through")
    smtp.add_argument("--host", required=True, help="the SMTP server's host name")
    smtp.add_argument("--port", type=int, help="its port (default: 587, or 465 with --tls)")
    smtp.add_argument("--username", required=True, help="your user name on the server")
    smtp.add_argument(
        "--from", dest="from_address", required=True, help="the From address: your own"
    )
    secure = smtp.add_mutually_exclusive_group()
    secure.add_argument("--starttls", action="store_true", help="STARTTLS (the default)")
    secure.add_argument("--tls", action="store_true", help="TLS from the start (port 465)")
    secure.add_argument(
        "--plain", action="store_true", help="no encryption (only for a server on this machine)"
    )
    for parser in (caldav, smtp):
        parser.add_argument("--name", default="", help="the account's name (default: its kind)")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
        parser.add_argument(
            "--trust",
            metavar="FINGERPRINT",
            default="",
            help="trust the server's certificate with this SHA-256 fingerprint",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    test = actions.add_parser("test", help="test an account's connection")
    test.add_argument("name", help="the account's name (see: followup-desk account list)")
    test.add_argument("--json", action="store_true", help="machine-readable output")
    listing = actions.add_parser("list", help="the accounts, without passwords")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    remove = actions.add_parser("remove", help="remove an account and its stored password")
    remove.add_argument("name")
    password = actions.add_parser("password", help="change an account's stored password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    trust = actions.add_parser("trust", help="trust a server certificate by its fingerprint")
    trust.add_argument("name")
    trust.add_argument("fingerprint")

    outbox = sub.add_parser("outbox", help="invites waiting to be sent, sent, or held")
    outbox.add_argument("--retry", action="store_true", help="send what is waiting or held, now")
    outbox.add_argument("--all", action="store_true", help="also show what was sent")
    outbox.add_argument(
        "--mark-sent", type=int, metavar="JOB", help="an e-mail of unknown fate did arrive"
    )
    outbox.add_argument(
        "--send-again", type=int, metavar="JOB", help="send an e-mail of unknown fate again"
    )
    outbox.add_argument("--drop", type=int, metavar="JOB", help="give up on a job")
    outbox.add_argument(
        "--read",
        action="store_true",
        help="read the prospects' answers and the tasks completed in other apps from the "
        "calendar server (the window does this every 10 minutes)",
    )
    outbox.add_argument("--json", action="store_true", help="machine-readable output")

    reply = sub.add_parser("import-reply", help="read a prospect's answer (.ics or e-mail)")
    reply.add_argument("file", metavar="FILE", help="a METHOD:REPLY .ics, or an .eml holding one")
    reply.add_argument("--json", action="store_true", help="machine-readable output")


def _password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        secret = line.rstrip("\r\n")
    elif sys.stdin.isatty():
        secret = getpass.getpass(prompt)
    else:
        raise InvalidInputError(
            "No terminal to ask the password on; pipe it in with --password-stdin."
        )
    if not secret:
        raise InvalidInputError("The password is empty.")
    return secret


def _emit(out: TextIO, value: object) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _account_json(account: Account) -> dict[str, Any]:
    if isinstance(account, CalDavAccount):
        names = {c.url: c.name for c in account.calendars}
        return {
            "name": account.name,
            "kind": "caldav",
            "url": account.url,
            "username": account.username,
            "home_url": account.home_url,
            "bookings_calendar": names.get(account.bookings_calendar, account.bookings_calendar),
            "tasks_calendar": names.get(account.task_list, account.task_list) or None,
            "busy_calendars": [names.get(u, u) for u in account.busy_calendars],
            "calendars": [
                {
                    "name": c.name,
                    "url": c.url,
                    "read_only": c.read_only,
                    "components": list(c.components),
                }
                for c in account.calendars
            ],
            "invites_by": account.invites_by.value,
            "trusted_fingerprint": account.trusted_fingerprint,
        }
    return {
        "name": account.name,
        "kind": "smtp",
        "host": account.host,
        "port": account.port,
        "username": account.username,
        "from": account.from_address,
        "security": account.security.value,
        "trusted_fingerprint": account.trusted_fingerprint,
    }


def _report_json(report: ConnectionReport) -> dict[str, Any]:
    return {
        "result": report.check.value,
        "message": report.message,
        "calendars": [c.name for c in report.calendars],
        "fingerprint": report.fingerprint,
    }


def _describe(account: Account) -> list[str]:
    if isinstance(account, CalDavAccount):
        names = {c.url: c.name for c in account.calendars}
        busy = ", ".join(names.get(u, u) for u in account.busy_calendars) or "(none)"
        by = "this app" if account.invites_by is InvitesBy.APP else "the server"
        return [
            f"{account.name}  CalDAV  {account.username} at {account.url}",
            f"    bookings go to: {names.get(account.bookings_calendar, '(none)')}",
            f"    due touches (tasks) go to: {names.get(account.task_list, '(none)')}",
            f"    busy calendars: {busy}",
            f"    invitations e-mailed by: {by}",
        ]
    return [
        f"{account.name}  SMTP  {account.username} at {account.host}:{account.port} "
        f"({account.security.value}), from {account.from_address}"
    ]


def cmd_account(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    service = desk.accounts
    if args.action == "list":
        accounts = service.all()
        if args.json:
            _emit(out, [_account_json(a) for a in accounts])
            return 0
        if not accounts:
            out.write("No accounts yet. Add one with: followup-desk account add caldav|smtp ...\n")
            return 0
        for account in accounts:
            for line in _describe(account):
                out.write(line + "\n")
        problem = service.keyring_problem()
        if problem:
            err.write(f"warning: {problem}\n")
        return 0
    if args.action == "test":
        report = service.test(args.name)
        if args.json:
            _emit(out, _report_json(report))
        else:
            (out if report.ok else err).write(report.message + "\n")
            if report.fingerprint:
                err.write(
                    f"To trust it: followup-desk account trust {args.name} {report.fingerprint}\n"
                )
        return 0 if report.ok else 1
    if args.action == "remove":
        service.remove(args.name)
        out.write(f"Removed the account {args.name!r} and its stored password.\n")
        return 0
    if args.action == "password":
        account = service.get(args.name)
        kept = service.set_password(account.name, _password(args, f"Password for {account.name}: "))
        out.write("Password stored in the keyring.\n" if kept else service.keyring_problem() + "\n")
        return 0
    if args.action == "trust":
        service.trust(args.name, args.fingerprint)
        out.write(f"The certificate {args.fingerprint} is trusted for {args.name!r}.\n")
        return 0
    return _add(desk, args, out, err)


def _add(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    service = desk.accounts
    if args.kind == "caldav":
        secret = _password(args, f"Password for {args.username} at {args.url}: ")
        busy = [b for b in (args.busy_calendars or "").split(",") if b.strip()]
        added = service.add_caldav(
            name=args.name,
            url=args.url,
            username=args.username,
            password=secret,
            bookings_calendar=args.bookings_calendar,
            busy_calendars=busy or None,
            invites_by=InvitesBy(args.invites_by),
            trusted_fingerprint=args.trust,
            tasks_calendar=args.tasks_calendar,
        )
    else:
        security = Security.TLS if args.tls else Security.NONE if args.plain else Security.STARTTLS
        port = args.port or (465 if security is Security.TLS else 587)
        secret = _password(args, f"Password for {args.username} at {args.host}: ")
        added = service.add_smtp(
            name=args.name,
            host=args.host,
            port=port,
            username=args.username,
            from_address=args.from_address,
            password=secret,
            security=security,
            trusted_fingerprint=args.trust,
        )
    if args.json:
        data = _account_json(added.account)
        data["test"] = _report_json(added.report)
        data["password_in_keyring"] = added.in_keyring
        data["notes"] = list(added.notes)
        _emit(out, data)
        return 0
    out.write(added.report.message + "\n")
    out.write(f"Added the account {added.account.name!r}:\n")
    for line in _describe(added.account):
        out.write(line + "\n")
    for note in added.notes:
        err.write(f"note: {note}\n")
    if added.in_keyring:
        out.write("The password is in your system keyring.\n")
    return 0


def _when(row: JobRow, zone: ZoneInfo) -> str:
    local = row.start.astimezone(zone)
    return f"{format_day(local.date())} {format_clock(local)}"


def _job_json(row: JobRow) -> dict[str, Any]:
    job = row.job
    return {
        "id": job.id,
        "kind": job.kind.value,
        "what": row.what,
        "booking": job.booking_id,
        "prospect": row.prospect,
        "channel": job.channel.value,
        "account": job.account,
        "method": job.method.value,
        "sequence": job.sequence,
        "state": job.state.value,
        "attempts": job.attempts,
        "next_try": job.next_try.isoformat() if job.state is JobState.WAITING else None,
        "error": job.last_error,
        "error_kind": row.error_kind,
        "updated": job.updated.isoformat(),
    }


def _what(state: JobState, channel: Channel) -> str:
    return {
        JobState.WAITING: "waiting",
        JobState.SENDING: "sending",
        JobState.SENT: "sent",
        JobState.HELD: "held: needs you",
        JobState.UNKNOWN: "unknown: did it go?",
        JobState.DROPPED: "dropped",
    }[state]


def print_sent(results: Sequence[Sent], out: TextIO, err: TextIO) -> None:
    for result in results:
        if result.kind is JobKind.TASK:
            what = f"task (outbox job {result.job_id})"
        elif result.kind is JobKind.MESSAGE:
            what = f"follow-up e-mail (outbox job {result.job_id})"
        else:
            what = f"{CHANNEL_WORDS[result.channel]} for booking {result.booking_id}"
        if result.state is JobState.SENT:
            out.write(f"Sent the {what}.\n")
        else:
            err.write(f"The {what} is not sent: {result.message}\n")


def cmd_outbox(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    outbox = desk.outbox
    outbox.recover()
    results: list[Sent] = []
    if args.mark_sent is not None:
        outbox.mark_arrived(args.mark_sent)
        out.write(f"Job {args.mark_sent} marked sent; it will not be sent again.\n")
    if args.drop is not None:
        outbox.drop(args.drop)
        out.write(f"Job {args.drop} dropped.\n")
    if args.send_again is not None:
        if not outbox.retry([args.send_again]):
            raise UserError(f"There is no open outbox job {args.send_again}.")
        results = outbox.run_due()
    if args.retry:
        outbox.retry()
        results = outbox.run_due()
    if args.read:
        for read in outbox.refresh_replies():
            out.write(f"{read.prospect} {reply_word(read.partstat)} (booking {read.booking_id}).\n")
        for line in desk.followup_outbox.read_back_tasks():
            out.write(line + "\n")
        results = [*results, *outbox.run_due(kind=JobKind.TASK)]
    rows = SqliteOutbox(desk.conn).rows(include_done=args.all or args.json)
    zone = desk.settings.rules.zone
    if args.json:
        _emit(out, {"counts": outbox.counts(), "jobs": [_job_json(r) for r in rows]})
        return 0 if not any(r.state is JobState.HELD for r in results) else 1
    print_sent(results, out, err)
    counts = outbox.counts()
    summary = ", ".join(
        f"{counts.get(s.value, 0)} {s.value}" for s in JobState if counts.get(s.value)
    )
    out.write(f"Outbox: {summary or 'empty'}\n")
    for row in rows:
        job = row.job
        if job.kind is JobKind.INVITE:
            about = (
                f"{row.prospect}, {_when(row, zone)}"
                f"{' (cancellation)' if job.method.value == 'CANCEL' else ''}"
            )
        else:
            about = f"{row.prospect}: {row.what}"
        line = (
            f"  #{job.id:<4} {_what(job.state, job.channel):<20} {CHANNEL_WORDS[job.channel]:<9}"
            f" {about}"
        )
        out.write(line + "\n")
        if job.last_error and job.state is not JobState.SENT:
            out.write(f"        {job.last_error}\n")
        if job.state is JobState.UNKNOWN:
            out.write(
                f"        Decide: followup-desk outbox --mark-sent {job.id}  (it arrived), or"
                f" --send-again {job.id}\n"
            )
    return 0


def cmd_import_reply(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    found = desk.outbox.import_reply(Path(args.file).expanduser())
    if args.json:
        _emit(
            out,
            [{"booking": r.booking_id, "prospect": r.prospect, "reply": r.partstat} for r in found],
        )
        return 0
    for read in found:
        out.write(f"{read.prospect} {reply_word(read.partstat)} (booking {read.booking_id}).\n")
    return 0


COMMANDS: dict[str, Command] = {
    "account": cmd_account,
    "outbox": cmd_outbox,
    "import-reply": cmd_import_reply,
}
