"""The command line after the meeting: review, outcomes, touches, cadences, closing files.

Same services as the window; `--json` where a script would read the answer. No Qt here.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from followup_desk.app import Desk
from followup_desk.atomic import atomic_write
from followup_desk.domain.cadences import Channel
from followup_desk.domain.followup import parse_stated_date
from followup_desk.domain.outbox import JobKind, JobState
from followup_desk.domain.phrases import format_short_day
from followup_desk.domain.review import GROUP_TITLES, Group, Review, ReviewItem
from followup_desk.domain.touches import Direction, Outcome
from followup_desk.errors import InvalidInputError, StorageError
from followup_desk.services.followups import EmptyTouchWarning
from followup_desk.services.review_export import review_csv

Command = Callable[[Desk, argparse.Namespace, TextIO, TextIO], int]


def _day_word(text: str, today: date) -> date:
    """'tomorrow', 'next week', '2026-12-15', '15 Dec', 'friday'..."""
    lowered = text.strip().lower()
    if lowered in ("next-week", "next week"):
        return today + timedelta(days=7 - today.weekday())
    found = parse_stated_date(
        lowered.replace("-", " ") if not lowered[:1].isdigit() else lowered, today
    )
    if found is None:
        raise InvalidInputError(
            f"{text!r} is not a date I can read; try tomorrow, next-week, 15 Dec or 2026-12-15."
        )
    return found


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    review = sub.add_parser("review", help="the weekly review: who is due, waiting, stale")
    review.add_argument("--json", action="store_true", help="machine-readable output")
    review.add_argument("--csv", action="store_true", help="the review as CSV, for a sheet")
    review.add_argument(
        "--stale-days",
        type=int,
        default=14,
        metavar="N",
        help="no touch for N days is stale (default 14)",
    )
    review.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    outcome = sub.add_parser("outcome", help="say whether a meeting happened")
    outcome.add_argument("id", type=int, nargs="?", help="the booking's id")
    outcome.add_argument("result", nargs="?", choices=[o.value for o in Outcome])
    outcome.add_argument("--pending", action="store_true", help="meetings awaiting an answer")
    outcome.add_argument("--json", action="store_true", help="machine-readable output")
    outcome.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    touch = sub.add_parser("touch", help="log a call, message or visit")
    touch.add_argument("prospect", type=int, help="the prospect's id")
    touch.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    touch.add_argument(
        "--in",
        dest="inbound",
        action="store_true",
        help="they reached out (a reply stops their cadence)",
    )
    touch.add_argument("--note", default="", help="what was new for them")
    touch.add_argument("--force", action="store_true", help="log a note that says nothing new")
    touch.add_argument("--json", action="store_true", help="machine-readable output")
    touch.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    close = sub.add_parser("close", help="close a prospect's file, with the reason")
    close.add_argument("prospect", type=int)
    close.add_argument("--reason", required=True)
    reopen = sub.add_parser("reopen", help="reopen a closed file")
    reopen.add_argument("prospect", type=int)

    snooze = sub.add_parser("snooze", help="nothing due for a prospect before a date")
    snooze.add_argument("prospect", type=int)
    snooze.add_argument("--until", required=True, help="tomorrow, next-week, 15 Dec, 2026-12-15")
    snooze.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    enrol = sub.add_parser("enrol", help="start a follow-up cadence for a prospect")
    enrol.add_argument("prospect", type=int)
    enrol.add_argument("--cadence", required=True, help="its short name (see: cadences)")
    enrol.add_argument("--start", help="the first day (default today)")
    enrol.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    message = sub.add_parser("message", help="the next cadence message, filled in")
    message.add_argument("prospect", type=int)
    message.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    send = sub.add_parser(
        "send-message",
        help="e-mail the next cadence message through the SMTP account (logged as a touch)",
    )
    send.add_argument("prospect", type=int)
    send.add_argument(
        "--body-file",
        metavar="FILE",
        help="send this text instead (a first line 'Subject: ...' sets the subject)",
    )
    send.add_argument("--subject", help="the subject (default: 'Following up: <meeting>')")
    send.add_argument(
        "--dry-run", action="store_true", help="show the e-mail as it would go; send nothing"
    )
    send.add_argument(
        "--force", action="store_true", help="send a message that says nothing new, or has [gaps]"
    )
    send.add_argument("--json", action="store_true", help="machine-readable output")
    send.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")

    cadences = sub.add_parser("cadences", help="list, export or import cadences")
    cadences.add_argument("--json", action="store_true", help="machine-readable output")
    cadences.add_argument("--export", metavar="FILE", help="write them to a TOML file")
    cadences.add_argument(
        "--import", dest="import_file", metavar="FILE", help="add the cadences of a TOML file"
    )


def _item_json(item: ReviewItem) -> dict[str, object]:
    f = item.facts
    return {
        "prospect_id": f.prospect_id,
        "name": f.name,
        "company": f.company,
        "group": item.group.value,
        "due": item.due.isoformat() if item.due else None,
        "what": item.what,
        "cadence": f.cadence or None,
        "follow_up_said": f.follow_up_said or None,
        "follow_up_on": f.follow_up_on.isoformat() if f.follow_up_on else None,
        "last_touch_out": f.last_out.isoformat() if f.last_out else None,
        "last_touch_in": f.last_in.isoformat() if f.last_in else None,
    }


def _print_review(review: Review, out: TextIO) -> None:
    counts = review.counts()
    shown = [g for g in Group if counts.get(g)]
    out.write(f"Weekly review, {review.today:%A %d %B %Y}\n")
    out.write("  " + " · ".join(f"{GROUP_TITLES[g]} {counts.get(g, 0):,}" for g in Group) + "\n")
    if not shown:
        out.write("\nEvery open prospect has a booked next step. Nothing to chase.\n")
        return
    for group in shown:
        out.write(f"\n{GROUP_TITLES[group]} ({counts[group]:,})\n")
        for item in review.items(group):
            f = item.facts
            due = f"{format_short_day(item.due):<10}  " if item.due else ""
            who = f.name + (f", {f.company}" if f.company else "")
            out.write(f"  {f.prospect_id:>5}  {due}{who}: {item.what}\n")


def cmd_review(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    review = desk.followups.review(args.stale_days)
    if args.json:
        json.dump(
            {
                "today": review.today.isoformat(),
                "counts": {g.value: n for g, n in review.counts().items()},
                "groups": {g.value: [_item_json(i) for i in items] for g, items in review.groups},
            },
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
    elif args.csv:
        out.write(review_csv(review))
    else:
        _print_review(review, out)
    return 0


def cmd_outcome(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.pending or args.id is None:
        pending = desk.followups.awaiting_outcome()
        zone = desk.settings.rules.zone
        if args.json:
            rows = [
                {
                    "booking_id": b.id,
                    "prospect_id": p.id,
                    "name": p.name,
                    "start": b.start.astimezone(zone).isoformat(),
                }
                for b, p in pending
            ]
            json.dump(rows, out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif not pending:
            out.write("No meeting is waiting for its outcome.\n")
        else:
            for b, p in pending:
                start = b.start.astimezone(zone)
                out.write(f"{b.id:>5}  {start:%a %d %b %H:%M}  {p.name}\n")
            out.write(
                "Say how each went: followup-desk outcome ID held|no-show|rescheduled|cancelled\n"
            )
        return 0
    if args.result is None:
        raise InvalidInputError("Say how it went: held, no-show, rescheduled or cancelled.")
    outcome = Outcome(args.result)
    prospect = desk.followups.record_outcome(args.id, outcome)
    out.write(f"Booking {args.id}: {outcome.value}.")
    if outcome is Outcome.RESCHEDULED:
        out.write(
            f" Book the new time: followup-desk book --name {prospect.name!r} "
            f"--email {prospect.email} --start ...\n"
        )
    elif outcome is not Outcome.HELD:
        out.write(f" {prospect.name} is back among those without a next step.\n")
    else:
        out.write("\n")
    return 0


def cmd_touch(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    direction = Direction.IN if args.inbound else Direction.OUT
    try:
        logged = desk.followups.log_touch(
            args.prospect, Channel(args.channel), direction, args.note, force=args.force
        )
    except EmptyTouchWarning as exc:
        raise EmptyTouchWarning(f"{exc} (--force logs it as it is.)") from None
    push_tasks(desk, err)
    if args.json:
        json.dump(
            {
                "touch_id": logged.touch_id,
                "cadence_step_done": logged.step_done,
                "cadence": logged.enrolment_state.value if logged.enrolment_state else None,
                "next_due": logged.next_due.isoformat() if logged.next_due else None,
            },
            out,
        )
        out.write("\n")
        return 0
    out.write(f"Logged touch {logged.touch_id}.")
    if logged.enrolment_state is not None:
        state = logged.enrolment_state.value.replace("-", " ")
        nxt = f" Next touch {logged.next_due:%a %d %b}." if logged.next_due else ""
        out.write(f" Cadence: {state}.{nxt}")
    out.write("\n")
    return 0


def cmd_close(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    desk.followups.close(args.prospect, args.reason)
    push_tasks(desk, err)
    out.write(
        f"Closed prospect {args.prospect}'s file; it leaves the review. "
        f"Reopen with: followup-desk reopen {args.prospect}\n"
    )
    return 0


def cmd_reopen(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    desk.followups.reopen(args.prospect)
    out.write(f"Reopened prospect {args.prospect}'s file.\n")
    return 0


def cmd_snooze(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    until = _day_word(args.until, desk.followups.today)
    desk.followups.snooze(args.prospect, until)
    push_tasks(desk, err)
    out.write(f"Snoozed prospect {args.prospect} until {until:%A %d %B}.\n")
    return 0


def cmd_enrol(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    start = _day_word(args.start, desk.followups.today) if args.start else None
    enrolment = desk.followups.enrol(args.prospect, args.cadence, start)
    push_tasks(desk, err)
    due = (
        f"; first touch {enrolment.next_due:%a %d %b} ({enrolment.next_what})"
        if (enrolment.next_due)
        else ""
    )
    out.write(f"Prospect {args.prospect} enrolled in {enrolment.cadence_name}{due}.\n")
    return 0


def cmd_message(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    text = desk.followups.message(args.prospect)
    out.write((text or "Every step of the cadence is done.") + "\n")
    return 0


def cmd_send_message(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    body = None
    if args.body_file:
        path = Path(args.body_file).expanduser()
        try:
            body = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{path} cannot be read ({exc}).") from exc
    mail = desk.followup_outbox
    if args.dry_run:
        draft = mail.draft(args.prospect, body)
        subject = args.subject or draft.subject
        out.write(f"From: {draft.sender}\nTo: {draft.name} <{draft.to}>\nSubject: {subject}\n\n")
        out.write(draft.body.rstrip() + "\n")
        return 0
    try:
        sent = mail.send_message(args.prospect, body, args.subject, force=args.force)
    except EmptyTouchWarning as exc:
        raise EmptyTouchWarning(f"{exc} (--force sends it as it is; nothing was sent.)") from None
    push_tasks(desk, err)  # the touch moved the cadence on: its task follows, as for `touch`
    state = sent.sent.state.value if sent.sent else "waiting"
    if args.json:
        json.dump(
            {
                "touch_id": sent.touch.touch_id,
                "to": sent.to,
                "subject": sent.subject,
                "state": state,
                "next_due": sent.touch.next_due.isoformat() if sent.touch.next_due else None,
            },
            out,
        )
        out.write("\n")
        return 0
    out.write(f"Logged touch {sent.touch.touch_id} (e-mail).")
    if sent.touch.next_due:
        out.write(f" Next touch {sent.touch.next_due:%a %d %b}.")
    out.write("\n")
    if sent.delivered:
        out.write(f"Sent {sent.subject!r} to {sent.to}.\n")
    else:
        reason = sent.sent.message if sent.sent else "it waits in the outbox"
        err.write(
            f"The e-mail to {sent.to} is not sent yet: {reason} It is kept in the outbox "
            "(followup-desk outbox).\n"
        )
    return 0


def push_tasks(desk: Desk, err: TextIO) -> None:
    """Write the due-touch tasks a change queued (when there is a task list); a server out
    of reach leaves them waiting in the outbox, said in one line."""
    for result in desk.outbox.run_due(kind=JobKind.TASK):
        if result.state is not JobState.SENT:
            err.write(f"note: the task waits in the outbox ({result.message})\n")
            break


def cmd_cadences(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.import_file:
        path = Path(args.import_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{path} cannot be read ({exc}).") from exc
        keys = desk.cadences.import_cadences(text, str(path))
        out.write(f"Imported {len(keys)} cadence(s): {', '.join(keys)}.\n")
        return 0
    if args.export:
        path = Path(args.export).expanduser().absolute()
        try:
            atomic_write(path, desk.cadences.export_cadences().encode("utf-8"))
        except OSError as exc:
            raise StorageError(f"{path} cannot be written ({exc.strerror}).") from exc
        out.write(f"Wrote the cadences to {path}\n")
        return 0
    cadences = desk.cadences.cadences()
    if args.json:
        rows = [
            {
                "key": c.key,
                "name": c.name,
                "builtin": builtin,
                "steps": len(c.steps),
                "description": c.description,
            }
            for c, builtin in cadences
        ]
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for cadence, builtin in cadences:
        mark = " (built in)" if builtin else ""
        out.write(f"{cadence.key:<18} {cadence.name}{mark}: {len(cadence.steps)} steps\n")
    return 0


COMMANDS: dict[str, Command] = {
    "review": cmd_review,
    "outcome": cmd_outcome,
    "touch": cmd_touch,
    "close": cmd_close,
    "reopen": cmd_reopen,
    "snooze": cmd_snooze,
    "enrol": cmd_enrol,
    "message": cmd_message,
    "send-message": cmd_send_message,
    "cadences": cmd_cadences,
}
