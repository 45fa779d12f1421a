"""The command line over the same services as the window. Qt is never imported here.

Every command prints for people by default and for scripts with ``--json``. Errors are
one line on standard error and a non-zero exit; the traceback goes to the log file.
Exit codes: 0 done, 1 refused or failed (the message says why), 2 bad usage, 70 a bug.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from followup_desk import APP_NAME, __version__, cli_after, cli_data, cli_send
from followup_desk.adapters.clock import FixedClock, SystemClock
from followup_desk.app import Desk, init_logging, open_desk
from followup_desk.domain.horizons import Horizon
from followup_desk.domain.outbox import reply_word
from followup_desk.domain.phrases import (
    CLOSING_LINE,
    day_line,
    format_clock,
    format_day,
    format_offset,
    horizon_line,
)
from followup_desk.domain.slots import PartOfDay, Slot, wall_instants
from followup_desk.errors import FollowupDeskError, InvalidInputError, StorageError, UserError
from followup_desk.services.booking import BookingOutcome, BookingRequest, check_zone
from followup_desk.services.outbox import Sent
from followup_desk.services.scheduling import SlotQuery
from followup_desk.storage.settings_file import load_settings

log = logging.getLogger(__name__)

HORIZONS = [h.value for h in Horizon if h is not Horizon.DATE]


class UsageError(UserError):
    """Bad arguments: exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit is replaced by ours
        # self.prog is "followup-desk" for the top level, "followup-desk book" for a command
        raise UsageError(f"{message} (see: {self.prog} --help)")


