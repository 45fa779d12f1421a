"""The invitation as an e-mail (iMIP, RFC 6047), and the prospect's answer read back.

The message has the shape Gmail, Outlook, Apple Mail and Thunderbird send and all of them
answer with Accept / Decline buttons::

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8                 the invite's description, readable
        text/calendar; method=REQUEST; charset=UTF-8
      application/ics; name=invite.ics            the same calendar, as an attachment

The iMIP part comes first (Outlook looks for it only in the first child of multipart/mixed)
and its ``method`` parameter equals the METHOD inside the calendar (RFC 6047 2.4). The
attachment is for programs that only import files. Everything is 7-bit clean: the text is
quoted-printable, the calendar 7bit when it is ASCII and base64 otherwise (byte for byte,
CRLF kept), headers in RFC 2047 words; so no server needs 8BITMIME. Only a prospect whose
address has a non-ASCII local part needs SMTPUTF8, and then the headers are UTF-8.

The same booking state always gives the same bytes: the Message-ID comes from the UID,
SEQUENCE and method, and the MIME boundaries from the content, so a retried send is
recognisably the same message.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import icalendar

from followup_desk.adapters.ics_writer import description
from followup_desk.domain.booking import Booking, Prospect, Rep
from followup_desk.domain.phrases import format_clock, format_day
from followup_desk.errors import InvalidInputError

log = logging.getLogger(__name__)

METHODS = frozenset({"REQUEST", "CANCEL"})
PARTSTATS = frozenset({"ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "NEEDS-ACTION"})
ATTACHMENT_NAME = "invite.ics"
_ID_DOMAIN = "followup-desk"
_ID_PART = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar"})


# -- the invitation ---------------------------------------------------------------------------


def message_id(uid: str, sequence: int, method: str) -> str:
    """``<request.2.<uid's local part>@<uid's domain>>``: one Message-ID per invite version.

    A UID that cannot be written in a Message-ID (RFC 5322 dot-atom) is replaced by its
    SHA-256, so every UID gives a valid and still stable identifier.
    """
    local, at, domain = uid.strip().rpartition("@")
    if not (at and _ID_PART.fullmatch(local) and _ID_PART.fullmatch(domain)):
        local, domain = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:40], _ID_DOMAIN
    return f"<{method.strip().lower()}.{sequence}.{local}@{domain}>"


def ascii_address(address: str) -> tuple[str, bool]:
    """``address`` with its domain in IDNA (``josé@exämple.de`` -> ``josé@xn--exmple-cua.de``),
    and whether it still needs SMTPUTF8 (a non-ASCII local part, or a domain IDNA refuses)."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip(), not address.isascii()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return f"{local}@{domain}", True
    return f"{local}@{domain}", not local.isascii()


