"""The invitation as an .ics file: METHOD:REQUEST for a booking, METHOD:CANCEL when cancelled.

What Outlook, Google Calendar, Apple Calendar and Thunderbird need to import it correctly:
a stable UID, DTSTAMP, SEQUENCE, ORGANIZER and ATTENDEE (RSVP, NEEDS-ACTION), DTSTART and
DTEND with a TZID whose VTIMEZONE is in the file, CRLF line endings and folded lines (both
by icalendar). Written atomically: a reader never sees half a file.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from followup_desk import APP_NAME, __version__
from followup_desk.atomic import atomic_write
from followup_desk.domain.booking import Booking, BookingStatus, Prospect, Rep
from followup_desk.domain.phrases import format_clock, format_day, format_offset
from followup_desk.domain.ports import Clock
from followup_desk.errors import InviteWriteError

log = logging.getLogger(__name__)

PRODID = f"-//{APP_NAME}//{APP_NAME} {__version__}//EN"


def _address(email: str, name: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


def _when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{format_day(local.date())}, {format_clock(local)} ({zone.key}, {format_offset(local)})"


def _wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` on the rep's clock, or in UTC when that clock cannot say it unambiguously.

    In the hour a clock change repeats, a local time names two instants and readers take the
    first (RFC 5545 3.3.5), so the second pass through that hour is written in UTC.
    """
    local = moment.astimezone(zone)
    return local if local.fold == 0 else moment.astimezone(UTC)


def description(booking: Booking, prospect: Prospect, rep: Rep) -> str:
    """The invite's text: when, in both zones, and that nothing is set in stone."""
    rep_zone, prospect_zone = ZoneInfo(booking.rep_zone), ZoneInfo(booking.prospect_zone)
    lines = []
    if booking.status is BookingStatus.CANCELLED:
        lines.append("This meeting has been cancelled.")
    else:
        lines.append(f"Our next step, as agreed: {booking.title}.")
    lines.append(f"Your time: {_when(booking.start, prospect_zone)}")
    if prospect_zone.key != rep_zone.key:
        lines.append(f"{rep.name or 'Organizer'}'s time: {_when(booking.start, rep_zone)}")
    if booking.status is not BookingStatus.CANCELLED:
        lines.append("")
        lines.append(
            "You are not locked in: if this time stops suiting you, reply or decline and "
            "we will find another one."
        )
    if rep.name:
        lines.append("")
        lines.append(rep.name)
    return "\n".join(lines)


def build_invite(
    booking: Booking,
    prospect: Prospect,
    rep: Rep,
    stamp: datetime,
    *,
    stored: bool = False,
    client_schedules: bool = False,
    partstat: str = "NEEDS-ACTION",
) -> bytes:
    """The whole VCALENDAR for the booking's current state.

    ``stored``: the copy for a CalDAV server, which carries no METHOD (RFC 4791 4.1).
    ``client_schedules``: mark the attendee SCHEDULE-AGENT=CLIENT (RFC 6638 7.1) so a server
    that e-mails attendees itself stays quiet, because the app sends the invitation.
    ``partstat``: the attendee's answer as known (kept when the server's copy is rewritten).
    """
    cancelled = booking.status is BookingStatus.CANCELLED
    zone = ZoneInfo(booking.rep_zone)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if not stored:
        calendar.add("METHOD", "CANCEL" if cancelled else "REQUEST")

    event = icalendar.Event()
    event.add("UID", booking.uid)
    event.add("DTSTAMP", stamp.astimezone(UTC))
    event.add("SEQUENCE", booking.sequence)
    event.add("CREATED", booking.created.astimezone(UTC))
    event.add("LAST-MODIFIED", booking.updated.astimezone(UTC))
    event.add("DTSTART", _wall_time(booking.start, zone))
    event.add("DTEND", _wall_time(booking.end, zone))
    event.add("SUMMARY", booking.title)
    event.add("DESCRIPTION", description(booking, prospect, rep))
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "OPAQUE")
    event.add("CLASS", "PUBLIC")
    if rep.email:
        event.add("ORGANIZER", _address(rep.email, rep.name, ROLE="CHAIR"))
    attendee = _address(
        prospect.email,
        prospect.name,
        CUTYPE="INDIVIDUAL",
        ROLE="REQ-PARTICIPANT",
        PARTSTAT=partstat or "NEEDS-ACTION",
        RSVP="TRUE",
    )
    if client_schedules:
        attendee.params["SCHEDULE-AGENT"] = "CLIENT"
    event.add("ATTENDEE", attendee)
    calendar.add_component(event)
    first = (booking.start - timedelta(days=366)).date()
    last = (booking.end + timedelta(days=366)).date()
    calendar.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = calendar.to_ical()
    return data


class IcsInviteWriter:
    """The :class:`~followup_desk.domain.ports.InviteWriter` writing .ics files."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def write(self, booking: Booking, prospect: Prospect, rep: Rep, target: str) -> str:
        path = Path(target)
        data = build_invite(booking, prospect, rep, self._clock.now())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except OSError as exc:
            raise InviteWriteError(
                f"The invite could not be written to {path} ({exc.strerror or exc}). "
                "Choose a folder you can write to (invites.folder in the settings, or --ics)."
            ) from exc
        log.info(
            "wrote invite for booking %s (sequence %s) to %s", booking.id, booking.sequence, path
        )
        return str(path)
