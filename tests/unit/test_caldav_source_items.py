"""The CalDAV source over its local copy: one unreadable event costs only itself.

Servers refuse to store a broken event, so this one runs over a gateway stand-in that
hands over what a lenient server (or a bug elsewhere) could.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

from followup_desk.adapters.caldav_objects import keep_answers, sequence
from followup_desk.adapters.caldav_source import CalDavCalendarSource
from followup_desk.domain.accounts import CalDavAccount, ConnectionReport, caldav_source
from followup_desk.domain.intervals import BusyBlock
from followup_desk.domain.ports import RemoteChanges, RemoteObject

WINDOW = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))
URL = "https://cal.example.com/rep/work/"


def vevent(uid: str, start: str, *, summary: str = "", extra: str = "") -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", f"UID:{uid}",
        "DTSTAMP:20261101T000000Z", f"DTSTART:{start}", "DURATION:PT1H",
    ]  # fmt: skip
    if summary:
        lines.append(f"SUMMARY:{summary}")
    if extra:
        lines.append(extra)
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


class MemoryItems:
    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.objects: dict[str, dict[str, bytes]] = {}

    def token(self, source: str) -> str:
        return self.tokens.get(source, "")

    def apply(self, source: str, changes: RemoteChanges) -> None:
        items = {} if changes.full else dict(self.objects.get(source, {}))
        for href in changes.deleted:
            items.pop(href, None)
        items.update({o.href: o.data for o in changes.changed})
        self.objects[source] = items
        self.tokens[source] = changes.token

    def items(self, source: str) -> list[bytes]:
        return [data for _href, data in sorted(self.objects.get(source, {}).items())]


class HandOver:
    """A gateway that hands over a fixed calendar, all at once."""

    def __init__(self, *objects: bytes) -> None:
        self.objects = objects

    def check(
        self, account: CalDavAccount, password: str, *, timeout: float = 15.0
    ) -> ConnectionReport:
        raise NotImplementedError

    def put_event(
        self,
        account: CalDavAccount,
        password: str,
        calendar_url: str,
        uid: str,
        data: bytes,
        *,
        href: str = "",
        etag: str = "",
    ) -> RemoteObject:
        raise NotImplementedError

    def find_by_uid(
        self, account: CalDavAccount, password: str, calendar_url: str, uid: str
    ) -> RemoteObject | None:
        raise NotImplementedError

    def changes(
        self, account: CalDavAccount, password: str, calendar_url: str, token: str
    ) -> RemoteChanges:
        objects = tuple(RemoteObject(f"/e{n}.ics", f'"{n}"', d) for n, d in enumerate(self.objects))
        return RemoteChanges("t1", objects, (), full=True)


def test_an_unreadable_event_is_named_and_left_out() -> None:
    gateway = HandOver(
        vevent("ok", "20261202T100000Z", summary="Pipeline review"),
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:broken-1\r\nSUMMARY:Board meeting\r\n"
        b"DTSTART:not-a-date\r\n",  # cut off: no END lines at all
    )
    account = CalDavAccount("work", URL, "rep")
    source = CalDavCalendarSource(lambda _n: account, lambda _a: "pw", MemoryItems(), gateway)

    load = source.load(caldav_source("work", URL), WINDOW, "UTC", None)

    start = datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert load.blocks == (BusyBlock(start, start.replace(hour=11)),)
    assert len(load.warnings) == 1 and "'Board meeting'" in load.warnings[0]


def test_the_prospects_answer_is_kept_unless_the_meeting_moved() -> None:
    attendee = "ATTENDEE;PARTSTAT={}:mailto:prospect@example.com"
    ours = vevent("m", "20261202T100000Z", extra=attendee.format("NEEDS-ACTION"))
    theirs = vevent("m", "20261202T100000Z", extra=attendee.format("ACCEPTED"))
    moved = ours.replace(b"DURATION", b"SEQUENCE:1\r\nDURATION")

    assert b"PARTSTAT=ACCEPTED" in keep_answers(ours, theirs)
    assert keep_answers(moved, theirs) == moved  # a new time asks for a new answer
    assert keep_answers(theirs, theirs) == theirs
    assert sequence(moved) == 1 and sequence(ours) == 0


def test_the_caldav_source_loads_no_caldav_library_until_the_gateway_is_made() -> None:
    probe = (
        "import json, sys\n"
        "import followup_desk.adapters.caldav_source\n"
        "heavy = ('caldav', 'niquests', 'lxml', 'dns')\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == []
