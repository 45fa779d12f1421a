"""Free start times for a meeting of a given length, with the reason when there are none.

Slots are computed on the rep's wall clock (working hours, slot step) and checked as
absolute instants (busy time, buffers, notice). A wall time that does not exist (a DST gap)
never yields a slot; a wall time that happens twice (a DST fold) yields two slots, each
carrying its own UTC offset, so neither is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.rules import SchedulingRules


class PartOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"


class Unavailable(StrEnum):
    """Why a day or a part of a day offers no slot."""

    NOT_WORKING_DAY = "not a working day"
    PAST = "already over"
    TOO_SOON = "too soon (minimum notice)"
    BUSY = "busy"
    OUTSIDE_HOURS = "does not fit in working hours"


@dataclass(frozen=True)
class Slot:
    """A bookable meeting: aware start and end in the rep's zone."""

    start: datetime
    end: datetime
    part: PartOfDay

    @property
    def length(self) -> timedelta:
        # in UTC: Python subtracts same-zone datetimes on the wall clock, wrong across DST
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def in_zone(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return self.start.astimezone(zone), self.end.astimezone(zone)


@dataclass(frozen=True)
class DayReport:
    """A day's free slots; ``reason`` says why there is none, ``part_reasons`` why a part
    of the day has none (a morning that is over is "already over", not "busy")."""

    day: date
    slots: tuple[Slot, ...]
    reason: Unavailable | None
    part_reasons: tuple[tuple[PartOfDay, Unavailable], ...] = ()

    @property
    def free(self) -> bool:
        return bool(self.slots)

    def part(self, part: PartOfDay) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if s.part is part)


def wall_instants(day: date, wall: time, zone: ZoneInfo) -> list[datetime]:
    """Every instant at which the zone's clock shows ``wall`` on ``day`` (0, 1 or 2)."""
    naive = datetime.combine(day, wall)
    instants: list[datetime] = []
    for fold in (0, 1):
        local = naive.replace(tzinfo=zone, fold=fold)
        utc = local.astimezone(UTC)
        back = utc.astimezone(zone)
        if back.replace(tzinfo=None) != naive:
            continue  # the wall time falls in a gap: the clock never shows it
        if instants and instants[0] == utc:
            continue  # not a fold: both readings are the same instant
        instants.append(back)
    return instants


_LONGEST_CLOCK_CHANGE = timedelta(hours=1)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def day_report(
    day: date,
    length: timedelta,
    rules: SchedulingRules,
    busy: BusyIndex,
    now: datetime,
) -> DayReport:
    """All free slots of ``length`` on ``day`` and, when there is none, the main reason."""
    if not rules.is_working_day(day.weekday()):
        return DayReport(day, (), Unavailable.NOT_WORKING_DAY)
    zone = rules.zone
    step = int(rules.slot_step.total_seconds() // 60)
    start_min, end_min = _minutes(rules.day_start), _minutes(rules.day_end)
    # a shortcut for meetings longer than the working day; on the night clocks go back the
    # day is an hour longer than its wall-clock span, so the loop below decides within that
    if length > timedelta(minutes=end_min - start_min) + _LONGEST_CLOCK_CHANGE:
        return DayReport(day, (), Unavailable.OUTSIDE_HOURS)
    slots: list[Slot] = []
    # the notice is added in UTC: ``now`` may carry a zone whose clock jumps in between
    now_utc = now.astimezone(UTC)
    earliest_utc = now_utc + rules.minimum_notice
    counts = {part: _Counts() for part in PartOfDay}
    for minute in range(start_min, end_min, step):
        wall = time(minute // 60, minute % 60)
        part = PartOfDay.MORNING if wall < rules.afternoon_starts else PartOfDay.AFTERNOON
        tally = counts[part]
        for start in wall_instants(day, wall, zone):
            # arithmetic and comparisons in UTC: Python compares same-zone datetimes on the
            # wall clock, which is wrong in a DST fold
            start_utc = start.astimezone(UTC)
            end_utc = start_utc + length
            end = end_utc.astimezone(zone)
            if end.date() != day or end.time() > rules.day_end:
                continue
            tally.fitting += 1
            if start_utc < now_utc:
                tally.past += 1
                continue
            if start_utc < earliest_utc:
                tally.too_soon += 1
                continue
            if busy.overlaps(start_utc - rules.buffer_before, end_utc + rules.buffer_after):
                continue
            slots.append(Slot(start, end, part))
    slots.sort(key=lambda s: s.start.astimezone(UTC))
    free_parts = {s.part for s in slots}
    part_reasons = tuple((p, c.reason()) for p, c in counts.items() if p not in free_parts)
    if slots:
        return DayReport(day, tuple(slots), None, part_reasons)
    return DayReport(day, (), sum(counts.values(), _Counts()).reason(), part_reasons)


@dataclass
class _Counts:
    """Candidate starts of a day (or part of it) that fit the hours, and those ruled out."""

    fitting: int = 0
    past: int = 0
    too_soon: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.fitting + other.fitting, self.past + other.past, self.too_soon + other.too_soon
        )

    def reason(self) -> Unavailable:
        if not self.fitting:
            return Unavailable.OUTSIDE_HOURS
        if self.past == self.fitting:
            return Unavailable.PAST
        if self.past + self.too_soon == self.fitting:
            return Unavailable.TOO_SOON
        return Unavailable.BUSY


def part_reason(report: DayReport, part: PartOfDay) -> Unavailable | None:
    """Why ``part`` of the reported day has no slot (None when it has some)."""
    if report.part(part):
        return None
    return dict(report.part_reasons).get(part) or report.reason or Unavailable.BUSY


def check_slot(
    start: datetime,
    length: timedelta,
    rules: SchedulingRules,
    busy: BusyIndex,
    now: datetime,
) -> Unavailable | None:
    """Why a meeting at the exact instant ``start`` cannot be booked (None when it can)."""
    local = start.astimezone(rules.zone)
    start_utc = start.astimezone(UTC)
    end_utc = start_utc + length
    end = end_utc.astimezone(rules.zone)
    if not rules.is_working_day(local.weekday()):
        return Unavailable.NOT_WORKING_DAY
    if local.time() < rules.day_start or end.date() != local.date() or end.time() > rules.day_end:
        return Unavailable.OUTSIDE_HOURS
    if start_utc < now.astimezone(UTC):
        return Unavailable.PAST
    if start_utc < now.astimezone(UTC) + rules.minimum_notice:
        return Unavailable.TOO_SOON
    if busy.overlaps(start_utc - rules.buffer_before, end_utc + rules.buffer_after):
        return Unavailable.BUSY
    return None
