"""The command line for the rep's data: ``backup FILE`` and ``restore FILE``. No Qt here.

What a backup holds, and how a restore keeps the current data aside before it changes
anything, is told in :mod:`followup_desk.storage.backup`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from followup_desk.app import Desk
from followup_desk.errors import UserError
from followup_desk.paths import AppPaths
from followup_desk.storage.backup import (
    WINDOW_STATE_NAME,
    Manifest,
    RestoreReport,
    checked_backup,
    write_backup,
)

Command = Callable[[Desk, argparse.Namespace, TextIO, TextIO], int]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    backup = sub.add_parser(
        "backup", help="save the database, settings and window layout in one file"
    )
    backup.add_argument("file", metavar="FILE", help="the backup file to write (a .zip)")
    backup.add_argument("--json", action="store_true", help="print the backup's manifest")

    restore = sub.add_parser(
        "restore", help="put a backup back (your current data is kept aside first)"
    )
    restore.add_argument("file", metavar="FILE", help="a file made by: followup-desk backup")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing data")
    restore.add_argument("--json", action="store_true", help="machine-readable output")


def _invites_dir(desk: Desk) -> Path:
    folder = desk.settings.invites_folder
    return Path(folder).expanduser() if folder else desk.paths.invites_dir


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _holds(manifest: Manifest) -> str:
    return (
        f"{_plural(manifest.prospects, 'prospect')}, {_plural(manifest.bookings, 'booking')} "
        f"(schema {manifest.schema_version})"
    )


def _invites_line(manifest: Manifest, count: int, size: int) -> str:
    if manifest.invites_included:
        return f"{_plural(count, 'file')} from {manifest.invites_folder}, {_size(size)}"
    return (
        f"not included: they are exports, in {manifest.invites_folder} "
        "(`followup-desk invite ID` writes one again)"
    )


def cmd_backup(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = Path(args.file).expanduser().absolute()
    manifest = write_backup(desk.paths, target, desk.clock.now(), _invites_dir(desk))
    if args.json:
        json.dump(manifest.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(f"Backed up to {target} ({_size(target.stat().st_size)}):\n")
    labels = {
        f"config/{desk.paths.settings_file.name}": ("settings", desk.paths.settings_file),
        f"config/{WINDOW_STATE_NAME}": ("window layout", desk.paths.config_dir / WINDOW_STATE_NAME),
    }
    invites = [e for e in manifest.files if e.name.lower().endswith(".ics")]
    for entry in manifest.files:
        if entry.name == manifest.database:
            out.write(
                f"  {'database':<14}{_holds(manifest)}, {_size(entry.size)}, "
                f"from {desk.paths.database}\n"
            )
        elif entry.name in labels:
            label, path = labels[entry.name]
            out.write(f"  {label:<14}{path}, {_size(entry.size)}\n")
    invites_size = sum(e.size for e in invites)
    out.write(f"  {'invites':<14}{_invites_line(manifest, len(invites), invites_size)}\n")
    out.write(f"Put it back with: followup-desk restore {shlex.quote(str(target))}\n")
    return 0


def _confirm(args: argparse.Namespace, ask: TextIO) -> None:
    if args.yes:
        return
    ask.write("Replace your current data with this backup? It is kept aside first. [y/N] ")
    ask.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise UserError("Restore cancelled; nothing was changed.")


def _report_json(report: RestoreReport) -> dict[str, object]:
    return {
        "backup": report.manifest.to_json(),
        "kept_aside": str(report.aside) if report.aside else None,
        "restored": list(report.restored),
        "schema_version": report.schema_after,
        "bookings_without_invite_file": list(report.missing_invites),
    }


def _restored_line(report: RestoreReport) -> str:
    names = {
        f"config/{WINDOW_STATE_NAME}": "the window layout",
        "config/settings.toml": "the settings",
    }
    parts = ["the database"]
    parts += [names[n] for n in report.restored if n in names]
    invites = sum(1 for n in report.restored if n.lower().endswith(".ics"))
    if invites:
        parts.append(_plural(invites, "invite file"))
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def cmd_restore(desk: Desk, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return restore(desk.paths, desk.clock.now(), _invites_dir(desk), args, out, err)


def restore(
    paths: AppPaths,
    now: datetime,
    invites: Path,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
) -> int:
    """Restore with only the paths: it must work when the current database cannot be opened
    (damaged, or from a newer version), which is when a rep needs it most."""
    source = Path(args.file).expanduser().absolute()
    with checked_backup(source, paths) as backup:
        if not args.yes and not sys.stdin.isatty():
            raise UserError(
                "Restoring replaces your current data and there is no terminal to ask on: run "
                "it again with --yes to confirm (nothing was changed)."
            )
        m = backup.manifest
        ask = err if args.json else out
        ask.write(
            f"{source}: made {m.created:%a %d %b %Y %H:%M} UTC by Followup Desk "
            f"{m.app_version}; {_holds(m)}.\n"
        )
        _confirm(args, ask)
        report = backup.restore(now, invites)
    if args.json:
        json.dump(_report_json(report), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if report.aside is not None:
        out.write(
            f"Kept your data as it was in {report.aside}\n"
            f"  (undo with: followup-desk restore {shlex.quote(str(report.aside))})\n"
        )
    out.write(f"Restored {_restored_line(report)}.\n")
    if report.schema_after != m.schema_version:
        out.write(
            f"Updated the database from schema {m.schema_version} to {report.schema_after}.\n"
        )
    if report.missing_invites:
        ids = ", ".join(str(i) for i in report.missing_invites)
        out.write(
            f"Invite files not on this computer, for bookings {ids}: write one again with "
            "followup-desk invite ID\n"
        )
    return 0


COMMANDS: dict[str, Command] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
}
