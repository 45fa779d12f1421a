"""Due touches shared as tasks (VTODO) on the rep's CalDAV server.

Each enrolment's next due touch is one task: its UID is stable per enrolment step, so every
change of that touch (snoozed, done, stopped) rewrites the same object on the server, and
a task completed in another client can be traced back to the step it stands for. Plain
records and rules here; the VTODO text is the adapters' business.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

UID_DOMAIN = "followup-desk"

CHANNEL_VERBS = {
    "call": "Call",
    "voicemail": "Leave a voicemail for",
    "email": "E-mail",
    "linkedin": "LinkedIn message to",
    "text": "Text",
    "visit": "Visit",
}


class TaskStatus(StrEnum):
    NEEDS_ACTION = "NEEDS-ACTION"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


def task_uid(key: str, step: int) -> str:
    """The task of step ``step`` (0-based) of the enrolment whose random key is ``key``."""
    return f"touch-{key}-{step + 1}@{UID_DOMAIN}"


def task_summary(prospect: str, channel: str) -> str:
    """ "Call José Müller": what to do, and for whom."""
    verb = CHANNEL_VERBS.get(channel, channel.capitalize() or "Follow up")
    return f"{verb} {prospect}"


@dataclass(frozen=True)
class DueTask:
    """One due touch as the server should show it."""

    uid: str
    enrolment_key: str  # the enrolment's task key (known before the enrolment is saved)
    step: int
    prospect: str
    channel: str  # a cadence channel: call, voicemail, email, linkedin, text, visit
    due: date
    status: TaskStatus
    description: str = ""  # the step's message, filled in
    related_to: str = ""  # the UID of the prospect's meeting, when there is one
    cadence: str = ""  # the cadence's name
    completed: datetime | None = None

    @property
    def summary(self) -> str:
        return task_summary(self.prospect, self.channel)

    def same_content(self, other: DueTask) -> bool:
        """Whether writing ``other`` over this one would change nothing the server shows."""
        return (
            self.uid == other.uid
            and self.due == other.due
            and self.status is other.status
            and self.description == other.description
            and self.related_to == other.related_to
        )


@dataclass(frozen=True)
class SeenTask:
    """A task as read back from the server (written by us, maybe changed by someone else)."""

    uid: str
    status: str
    completed: datetime | None
    categories: tuple[str, ...] = ()


def task_changes(
    before: DueTask | None, after: DueTask | None, done: frozenset[int], at: datetime
) -> list[DueTask]:
    """What to write when an enrolment's due touch goes from ``before`` to ``after``.

    The task that stops being the due one is COMPLETED (at ``at``) when its step is among
    ``done`` (the steps done after the change), else CANCELLED; the new due one is written
    when it is new or changed (a snooze moves its DUE). Nothing when nothing changed.
    """
    changes: list[DueTask] = []
    if before is not None and (after is None or after.uid != before.uid):
        if before.step in done:
            changes.append(replace(before, status=TaskStatus.COMPLETED, completed=at))
        else:
            changes.append(replace(before, status=TaskStatus.CANCELLED, completed=None))
    if after is not None and (before is None or not before.same_content(after)):
        changes.append(after)
    return changes


@dataclass(frozen=True)
class PlainMail:
    """A cadence message as a plain-text e-mail from the rep to the prospect; ``key`` makes
    its Message-ID."""

    from_name: str
    from_address: str
    to_name: str
    to_address: str
    subject: str
    body: str
    key: str
    stamp: datetime
