"""After the meeting: outcomes, enrolments, touches, the weekly review, closing and snoozing.

Every change is written before anything else happens. A cadence stops by itself when the
prospect books, replies (an inbound touch) or the file is closed; the last step of a
cadence that closes files does so on its date unless a reply came. Those rules run on
every review (``sweep``), so they hold whichever face (window or command line) is used.

The cadences themselves live in :mod:`~followup_desk.services.cadence_library`; what an
enrolment's cadence plans, says and puts on the task list, in
:mod:`~followup_desk.services.enrolment_plans`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from followup_desk.domain.booking import Booking, Prospect
from followup_desk.domain.cadences import Cadence, Channel, EnrolmentState, next_due, plan, state
from followup_desk.domain.enrolments import Enrolment, StoredTouch
from followup_desk.domain.outbox import NewJob
from followup_desk.domain.ports import BookingStore, Clock, FollowupStore
from followup_desk.domain.review import (
    DEFAULT_STALE_DAYS,
    DueNow,
    Group,
    Place,
    ProspectFacts,
    Review,
    ReviewBounds,
    ReviewItem,
    State,
    classify,
    due_of,
    review_bounds,
    state_of,
)
from followup_desk.domain.settings import Settings
from followup_desk.domain.touches import Direction, Outcome, says_nothing_new
from followup_desk.errors import InvalidInputError, NotFoundError, UserError
from followup_desk.services.cadence_library import CadenceLibrary
from followup_desk.services.enrolment_plans import EnrolmentPlans

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
        cadences: CadenceLibrary,
        plans: EnrolmentPlans,
        empty_phrases: Sequence[str],
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._store = store
        self._bookings = bookings
        self._cadences = cadences
        self._plans = plans
        self._empty = tuple(empty_phrases)
        self._clock = clock
        self._settings = settings

    def now(self) -> datetime:
        return self._clock.now()

    @property
    def today(self) -> date:
        return self._plans.today

    def prospect(self, prospect_id: int) -> Prospect:
        return self._prospect(prospect_id)

    def publish_due_tasks(self) -> int:
        """Queue the due touches that never reached the task list: enrolled before the
        CalDAV account (or its task list) existed. Returns how many; 0 the second time."""
        if not self._plans.has_task_list():
            return 0
        now = self.now()
        count = 0
        for enrolment in self._store.active_enrolments():
            prospect = self._bookings.prospect(enrolment.prospect_id)
            if prospect is None or prospect.id is None:
                continue
            jobs = self._plans.unpublished_task_jobs(prospect, enrolment)
            if jobs:
                self._store.queue_jobs(prospect.id, jobs, now)
                count += len(jobs)
        if count:
            log.info("%d due touch(es) published to the task list", count)
        return count

    def active_enrolment(self, prospect_id: int) -> Enrolment | None:
        return self._store.active_enrolment(prospect_id)

    def step_channel(self, enrolment: Enrolment, step: int) -> Channel:
        cadence, _ = self._plans.plan(enrolment)
        return cadence.steps[step].channel

    def _prospect(self, prospect_id: int) -> Prospect:
        prospect = self._bookings.prospect(prospect_id)
        if prospect is None:
            raise NotFoundError(
                f"There is no prospect {prospect_id}; `followup-desk review` lists them."
            )
        return prospect

    # --- enrolments ----------------------------------------------------------------------

    def enrol(self, prospect_id: int, key: str, start: date | None = None) -> Enrolment:
        prospect = self._prospect(prospect_id)
        if self._store.closed_reason(prospect_id) is not None:
            raise InvalidInputError(
                f"{prospect.name}'s file is closed; reopen it first "
                f"(followup-desk reopen {prospect_id})."
            )
        cadence, stored = self._cadences.enrolment_copy(key)
        started = start or self.today
        planned = plan(cadence, started, self._settings.rules.working_days)
        first = next_due(planned, frozenset())
        task_key = secrets.token_hex(8)
        due, what = (first.due, _what(cadence, first.step)) if first else (None, "")
        new = Enrolment(
            0, prospect_id, cadence.key, cadence.name, stored.body, started, "active", "", (),
            frozenset(), due, what, task_key,
        )  # fmt: skip
        before = self._store.active_enrolment(prospect_id)
        jobs = self._plans.task_jobs(prospect, before, new, frozenset())
        return self._store.enrol(
            prospect_id,
            stored,
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
        return self._plans.message(prospect, enrolment)

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
        cadence, planned = self._plans.plan(enrolment)
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
                    cadence, planned = self._plans.plan(replace(enrolment, snoozes=shifts))
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
        tasks = self._plans.task_jobs(prospect, enrolment, after, frozen)
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
        jobs = self._plans.task_jobs(prospect, enrolment, None, done)
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
        cadence, planned = self._plans.plan(moved)
        following = next_due(planned, enrolment.done_steps)
        jobs = self._plans.task_jobs(prospect, enrolment, moved, enrolment.done_steps)
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

    def sweep(self) -> list[str]:
        """Apply the cadence rules that time brings: stop on booking, close on silence.

        Cheap whatever the numbers: an enrolment with a touch still to do and no booking
        is active by definition, so only booked ones and finished ones are looked at.
        """
        now = self._clock.now()
        said: list[str] = []
        for enrolment, name, booked in self._store.sweep_candidates(now):
            cadence, planned = self._plans.plan(enrolment)
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
                self._plans.task_jobs(prospect, enrolment, None, enrolment.done_steps)
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
                said.append(f"{name}: file closed, no reply by the date given.")
            else:
                said.append(f"{name}: {cadence.name} {reason}.")
            log.info("enrolment %s %s (%s)", enrolment.id, status, reason)
        return said

    def review(
        self,
        stale_days: int | None = None,
        limit: int | None = None,
        limits: Mapping[Group, int] | None = None,
    ) -> Review:
        """The review, after the sweep. With ``limit`` (or ``limits`` per group), each group
        holds its first rows and the review its full counts; ``review_more`` reads the rest."""
        self.sweep()
        bounds = self._bounds(stale_days)
        sizes, rows = self._store.review_first(bounds, limit, limits)
        grouped: dict[Group, list[ReviewItem]] = {group: [] for group in Group}
        for group, facts, place in rows:
            grouped[group].append(self._item(group, facts, bounds, place))
        review = Review(
            bounds.today,
            tuple((group, tuple(items)) for group, items in grouped.items()),
            {group: sizes.get(group, 0) for group in Group},
            bounds,
        )
        monday = bounds.today - timedelta(days=bounds.today.weekday())
        self._store.save_week_counts(monday, {g.value: n for g, n in review.counts().items()})
        return review

    def review_more(
        self, group: Group, after: ReviewItem, limit: int | None, bounds: ReviewBounds
    ) -> tuple[ReviewItem, ...]:
        """The prospects of ``group`` after ``after``, in the order of the review that showed
        ``after`` (its bounds: past midnight, its groups still hold as they were read)."""
        return tuple(
            self._item(group, facts, bounds, place)
            for facts, place in self._store.review_after(bounds, group, after, limit)
        )

    def due_now(self, stale_days: int | None = None) -> list[DueNow]:
        """Every prospect overdue or due today and its due date (the reminders' count)."""
        return self._store.review_due_now(self._bounds(stale_days))

    def _bounds(self, stale_days: int | None) -> ReviewBounds:
        rules = self._settings.rules
        return review_bounds(
            self._clock.now(), self.today, rules.working_days, self._stale(stale_days), rules.zone
        )

    @staticmethod
    def _stale(stale_days: int | None) -> int:
        return DEFAULT_STALE_DAYS if stale_days is None else stale_days

    def _item(
        self, group: Group, facts: ProspectFacts, bounds: ReviewBounds, place: Place
    ) -> ReviewItem:
        """The domain's reading of a row the query placed: what is due and what to do; the
        query's place goes with it (the next rows are read from there)."""
        zone = self._settings.rules.zone
        item = classify(facts, bounds.today, bounds.week_end, bounds.stale_days, zone)
        if item is None or item.group is not group:
            log.error(
                "review: prospect %s grouped %s by the query, %s by the rules",
                facts.prospect_id,
                group.value,
                item.group.value if item else "none",
            )
            due, what = (item.due, item.what) if item else (None, "")
            return ReviewItem(facts, group, due, what, place)
        return replace(item, place=place)

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