def build_imip(
    booking: Booking,
    prospect: Prospect,
    rep: Rep,
    *,
    from_address: str,
    calendar: bytes,
    stamp: datetime,
) -> bytes:
    """The whole RFC 5322 message inviting ``prospect``, ready for SMTP (CRLF line ends).

    ``calendar`` is :func:`~followup_desk.adapters.ics_writer.build_invite`'s VCALENDAR for
    the booking; its METHOD (REQUEST or CANCEL) decides the subject and the part's method.
    Its ORGANIZER should be ``from_address`` (give ``build_invite`` a Rep with that e-mail),
    since clients send the answer to the ORGANIZER.
    """
    parsed = icalendar.Calendar.from_ical(calendar)
    method = str(parsed.get("METHOD", "")).strip().upper()
    organizer = next((str(e.get("ORGANIZER", "")) for e in parsed.walk("VEVENT")), "")
    if organizer.lower().removeprefix("mailto:") != from_address.strip().lower():
        log.warning("the invite's ORGANIZER is not the From address; answers go to the ORGANIZER")
    if method not in METHODS:
        raise ValueError(f"an invitation is a REQUEST or a CANCEL, not {method or 'no METHOD'}")
    sender, sender_utf8 = ascii_address(from_address)
    recipient, recipient_utf8 = ascii_address(prospect.email)
    policy = email.policy.SMTPUTF8 if sender_utf8 or recipient_utf8 else email.policy.SMTP

    message = EmailMessage(policy=policy)
    message["From"] = _header_address(rep.name, sender)
    message["To"] = _header_address(prospect.name, recipient)
    # Folded by email.header: the header classes move a subject of 70-odd characters whole
    # onto a continuation line, and readers then show it with a leading space.
    title = subject(booking, method)
    charset = "us-ascii" if title.isascii() else "utf-8"
    folded = Header(title, charset, maxlinelen=78, header_name="Subject").encode(linesep="\r\n")
    message.set_raw("Subject", folded)
    message["Date"] = format_datetime(stamp.astimezone(UTC))
    message["Message-ID"] = message_id(booking.uid, booking.sequence, method)
    message.set_content(description(booking, prospect, rep), cte="quoted-printable")
    message.add_alternative(
        calendar,
        maintype="text",
        subtype="calendar",
        cte="7bit" if calendar.isascii() else "base64",
    )
    message.add_attachment(
        calendar,
        maintype="application",
        subtype="ics",
        cte="base64",
        filename=ATTACHMENT_NAME,
        params={"name": ATTACHMENT_NAME},
    )
    alternative, attachment = message.iter_parts()
    *_, invite = alternative.iter_parts()
    # Stored raw: the header classes would write method="REQUEST". Both are valid MIME,
    # but the bare token is what Gmail and Outlook send and what every client recognises.
    del invite["Content-Type"]
    invite.set_raw("Content-Type", f"text/calendar; method={method}; charset=UTF-8")
    for part in (alternative, attachment, *alternative.iter_parts()):
        del part["MIME-Version"]  # only the message's own header carries it (RFC 2045 4)
    # Boundaries from the content, not random: the same invite is the same bytes. The "=_"
    # cannot occur in base64 or quoted-printable, nor can a calendar line start with "--".
    text = message.get_body(("plain",))
    seed = hashlib.sha256(calendar + (text.as_bytes() if text else b"")).hexdigest()[:24]
    message.set_boundary(f"=_fd_mixed_{seed}")
    alternative.set_boundary(f"=_fd_alt_{seed}")
    return message.as_bytes()


def _header_address(name: str, address: str) -> Address:
    # username and domain apart: addr_spec= refuses a non-ASCII local part even for SMTPUTF8
    local, _, domain = address.rpartition("@")
    return Address(name, username=local, domain=domain)


def subject(booking: Booking, method: str) -> str:
    """'Invitation: <title> - Tuesday 17 March, 10:00 EDT' in the prospect's zone."""
    local = booking.start.astimezone(ZoneInfo(booking.prospect_zone))
    zone = local.tzname() or ""
    if not zone[:1].isalpha():  # zones without a name are "+04" in tzdata: say UTC+04:00
        offset = local.strftime("%z")
        zone = f"UTC{offset[:3]}:{offset[3:]}"
    when = f"{format_day(local.date())}, {format_clock(local)} {zone}"
    if method == "CANCEL":
        label = "Cancelled"
    elif booking.sequence > 0:
        label = "Updated invitation"
    else:
        label = "Invitation"
    return f"{label}: {booking.title} - {when}"


# -- the answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One attendee's answer to one event."""

    uid: str
    attendee: str  # e-mail address, lower-case, without mailto:
    partstat: str  # ACCEPTED, DECLINED, TENTATIVE, DELEGATED or NEEDS-ACTION
    sequence: int
    comment: str
    dtstamp: datetime | None


def parse_replies(data: bytes, where: str) -> list[Reply]:
    """The answers in an .ics (METHOD:REPLY, or a server's copy with PARTSTATs) or an e-mail.

    An e-mail (.eml) is searched for text/calendar parts and .ics attachments, also inside
    forwarded messages. Raises InvalidInputError naming ``where`` and what is wrong.
    """
    if _looks_like_calendar(data):
        calendars = [(data, "")]
    else:
        calendars = list(_calendar_parts(data))
        if not calendars:
            raise InvalidInputError(
                f"{where} is not a calendar reply: it is neither an .ics file nor an e-mail "
                "with a calendar part or an .ics attachment."
            )
    replies: list[Reply] = []
    refused: list[str] = []
    for raw, charset in calendars:
        calendar = _parse(raw, charset, where)
        method = str(calendar.get("METHOD", "")).strip().upper()
        if method and method != "REPLY":
            refused.append(method)
            continue
        for reply in _event_replies(calendar, where):
            if reply not in replies:  # the same answer inline and attached
                replies.append(reply)
    if not replies:
        if refused:
            raise InvalidInputError(
                f"{where} is not a calendar reply: it is a METHOD:{refused[0]} message. Use "
                "the prospect's answer (the e-mail saying accepted or declined), or its .ics."
            )
        raise InvalidInputError(f"{where} is not a calendar reply: no VEVENT with an ATTENDEE.")
    return replies


