"""Lines the rep can say aloud at each step, with times in the prospect's zone.

The wording is the app's own. Times are said in the prospect's zone; when the two zones
differ the line says "your time" so nobody has to do arithmetic mid-sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from followup_desk.domain.horizons import Horizon
from followup_desk.domain.narrowing import PartReport
from followup_desk.domain.slots import DayReport, PartOfDay, Slot

CLOSING_LINE = "I'll send the invite now; if it needs to move, just tell me and we'll change it."


def format_clock(moment: datetime, *, clock_24h: bool = True) -> str:
    """'15:00' or '3 pm' / '3:30 pm'."""
    if clock_24h:
        return f"{moment:%H:%M}"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment:%M} {suffix}"


def format_offset(moment: datetime) -> str:
    """The zone abbreviation and UTC offset, e.g. 'CET, UTC+01:00'."""
    offset = moment.utcoffset()
    assert offset is not None
    total = int(offset.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"{moment.tzname()}, UTC{sign}{hours:02d}:{minutes:02d}"


def format_day(day: date) -> str:
    """'Friday 4 December'."""
    return f"{day:%A} {day.day} {day:%B}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_short_day(day: date) -> str:
    """'Tue 1 Dec': the window's short date, the day without a leading zero. English, as
    the whole app; from tables, since strftime costs more than the review's other work on
    each of thousands of rows."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def same_zone(a: datetime, b: ZoneInfo) -> bool:
    return a.utcoffset() == a.astimezone(b).utcoffset()


def horizon_line(horizon: Horizon, named: date | None = None) -> str:
    if horizon is Horizon.THIS_WEEK:
        return "Could we find a moment later this week?"
    if horizon is Horizon.NEXT_WEEK:
        return "How does next week look for you?"
    if horizon is Horizon.LATE_NEXT_WEEK:
        return "How about late next week?"
    if horizon is Horizon.IN_2_WEEKS:
        return "Would the week after next work for you?"
    assert named is not None
    return f"Could we meet around {format_day(named)}?"


def _prospect_days(report: DayReport, zone: ZoneInfo) -> list[date]:
    return sorted({s.start.astimezone(zone).date() for s in report.slots})


def _day_name(report: DayReport, zone: ZoneInfo, *, both: bool) -> str:
    """The prospect's weekday(s) of the day's free times: both when it spans their midnight
    and is offered alone, else the day of its first free time (two pairs would garble)."""
    days = _prospect_days(report, zone) or [report.day]
    if both and len(days) > 1:
        return " or ".join(f"{d:%A}" for d in days)
    return f"{days[0]:%A}"


def day_line(offered: Sequence[DayReport], zone: ZoneInfo) -> str:
    """'Does Thursday or Friday suit you better?' (days as the prospect's calendar has them)."""
    if not offered:
        return "Nothing is free then; shall we look at another week?"
    names = [_day_name(r, zone, both=len(offered) == 1) for r in offered]
    if len(names) == 1:
        return f"Would {names[0]} work for you?"
    return f"Does {names[0]} or {names[1]} suit you better?"


def _span(slots: Sequence[Slot], zone: ZoneInfo, clock_24h: bool) -> str:
    first = slots[0].start.astimezone(zone)
    last = slots[-1].end.astimezone(zone)
    return f"{format_clock(first, clock_24h=clock_24h)}-{format_clock(last, clock_24h=clock_24h)}"


def part_line(parts: Sequence[PartReport], zone: ZoneInfo, *, clock_24h: bool = True) -> str:
    """'Morning or afternoon?', or the hours in the prospect's zone when zones differ."""
    free = [p for p in parts if p.slots]
    if not free:
        return "That day has filled up; shall we pick another?"
    differs = not same_zone(free[0].slots[0].start, zone)
    if differs:
        spans = [_span(p.slots, zone, clock_24h) for p in free]
        if len(spans) == 1:
            return f"I'm free between {spans[0]} your time; does that suit you?"
        return f"Would {spans[0]} or {spans[1]} your time suit you better?"
    if len(free) == 1:
        word = "morning" if free[0].part is PartOfDay.MORNING else "afternoon"
        return f"The {word} is what I have free; does that work?"
    return "Would the morning or the afternoon suit you better?"


def time_line(slot: Slot, zone: ZoneInfo, *, clock_24h: bool = True) -> str:
    """'How about Friday at 15:00?' in the prospect's zone."""
    local = slot.start.astimezone(zone)
    when = f"{local:%A} at {format_clock(local, clock_24h=clock_24h)}"
    if not same_zone(slot.start, zone):
        when += " your time"
    return f"How about {when}?"
