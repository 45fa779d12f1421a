"""The outbox: every invite sent over the network is a job, saved before anything is sent.

A job carries what it sends (the calendar text, or the whole e-mail) so that a retry sends
exactly the same bytes, and the event's UID so that a retry never makes a second event.
States:

- ``waiting``: to be sent at ``next_try`` (new, or after a network error with backoff);
- ``sending``: a worker took it; found at start-up, it means the app stopped mid-send;
- ``sent``: done, never sent again;
- ``held``: needs the rep (wrong password, refused write, quota): retried only when asked;
- ``unknown``: an e-mail whose fate is unknown after a crash: the rep decides;
- ``dropped``: superseded (a later change of the same booking replaced it) or dropped by the rep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Channel(StrEnum):
    CALDAV = "caldav"
    EMAIL = "email"
    ICS = "ics"


class JobKind(StrEnum):
    """What a job sends: a booking's invite, a due touch's task, or a follow-up e-mail."""

    INVITE = "invite"  # the booking's event (CalDAV) or its iMIP invitation (e-mail)
    TASK = "task"  # an enrolment's due touch as a VTODO on the CalDAV server
    MESSAGE = "message"  # a cadence message e-mailed to the prospect


class JobState(StrEnum):
    WAITING = "waiting"
    SENDING = "sending"
    SENT = "sent"
    HELD = "held"
    UNKNOWN = "unknown"
    DROPPED = "dropped"


OPEN_STATES = frozenset({JobState.WAITING, JobState.SENDING, JobState.HELD, JobState.UNKNOWN})


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class NewJob:
    """A job to save with the booking it belongs to."""

    channel: Channel
    account: str  # the account's name
    uid: str
    sequence: int
    method: Method
    payload: bytes  # the VCALENDAR (CalDAV) or the whole RFC 5322 message (e-mail)
    recipient: str = ""  # the prospect's address, for e-mail
    kind: JobKind = JobKind.INVITE
    target: str = ""  # the calendar URL a task goes to
    summary: str = ""  # what the outbox shows ("Call José Müller", the e-mail's subject)
    step: int | None = None  # a task's cadence step (0-based)
    enrolment_key: str = ""  # a task's enrolment (its task key: known before it is saved)


@dataclass(frozen=True)
class Job:
    id: int
    booking_id: int | None  # None for tasks and follow-up messages
    channel: Channel
    account: str
    uid: str
    sequence: int
    method: Method
    payload: bytes
    recipient: str
    state: JobState
    attempts: int
    next_try: datetime
    last_error: str
    created: datetime
    updated: datetime
    remote_href: str = ""  # where the event lives on the server (CalDAV)
    remote_etag: str = ""  # its ETag after our last successful PUT
    kind: JobKind = JobKind.INVITE
    prospect_id: int | None = None
    enrolment_id: int | None = None
    target: str = ""  # the calendar URL a task goes to
    summary: str = ""


# Waits after the 1st, 2nd, ... failed attempt; the last one repeats.
BACKOFF = (
    timedelta(seconds=15),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)


def backoff(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts (1 = the first failure)."""
    if attempts <= 0:
        return timedelta(0)
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def parse_channels(text: str) -> tuple[Channel, ...]:
    """``"caldav,email,ics"`` as channels, in the given order, each once.

    Raises ``ValueError`` naming an unknown channel.
    """
    found: list[Channel] = []
    for part in text.split(","):
        word = part.strip().lower()
        if not word:
            continue
        if word in ("mail", "e-mail", "imip"):
            word = "email"
        try:
            channel = Channel(word)
        except ValueError:
            raise ValueError(
                f"{part.strip()!r} is not a way to send an invite; use caldav, email or ics."
            ) from None
        if channel not in found:
            found.append(channel)
    if not found:
        raise ValueError("No channel given; use caldav, email or ics (comma-separated).")
    return tuple(found)


@dataclass(frozen=True)
class Reply:
    """A prospect's answer to an invite (METHOD:REPLY, or the server's copy of the event)."""

    uid: str
    attendee: str  # e-mail address, lower-case, without mailto:
    partstat: str  # ACCEPTED, DECLINED, TENTATIVE, DELEGATED, NEEDS-ACTION
    sequence: int = 0
    comment: str = ""


REPLY_WORDS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "DELEGATED": "delegated",
    "NEEDS-ACTION": "no answer yet",
}


def reply_word(partstat: str) -> str:
    """How the prospects list says an answer."""
    return REPLY_WORDS.get(partstat.upper(), partstat.lower()) if partstat else ""
