"""The rep's scheduling rules: zone, working week, meeting lengths, buffers, notice, step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo


class Weekday(IntEnum):
    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SchedulingRules:
    """Everything the slot search needs to know about the rep's week."""

    time_zone: str = "UTC"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    afternoon_starts: time = time(12, 0)
    meeting_lengths: tuple[int, ...] = (30, 45, 60)
    default_length: int = 30
    buffer_before: timedelta = timedelta(minutes=10)
    buffer_after: timedelta = timedelta(minutes=10)
    minimum_notice: timedelta = timedelta(hours=2)
    slot_step: timedelta = timedelta(minutes=15)
    all_day_events_busy: bool = False
    clock_24h: bool = True
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.time_zone))
        if not self.working_days:
            raise ValueError("at least one working day is needed")
        if self.day_end <= self.day_start:
            raise ValueError("the working day must end after it starts")
        if self.slot_step < timedelta(minutes=1) or self.slot_step % timedelta(minutes=1):
            # slots are laid out on the wall clock minute by minute
            raise ValueError("the slot step must be a positive number of whole minutes")

    def is_working_day(self, weekday: int) -> bool:
        return weekday in self.working_days
