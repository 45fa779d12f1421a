"""The weekly review: every open prospect without a booked future meeting, grouped by what
is due, most urgent first. Pure: the facts and "today" come in, groups come out.

The date that comes due for a prospect is the earliest of: the next cadence touch, the
follow-up date the app suggested (earlier than the one the prospect named, seed 004), and
the end of a snooze. Closed files never appear (seed 001: stop chasing those who said no).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as wall_time
from enum import StrEnum

from followup_desk.domain.phrases import format_short_day

DEFAULT_STALE_DAYS = 14
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class Group(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due-today"
    DUE_THIS_WEEK = "due-this-week"
    WAITING = "waiting"
    STALE = "stale"
    NO_NEXT_STEP = "no-next-step"
    LATER = "later"


GROUP_TITLES = {
    Group.OVERDUE: "Overdue",
    Group.DUE_TODAY: "Due today",
    Group.DUE_THIS_WEEK: "Due this week",
    Group.WAITING: "Waiting for a reply",
    Group.STALE: "Stale",
    Group.NO_NEXT_STEP: "No next step",
    Group.LATER: "Later",
}


class State(StrEnum):
    """What a prospect's file says at a glance."""

    BOOKED = "booked"
    AWAITING_OUTCOME = "awaiting-outcome"
    WAITING = "waiting"
    IN_CADENCE = "in-cadence"
    FOLLOW_UP_DATED = "follow-up-dated"
    SNOOZED = "snoozed"
    NO_NEXT_STEP = "no-next-step"
    CLOSED = "closed"


@dataclass(frozen=True)
class ProspectFacts:
    """What the database knows about one prospect, as the review needs it."""

    prospect_id: int
    name: str
    company: str = ""
    created: datetime | None = None
    closed_reason: str | None = None  # None while the file is open
    next_meeting: datetime | None = None  # the next booked meeting still to come
    awaiting_outcome: bool = False  # a meeting is over and nobody said whether it happened
    last_in: datetime | None = None  # the prospect's last reply or call
    last_out: datetime | None = None  # the rep's last touch
    cadence: str = ""  # the active cadence's name
    cadence_due: date | None = None  # its next touch
    cadence_what: str = ""  # "call", "email"...
    follow_up_on: date | None = None  # the date to act on (suggested or the rep's own)
    follow_up_said: str = ""
    follow_up_stated: date | None = None  # the date they named, later than follow_up_on
    snoozed_until: date | None = None


Place = tuple[str | int, ...]  # an item's sort key in the order a store read it in


@dataclass(frozen=True)
class ReviewItem:
    facts: ProspectFacts
    group: Group
    due: date | None
    what: str  # "call (Ten-week schedule)", "follow up: they said mid March"...
    # its place in the order it was read in, as the reader keeps it (the rows after it are
    # read from there); not part of what the item says
    place: Place = field(default=(), compare=False)


@dataclass(frozen=True)
class Review:
    """The groups, most urgent first inside each. ``sizes`` holds each group's full count
    when ``groups`` holds only its first items (the window reads the rest as it scrolls)."""

    today: date
    groups: tuple[tuple[Group, tuple[ReviewItem, ...]], ...]
    sizes: Mapping[Group, int] = field(default_factory=dict)
    bounds: ReviewBounds | None = None  # what it was grouped against: its later rows too

    def counts(self) -> dict[Group, int]:
        return {group: self.sizes.get(group, len(items)) for group, items in self.groups}

    def items(self, group: Group) -> tuple[ReviewItem, ...]:
        return dict(self.groups).get(group, ())

    def complete(self) -> bool:
        """Every item of every group is here."""
        return all(self.sizes.get(g, len(items)) == len(items) for g, items in self.groups)


@dataclass(frozen=True)
class DueNow:
    """A prospect whose touch is overdue or due today (the reminders count every one)."""

    prospect_id: int
    due: date
    name: str


@dataclass(frozen=True)
class ReviewBounds:
    """What the grouping compares each prospect with, so a query can group in bulk."""

    now: datetime
    today: date
    week_end: date
    quiet_before: datetime  # no touch at or after this instant: quiet for ``stale_days``
    stale_days: int = DEFAULT_STALE_DAYS


def review_bounds(
    now: datetime,
    today: date,
    working_days: frozenset[int],
    stale_days: int = DEFAULT_STALE_DAYS,
    zone: tzinfo = UTC,
) -> ReviewBounds:
    """A prospect is stale when its last touch fell on a day (the rep's) at least
    ``stale_days`` before today: before the first instant of the day after that one."""
    # clamped to the calendar: a stale_days past the year 1 makes nobody stale, not a crash
    back = max(min(stale_days - 1, (today - date.min).days - 1), (today - date.max).days + 1)
    first_fresh = today - timedelta(days=back)
    # fold 0 is the earliest reading of a repeated midnight, and a midnight skipped by a
    # clock change reads as the instant of the change: the first instant of that day either way
    starts = datetime.combine(first_fresh, wall_time(0), tzinfo=zone)
    week_end = end_of_week(today, working_days)
    return ReviewBounds(now, today, week_end, starts.astimezone(UTC), stale_days)


def name_key(name: str) -> str:
    """How the review orders names alike: Python's lower() (the database keeps it too)."""
    return name.lower()


def last_touch(facts: ProspectFacts) -> datetime | None:
    touches = [t for t in (facts.last_in, facts.last_out) if t is not None]
    return max(touches) if touches else None


def is_waiting(facts: ProspectFacts) -> bool:
    """The rep reached out after the prospect last did (or the prospect never did)."""
    if facts.last_out is None:
        return False
    return facts.last_in is None or facts.last_out > facts.last_in