def partstat_of(calendar: bytes, attendee_email: str, where: str = "the event") -> str | None:
    """The attendee's PARTSTAT in a VCALENDAR (e.g. the server's copy of the event).

    ``None`` when the attendee is not in it; the main event (no RECURRENCE-ID) wins.
    Raises InvalidInputError when ``calendar`` is not iCalendar data.
    """
    wanted = attendee_email.strip().lower()
    parsed = _parse(calendar, "", where)
    events = sorted(parsed.walk("VEVENT"), key=lambda e: "RECURRENCE-ID" in e)
    for event in events:
        for address, params in _attendees(event):
            if address == wanted:
                return str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    return None


def _looks_like_calendar(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith(b"BEGIN:VCALENDAR")


def _calendar_parts(data: bytes) -> Iterator[tuple[bytes, str]]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.keys():  # no header at all: this is not an e-mail
        return
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type in _CALENDAR_TYPES or filename.endswith((".ics", ".ical", ".ifb")):
            payload = _payload(part)
            if payload:
                yield payload, part.get_content_charset() or ""


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _parse(data: bytes, charset: str, where: str) -> icalendar.Calendar:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(charset or "utf-8")
    except (UnicodeDecodeError, LookupError):
        text = data.decode("utf-8", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise InvalidInputError(
            f"{where} is not a calendar reply: its calendar part does not start with "
            "BEGIN:VCALENDAR."
        )
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidInputError(
            f"{where} is not a readable calendar ({exc}). Save the prospect's answer again, "
            "as the whole e-mail (.eml) or its .ics attachment."
        ) from exc
    if not calendars:
        raise InvalidInputError(
            f"{where} is not a readable calendar: it holds no complete VCALENDAR (is it cut "
            "short?). Save the prospect's answer again."
        )
    calendar: icalendar.Calendar = calendars[0]
    return calendar


def _attendees(event: icalendar.cal.Component) -> Iterator[tuple[str, dict[str, str]]]:
    """(e-mail, parameters) of each ATTENDEE that names an address."""
    value = event.get("ATTENDEE")
    if value is None:
        return
    for attendee in value if isinstance(value, list) else [value]:
        params = {str(k).upper(): str(v) for k, v in getattr(attendee, "params", {}).items()}
        text = str(attendee).strip()
        if text.lower().startswith("mailto:"):
            address = text[len("mailto:") :]
        elif "@" in text and ":" not in text:
            address = text
        else:  # urn:uuid:..., a server's principal: the EMAIL parameter says who it is
            address = params.get("EMAIL", "")
        address = address.strip().lower()
        if address:
            yield address, params


def _event_replies(calendar: icalendar.Calendar, where: str) -> Iterator[Reply]:
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()
        attendees = list(_attendees(event))
        if not uid or not attendees:
            continue
        comments = event.get("COMMENT")
        comment = "\n".join(
            str(c) for c in (comments if isinstance(comments, list) else [comments]) if c
        )
        for address, params in attendees:
            partstat = params.get("PARTSTAT", "NEEDS-ACTION").strip().upper()
            if partstat not in PARTSTATS:
                raise InvalidInputError(
                    f"{where}: the answer of {address} is {partstat!r}, which is not an answer "
                    "to a meeting (ACCEPTED, DECLINED, TENTATIVE, DELEGATED or NEEDS-ACTION)."
                )
            yield Reply(
                uid=uid,
                attendee=address,
                partstat=partstat,
                sequence=_sequence(event, where),
                comment=comment,
                dtstamp=_dtstamp(event),
            )


def _sequence(event: icalendar.cal.Component, where: str) -> int:
    value = event.get("SEQUENCE", 0)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"{where}: the event's SEQUENCE {str(value)!r} is not a whole number."
        ) from exc


def _dtstamp(event: icalendar.cal.Component) -> datetime | None:
    prop = event.get("DTSTAMP")
    moment = getattr(prop, "dt", None)
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # RFC 5545: UTC
    if isinstance(moment, date):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return None
