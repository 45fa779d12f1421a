"""What following up sends: a due touch as a VTODO (RFC 5545 3.6.2) for the CalDAV server,
the tasks read back from it, and a cadence message as a plain-text e-mail.

The task is self-contained: no METHOD (it is stored, not sent), DUE as a date (a touch is
due on a day, not at a minute), SEQUENCE rising with each write so a copy on the server is
never mistaken for a newer one. The e-mail is 7-bit clean (quoted-printable text, RFC 2047
headers), and its Message-ID comes from the touch it records, so a retried send is
recognisably the same message.
"""

from __future__ import annotations

import email.policy
import logging
from datetime import UTC, date, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import icalendar

from followup_desk.adapters.caldav_objects import PARSE_ERRORS
from followup_desk.adapters.ics_writer import PRODID
from followup_desk.adapters.imip import ascii_address, message_id
from followup_desk.domain.tasks import DueTask, PlainMail, SeenTask, TaskStatus

log = logging.getLogger(__name__)


def build_task(task: DueTask, sequence: int, stamp: datetime) -> bytes:
    """The VCALENDAR holding the due touch as one VTODO."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    todo = icalendar.Todo()
    todo.add("UID", task.uid)
    todo.add("DTSTAMP", stamp.astimezone(UTC))
    todo.add("LAST-MODIFIED", stamp.astimezone(UTC))
    todo.add("SEQUENCE", sequence)
    todo.add("SUMMARY", task.summary)
    todo.add("DUE", task.due)
    todo.add("STATUS", task.status.value)
    todo.add("CATEGORIES", [task.channel])
    if task.description:
        todo.add("DESCRIPTION", task.description)
    if task.related_to:
        todo.add("RELATED-TO", task.related_to)
    if task.status is TaskStatus.COMPLETED:
        todo.add("COMPLETED", (task.completed or stamp).astimezone(UTC))
        todo.add("PERCENT-COMPLETE", 100)
    todo.add("CLASS", "PRIVATE")
    calendar.add_component(todo)
    return bytes(calendar.to_ical())


def _moment(value: object) -> datetime | None:
    moment = getattr(value, "dt", None)
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(moment, date):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return None


def _categories(value: object) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in values:
        cats = getattr(item, "cats", None)
        if cats is None:
            text = item.to_ical().decode() if hasattr(item, "to_ical") else str(item)
            cats = text.split(",")
        found.extend(str(c).strip() for c in cats if str(c).strip())
    return tuple(found)


def read_tasks(data: bytes) -> list[SeenTask]:
    """Every VTODO in a calendar object (none when it is unreadable)."""
    try:
        calendar = icalendar.Calendar.from_ical(data.decode("utf-8", errors="replace"))
    except PARSE_ERRORS as exc:
        log.info("a task object could not be read: %s", exc)
        return []
    seen = []
    for todo in calendar.walk("VTODO"):
        uid = str(todo.get("UID", "")).strip()
        if not uid:
            continue
        categories = todo.get("CATEGORIES")
        seen.append(
            SeenTask(
                uid=uid,
                status=str(todo.get("STATUS", "NEEDS-ACTION")).strip().upper(),
                completed=_moment(todo.get("COMPLETED")),
                categories=_categories(categories) if categories is not None else (),
            )
        )
    return seen


def build_message(mail: PlainMail) -> bytes:
    """A plain-text e-mail, ready for SMTP (CRLF line ends)."""
    sender, sender_utf8 = ascii_address(mail.from_address)
    recipient, recipient_utf8 = ascii_address(mail.to_address)
    policy = email.policy.SMTPUTF8 if sender_utf8 or recipient_utf8 else email.policy.SMTP
    message = EmailMessage(policy=policy)
    message["From"] = _address(mail.from_name, sender)
    message["To"] = _address(mail.to_name, recipient)
    subject = mail.subject
    charset = "us-ascii" if subject.isascii() else "utf-8"
    folded = Header(subject, charset, maxlinelen=78, header_name="Subject").encode(linesep="\r\n")
    message.set_raw("Subject", folded)
    message["Date"] = format_datetime(mail.stamp.astimezone(UTC))
    message["Message-ID"] = message_id(mail.key, 0, "followup")
    message.set_content(mail.body.rstrip() + "\n", cte="quoted-printable")
    return message.as_bytes()


def _address(name: str, address: str) -> Address:
    # username and domain apart: addr_spec= refuses a non-ASCII local part even for SMTPUTF8
    local, _, domain = address.rpartition("@")
    return Address(name, username=local, domain=domain)
