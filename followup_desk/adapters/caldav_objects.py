"""What the CalDAV gateway needs to read in one calendar object's text.

Its SEQUENCE (which of two copies is the newer revision), the attendees' answers carried
from the server's copy into ours before a write, and an object's name for a warning. No
network here: the gateway (and the CalDAV source) hand in bytes.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote, urlsplit

import icalendar

log = logging.getLogger(__name__)

# What parsing a broken object can raise; anything else is a bug of ours.
PARSE_ERRORS = (ValueError, KeyError, IndexError, TypeError, icalendar.InvalidCalendar)


def href_of(url: str) -> str:
    """The href of ``url`` (absolute or a path): its path, quoted once whatever it came as."""
    return quote(unquote(urlsplit(url).path), safe="/@!$&'()*+,;=:~")


def href_for(uid: str) -> str:
    """The resource name a new event gets from its UID: the UID, made URL-safe.

    Computed the same way on every try, so a retried create meets its earlier self.
    """
    return quote(uid.replace("/", "_"), safe="") + ".ics"


def _calendar(data: bytes) -> icalendar.Calendar | None:
    try:
        return icalendar.Calendar.from_ical(data.decode("utf-8", errors="replace"))
    except PARSE_ERRORS as exc:
        log.debug("calendar object not readable: %s", exc)
        return None


def _events(calendar: icalendar.Calendar) -> list[icalendar.cal.Component]:
    return [c for c in calendar.subcomponents if c.name in ("VEVENT", "VTODO")]


def sequence(data: bytes) -> int:
    """The highest SEQUENCE in the object (0 when none is given or it is unreadable)."""
    calendar = _calendar(data)
    if calendar is None:
        return 0
    values = []
    for component in _events(calendar):
        try:
            values.append(int(component.get("SEQUENCE", 0)))
        except (TypeError, ValueError):
            values.append(0)
    return max(values, default=0)


def same_content(a: bytes, b: bytes) -> bool:
    """Whether two texts are the same object, ignoring line endings and folding."""

    def norm(data: bytes) -> bytes:
        return data.replace(b"\r\n", b"\n").replace(b"\n ", b"").replace(b"\n\t", b"").strip()

    return norm(a) == norm(b)


def _address(value: object) -> str:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.casefold()


def _key(component: icalendar.cal.Component) -> str:
    recurrence = component.get("RECURRENCE-ID")
    return recurrence.to_ical().decode() if recurrence is not None else ""


def _attendees(component: icalendar.cal.Component) -> list[icalendar.vCalAddress]:
    value = component.get("ATTENDEE")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def keep_answers(ours: bytes, theirs: bytes) -> bytes:
    """``ours``, with each attendee's PARTSTAT as the server's copy ``theirs`` has it.

    The prospect may have answered (or the server recorded their reply) since we last read
    the event; writing ours over it must not undo that answer. When ours is a newer
    revision (higher SEQUENCE: a new time), their old answer does not carry over: RFC 5546
    asks attendees to answer a rescheduled meeting again. Returns ``ours`` unchanged, byte
    for byte, when there is nothing to carry.
    """
    mine, server = _calendar(ours), _calendar(theirs)
    if mine is None or server is None:
        return ours
    answers: dict[tuple[str, str], str] = {}
    server_sequence: dict[str, int] = {}
    for component in _events(server):
        server_sequence[_key(component)] = _int(component.get("SEQUENCE", 0))
        for attendee in _attendees(component):
            partstat = attendee.params.get("PARTSTAT")
            if partstat:
                answers[(_key(component), _address(attendee))] = str(partstat)
    changed = False
    for component in _events(mine):
        key = _key(component)
        if _int(component.get("SEQUENCE", 0)) > server_sequence.get(key, 0):
            continue
        for attendee in _attendees(component):
            answer = answers.get((key, _address(attendee)))
            if answer and str(attendee.params.get("PARTSTAT", "")) != answer:
                attendee.params["PARTSTAT"] = answer
                changed = True
    return mine.to_ical() if changed else ours


def done_elsewhere(ours: bytes, theirs: bytes) -> bool:
    """Whether the server's copy is a task someone completed (in another app) that ours
    would reopen: that completion is a fact to read back, never to write over."""
    mine, server = _calendar(ours), _calendar(theirs)
    if mine is None or server is None:
        return False
    theirs_done = any(str(t.get("STATUS", "")).upper() == "COMPLETED" for t in server.walk("VTODO"))
    ours_done = any(str(t.get("STATUS", "")).upper() == "COMPLETED" for t in mine.walk("VTODO"))
    return theirs_done and not ours_done


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def describe(data: bytes) -> str:
    """A short name for an object in a warning: its SUMMARY, else its UID.

    Read from the text line by line, so a broken object can be named too.
    """
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\n ", "")
    found: dict[str, str] = {}
    for line in text.split("\n"):
        name, _, value = line.partition(":")
        key = name.split(";", 1)[0].strip().upper()
        if key in ("SUMMARY", "UID") and key not in found and value.strip():
            found[key] = value.strip()
    if "SUMMARY" in found:
        return repr(found["SUMMARY"][:60])
    if "UID" in found:
        return f"UID {found['UID'][:80]}"
    return "an event without a name"
