"""The narrowing conversation: horizon, two free days, part of day, start time.

A :class:`Narrowing` is a snapshot of the rep's busy time at one moment; each step is a
pure function of it, so the window and the command line ask the same questions and get the
same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from followup_desk.domain.horizons import Horizon, horizon_days
from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import (
    DayReport,
    PartOfDay,
    Slot,
    Unavailable,
    day_report,
    part_reason,
)

DAYS_OFFERED = 2


@dataclass(frozen=True)
class PartReport:
    part: PartOfDay
    slots: tuple[Slot, ...]
    reason: Unavailable | None


@dataclass(frozen=True)
class Narrowing:
    """Free/busy, rules and the clock, frozen for one conversation step."""

    rules: SchedulingRules
    busy: BusyIndex
    now: datetime
    length: timedelta
    prospect_zone: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.rules.zone).date()

    def report(self, day: date) -> DayReport:
        return day_report(day, self.length, self.rules, self.busy, self.now)

    def days(self, horizon: Horizon, named: date | None = None) -> list[DayReport]:
        """Every day the horizon covers, free or not (with the reason when not)."""
        return [self.report(d) for d in horizon_days(horizon, self.today, self.rules, named)]

    def offered_days(
        self, horizon: Horizon, named: date | None = None, page: int = 0
    ) -> list[DayReport]:
        """The two free days to offer; ``page`` 1 gives the next two when both were refused."""
        free = [r for r in self.days(horizon, named) if r.free]
        first = page * DAYS_OFFERED
        return free[first : first + DAYS_OFFERED]

    def parts(self, day: date) -> list[PartReport]:
        report = self.report(day)
        result = []
        for part in PartOfDay:
            slots = report.part(part)
            result.append(PartReport(part, slots, part_reason(report, part)))
        return result

    def times(self, day: date, part: PartOfDay | None = None) -> list[Slot]:
        report = self.report(day)
        return list(report.slots if part is None else report.part(part))

    def slots(self, horizon: Horizon, named: date | None = None) -> list[Slot]:
        """Every free slot in the horizon, in time order."""
        return [s for r in self.days(horizon, named) for s in r.slots]
