"""CalDAV free/busy refresh: a full fetch of 5,000 events against a refresh after one change.

Run on demand: ``.venv/bin/python benchmarks/caldav_sync.py [--events 5000]``.

A local Radicale (started here on 127.0.0.1, on a random port) holds one calendar of
``--events`` events (a tenth of them weekly series). The app's CalDAV adapter reads it
through a counting proxy on loopback, so every request and byte that crosses the wire is
counted, as it would be to a real server:

  (a) full fetch: the first sync (no token): every object, with its data;
  (b) refresh with nothing changed (the window does this every time it looks);
  (c) refresh after one event is changed by another client.

It prints requests, bytes (both directions) and time of each, and the ratios of (b) and (c)
to (a). Goal: (c) under 5 % of (a) in bytes. Times are wall-clock on a shared machine: read
them as ratios within this run, not as absolute figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from followup_desk.adapters.caldav_gateway import CaldavGateway
from followup_desk.domain.accounts import CalDavAccount, CalendarInfo
from followup_desk.domain.ports import RemoteChanges

# Run as a script, this file's folder is on sys.path but the repository root is not; the
# summary table comes from benchmarks/slots.py and the Radicale runner from tests/servers.py.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.slots import SummaryRow, print_summary_table
from tests.servers import CalDavServer, FaultProxy, start_radicale


@dataclass(frozen=True)
class Figure:
    name: str
    requests: int
    bytes: int
    seconds: float
    changed: int
    deleted: int


def event(uid: str, start: datetime, summary: str, weekly: bool) -> str:
    rule = "RRULE:FREQ=WEEKLY;COUNT=20\r\n" if weekly else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start + timedelta(minutes=45):%Y%m%dT%H%M%SZ}\r\n"
        f"SUMMARY:{summary}\r\n{rule}"
        "DESCRIPTION:Agenda: pricing\\, rollout plan\\, open questions from the last call.\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def seed_calendar(folder: Path, user: str, name: str, count: int) -> None:
    """Write the calendar straight into Radicale's storage before it starts (5,000 PUTs
    would time the server's write path, not the sync)."""
    calendar = folder / "collections" / "collection-root" / user / name
    calendar.mkdir(parents=True)
    props = {
        "tag": "VCALENDAR",
        "D:displayname": "Bench",
        "C:supported-calendar-component-set": "VEVENT",
    }
    (calendar / ".Radicale.props").write_text(json.dumps(props), encoding="utf-8")
    rng = random.Random(5000)
    base = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for n in range(count):
        start = base + timedelta(days=rng.randrange(0, 120), minutes=15 * rng.randrange(0, 40))
        text = event(f"bench-{n:05d}@example.com", start, f"Meeting {n}", n % 10 == 0)
        (calendar / f"bench-{n:05d}.ics").write_text(text, encoding="utf-8", newline="")


def measure(
    name: str,
    gateway: CaldavGateway,
    account: CalDavAccount,
    password: str,
    url: str,
    token: str,
    proxy: FaultProxy,
) -> tuple[Figure, RemoteChanges]:
    proxy.reset_counters()
    began = time.perf_counter()
    changes = gateway.changes(account, password, url, token)
    seconds = time.perf_counter() - began
    figure = Figure(
        name,
        proxy.requests,
        proxy.bytes_up + proxy.bytes_down,
        seconds,
        len(changes.changed),
        len(changes.deleted),
    )
    return figure, changes


def run(events: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="fd-caldav-bench-") as tmp:
        folder = Path(tmp)
        seed_calendar(folder, "rep", "bench", events)
        server: CalDavServer = start_radicale(folder)
        try:
            calendar = f"{server.home_url}bench/"
            with FaultProxy.to_url(server.url) as proxy:
                url = proxy.via(calendar)
                account = CalDavAccount(
                    name="bench",
                    url=proxy.via(server.home_url),
                    username=server.username,
                    calendars=(CalendarInfo(url, "Bench"),),
                    busy_calendars=(url,),
                )
                gateway = CaldavGateway(timeout=120)
                # one untimed pass so Radicale's item cache is built, as on a server in use
                gateway.changes(account, server.password, url, "")
                full, first = measure(
                    "full fetch", gateway, account, server.password, url, "", proxy
                )
                same, _ = measure(
                    "refresh, nothing changed",
                    gateway,
                    account,
                    server.password,
                    url,
                    first.token,
                    proxy,
                )
                start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
                server.put(
                    calendar,
                    "bench-00042.ics",
                    event("bench-00042@example.com", start, "Moved by a colleague", False).encode(),
                )
                one, _ = measure(
                    "refresh after one change",
                    gateway,
                    account,
                    server.password,
                    url,
                    first.token,
                    proxy,
                )
        finally:
            server.stop()
    return [full, same, one]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, caldav {metadata.version('caldav')}, "
        f"Radicale {metadata.version('radicale')}, {args.events} events"
    )
    figures = run(args.events)
    full = figures[0]
    print(
        f"\n  {'':<26} {'requests':>8} {'bytes':>12} {'seconds':>9} {'changed':>8} {'deleted':>8}"
    )
    for f in figures:
        print(
            f"  {f.name:<26} {f.requests:>8} {f.bytes:>12,} {f.seconds:>9.3f} {f.changed:>8}"
            f" {f.deleted:>8}"
        )
    rows: list[SummaryRow] = []
    for f in figures[1:]:
        share = f.bytes / full.bytes
        rows.append((f"{f.name}: bytes / full", f"{share:.2%}", "< 5 %", share < 0.05))
        rows.append((f"{f.name}: time / full", f"{f.seconds / full.seconds:.2%}", "(info)", None))
    rows.append(
        (
            "full fetch: objects read",
            str(full.changed),
            f"= {args.events}",
            full.changed == args.events,
        )
    )
    print_summary_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
