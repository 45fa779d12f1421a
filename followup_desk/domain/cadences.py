"""Follow-up cadences: ordered steps, the dates they come due, and when an enrolment ends.

A cadence is data (the built-ins ship in ``resources/cadences.toml``; reps copy and edit
them). Planning is pure: the enrolment's start, the rep's working days and any snoozes go
in, dated touches come out. Nothing here reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from followup_desk.domain.templates import template_problems, used_placeholders

MAX_OFFSET_DAYS = 366
"""No step waits longer than a year; a bigger number is a typing mistake."""

KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Channel(StrEnum):
    CALL = "call"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    LINKEDIN = "linkedin"
    TEXT = "text"
    VISIT = "visit"


class Anchor(StrEnum):
    """What a step's ``days`` are counted from."""

    START = "start"  # the day the prospect was enrolled
    PREVIOUS = "previous"  # the previous step's planned day (the first step: the start)


@dataclass(frozen=True)
class CadenceStep:
    channel: Channel
    days: int  # calendar days after the anchor; 0 = same day
    anchor: Anchor = Anchor.START
    template: str = ""
    closes_after_days: int | None = None  # final step only: the file closes this long after


@dataclass(frozen=True)
class Cadence:
    key: str
    name: str
    steps: tuple[CadenceStep, ...]
    description: str = ""

    def structure_problems(self) -> list[str]:
        """What would make :func:`plan` meaningless: no steps, bad offsets, a misplaced close."""
        problems: list[str] = []
        if not self.steps:
            problems.append("The cadence has no steps; add at least one.")
        last = len(self.steps)
        for number, step in enumerate(self.steps, start=1):
            if step.days < 0:
                problems.append(f"Step {number}: the offset cannot be negative.")
            elif step.days > MAX_OFFSET_DAYS:
                problems.append(
                    f"Step {number}: the offset is more than a year ({step.days} days)."
                )
            if step.closes_after_days is not None:
                if number != last:
                    problems.append(
                        f"Step {number}: only the last step can close the file; "
                        "move the closing days to the last step."
                    )
                elif step.closes_after_days < 0:
                    problems.append(f"Step {number}: the days before closing cannot be negative.")
                elif step.closes_after_days > MAX_OFFSET_DAYS:
                    problems.append(
                        f"Step {number}: the days before closing are more than a year "
                        f"({step.closes_after_days} days)."
                    )
        return problems

    def problems(self) -> list[str]:
        """Every reason the cadence cannot be saved, as sentences naming the step."""
        problems: list[str] = []
        if not self.name.strip():
            problems.append("The cadence needs a name.")
        if not KEY_PATTERN.fullmatch(self.key):
            problems.append(
                f"The short name {self.key!r} must be lowercase letters and digits joined by "
                "hyphens, such as 'my-cadence'."
            )
        problems.extend(self.structure_problems())
        closes = any(step.closes_after_days is not None for step in self.steps)
        for number, step in enumerate(self.steps, start=1):
            problems.extend(f"Step {number}: {text}" for text in template_problems(step.template))
            if not closes and "reply_by" in used_placeholders(step.template):
                problems.append(
                    f"Step {number}: {{reply_by}} needs a date, and this cadence never closes "
                    "the file; give the last step closing days or take out {reply_by}."
                )
        return problems


@dataclass(frozen=True)
class PlannedTouch:
    step: int  # index into cadence.steps
    due: date
    channel: Channel


@dataclass(frozen=True)
class Plan:
    touches: tuple[PlannedTouch, ...]  # in step order, dues never decreasing
    closes_on: date | None  # the file closes after this day unless the prospect replied


class EnrolmentState(StrEnum):
    ACTIVE = "active"  # touches to do, or waiting for the reply-by date
    FINISHED = "finished"  # every step done and the cadence does not close the file
    STOPPED_REPLIED = "stopped-replied"
    STOPPED_BOOKED = "stopped-booked"
    STOPPED_CLOSED = "stopped-closed"
    CLOSES_FILE = "closes-file"  # the reply-by date passed in silence: close the file


