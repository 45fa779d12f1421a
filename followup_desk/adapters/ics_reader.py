"""Busy time out of iCalendar data, in full fidelity, through icalendar and friends.

Recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) is expanded by
recurring-ical-events; Google's X-WR-TIMEZONE calendars are normalised by x-wr-timezone.
What counts as busy follows RFC 5545: TRANSP:TRANSPARENT and STATUS:CANCELLED events are
free, as are FBTYPE=FREE periods of a VFREEBUSY. Floating times and all-day dates are read
on the rep's wall clock. All-day blocks are kept, marked, so the "all-day events are busy"
setting can change without re-reading the calendar.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from warnings import catch_warnings, filterwarnings
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone import tzp

from followup_desk.domain.intervals import BusyBlock
from followup_desk.errors import SourceError

log = logging.getLogger(__name__)

_BUSY_FBTYPES = {"BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"}
# What expanding a broken series can raise (recurring_ical_events.InvalidCalendar is a
# ValueError); anything else is a bug of ours and should surface.
_EXPANSION_ERRORS = (ValueError, TypeError, KeyError, AttributeError, icalendar.InvalidCalendar)
# Set on events whose length is a DURATION, so their end is computed exactly (see
# _event_blocks); occurrences are copies of the event and keep it.
_EXACT_DURATION = "X-FOLLOWUP-DESK-EXACT-DURATION"
_MIN_MINUTELY_INTERVAL = 5  # minutes; anything denser is skipped with a warning
# icalendar keeps every VTIMEZONE it meets in one process-wide cache keyed by TZID, first
# come first served. Outlook calls every custom zone "Customized Time Zone", so a second
# calendar would be read with the first one's offsets. Each read therefore starts from an
# empty cache, and reads take turns.
_TZ_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class ParsedBusy:
    blocks: tuple[BusyBlock, ...]
    warnings: tuple[str, ...]


def decode(data: bytes, name: str, warnings: list[str]) -> str:
    """UTF-8 text of ``data``; other encodings are read as Windows-1252 with a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows' "Unicode" is UTF-16 with a byte order mark; it is still a calendar
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: fall through to the usual reading
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append(
            f"{name} is not UTF-8 text; it was read as Windows-1252, so accented names may "
            "look wrong. Export it again as UTF-8 if they matter."
        )
        return data.decode("cp1252", errors="replace")


def parse_calendar(data: bytes, name: str, warnings: list[str]) -> icalendar.Calendar:
    """The calendar in ``data``; SourceError when it is not an iCalendar file at all."""
    text = decode(data, name, warnings)
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise SourceError(
            name,
            f"{name} is not an iCalendar file (no BEGIN:VCALENDAR at its start). "
            "Check that the path or address points to an .ics export.",
        )
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as exc:
        raise SourceError(
            name,
            f"{name} is not a readable iCalendar file ({exc}). Export it again from the "
            "calendar program.",
        ) from exc
    if not calendars:
        raise SourceError(name, f"{name} holds no calendar. Export it again.")
    calendar = calendars[0]
    for extra in calendars[1:]:
        for component in extra.subcomponents:
            calendar.add_component(component)
    if "X-WR-TIMEZONE" in calendar:
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            log.debug("X-WR-TIMEZONE not usable: %s", exc)
            warnings.append(
                f"{name} names the time zone {calendar['X-WR-TIMEZONE']}, which is unknown; "
                "its times were read as written (UTC, or your own time zone when they have "
                "none)."
            )
    return calendar


