"""Free slots for the narrowing conversation, from settings, sources and own bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup_desk.domain.horizons import Horizon, horizon_range
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import DayReport, PartOfDay, Slot
from followup_desk.services.freebusy import BusyResult, FreeBusyService


@dataclass(frozen=True)
class SlotQuery:
    rules: SchedulingRules
    sources: tuple[str, ...]
    prospect_zone: str
    length: timedelta
    horizon: Horizon
    named: date | None = None
    part: PartOfDay | None = None


@dataclass(frozen=True)
class SlotAnswer:
    narrowing: Narrowing
    days: tuple[DayReport, ...]
    slots: tuple[Slot, ...]
    busy: BusyResult


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants covering whole days ``first``..``last`` on the zone's wall clock."""
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


class SchedulingService:
    def __init__(self, freebusy: FreeBusyService) -> None:
        self._freebusy = freebusy

    def narrowing(
        self,
        rules: SchedulingRules,
        sources: tuple[str, ...],
        prospect_zone: str,
        length: timedelta,
        now: datetime,
        first: date,
        last: date,
        *,
        exclude_booking: int | None = None,
    ) -> tuple[Narrowing, BusyResult]:
        """A narrowing snapshot with busy time loaded for days ``first``..``last``."""
        start, end = day_bounds(first, last, rules.zone)
        busy = self._freebusy.busy(
            sources, start, end, rules.time_zone, exclude_booking=exclude_booking
        )
        narrowing = Narrowing(
            rules=rules,
            busy=busy.index(all_day_busy=rules.all_day_events_busy),
            now=now,
            length=length,
            prospect_zone=ZoneInfo(prospect_zone),
        )
        return narrowing, busy

    def slots(self, query: SlotQuery, now: datetime) -> SlotAnswer:
        today = now.astimezone(query.rules.zone).date()
        first, last = horizon_range(query.horizon, today, query.rules, query.named)
        narrowing, busy = self.narrowing(
            query.rules, query.sources, query.prospect_zone, query.length, now, first, last
        )
        days = tuple(narrowing.days(query.horizon, query.named))
        if query.horizon is Horizon.DATE:
            days = days[:1]  # a named date means that day; offering others is the flow's job
        slots = tuple(
            s for d in days for s in d.slots if query.part is None or s.part is query.part
        )
        return SlotAnswer(narrowing, days, slots, busy)
