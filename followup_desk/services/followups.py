"""After the meeting: outcomes, touches, the weekly review, cadences, closing and snoozing.

Every change is written before anything else happens. A cadence stops by itself when the
prospect books, replies (an inbound touch) or the file is closed; the last step of a
cadence that closes files does so on its date unless a reply came. Those rules run on
every review (``sweep``), so they hold whichever face (window or command line) is used.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from followup_desk.domain.booking import Booking, Prospect
from followup_desk.domain.cadences import (
    Cadence,
    Channel,
    EnrolmentState,
    Plan,
    next_due,
    plan,
    state,
)
from followup_desk.domain.enrolments import Enrolment, StoredCadence, StoredTouch
from followup_desk.domain.outbox import NewJob
from followup_desk.domain.ports import BookingStore, CadenceCodec, Clock, FollowupStore
from followup_desk.domain.review import (
    DEFAULT_STALE_DAYS,
    ProspectFacts,
    Review,
    State,
    build_review,
    due_of,
    state_of,
)
from followup_desk.domain.settings import Settings
from followup_desk.domain.tasks import DueTask, TaskStatus, task_changes, task_uid
from followup_desk.domain.templates import fill
from followup_desk.domain.touches import Direction, Outcome, says_nothing_new
from followup_desk.errors import InvalidInputError, NotFoundError, UserError
from followup_desk.services.followup_jobs import FollowupJobs

log = logging.getLogger(__name__)


class EmptyTouchWarning(UserError):
    """The note says nothing new for the prospect; the rep may log it anyway."""


@dataclass(frozen=True)
class TouchLogged:
    touch_id: int
    step_done: int | None  # the cadence step this touch completed
    enrolment_state: EnrolmentState | None
    next_due: date | None


def _what(cadence: Cadence, touch_step: int) -> str:
    return cadence.steps[touch_step].channel.value


class FollowupService:
    def __init__(
        self,
        store: FollowupStore,
        bookings: BookingStore,
        codec: CadenceCodec,
        builtins: Sequence[Cadence],
        empty_phrases: Sequence[str],
        clock: Clock,
        settings: Settings,
        jobs: FollowupJobs | None = None,
    ) -> None:
        self._store = store
        self._jobs = jobs
        self._bookings = bookings
        self._codec = codec
        self._builtins = tuple(builtins)
        self._empty = tuple(empty_phrases)
        self._clock = clock
        self._settings = settings
        self._parsed: dict[str, Cadence] = {}

    def now(self) -> datetime:
        return self._clock.now()

    @property
    def today(self) -> date:
        return self._clock.now().astimezone(self._settings.rules.zone).date()

    def prospect(self, prospect_id: int) -> Prospect:
        return self._prospect(prospect_id)

    def active_enrolment(self, prospect_id: int) -> Enrolment | None:
        return self._store.active_enrolment(prospect_id)

    def step_channel(self, enrolment: Enrolment, step: int) -> Channel:
        cadence, _ = self._plan(enrolment)
        return cadence.steps[step].channel

    def _prospect(self, prospect_id: int) -> Prospect:
        prospect = self._bookings.prospect(prospect_id)
        if prospect is None:
            raise NotFoundError(
                f"There is no prospect {prospect_id}; `followup-desk review` lists them."
            )
        return prospect

    # --- cadences ------------------------------------------------------------------------

    def install_builtins(self) -> None:
        """Keep the built-in cadences in the database, in their current wording."""
        stored = {c.key: c for c in self._store.cadences()}
        now = self._clock.now()
        for cadence in self._builtins:
            body = self._codec.dump([cadence])
            known = stored.get(cadence.key)
            if known is None or (known.builtin and known.body != body):
                self._store.save_cadence(StoredCadence(cadence.key, cadence.name, body, True), now)

    def cadences(self) -> list[tuple[Cadence, bool]]:
        """Every cadence (parsed) and whether it is built in."""
        result: list[tuple[Cadence, bool]] = []
        for stored in self._store.cadences():
            parsed = self._codec.parse(stored.body, f"cadence {stored.key}")
            result.extend((c, stored.builtin) for c in parsed)
        return result

    def cadence(self, key: str) -> tuple[Cadence, StoredCadence]:
        for stored in self._store.cadences():
            if stored.key == key:
                return self._codec.parse(stored.body, f"cadence {key}")[0], stored
        names = ", ".join(s.key for s in self._store.cadences())
        raise NotFoundError(f"There is no cadence {key!r}; the cadences are: {names}.")

    def save_cadence(self, cadence: Cadence) -> None:
        problems = cadence.problems()
        if problems:
            raise InvalidInputError(" ".join(problems))
        if any(c.key == cadence.key for c in self._builtins):
            raise InvalidInputError(
                f"{cadence.key!r} is a built-in cadence; copy it under a new short name to "
                "make it your own."
            )
        body = self._codec.dump([cadence])
        self._store.save_cadence(
            StoredCadence(cadence.key, cadence.name, body, False), self._clock.now()
        )

    def delete_cadence(self, key: str) -> None:
        """Remove one of the rep's own cadences (enrolments keep their copy)."""
        if any(c.key == key for c in self._builtins):
            raise InvalidInputError(f"{key!r} is built in and stays; copy it to make your own.")
        self.cadence(key)  # says which exist when it does not
        self._store.delete_cadence(key)

    def export_cadences(self, keys: Sequence[str] = ()) -> str:
        chosen = [c for c, _ in self.cadences() if not keys or c.key in keys]
        return self._codec.dump(chosen)

    def import_cadences(self, text: str, where: str) -> list[str]:
        """Save every cadence of a file (all or none); returns their short names."""
        cadences = self._codec.parse(text, where)
        builtin = {c.key for c in self._builtins}
        for cadence in cadences:  # every check before the first save: all or nothing
            problems = cadence.problems()
            if cadence.key in builtin:
                problems.append(
                    "it has a built-in cadence's short name; give your copy a name of its own."
                )
            if problems:
                raise InvalidInputError(f"{where}, cadence {cadence.key!r}: " + " ".join(problems))
        for cadence in cadences:
            self.save_cadence(cadence)
        return [c.key for c in cadences]

    # --- enrolments ----------------------------------------------------------------------

    def _plan(self, enrolment: Enrolment) -> tuple[Cadence, Plan]:
        cadence = self._parsed.get(enrolment.cadence_body)
        if cadence is None:  # enrolments share a few cadence texts: read each once
            where = f"cadence {enrolment.cadence_key}"
            cadence = self._codec.parse(enrolment.cadence_body, where)[0]
            self._parsed[enrolment.cadence_body] = cadence
        rules = self._settings.rules
        return cadence, plan(cadence, enrolment.started, rules.working_days, enrolment.snoozes)

    def enrol(self, prospect_id: int, key: str, start: date | None = None) -> Enrolment:
        prospect = self._prospect(prospect_id)
        if self._store.closed_reason(prospect_id) is not None:
            raise InvalidInputError(
                f"{prospect.name}'s file is closed; reopen it first "
                f"(followup-desk reopen {prospect_id})."
            )
        cadence, stored = self.cadence(key)
        started = start or self.today
        planned = plan(cadence, started, self._settings.rules.working_days)
        first = next_due(planned, frozenset())
        body = self._codec.dump([cadence])
        task_key = secrets.token_hex(8)
        due, what = (first.due, _what(cadence, first.step)) if first else (None, "")
        new = Enrolment(
            0, prospect_id, cadence.key, cadence.name, body, started, "active", "", (),
            frozenset(), due, what, task_key,
        )  # fmt: skip
        before = self._store.active_enrolment(prospect_id)
        jobs = self._task_jobs(prospect, before, new, frozenset())
        return self._store.enrol(
            prospect_id,
            replace(stored, body=body),
            started,
            due,
            what,
            task_key,
            jobs,
            self._clock.now(),
        )

    def message(self, prospect_id: int) -> str:
        """The next cadence touch's message, filled in for this prospect."""
        prospect = self._prospect(prospect_id)
        enrolment = self._store.active_enrolment(prospect_id)
        if enrolment is None:
            raise InvalidInputError(f"{prospect.name} is not in a cadence.")
        return self._filled(prospect, enrolment)

    def _filled(self, prospect: Prospect, enrolment: Enrolment) -> str:
        cadence, planned = self._plan(enrolment)
        touch = next_due(planned, enrolment.done_steps)
        if touch is None:
            return ""
        final = cadence.steps[touch.step].closes_after_days is not None
        if final and touch.due < self.today:  # sent late: the reply-by date moves with it
            late = (*enrolment.snoozes, (touch.due, (self.today - touch.due).days))
            cadence, planned = self._plan(replace(enrolment, snoozes=late))
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

    # --- tasks on the CalDAV server ------------------------------------------------------

    def _due_task(self, prospect: Prospect, enrolment: Enrolment | None) -> DueTask | None:
        """The enrolment's next due touch as a task (None: none due, or not active)."""
        if self._jobs is None or enrolment is None or enrolment.status != "active":
            return None
        if not enrolment.task_key or prospect.id is None:
            return None
        cadence, planned = self._plan(enrolment)
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
            description=self._filled(prospect, enrolment),
            related_to=self._jobs.meeting_uid(prospect.id),
            cadence=cadence.name,
        )

    def _task_jobs(
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

    # --- touches -------------------------------------------------------------------------

    def log_touch(
        self,
        prospect_id: int,
        channel: Channel,
        direction: Direction,
        note: str,
        *,
        force: bool = False,
        at: datetime | None = None,
        step: int | None = None,
        jobs: Sequence[NewJob] = (),
    ) -> TouchLogged:
        """Log a touch; an outbound one completes the cadence step it matches (``step``
        names it, for a task completed in another app), and ``jobs`` are queued with it."""
        prospect = self._prospect(prospect_id)
        if direction is Direction.OUT and not force:
            empty = says_nothing_new(note, self._empty)
            if empty is not None:
                raise EmptyTouchWarning(
                    f"That note ({empty!r}) tells {prospect.name} nothing new. Add what is "
                    "new for them (an idea, a result, a date), or log it anyway."
                )
        at = at or self._clock.now()
        enrolment = self._store.active_enrolment(prospect_id)
        if enrolment is None:
            touch_id = self._store.add_touch(
                prospect_id, at, channel.value, direction, note, jobs=jobs
            )
            return TouchLogged(touch_id, None, None, None)
        cadence, planned = self._plan(enrolment)
        done = set(enrolment.done_steps)
        named, step = step, None
        shifts = enrolment.snoozes
        if direction is Direction.OUT:
            today = at.astimezone(self._settings.rules.zone).date()
            open_steps = [t for t in planned.touches if t.step not in done]
            due_now = [t for t in open_steps if t.due <= today + timedelta(days=1)]
            match = next((t for t in due_now if t.channel is channel), None)
            if named is not None:
                match = next((t for t in open_steps if t.step == named), None)
            step = match.step if match else None
            if match is not None:
                done.add(match.step)
                closing = cadence.steps[match.step].closes_after_days is not None
                if closing and match.due < today:
                    # the final touch sent late: the reply-by date it named counts from
                    # today, so the file never closes before the prospect had those days
                    shifts = (*shifts, (match.due, (today - match.due).days))
                    cadence, planned = self._plan(replace(enrolment, snoozes=shifts))
        frozen = frozenset(done)
        replied = direction is Direction.IN
        now_state = state(planned, frozen, self.today, replied=replied, booked=False, closed=False)
        following = next_due(planned, frozen)
        status, reason = self._status(now_state)
        update = (
            status,
            reason,
            frozen,
            following.due if following and status == "active" else None,
            _what(cadence, following.step) if following and status == "active" else "",
            tuple(shifts),
        )
        after = replace(
            enrolment,
            status=status,
            done_steps=frozen,
            snoozes=tuple(shifts),
            next_due=update[3],
        )
        tasks = self._task_jobs(prospect, enrolment, after, frozen)
        touch_id = self._store.add_touch(
            prospect_id, at, channel.value, direction, note, enrolment, step, update,
            [*tasks, *jobs],
        )  # fmt: skip
        if now_state is EnrolmentState.CLOSES_FILE:
            self._store.close(prospect_id, f"no reply to the {cadence.name} cadence", at)
        return TouchLogged(touch_id, step, now_state, update[3])

    @staticmethod
    def _status(now: EnrolmentState) -> tuple[str, str]:
        if now is EnrolmentState.ACTIVE:
            return "active", ""
        if now is EnrolmentState.FINISHED:
            return "finished", "every step done"
        reasons = {
            EnrolmentState.STOPPED_REPLIED: "the prospect replied",
            EnrolmentState.STOPPED_BOOKED: "the prospect booked",
            EnrolmentState.STOPPED_CLOSED: "file closed",
            EnrolmentState.CLOSES_FILE: "no reply by the closing date",
        }
        return "stopped", reasons[now]

    def touches(self, prospect_id: int) -> list[StoredTouch]:
        self._prospect(prospect_id)
        return self._store.touches(prospect_id)

    # --- the file ------------------------------------------------------------------------

    def close(self, prospect_id: int, reason: str) -> None:
        prospect = self._prospect(prospect_id)
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInputError(
                "Say why the file closes (not interested, no budget, went elsewhere...)."
            )
        enrolment = self._store.active_enrolment(prospect_id)
        done = enrolment.done_steps if enrolment else frozenset()
        jobs = self._task_jobs(prospect, enrolment, None, done)
        self._store.close(prospect_id, reason, self._clock.now(), jobs)

    def reopen(self, prospect_id: int) -> None:
        self._prospect(prospect_id)
        self._store.reopen(prospect_id)

    def snooze(self, prospect_id: int, until: date) -> None:
        """Nothing comes due before ``until``; a cadence's later touches shift with it."""
        prospect = self._prospect(prospect_id)
        if until <= self.today:
            raise InvalidInputError(f"Snooze {prospect.name} until a day after today.")
        self._store.snooze(prospect_id, until)
        enrolment = self._store.active_enrolment(prospect_id)
        if enrolment is None or enrolment.next_due is None or enrolment.next_due >= until:
            return
        shift = (enrolment.next_due, (until - enrolment.next_due).days)
        snoozes = (*enrolment.snoozes, shift)
        moved = replace(enrolment, snoozes=snoozes)
        cadence, planned = self._plan(moved)
        following = next_due(planned, enrolment.done_steps)
        jobs = self._task_jobs(prospect, enrolment, moved, enrolment.done_steps)
        self._store.update_enrolment(
            enrolment.id,
            "active",
            "",
            enrolment.done_steps,
            following.due if following else None,
            _what(cadence, following.step) if following else "",
            snoozes,
            jobs,
            self._clock.now(),
        )

    def set_follow_up(self, prospect_id: int, on: date | None) -> None:
        self._prospect(prospect_id)
        self._store.set_follow_up(prospect_id, on)

    # --- outcomes ------------------------------------------------------------------------

    def awaiting_outcome(self) -> list[tuple[Booking, Prospect]]:
        return self._store.awaiting_outcome(self._clock.now())

    def record_outcome(self, booking_id: int, outcome: Outcome) -> Prospect:
        booking = self._bookings.booking(booking_id)
        if booking is None:
            raise NotFoundError(f"There is no booking {booking_id}.")
        if booking.end.astimezone(self._clock.now().tzinfo) > self._clock.now():
            raise InvalidInputError(
                f"Booking {booking_id} has not ended yet; say how it went afterwards."
            )
        self._store.record_outcome(booking_id, outcome, self._clock.now())
        prospect = self._bookings.prospect(booking.prospect_id)
        assert prospect is not None
        return prospect

    # --- the review ----------------------------------------------------------------------

    def sweep(self, facts: Sequence[ProspectFacts] | None = None) -> list[str]:
        """Apply the cadence rules that time brings: stop on booking, close on silence.

        Cheap whatever the numbers: an enrolment with a touch still to do and no booking
        is active by definition, so only booked ones and finished ones are looked at.
        """
        now = self._clock.now()
        said: list[str] = []
        known = facts if facts is not None else self._store.review_facts(now)
        by_id = {f.prospect_id: f for f in known}
        for enrolment in self._store.active_enrolments():
            fact = by_id.get(enrolment.prospect_id)
            if fact is None:
                continue
            booked = fact.next_meeting is not None
            if not booked and enrolment.next_due is not None:
                continue
            cadence, planned = self._plan(enrolment)
            now_state = state(
                planned,
                enrolment.done_steps,
                self.today,
                replied=False,
                booked=booked,
                closed=False,
            )
            if now_state is EnrolmentState.ACTIVE:
                continue
            status, reason = self._status(now_state)
            prospect = self._bookings.prospect(enrolment.prospect_id)
            jobs = (
                self._task_jobs(prospect, enrolment, None, enrolment.done_steps)
                if prospect is not None
                else []
            )
            self._store.update_enrolment(
                enrolment.id, status, reason, enrolment.done_steps, None, "", None, jobs, now
            )
            if now_state is EnrolmentState.CLOSES_FILE:
                self._store.close(
                    enrolment.prospect_id, f"no reply to the {cadence.name} cadence", now
                )
                said.append(f"{fact.name}: file closed, no reply by the date given.")
            else:
                said.append(f"{fact.name}: {cadence.name} {reason}.")
            log.info("enrolment %s %s (%s)", enrolment.id, status, reason)
        return said

    def review(self, stale_days: int | None = None) -> Review:
        now = self._clock.now()
        facts = self._store.review_facts(now)
        if self.sweep(facts):
            facts = self._store.review_facts(now)  # a file closed or a cadence stopped
        rules = self._settings.rules
        stale = DEFAULT_STALE_DAYS if stale_days is None else stale_days
        # touches are stored in UTC; "waiting since" and "stale" count the rep's days
        review = build_review(facts, self.today, rules.working_days, stale, rules.zone)
        monday = self.today - timedelta(days=self.today.weekday())
        self._store.save_week_counts(monday, {g.value: n for g, n in review.counts().items()})
        return review

    def pipeline(self, weeks: int = 8) -> list[tuple[date, dict[str, int]]]:
        """The review's counts per group for the last ``weeks`` weeks (as reviews saw them)."""
        monday = self.today - timedelta(days=self.today.weekday())
        return self._store.week_counts(monday - timedelta(weeks=weeks - 1))

    def states(self) -> dict[int, tuple[State, date | None]]:
        """Each prospect's state at a glance, with the date that comes due (if any)."""
        today = self.today
        return {
            f.prospect_id: (state_of(f, today), due_of(f, today)[0])
            for f in self._store.review_facts(self._clock.now(), include_closed=True)
        }