def _known_tzids(calendar: icalendar.Calendar) -> set[str]:
    return {str(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")}


def _sane_rule(rule: Any) -> bool:
    """False for rules that would hang or flood the expansion.

    RFC 5545 wants a positive INTERVAL (0 makes dateutil loop forever), and a meeting
    that repeats every few seconds or minutes is not a meeting: six weeks of FREQ=SECONDLY
    are millions of occurrences.
    """
    intervals = [int(i) for i in rule.get("INTERVAL", [1])]
    if any(i < 1 for i in intervals):
        return False
    frequency = str((rule.get("FREQ") or [""])[0]).upper()
    if frequency == "SECONDLY":
        return False
    return not (frequency == "MINUTELY" and min(intervals) < _MIN_MINUTELY_INTERVAL)


def _check_component(
    component: icalendar.cal.Component, known_tzids: set[str], unknown: set[str]
) -> bool:
    """True when the event can be expanded; records TZIDs nobody can resolve."""
    try:
        start = component.get("DTSTART")
        if start is None:
            return False
        _ = start.dt
        for key in ("DTEND", "DURATION", "RECURRENCE-ID"):
            prop = component.get(key)
            if prop is not None:
                _ = prop.dt
        for key in ("RRULE", "EXDATE", "RDATE"):
            value = component.get(key)
            for prop in value if isinstance(value, list) else [value]:
                if prop is not None:
                    prop.to_ical()
                    if hasattr(prop, "dts"):
                        for item in prop.dts:
                            _ = item.dt
                    if key == "RRULE" and not _sane_rule(prop):
                        return False
        tzid = start.params.get("TZID")
        if (
            tzid
            and isinstance(start.dt, datetime)
            and start.dt.tzinfo is None
            and str(tzid) not in known_tzids
        ):
            unknown.add(str(tzid))
    except (ValueError, TypeError, KeyError, AttributeError, icalendar.InvalidCalendar) as exc:
        log.debug("skipping unreadable component: %s", exc)
        return False
    return True


def _as_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)  # floating time: the rep's wall clock
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _event_blocks(occurrences: Iterable[Any], zone: ZoneInfo) -> Iterable[BusyBlock]:
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        start_value = event["DTSTART"].dt
        end_prop = event.get("DTEND")
        if end_prop is not None:
            end_value = end_prop.dt
        elif event.get("DURATION") is not None:
            end_value = start_value + event["DURATION"].dt
        elif isinstance(start_value, datetime):
            continue  # RFC 5545: no end and a time means no duration: nothing is busy
        else:
            end_value = start_value + timedelta(days=1)
        all_day = not isinstance(start_value, datetime)
        start, end = _as_utc(start_value, zone), _as_utc(end_value, zone)
        exact = event.get(_EXACT_DURATION)
        if exact is not None and not all_day and end_value == start_value + exact.dt:
            # RFC 5545 3.3.6: days are nominal, hours and less are exact, so a PT3H event
            # across a clock change lasts three real hours (the library adds wall time)
            length: timedelta = exact.dt
            nominal = _as_utc(start_value + timedelta(days=length.days), zone)
            end = nominal + timedelta(seconds=length.seconds, microseconds=length.microseconds)
        if end > start:
            yield BusyBlock(start, end, all_day)


def _freebusy_blocks(
    calendar: icalendar.Calendar, zone: ZoneInfo, warnings: list[str], name: str
) -> Iterable[BusyBlock]:
    bad = 0
    for component in calendar.walk("VFREEBUSY"):
        value = component.get("FREEBUSY")
        for prop in value if isinstance(value, list) else ([value] if value else []):
            fbtype = str(prop.params.get("FBTYPE", "BUSY")).upper()
            if fbtype not in _BUSY_FBTYPES:
                continue
            try:
                start, end_or_length = prop.dt
            except (ValueError, TypeError, AttributeError):
                bad += 1
                continue
            end = start + end_or_length if isinstance(end_or_length, timedelta) else end_or_length
            start_utc, end_utc = _as_utc(start, zone), _as_utc(end, zone)
            if end_utc > start_utc:
                yield BusyBlock(start_utc, end_utc)
    if bad:
        warnings.append(f"{name}: {bad} free/busy period(s) could not be read and were skipped.")


def _series_blocks(
    calendar: icalendar.Calendar, span: tuple[datetime, datetime], zone: ZoneInfo
) -> list[BusyBlock]:
    occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(*span)
    return list(_event_blocks(occurrences, zone))


def _expand(
    calendar: icalendar.Calendar, span: tuple[datetime, datetime], zone: ZoneInfo
) -> tuple[list[BusyBlock], int]:
    """Busy blocks of every event in ``span``, and how many series could not be expanded.

    The whole calendar is expanded at once; only when that fails is it done again one
    series (one UID) at a time, so a rule the library chokes on costs only its own event.
    """
    try:
        return _series_blocks(calendar, span, zone), 0
    except _EXPANSION_ERRORS as exc:
        log.debug("expanding the calendar failed (%s); retrying one series at a time", exc)
    series: dict[str, icalendar.Calendar] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            uid = str(component.get("UID") or f"no-uid-{id(component)}")
            series.setdefault(uid, icalendar.Calendar()).add_component(component)
    blocks: list[BusyBlock] = []
    bad = 0
    for uid, single in series.items():
        try:
            blocks.extend(_series_blocks(single, span, zone))
        except _EXPANSION_ERRORS as exc:
            log.debug("skipping series %s that cannot be expanded: %s", uid, exc)
            bad += 1
    return blocks, bad


def busy_blocks(
    data: bytes, name: str, window: tuple[datetime, datetime], zone_name: str
) -> ParsedBusy:
    """Busy blocks of ``data`` that touch ``window``, clipped to it.

    Unreadable events are skipped (and counted in a warning) rather than failing the
    whole calendar; a file that is not a calendar at all raises SourceError.
    """
    with _TZ_CACHE_LOCK, catch_warnings():
        tzp.use_zoneinfo()  # empties icalendar's time zone cache (see _TZ_CACHE_LOCK)
        # Evolution and Lightning write TZIDs like /freeassociation.sourceforge.net/Europe/
        # Berlin; icalendar reads the IANA name at the end, and says so with a warning
        filterwarnings("ignore", message=r"Timezone .* is a globally unique TZID")
        return _busy_blocks(data, name, window, zone_name)


def _busy_blocks(
    data: bytes, name: str, window: tuple[datetime, datetime], zone_name: str
) -> ParsedBusy:
    warnings: list[str] = []
    zone = ZoneInfo(zone_name)
    calendar = parse_calendar(data, name, warnings)
    known = _known_tzids(calendar)
    unknown: set[str] = set()
    skipped = 0
    kept = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            if not _check_component(component, known, unknown):
                skipped += 1
                continue
            if (duration := component.get("DURATION")) is not None and isinstance(
                component.get("DTSTART").dt, datetime
            ):
                component[_EXACT_DURATION] = duration
        kept.append(component)
    calendar.subcomponents[:] = kept  # one pass: removing one by one is quadratic
    start, end = window
    # widen by a day each side so no zone offset hides an event; clipped exactly below
    span = (start - timedelta(days=1), end + timedelta(days=1))
    blocks, unexpandable = _expand(calendar, span, zone)
    skipped += unexpandable
    if skipped:
        warnings.append(
            f"{name}: {skipped} event(s) could not be read (broken dates or rules) and were "
            "left out; the rest of the calendar counts."
        )
    if unknown:
        warnings.append(
            f"{name} uses time zone(s) {', '.join(sorted(unknown))} that it does not define; "
            f"those times were read as {zone_name} time."
        )
    blocks.extend(_freebusy_blocks(calendar, zone, warnings, name))
    clipped = sorted(
        BusyBlock(max(b.start, start), min(b.end, end), b.all_day)
        for b in blocks
        if b.end > start and b.start < end
    )
    return ParsedBusy(tuple(clipped), tuple(warnings))