def on_working_day(day: date, working_days: frozenset[int]) -> date:
    """``day`` itself when the rep works that day, else the next day they do."""
    for _ in range(7):
        if day.weekday() in working_days:
            return day
        day += timedelta(days=1)
    raise ValueError("At least one working day is needed to plan follow-ups.")


@dataclass(frozen=True)
class _Item:
    """A dated point of the plan: a step, or the closing day (anchored to the last step)."""

    anchor: Anchor
    days: int


def plan(
    cadence: Cadence,
    start: date,
    working_days: frozenset[int],
    snoozes: Sequence[tuple[date, int]] = (),
) -> Plan:
    """The day each step comes due, on working days, in step order.

    A step is due ``days`` after the start or after the previous step's planned day, moved
    forward to a working day and never before the previous step. Snoozes apply in order: a
    snooze ``(from_day, days)`` moves every touch due on or after ``from_day`` by ``days``
    calendar days (then onto a working day); a step counted from the previous one keeps its
    gap to it, and the closing day moves with the last step. Nothing ever moves earlier.
    """
    problems = cadence.structure_problems()
    if problems:
        raise ValueError(" ".join(problems))
    if not working_days:
        raise ValueError("At least one working day is needed to plan follow-ups.")
    items = [_Item(step.anchor, step.days) for step in cadence.steps]
    closes_after = cadence.steps[-1].closes_after_days
    if closes_after is not None:
        items.append(_Item(Anchor.PREVIOUS, closes_after))

    dues: list[date] = []
    for item in items:
        earliest = dues[-1] if dues else start
        base = earliest if item.anchor is Anchor.PREVIOUS else start
        dues.append(on_working_day(max(base + timedelta(days=item.days), earliest), working_days))

    for from_day, days in snoozes:
        if days < 0:
            raise ValueError(f"A snooze cannot move touches back in time ({days} days).")
        dues = _snoozed(items, dues, from_day, days, working_days)

    touches = tuple(  # dues may hold one more date than there are steps: the closing day
        PlannedTouch(index, due, step.channel)
        for index, (step, due) in enumerate(zip(cadence.steps, dues, strict=False))
    )
    return Plan(touches, dues[-1] if closes_after is not None else None)


def _snoozed(
    items: list[_Item], dues: list[date], from_day: date, days: int, working_days: frozenset[int]
) -> list[date]:
    moved: list[date] = []
    for index, (item, due) in enumerate(zip(items, dues, strict=True)):
        if due >= from_day:
            follows = item.anchor is Anchor.PREVIOUS and index > 0 and dues[index - 1] >= from_day
            # follows its moved predecessor at the same gap; anything else moves by itself
            wanted = moved[-1] + (due - dues[index - 1]) if follows else due + timedelta(days=days)
        else:
            wanted = due
        if moved:
            wanted = max(wanted, moved[-1])
        moved.append(on_working_day(wanted, working_days))
    return moved


def next_due(plan: Plan, done: frozenset[int]) -> PlannedTouch | None:
    """The first planned touch not done yet, or None when every step is done."""
    return next((touch for touch in plan.touches if touch.step not in done), None)


def state(
    plan: Plan,
    done: frozenset[int],
    today: date,
    *,
    replied: bool,
    booked: bool,
    closed: bool,
) -> EnrolmentState:
    """Where an enrolment stands on ``today``.

    Closing the file, a booking and a reply each stop the cadence (checked in that order).
    Once every step is done, a cadence that closes the file waits until its closing day has
    passed and then says so; one that does not is simply finished.
    """
    if closed:
        return EnrolmentState.STOPPED_CLOSED
    if booked:
        return EnrolmentState.STOPPED_BOOKED
    if replied:
        return EnrolmentState.STOPPED_REPLIED
    if next_due(plan, done) is not None:
        return EnrolmentState.ACTIVE
    if plan.closes_on is None:
        return EnrolmentState.FINISHED
    return EnrolmentState.CLOSES_FILE if today > plan.closes_on else EnrolmentState.ACTIVE
