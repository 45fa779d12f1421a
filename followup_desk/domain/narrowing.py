"""The narrowing conversation: horizon, two free days, part of day, start time.

A :class:`Narrowing` is a snapshot of the rep's busy time at one moment; each step is a
pure function of it, so the window and the command line ask the same questions and get the
same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup_desk.domain.horizons import Horizon, horizon_days
from followup_desk.domain.intervals import BusyIndex
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import (
    DayReport,
    PartOfDay,
    Slot,
    Unavailable,
    check_slot,
    day_report,
    part_reason,
    wall_instants,
)

DAYS_OFFERED = 2


@dataclass(frozen=True)
class PartReport:
    part: PartOfDay
    slots: tuple[Slot, ...]
    reason: Unavailable | None


@dataclass(frozen=True)
class Missing:
    """A run of start times on the clock that are not offered, and why."""

    first: datetime
    last: datetime
    reason: Unavailable


@dataclass(frozen=True)
class Narrowing:
    """Free/busy, rules and the clock, frozen for one conversation step."""

    rules: SchedulingRules
    busy: BusyIndex
    now: datetime
    length: timedelta
    prospect_zone: ZoneInfo
    # Day reports are asked for again at every keystroke; the snapshot never changes, so
    # each day is worked out once (replace() makes a new snapshot with an empty memo).
    _reports: dict[date, DayReport] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    @property
    def today(self) -> date:
        return self.now.astimezone(self.rules.zone).date()

    def report(self, day: date) -> DayReport:
        report = self._reports.get(day)
        if report is None:
            report = day_report(day, self.length, self.rules, self.busy, self.now)
            self._reports[day] = report
        return report

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

    def missing(self, day: date, part: PartOfDay) -> list[Missing]:
        """Start times of ``part`` that are not offered, in runs of one reason.

        What the rep sees under the offered times: "12:00-13:15 busy, 16:45 outside hours".
        """
        rules = self.rules
        step = int(rules.slot_step.total_seconds() // 60)
        first = rules.day_start if part is PartOfDay.MORNING else rules.afternoon_starts
        last = rules.afternoon_starts if part is PartOfDay.MORNING else rules.day_end
        runs: list[Missing] = []
        minute = first.hour * 60 + first.minute
        stop = last.hour * 60 + last.minute
        while minute < stop:
            for start in wall_instants(day, time(minute // 60, minute % 60), rules.zone):
                reason = check_slot(start, self.length, rules, self.busy, self.now)
                if reason is None:
                    continue
                if runs and runs[-1].reason is reason and _adjacent(runs[-1].last, start, step):
                    runs[-1] = Missing(runs[-1].first, start, reason)
                else:
                    runs.append(Missing(start, start, reason))
            minute += step
        return runs

    def slots(self, horizon: Horizon, named: date | None = None) -> list[Slot]:
        """Every free slot in the horizon, in time order."""
        return [s for r in self.days(horizon, named) for s in r.slots]


def _adjacent(previous: datetime, start: datetime, step_minutes: int) -> bool:
    gap = start.timestamp() - previous.timestamp()
    return 0 < gap <= step_minutes * 60
