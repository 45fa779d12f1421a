"""What following up hands to the outbox: due touches as tasks on the CalDAV server, cadence
messages by e-mail, and tasks completed in another app, read back.

:class:`FollowupJobs` builds the outbox jobs; the follow-up service saves them in the same
transaction as the touch, enrolment, snooze or closed file that made them, so the server
is told about every change and nothing is told that did not happen. Tasks go to the first
CalDAV account with a task list (:attr:`CalDavAccount.task_list`); without one, no task job
is made and following up works as before.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from followup_desk.domain.accounts import CalDavAccount, SmtpAccount
from followup_desk.domain.outbox import Channel, JobKind, Method, NewJob
from followup_desk.domain.phrases import format_short_day
from followup_desk.domain.ports import CalDavGateway, Clock
from followup_desk.domain.settings import Settings
from followup_desk.domain.tasks import DueTask, PlainMail, SeenTask, TaskStatus
from followup_desk.errors import UserError
from followup_desk.services.accounts import AccountService

log = logging.getLogger(__name__)

TASKS_SOURCE_PREFIX = "tasks:"


class TaskLedger(Protocol):
    def next_sequence(self, uid: str) -> int: ...

    def step_of(self, uid: str) -> tuple[int, int, int] | None: ...

    def meeting_uid(self, prospect_id: int) -> str: ...

    def meeting_start(self, prospect_id: int) -> datetime | None: ...

    def token(self, source: str) -> str: ...

    def set_token(self, source: str, token: str) -> None: ...


class FollowupComposer(Protocol):
    """The bytes following up sends: a task's VTODO and a plain-text e-mail."""

    def task(self, task: DueTask, sequence: int, stamp: datetime) -> bytes: ...

    def tasks_in(self, data: bytes) -> list[SeenTask]: ...

    def message(self, mail: PlainMail) -> bytes: ...


@dataclass(frozen=True)
class CompletedElsewhere:
    """One of our tasks that another app marked completed."""

    uid: str
    prospect_id: int
    enrolment_id: int
    step: int
    channel: str  # from its CATEGORIES ("" when it carries none we know)
    at: datetime | None


def _nothing() -> None:
    """Nothing was read: no token to move on."""


_STATUS_WORDS = {
    TaskStatus.NEEDS_ACTION: "due",
    TaskStatus.COMPLETED: "done",
    TaskStatus.CANCELLED: "cancelled",
}


class FollowupJobs:
    def __init__(
        self,
        ledger: TaskLedger,
        accounts: AccountService,
        composer: FollowupComposer,
        caldav: Callable[[], CalDavGateway],
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._ledger = ledger
        self._accounts = accounts
        self._composer = composer
        self._caldav = caldav
        self._clock = clock
        self._settings = settings

    # --- tasks -----------------------------------------------------------------------------

    def task_target(self) -> tuple[CalDavAccount, str] | None:
        """The account and calendar that receive the due touches, or None (no task list)."""
        for account in self._accounts.all():
            if isinstance(account, CalDavAccount) and account.task_list:
                return account, account.task_list
        return None

    def meeting_uid(self, prospect_id: int) -> str:
        return self._ledger.meeting_uid(prospect_id)

    def task_written(self, uid: str) -> bool:
        """Whether a write of this task was ever queued (sent or not)."""
        return self._ledger.next_sequence(uid) > 0

    def meeting_words(self, prospect_id: int) -> str:
        """ "our meeting on Tuesday 8 December": the prospect's latest meeting, "" if none."""
        start = self._ledger.meeting_start(prospect_id)
        if start is None:
            return ""
        local = start.astimezone(self._settings.rules.zone)
        return f"our meeting on {local:%A} {local.day} {local:%B}"

    def task_jobs(self, changes: Sequence[DueTask]) -> list[NewJob]:
        """The writes that put ``changes`` on the server (none without a task list)."""
        target = self.task_target() if changes else None
        if target is None:
            return []
        account, calendar = target
        stamp = self._clock.now()
        jobs = []
        for task in changes:
            sequence = self._ledger.next_sequence(task.uid)
            word = _STATUS_WORDS[task.status]
            if task.status is TaskStatus.NEEDS_ACTION:
                label = f"{task.summary}, {word} {format_short_day(task.due)}"
            else:
                label = f"{task.summary} ({word})"
            jobs.append(
                NewJob(
                    Channel.CALDAV,
                    account.name,
                    task.uid,
                    sequence,
                    Method.REQUEST,
                    self._composer.task(task, sequence, stamp),
                    kind=JobKind.TASK,
                    target=calendar,
                    summary=label,
                    step=task.step,
                    enrolment_key=task.enrolment_key,
                )
            )
        return jobs

    def completed_elsewhere(self) -> tuple[list[CompletedElsewhere], Callable[[], None]]:
        """Our tasks now COMPLETED on the server, read from the task list's changes since the
        last time (a sync token): one small request when nothing changed; and what moves
        that token on, to call once every one of them is logged (a failure half-way reads
        them again next time: logging them is idempotent).

        A server out of reach or refusing is logged and tried again at the next refresh.
        """
        target = self.task_target()
        if target is None:
            return [], _nothing
        account, calendar = target
        secret = self._accounts.password(account)
        if secret is None:
            return [], _nothing
        source = f"{TASKS_SOURCE_PREFIX}{account.name}:{calendar}"
        try:
            changes = self._caldav().changes(account, secret, calendar, self._ledger.token(source))
        except UserError as exc:
            log.info("reading the task list of %s stopped: %s", account.name, exc)
            return [], _nothing
        found = []
        for remote in changes.changed:
            for seen in self._composer.tasks_in(remote.data):
                if seen.status != TaskStatus.COMPLETED.value:
                    continue
                ours = self._ledger.step_of(seen.uid)
                if ours is None:
                    continue
                channel = next(iter(seen.categories), "").strip().lower()
                prospect_id, enrolment_id, step = ours
                found.append(
                    CompletedElsewhere(
                        seen.uid, prospect_id, enrolment_id, step, channel, seen.completed
                    )
                )
        return found, lambda: self._ledger.set_token(source, changes.token)

    # --- e-mail ----------------------------------------------------------------------------

    def smtp(self) -> SmtpAccount | None:
        return next((a for a in self._accounts.all() if isinstance(a, SmtpAccount)), None)

    def message_job(
        self, account: str, sender: str, to_name: str, to_address: str, subject: str, body: str
    ) -> NewJob:
        """The e-mail carrying ``body`` to the prospect, through the SMTP account named
        ``account`` (the draft checked it exists and the prospect has an address)."""
        key = f"{uuid.uuid4()}@followup-desk"
        data = self._composer.message(
            PlainMail(
                from_name=self._settings.rep.name,
                from_address=sender,
                to_name=to_name,
                to_address=to_address,
                subject=subject,
                body=body,
                key=key,
                stamp=self._clock.now(),
            )
        )
        return NewJob(
            Channel.EMAIL,
            account,
            key,
            0,
            Method.REQUEST,
            data,
            recipient=to_address,
            kind=JobKind.MESSAGE,
            summary=subject,
        )
