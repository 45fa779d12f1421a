"""What an enrolment means on a given day: its copy of the cadence read into dated touches,
the next touch's message filled in for the prospect, and that touch as a task on the
CalDAV server.

Nothing here writes: the follow-up service asks for a plan, a message or the task writes a
change calls for, and saves them with the change that made them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from followup_desk.domain.booking import Prospect
from followup_desk.domain.cadences import Cadence, Plan, next_due, plan
from followup_desk.domain.enrolments import Enrolment
from followup_desk.domain.outbox import NewJob
from followup_desk.domain.ports import BookingStore, CadenceCodec, Clock
from followup_desk.domain.settings import Settings
from followup_desk.domain.tasks import DueTask, TaskStatus, task_changes, task_uid
from followup_desk.domain.templates import fill
from followup_desk.services.followup_jobs import FollowupJobs


class EnrolmentPlans:
    def __init__(
        self,
        codec: CadenceCodec,
        bookings: BookingStore,
        clock: Clock,
        settings: Settings,
        jobs: FollowupJobs | None = None,
    ) -> None:
        self._codec = codec
        self._bookings = bookings
        self._clock = clock
        self._settings = settings
        self._jobs = jobs
        self._parsed: dict[str, Cadence] = {}

    @property
    def today(self) -> date:
        """The rep's day, in their time zone."""
        return self._clock.now().astimezone(self._settings.rules.zone).date()

    def plan(self, enrolment: Enrolment) -> tuple[Cadence, Plan]:
        cadence = self._parsed.get(enrolment.cadence_body)
        if cadence is None:  # enrolments share a few cadence texts: read each once
            where = f"cadence {enrolment.cadence_key}"
            cadence = self._codec.parse(enrolment.cadence_body, where)[0]
            self._parsed[enrolment.cadence_body] = cadence
        rules = self._settings.rules
        return cadence, plan(cadence, enrolment.started, rules.working_days, enrolment.snoozes)

    # --- the next touch's message ----------------------------------------------------------

    def message(self, prospect: Prospect, enrolment: Enrolment) -> str:
        """The next touch's message, filled in for ``prospect`` ("" when none is left)."""
        cadence, planned = self.plan(enrolment)
        touch = next_due(planned, enrolment.done_steps)
        if touch is None:
            return ""
        final = cadence.steps[touch.step].closes_after_days is not None
        if final and touch.due < self.today:  # sent late: the reply-by date moves with it
            late = (*enrolment.snoozes, (touch.due, (self.today - touch.due).days))
            cadence, planned = self.plan(replace(enrolment, snoozes=late))
        values = {
            "prospect": prospect.name,
            "first_name": prospect.name.split()[0] if prospect.name.split() else prospect.name,
            "meeting": self.meeting_words(prospect) or "our last conversation",
            "follow_up": prospect.follow_up_said or "soon",
            "rep": self._settings.rep.name,
            "reply_by": f"{planned.closes_on:%A} {planned.closes_on.day} {planned.closes_on:%B}"
            if planned.closes_on
            else "",
        }
        return fill(cadence.steps[touch.step].template, values)

    def meeting_words(self, prospect: Prospect) -> str:
        """ "Tuesday 24 November at 10:00": the prospect's next meeting, "" when none."""
        steps = [
            s
            for s in self._bookings.prospects_with_next_step(self._clock.now())
            if s[0].id == prospect.id
        ]
        if not steps or steps[0][1] is None:
            return ""
        start = steps[0][1].start.astimezone(self._settings.rules.zone)
        return f"{start:%A} {start.day} {start:%B} at {start:%H:%M}"

    # --- tasks on the CalDAV server --------------------------------------------------------

    def _due_task(self, prospect: Prospect, enrolment: Enrolment | None) -> DueTask | None:
        """The enrolment's next due touch as a task (None: none due, or not active)."""
        if self._jobs is None or enrolment is None or enrolment.status != "active":
            return None
        if not enrolment.task_key or prospect.id is None:
            return None
        cadence, planned = self.plan(enrolment)
        touch = next_due(planned, enrolment.done_steps)
        if touch is None:
            return None
        return DueTask(
            uid=task_uid(enrolment.task_key, touch.step),
            enrolment_key=enrolment.task_key,
            step=touch.step,
            prospect=prospect.name,
            channel=touch.channel.value,
            due=touch.due,
            status=TaskStatus.NEEDS_ACTION,
            description=self.message(prospect, enrolment),
            related_to=self._jobs.meeting_uid(prospect.id),
            cadence=cadence.name,
        )

    def has_task_list(self) -> bool:
        return self._jobs is not None and self._jobs.task_target() is not None

    def unpublished_task_jobs(self, prospect: Prospect, enrolment: Enrolment) -> list[NewJob]:
        """The write of the enrolment's due touch when it never reached the task list (the
        prospect was enrolled before there was one); [] when it did, or nothing is due."""
        if self._jobs is None or not enrolment.task_key or enrolment.status != "active":
            return []
        touch = next_due(self.plan(enrolment)[1], enrolment.done_steps)
        # the cheap check first: this runs for every enrolment at every read-back
        if touch is None or self._jobs.task_written(task_uid(enrolment.task_key, touch.step)):
            return []
        if self._jobs.task_target() is None:
            return []
        due = self._due_task(prospect, enrolment)
        return self._jobs.task_jobs([due]) if due is not None else []

    def task_jobs(
        self,
        prospect: Prospect,
        before: Enrolment | None,
        after: Enrolment | None,
        done: frozenset[int],
    ) -> list[NewJob]:
        """The task writes that follow an enrolment's change from ``before`` to ``after``."""
        if self._jobs is None or self._jobs.task_target() is None:
            return []
        changes = task_changes(
            self._due_task(prospect, before), self._due_task(prospect, after), done,
            self._clock.now(),
        )  # fmt: skip
        return self._jobs.task_jobs(changes)
