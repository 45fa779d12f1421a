"""Prospects, booked next steps and the reminder task that comes with each booking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

# Deliberately plain: one @, a dot in the domain, no spaces, no empty domain label
# ("example..com"). Deliverability is the mail server's business; this catches typos made
# while the prospect is talking. Any script is welcome (josé@exämple.de, почта@пример.рф).
_LABEL = r"[^@\s<>\"(),;:.]+"
_EMAIL = re.compile(rf"[^@\s<>\"(),;:]+@{_LABEL}(?:\.{_LABEL})*\.[^@\s<>\"(),;:.]{{2,}}")


def is_valid_email(address: str) -> bool:
    return bool(_EMAIL.fullmatch(address.strip()))


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class TaskKind(StrEnum):
    CONFIRM_DAY_BEFORE = "confirm-day-before"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Rep:
    name: str
    email: str


@dataclass(frozen=True)
class Prospect:
    id: int | None
    name: str
    email: str
    time_zone: str
    company: str = ""
    phone: str = ""
    follow_up_said: str = ""
    follow_up_stated: date | None = None
    follow_up_suggested: date | None = None
    channels: tuple[str, ...] = ()  # how to reach them: "email", "phone", "LinkedIn", ...
    follow_up_channel: str = ""  # the one they asked to be followed up on


@dataclass(frozen=True)
class Booking:
    """A booked next step. ``uid`` never changes; ``sequence`` rises with each change."""

    id: int | None
    prospect_id: int
    uid: str
    sequence: int
    status: BookingStatus
    start: datetime
    end: datetime
    rep_zone: str
    prospect_zone: str
    title: str
    created: datetime
    updated: datetime
    ics_path: str = ""
    # the prospect's answer to the invite: "", ACCEPTED, DECLINED, TENTATIVE (RFC 5545 PARTSTAT)
    reply: str = ""

    @property
    def length(self) -> timedelta:
        # in UTC: Python subtracts same-zone datetimes on the wall clock, wrong across DST
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


@dataclass(frozen=True)
class Task:
    id: int | None
    booking_id: int
    kind: TaskKind
    due: date
    status: TaskStatus


def confirm_due(meeting_day: date, today: date, working_days: frozenset[int]) -> date:
    """Seed 003: confirm the day before: the working day before the meeting, not before today."""
    due = meeting_day - timedelta(days=1)
    while due.weekday() not in working_days and due > today:
        due -= timedelta(days=1)
    return max(due, today) if meeting_day > today else meeting_day