def due_of(facts: ProspectFacts, today: date) -> tuple[date | None, str]:
    """The earliest thing that comes due, and what it is; a snooze holds everything back."""
    candidates: list[tuple[date, str]] = []
    if facts.cadence_due is not None:
        what = facts.cadence_what or "touch"
        candidates.append(
            (facts.cadence_due, f"{what} ({facts.cadence})" if facts.cadence else what)
        )
    if facts.follow_up_on is not None:
        said = f": they said {facts.follow_up_said!r}" if facts.follow_up_said else ""
        if facts.follow_up_stated is not None:
            said += f" ({format_short_day(facts.follow_up_stated)})"
        candidates.append((facts.follow_up_on, f"follow up{said}"))
    if not candidates:
        if facts.snoozed_until is not None and facts.snoozed_until > today:
            return facts.snoozed_until, "snoozed"
        return None, ""
    due, what = min(candidates, key=lambda c: c[0])
    if facts.snoozed_until is not None and facts.snoozed_until > due:
        due = facts.snoozed_until
    return due, what


def state_of(facts: ProspectFacts, today: date) -> State:
    if facts.closed_reason is not None:
        return State.CLOSED
    if facts.next_meeting is not None:
        return State.BOOKED
    if facts.awaiting_outcome:
        return State.AWAITING_OUTCOME
    if facts.snoozed_until is not None and facts.snoozed_until > today:
        return State.SNOOZED
    if facts.cadence_due is not None:
        return State.IN_CADENCE
    if facts.follow_up_on is not None:
        return State.FOLLOW_UP_DATED
    if is_waiting(facts):
        return State.WAITING
    return State.NO_NEXT_STEP


def week_end_weekday(working_days: frozenset[int]) -> int:
    """The weekday a rep's week ends on: the day before their longest run of days off
    (Friday for Monday-Friday, Thursday for Sunday-Thursday, Sunday when every day works)."""
    if not working_days or len(working_days) == 7:
        return 6
    best_start, best_length = 0, -1
    for start in range(7):
        if start in working_days or (start - 1) % 7 not in working_days:
            continue  # runs of days off start right after a working day
        length = 0
        while (start + length) % 7 not in working_days and length < 7:
            length += 1
        if length > best_length:
            best_start, best_length = start, length
    return (best_start - 1) % 7


def end_of_week(today: date, working_days: frozenset[int]) -> date:
    """The last working day of the rep's week holding ``today`` (today when it is the last)."""
    last = week_end_weekday(working_days)
    off: set[int] = set()  # the days off that follow the week's end: the weekend, for most
    day = (last + 1) % 7
    while day not in working_days and len(off) < 7:
        off.add(day)
        day = (day + 1) % 7
    if today.weekday() in off:
        return today  # the week is over: nothing more comes due "this week"
    return today + timedelta(days=(last - today.weekday()) % 7)


def classify(
    facts: ProspectFacts,
    today: date,
    week_end: date,
    stale_days: int = DEFAULT_STALE_DAYS,
    zone: tzinfo = UTC,
) -> ReviewItem | None:
    """The group a prospect belongs to, or None when it has no place in the review."""
    if facts.closed_reason is not None or facts.next_meeting is not None:
        return None
    due, what = due_of(facts, today)
    if due is not None and due < today:
        return ReviewItem(facts, Group.OVERDUE, due, what)
    if due == today:
        return ReviewItem(facts, Group.DUE_TODAY, due, what)
    if due is not None and due <= week_end:
        return ReviewItem(facts, Group.DUE_THIS_WEEK, due, what)
    latest = last_touch(facts) or facts.created
    quiet_since = latest.astimezone(zone).date() if latest else None
    stale = quiet_since is not None and (today - quiet_since).days >= stale_days
    if facts.awaiting_outcome:
        return ReviewItem(facts, Group.NO_NEXT_STEP, None, "say whether the meeting happened")
    if due is None and stale and quiet_since is not None:
        quiet = format_short_day(quiet_since)
        return ReviewItem(facts, Group.STALE, None, f"no touch since {quiet}")
    if is_waiting(facts):
        assert facts.last_out is not None
        since = facts.last_out.astimezone(zone)
        return ReviewItem(facts, Group.WAITING, due, f"waiting since {format_short_day(since)}")
    if due is not None:
        return ReviewItem(facts, Group.LATER, due, what)
    return ReviewItem(facts, Group.NO_NEXT_STEP, None, "no next step")


def _urgency(item: ReviewItem) -> tuple[datetime, date, str, int]:
    """Oldest first: the longest overdue, the longest waiting, the longest quiet."""
    facts = item.facts
    if item.group is Group.WAITING or item.group is Group.STALE:
        since = last_touch(facts) or facts.created or _EARLIEST
        return (since, date.min, name_key(facts.name), facts.prospect_id)
    return (_EARLIEST, item.due or date.max, name_key(facts.name), facts.prospect_id)


def build_review(
    facts: Sequence[ProspectFacts],
    today: date,
    working_days: frozenset[int],
    stale_days: int = DEFAULT_STALE_DAYS,
    zone: tzinfo = UTC,
) -> Review:
    """``zone`` is the rep's: the day a touch happened is the day on their clock."""
    week_end = end_of_week(today, working_days)
    grouped: dict[Group, list[ReviewItem]] = {group: [] for group in Group}
    for one in facts:
        item = classify(one, today, week_end, stale_days, zone)
        if item is not None:
            grouped[item.group].append(item)
    return Review(
        today,
        tuple((group, tuple(sorted(items, key=_urgency))) for group, items in grouped.items()),
    )