def parse_moment(text: str, zone: ZoneInfo, what: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read on ``zone``'s wall clock.

    A wall time that does not exist (DST gap) or happens twice (DST fold) is refused with
    the offsets to choose from.
    """
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"{what} {text!r} is not an ISO 8601 date and time, e.g. 2026-12-04T15:00 or "
            "2026-12-04T15:00+01:00."
        ) from None
    if value.tzinfo is not None:
        return value
    instants = wall_instants(value.date(), value.time(), zone)
    if not instants:
        raise InvalidInputError(
            f"{what} {text} does not exist in {zone.key}: the clocks skip it for daylight "
            "saving time. Pick a time outside that gap."
        )
    if len(instants) > 1:
        options = " or ".join(i.isoformat() for i in instants)
        raise InvalidInputError(
            f"{what} {text} happens twice in {zone.key} (clocks go back); give the offset: "
            f"{options}."
        )
    return instants[0]


def _positive_minutes(text: str) -> timedelta:
    if not text.isdigit() or not 5 <= int(text) <= 480:
        raise argparse.ArgumentTypeError(f"{text!r} is not a length in minutes (5-480)")
    return timedelta(minutes=int(text))


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-04") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="followup-desk",
        description=f"{APP_NAME}: leave every meeting with a booked, specific next step. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    slots = sub.add_parser("slots", help="free slots to offer, from your calendars")
    slots.add_argument(
        "--busy",
        action="append",
        metavar="FILE_OR_URL",
        help="a calendar that counts as busy (repeatable; default: settings)",
    )
    slots.add_argument("--tz", metavar="ZONE", help="your time zone (default: settings)")
    slots.add_argument(
        "--prospect-tz", metavar="ZONE", help="the prospect's time zone (default: yours)"
    )
    when = slots.add_mutually_exclusive_group()
    when.add_argument("--horizon", choices=HORIZONS, help="the week to look in")
    when.add_argument("--day", type=_iso_day, metavar="YYYY-MM-DD", help="one named day")
    slots.add_argument(
        "--length",
        type=_positive_minutes,
        metavar="MINUTES",
        help="meeting length (default: the first in settings)",
    )
    slots.add_argument(
        "--part", choices=[p.value for p in PartOfDay], help="only the morning or the afternoon"
    )
    slots.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")
    slots.add_argument("--json", action="store_true", help="machine-readable output")

    book = sub.add_parser("book", help="book a next step and write the invite")
    book.add_argument("--name", required=True, help="the prospect's name")
    book.add_argument("--email", required=True, help="the prospect's e-mail address")
    book.add_argument(
        "--start",
        required=True,
        metavar="ISO8601",
        help="start; without an offset it is your local time",
    )
    book.add_argument(
        "--length",
        type=_positive_minutes,
        metavar="MINUTES",
        help="meeting length (default: the first in settings)",
    )
    book.add_argument("--prospect-tz", metavar="ZONE", help="the prospect's time zone")
    book.add_argument("--company", default="", help="the prospect's company")
    book.add_argument("--phone", default="", help="the prospect's phone number")
    book.add_argument(
        "--follow-up",
        default="",
        metavar="TEXT",
        help="how and when they want to be followed up, as they said it",
    )
    book.add_argument("--ics", metavar="PATH", help="where to write the invite (file or folder)")
    book.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")
    book.add_argument("--json", action="store_true", help="machine-readable output")

    resched = sub.add_parser("reschedule", help="move a booking (same UID, higher SEQUENCE)")
    resched.add_argument("id", type=int, help="the booking's id (see: followup-desk list)")
    resched.add_argument("--start", required=True, metavar="ISO8601", help="the new start")
    resched.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")
    resched.add_argument("--json", action="store_true", help="machine-readable output")

    cancel = sub.add_parser("cancel", help="cancel a booking and write the cancellation")
    cancel.add_argument("id", type=int, help="the booking's id")
    cancel.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")
    cancel.add_argument("--json", action="store_true", help="machine-readable output")

    for changing in (book, resched, cancel):
        changing.add_argument(
            "--send",
            metavar="CHANNELS",
            help="how the invite goes out: caldav,email,ics (default: settings, or for a "
            "change, how the booking was sent)",
        )

    invite = sub.add_parser("invite", help="write a booking's current invite again")
    invite.add_argument("id", type=int, help="the booking's id")
    invite.add_argument("--ics", metavar="PATH", help="file or folder to write to")
    invite.add_argument("--json", action="store_true", help="machine-readable output")

    listing = sub.add_parser("list", help="prospects and their next booked step")
    listing.add_argument("--now", metavar="ISO8601", help="pretend it is this moment")
    listing.add_argument("--json", action="store_true", help="machine-readable output")

    settings = sub.add_parser("settings", help="where the settings are, and whether they are valid")
    settings.add_argument("--json", action="store_true", help="machine-readable output")
    cli_after.add_parsers(sub)
    cli_data.add_parsers(sub)
    cli_send.add_parsers(sub)
    return parser


def _emit_json(out: TextIO, value: object) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _slot_json(slot: Slot, prospect_zone: ZoneInfo) -> dict[str, str]:
    p_start, p_end = slot.in_zone(prospect_zone)
    return {
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "prospect_start": p_start.isoformat(),
        "prospect_end": p_end.isoformat(),
        "day": slot.start.date().isoformat(),
        "part": slot.part.value,
    }


def _warn(err: TextIO, messages: Sequence[str]) -> None:
    for message in messages:
        err.write(f"warning: {message}\n")


def cmd_slots(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = desk.settings
    rules = settings.rules
    if args.tz:
        rules = replace(rules, time_zone=check_zone(args.tz, "--tz").key)
    prospect_zone = check_zone(args.prospect_tz or rules.time_zone, "--prospect-tz")
    now = desk.clock.now()
    horizon = Horizon.DATE if args.day else Horizon(args.horizon or Horizon.NEXT_WEEK.value)
    length = args.length or timedelta(minutes=rules.default_length)
    sources = tuple(args.busy) if args.busy else settings.busy_sources
    answer = desk.scheduling.slots(
        SlotQuery(
            rules,
            sources,
            prospect_zone.key,
            length,
            horizon,
            args.day,
            PartOfDay(args.part) if args.part else None,
        ),
        now,
    )
    _warn(err, answer.busy.warnings)
    _warn(err, answer.busy.problems)
    if not sources:
        err.write(
            "note: no calendar counts as busy yet, so only your working hours and your own "
            "bookings limit these slots. Give one with --busy FILE_OR_URL, or list it under "
            "[free_busy] in settings.toml.\n"
        )
    if args.json:
        _emit_json(out, [_slot_json(s, prospect_zone) for s in answer.slots])
        return 0
    minutes = int(length.total_seconds() // 60)
    out.write(
        f"Free {minutes}-minute slots, your zone {rules.time_zone}, "
        f"prospect's zone {prospect_zone.key}\n"
    )
    out.write(f'Say: "{horizon_line(horizon, args.day)}"\n')
    offered = [d for d in answer.days if d.free][:2]
    if horizon is not Horizon.DATE and offered:
        out.write(f'Then: "{day_line(offered, prospect_zone)}"\n')
    for report in answer.days:
        out.write(f"\n{format_day(report.day)}")
        shown = [s for s in report.slots if args.part is None or s.part.value == args.part]
        if not shown:
            out.write(f": nothing free ({report.reason or 'busy'})\n")
            continue
        out.write("\n")
        for slot in shown:
            p_start, p_end = slot.in_zone(prospect_zone)
            line = (
                f"  {slot.part.value:<9} {format_clock(slot.start)}-{format_clock(slot.end)}"
                f" ({format_offset(slot.start)})"
            )
            if prospect_zone.key != rules.time_zone:
                day_note = "" if p_start.date() == slot.start.date() else f"{p_start:%a} "
                line += (
                    f"   prospect: {day_note}{format_clock(p_start)}-{format_clock(p_end)}"
                    f" ({format_offset(p_start)})"
                )
            out.write(line + "\n")
    if not answer.slots:
        out.write("\nNothing is free in that range; try another horizon or a shorter meeting.\n")
    return 0


def _outcome_json(outcome: BookingOutcome, sent: Sequence[Sent] = ()) -> dict[str, object]:
    b = outcome.booking
    return {
        "id": b.id,
        "ics": outcome.ics_path,
        "uid": b.uid,
        "sequence": b.sequence,
        "status": b.status.value,
        "start": b.start.astimezone(ZoneInfo(b.rep_zone)).isoformat(),
        "end": b.end.astimezone(ZoneInfo(b.rep_zone)).isoformat(),
        "prospect_start": b.start.astimezone(ZoneInfo(b.prospect_zone)).isoformat(),
        "prospect": {
            "id": outcome.prospect.id,
            "name": outcome.prospect.name,
            "email": outcome.prospect.email,
        },
        "warnings": list(outcome.warnings),
        "reply": b.reply,
        "sent": [
            {"channel": s.channel.value, "state": s.state.value, "message": s.message} for s in sent
        ],
    }


def _describe(outcome: BookingOutcome) -> str:
    b = outcome.booking
    start = b.start.astimezone(ZoneInfo(b.rep_zone))
    text = f"{format_day(start.date())} {format_clock(start)} ({format_offset(start)})"
    if b.prospect_zone != b.rep_zone:
        p = b.start.astimezone(ZoneInfo(b.prospect_zone))
        text += (
            f"; for {outcome.prospect.name}: {format_day(p.date())} {format_clock(p)} "
            f"({format_offset(p)})"
        )
    return text


def _send(args: argparse.Namespace) -> tuple[str, ...] | None:
    text = getattr(args, "send", None)
    return tuple(s for s in text.split(",") if s.strip()) if text else None


def _send_now(desk: Desk, outcome: BookingOutcome) -> list[Sent]:
    """Send what the booking queued, now; what fails stays in the outbox and says why."""
    if not outcome.queued or outcome.booking.id is None:
        return []
    return desk.outbox.run_due(booking_id=outcome.booking.id)


def cmd_book(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rules = desk.settings.rules
    start = parse_moment(args.start, rules.zone, "--start")
    outcome = desk.bookings.book(
        BookingRequest(
            name=args.name,
            email=args.email,
            start=start,
            length=args.length or timedelta(minutes=rules.default_length),
            prospect_zone=args.prospect_tz,
            company=args.company,
            phone=args.phone,
            follow_up_said=args.follow_up,
            ics_target=args.ics,
            send=_send(args),
        )
    )
    _warn(err, outcome.warnings)
    sent = _send_now(desk, outcome)
    if args.json:
        data = _outcome_json(outcome, sent)
        p = outcome.prospect
        data["follow_up"] = {
            "said": p.follow_up_said,
            "stated": p.follow_up_stated.isoformat() if p.follow_up_stated else None,
            "suggested": p.follow_up_suggested.isoformat() if p.follow_up_suggested else None,
        }
        _emit_json(out, data)
        return 0
    out.write(f"Booked {outcome.booking.id}: {outcome.prospect.name}, {_describe(outcome)}\n")
    if outcome.ics_path:
        out.write(f"Invite written to {outcome.ics_path}\n")
    cli_send.print_sent(sent, out, err)
    p = outcome.prospect
    if p.follow_up_said:
        if p.follow_up_suggested and p.follow_up_stated:
            stated = f"{p.follow_up_stated:%a %d %b %Y}"
            act = f"{p.follow_up_suggested:%a %d %b %Y}"
            out.write(f'Follow-up: they said "{p.follow_up_said}" ({stated}); act by {act}\n')
        else:
            out.write(f'Follow-up: they said "{p.follow_up_said}" (no date understood; pick one)\n')
    out.write(f'Say: "{CLOSING_LINE}"\n')
    return 0


def cmd_reschedule(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    start = parse_moment(args.start, desk.settings.rules.zone, "--start")
    outcome = desk.bookings.reschedule(args.id, start, _send(args))
    _warn(err, outcome.warnings)
    sent = _send_now(desk, outcome)
    if args.json:
        _emit_json(out, _outcome_json(outcome, sent))
        return 0
    out.write(
        f"Moved {outcome.booking.id} to {_describe(outcome)} (update {outcome.booking.sequence})\n"
    )
    if outcome.ics_path:
        out.write(f"Updated invite written to {outcome.ics_path}\n")
    cli_send.print_sent(sent, out, err)
    return 0


def cmd_cancel(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    outcome = desk.bookings.cancel(args.id, _send(args))
    _warn(err, outcome.warnings)
    sent = _send_now(desk, outcome)
    if args.json:
        _emit_json(out, _outcome_json(outcome, sent))
        return 0
    out.write(f"Cancelled {outcome.booking.id} ({outcome.prospect.name}, {_describe(outcome)})\n")
    if outcome.ics_path:
        out.write(f"Cancellation written to {outcome.ics_path}\n")
    cli_send.print_sent(sent, out, err)
    return 0


def cmd_invite(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    outcome = desk.bookings.rewrite_invite(args.id, args.ics)
    if args.json:
        _emit_json(out, _outcome_json(outcome))
        return 0
    out.write(f"Invite for {outcome.booking.id} written to {outcome.ics_path}\n")
    return 0


def cmd_list(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    steps = desk.bookings.next_steps()
    zone = desk.settings.rules.zone
    if args.json:
        rows = []
        for step in steps:
            p, b = step.prospect, step.booking
            rows.append(
                {
                    "prospect": {
                        "id": p.id,
                        "name": p.name,
                        "email": p.email,
                        "company": p.company,
                        "time_zone": p.time_zone,
                        "follow_up_said": p.follow_up_said,
                        "follow_up_suggested": p.follow_up_suggested.isoformat()
                        if p.follow_up_suggested
                        else None,
                    },
                    "next_step": None
                    if b is None
                    else {
                        "id": b.id,
                        "start": b.start.astimezone(zone).isoformat(),
                        "end": b.end.astimezone(zone).isoformat(),
                        "title": b.title,
                        "sequence": b.sequence,
                        "ics": b.ics_path,
                        "confirm_on": step.confirm_on.isoformat() if step.confirm_on else None,
                        "reply": b.reply.lower() or None,
                    },
                }
            )
        _emit_json(out, rows)
        return 0
    if not steps:
        out.write(
            "No prospects yet. Book one with: followup-desk book --name ... --email ... "
            "--start ...\n"
        )
        return 0
    missing = 0
    for step in steps:
        p, b = step.prospect, step.booking
        who = f"{p.name} <{p.email}>" + (f", {p.company}" if p.company else "")
        if b is None:
            missing += 1
            out.write(f"  -   {who}\n      NO NEXT STEP")
            if p.follow_up_suggested:
                out.write(f" (follow up by {p.follow_up_suggested:%a %d %b})")
            out.write("\n")
            continue
        start = b.start.astimezone(zone)
        out.write(
            f"{b.id:>4}  {who}\n      {format_day(start.date())} {format_clock(start)}"
            f" ({format_offset(start)})"
        )
        if step.confirm_on:
            out.write(f"; confirm on {step.confirm_on:%a %d %b}")
        if b.reply:
            out.write(f"; {reply_word(b.reply)}")
        out.write("\n")
    out.write(f"\n{len(steps)} prospect(s), {missing} without a next step.\n")
    return 0


def cmd_settings(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    s = desk.settings
    info = {
        "settings_file": str(desk.paths.settings_file),
        "database": str(desk.paths.database),
        "log_file": str(desk.paths.log_file),
        "invites_folder": s.invites_folder or str(desk.paths.invites_dir),
        "time_zone": s.rules.time_zone,
        "busy_sources": list(s.busy_sources),
        "invites_send": list(s.send_channels),  # how new bookings go out ([invites] send)
    }
    if args.json:
        _emit_json(out, info)
    else:
        for key, value in info.items():
            shown = (", ".join(value) or "(none)") if isinstance(value, list) else value
            out.write(f"{key:<15} {shown}\n")
        out.write("Settings are valid.\n")
    return 0


COMMANDS = {
    "slots": cmd_slots,
    "book": cmd_book,
    "reschedule": cmd_reschedule,
    "cancel": cmd_cancel,
    "invite": cmd_invite,
    "list": cmd_list,
    "settings": cmd_settings,
    **cli_after.COMMANDS,
    **cli_data.COMMANDS,
    **cli_send.COMMANDS,
}


def _now_zone(desk: Desk, args: argparse.Namespace) -> ZoneInfo:
    """A --now without an offset is read in --tz when given, else in the rep's zone."""
    if getattr(args, "tz", None):
        return check_zone(args.tz, "--tz")
    return desk.settings.rules.zone


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Parse and run one command; raises UserError subclasses for the caller to print."""
    args = build_parser().parse_args(list(argv))
    if args.command is None:
        out.write("Give a command; see: followup-desk --help\n")
        return 2
    paths = init_logging()
    try:
        desk = open_desk(paths)
    except StorageError:
        if args.command != "restore":
            raise
        # the database cannot be opened: restoring a backup is the way out, so it must run
        log.warning("restoring over a database that cannot be opened", exc_info=True)
        settings = load_settings(paths.settings_file)
        folder = Path(settings.invites_folder).expanduser() if settings.invites_folder else None
        return cli_data.restore(
            paths, SystemClock().now(), folder or paths.invites_dir, args, out, err
        )
    try:
        if getattr(args, "now", None):
            clock = FixedClock(parse_moment(args.now, _now_zone(desk, args), "--now"))
            desk.close()
            desk = open_desk(paths, clock=clock)
        return COMMANDS[args.command](desk, args, out, err)
    finally:
        desk.close()


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return run(sys.argv[1:] if argv is None else argv, out, err)
    except UsageError as exc:
        err.write(f"followup-desk: {exc}\n")
        return 2
    except FollowupDeskError as exc:
        log.info("refused: %s", exc, exc_info=True)
        err.write(f"followup-desk: {exc}\n")
        return 1
    except BrokenPipeError:
        # the reader (head, less) stopped reading: not an error worth a word
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        err.write("followup-desk: interrupted; nothing was left half-written.\n")
        return 130
    except Exception:
        log.exception("unexpected error in the command line")
        err.write(
            "followup-desk: something went wrong that we did not expect; nothing was lost. "
            f"Details are in the log ({init_logging().log_file}); please report them.\n"
        )
        return 70
