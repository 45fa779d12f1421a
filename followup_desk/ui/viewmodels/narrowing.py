"""The narrowing flow's state and commands: horizon, day, part of day, time, confirm.

One keystroke per step. Each step offers only what the rep's calendar allows, says why
the rest is missing, and gives the line to say aloud with times in the prospect's zone.
The domain's :class:`Narrowing` answers every question; this object only remembers where
the conversation is and turns answers into options the panel shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from followup_desk.domain.followup import parse_stated_date
from followup_desk.domain.horizons import Horizon, horizon_days
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.phrases import (
    day_line,
    format_clock,
    format_day,
    format_offset,
    horizon_line,
    part_line,
    same_zone,
    time_line,
)
from followup_desk.domain.slots import DayReport, PartOfDay, Slot, Unavailable

DASH = "\u2013"  # an en dash between times, as print has it


class Step(IntEnum):
    HORIZON = 0
    DAY = 1
    PART = 2
    TIME = 3
    CONFIRM = 4


STEP_TITLES = {
    Step.HORIZON: "When, roughly?",
    Step.DAY: "Which day?",
    Step.PART: "Morning or afternoon?",
    Step.TIME: "What time?",
    Step.CONFIRM: "Book it?",
}

REASONS = {
    Unavailable.NOT_WORKING_DAY: "not a working day",
    Unavailable.PAST: "already over",
    Unavailable.TOO_SOON: "too soon (minimum notice)",
    Unavailable.BUSY: "busy",
    Unavailable.OUTSIDE_HOURS: "outside your hours",
}

_HORIZONS = (
    ("1", "t", "&This week", Horizon.THIS_WEEK),
    ("2", "n", "&Next week", Horizon.NEXT_WEEK),
    ("3", "l", "&Late next week", Horizon.LATE_NEXT_WEEK),
    ("4", "w", "In two &weeks", Horizon.IN_2_WEEKS),
    ("5", "d", "A &date…", Horizon.DATE),
)


# The horizon the flow proposes first, as the seed's rep does: late next week.
LEAD_HORIZON = 2


@dataclass(frozen=True)
class Option:
    """One choice on screen: its keys, what it is, and why not when it cannot be chosen."""

    key: str  # the key shown, e.g. "1"
    keys: tuple[str, ...]  # every key that chooses it, lower case
    title: str  # may carry one "&" before its mnemonic letter
    detail: str = ""
    enabled: bool = True
    reason: str = ""


def _clock(moment: datetime, clock_24h: bool) -> str:
    return format_clock(moment, clock_24h=clock_24h)


class NarrowingViewModel(QObject):
    """Where the conversation is; the panel redraws on ``changed``."""

    changed = Signal()
    confirmed = Signal(object)  # the chosen Slot
    askDate = Signal()  # the rep chose "a date…": the panel asks for it

    def __init__(self, prospect_zone: str, length_minutes: int, clock_24h: bool = True) -> None:
        super().__init__()
        self._narrowing: Narrowing | None = None
        self._zone = ZoneInfo(prospect_zone)
        self._length = timedelta(minutes=length_minutes)
        self._clock_24h = clock_24h
        self.loading = False
        self.message = ""  # a sentence about the last refused choice or failed booking
        self.step = Step.HORIZON
        self.horizon: Horizon | None = None
        self.named: date | None = None
        self.page = 0
        self.day: date | None = None
        self.part: PartOfDay | None = None
        self.slot: Slot | None = None
        self.highlight = LEAD_HORIZON
        self._typed = ""
        self._confirm_title = "&Book and write the invite"

    # --- inputs from the rest of the window ------------------------------------------

    @property
    def narrowing(self) -> Narrowing | None:
        return self._narrowing

    @property
    def prospect_zone(self) -> ZoneInfo:
        return self._zone

    @property
    def length(self) -> timedelta:
        return self._length

    def set_confirm_title(self, title: str) -> None:
        """What Enter does at the last step ("Book and send the invite" when it is sent)."""
        if title != self._confirm_title:
            self._confirm_title = title
            if self.step is Step.CONFIRM:
                self.changed.emit()

    def set_loading(self, loading: bool) -> None:
        self.loading = loading
        self.changed.emit()

    def set_narrowing(self, narrowing: Narrowing | None) -> None:
        if narrowing is not None:
            narrowing = replace(narrowing, length=self._length, prospect_zone=self._zone)
        self._narrowing = narrowing
        self.loading = False
        self._revalidate()
        self.changed.emit()

    def set_prospect_zone(self, name: str) -> None:
        self._zone = ZoneInfo(name)
        if self._narrowing is not None:
            self._narrowing = replace(self._narrowing, prospect_zone=self._zone)
        self.changed.emit()

    def set_length(self, minutes: int) -> None:
        self._length = timedelta(minutes=minutes)
        if self._narrowing is not None:
            self._narrowing = replace(self._narrowing, length=self._length)
        self._revalidate()
        self.changed.emit()

    def reset(self) -> None:
        self.step = Step.HORIZON
        self.horizon = self.named = self.day = self.part = self.slot = None
        self.page = 0
        self.highlight = LEAD_HORIZON
        self.message = self._typed = ""
        self.changed.emit()

    def refuse(self, sentence: str, *, back_to_times: bool) -> None:
        """A booking was refused (the slot became busy meanwhile): say so, keep the rest."""
        self.message = sentence
        if back_to_times and self.step is Step.CONFIRM:
            self.step = Step.TIME
            self.slot = None
        self.changed.emit()

    def _revalidate(self) -> None:
        """After new busy time or another length, step back to the last still-valid step."""
        n = self._narrowing
        if n is None or self.step is Step.HORIZON:
            return
        if self.day is not None and not n.report(self.day).free:
            self.step, self.day, self.part, self.slot = Step.DAY, None, None, None
        elif self.part is not None and self.day is not None and not n.times(self.day, self.part):
            self.step, self.part, self.slot = Step.PART, None, None
        elif (
            self.slot is not None
            and self.day is not None
            and self.slot not in n.times(self.day, self.part)
        ):
            self.step, self.slot = Step.TIME, None

    # --- what the panel shows ----------------------------------------------------------

    @property
    def today(self) -> date | None:
        return self._narrowing.today if self._narrowing else None

    def trail(self) -> list[str]:
        """The answers so far: ["Late next week", "Friday 4 December", "Afternoon"]."""
        parts: list[str] = []
        if self.horizon is not None and self.step > Step.HORIZON:
            parts.append(self._horizon_name(self.horizon))
        if self.day is not None and self.step > Step.DAY:
            parts.append(format_day(self.day))
        if self.part is not None and self.step > Step.PART:
            parts.append(self.part.value.capitalize())
        if self.slot is not None and self.step > Step.TIME:
            parts.append(self._rep_time(self.slot))
        return parts

    def _horizon_name(self, horizon: Horizon) -> str:
        if horizon is Horizon.DATE and self.named is not None:
            return f"Around {format_day(self.named)}"
        return next(t for _, _, t, h in _HORIZONS if h is horizon).replace("&", "").rstrip("…")

    def say_line(self) -> str:
        n = self._narrowing
        if self.step is Step.HORIZON:
            horizon = _HORIZONS[min(self.highlight, len(_HORIZONS) - 1)][3]
            if horizon is Horizon.DATE:
                return "Is there a day that would suit you?"
            return horizon_line(horizon)
        if n is None or self.horizon is None:
            return ""
        if self.step is Step.DAY:
            return day_line(self._offered(), self._zone)
        assert self.day is not None
        if self.step is Step.PART:
            return part_line(n.parts(self.day), self._zone, clock_24h=self._clock_24h)
        if self.step is Step.TIME:
            slots = self._times()
            if not slots:
                return "That has just filled up; shall we look at the other half of the day?"
            return time_line(
                slots[min(self.highlight, len(slots) - 1)], self._zone, clock_24h=self._clock_24h
            )
        assert self.slot is not None
        return (
            time_line(self.slot, self._zone, clock_24h=self._clock_24h)
            .replace("How about", "So that's")
            .replace("?", ".")
        )

    def options(self) -> list[Option]:
        if self.step is Step.HORIZON:
            return self._horizon_options()
        if self._narrowing is None:
            return []
        if self.step is Step.DAY:
            return self._day_options()
        if self.step is Step.PART:
            return self._part_options()
        if self.step is Step.TIME:
            return self._time_options()
        return [Option("↵", ("\r",), self._confirm_title, self._both_zones(self.slot))]

    def key_hint(self) -> str:
        back = "Backspace back · Esc leave"
        if self.step is Step.HORIZON:
            return "Press 1-5 or the underlined letter · Esc leave"
        if self.step is Step.DAY:
            return f"1 or 2 to choose · M more days · {back}"
        if self.step is Step.PART:
            return f"M morning · A afternoon · {back}"
        if self.step is Step.TIME:
            example = "3 → 15:00" if self._clock_24h else "3 → 3 pm"
            rep = self._narrowing.rules.zone if self._narrowing else self._zone
            slots = self._times() if self._narrowing else []
            if slots and not same_zone(slots[0].start, self._zone):
                example += " on their clock"
            elif slots and not same_zone(slots[0].start, rep):
                example += " on your clock"
            return f"Type the hour ({example}) or ↑↓ · Enter choose · {back}"
        return f"Enter books it · {back}"

    def missing_note(self) -> str:
        """Why start times are missing at the time step: '12:30-14:00 busy; 16:45 ...'."""
        if self.step is not Step.TIME or self._narrowing is None:
            return ""
        assert self.day is not None and self.part is not None
        runs = self._narrowing.missing(self.day, self.part)
        zone = self._narrowing.rules.zone
        texts = []
        for run in runs:
            first = _clock(run.first.astimezone(zone), self._clock_24h)
            last = _clock(run.last.astimezone(zone), self._clock_24h)
            span = first if first == last else f"{first}-{last}"
            texts.append(f"{span} {REASONS[run.reason]}")
        return "Not offered: " + "; ".join(texts) if texts else ""

    # --- options per step --------------------------------------------------------------

    def _horizon_options(self) -> list[Option]:
        n = self._narrowing
        result = []
        for number, letter, title, horizon in _HORIZONS:
            if horizon is Horizon.DATE or n is None:
                detail = "type a date: 15 Dec, the 15th, Friday" if horizon is Horizon.DATE else ""
                result.append(Option(number, (number, letter), title, detail))
                continue
            days = horizon_days(horizon, n.today, n.rules)
            free = [d for d in days if n.report(d).free]
            span = self._span_of_days(days)
            if free:
                detail = f"{span} · {len(free)} free day{'s' if len(free) != 1 else ''}"
                result.append(Option(number, (number, letter), title, detail))
            else:
                reason = "no working day left" if not days else "nothing free"
                result.append(Option(number, (number, letter), title, span, False, reason))
        return result

    @staticmethod
    def _span_of_days(days: list[date]) -> str:
        if not days:
            return ""
        first, last = days[0], days[-1]
        if first == last:
            return f"{first:%a} {first.day} {first:%b}"
        return f"{first:%a} {first.day} {first:%b} {DASH} {last:%a} {last.day} {last:%b}"

    def _offered(self) -> list[DayReport]:
        assert self._narrowing is not None and self.horizon is not None
        return self._narrowing.offered_days(self.horizon, self.named, self.page)

    def _day_span(self, report: DayReport) -> str:
        first, last = report.slots[0], report.slots[-1]
        rep = self._narrowing.rules.zone if self._narrowing else self._zone
        rs, re_ = first.start.astimezone(rep), last.start.astimezone(rep)
        text = f"starts {_clock(rs, self._clock_24h)}{DASH}{_clock(re_, self._clock_24h)}"
        if not same_zone(first.start, self._zone):
            ps, pe = first.start.astimezone(self._zone), last.start.astimezone(self._zone)
            text += (
                f" · them {ps:%a} {_clock(ps, self._clock_24h)}{DASH}{pe:%a} "
                f"{_clock(pe, self._clock_24h)}"
            )
        return f"{text} · {len(report.slots)} free"

    def _day_options(self) -> list[Option]:
        n = self._narrowing
        assert n is not None and self.horizon is not None
        offered = self._offered()
        result = [
            Option(str(i + 1), (str(i + 1),), format_day(r.day), self._day_span(r))
            for i, r in enumerate(offered)
        ]
        more = n.offered_days(self.horizon, self.named, self.page + 1)
        if more:
            names = " and ".join(f"{r.day:%A}" for r in more)
            result.append(Option("M", ("m",), "&More days", f"offer {names} instead"))
        elif self.page > 0:
            result.append(Option("M", ("m",), "&More days", "back to the first two"))
        shown = {r.day for r in offered}
        for report in n.days(self.horizon, self.named):
            if report.free or report.day in shown:
                continue
            reason = REASONS[report.reason] if report.reason else "busy"
            result.append(Option("", (), format_day(report.day), "", False, reason))
        return result

    def _part_options(self) -> list[Option]:
        assert self._narrowing is not None and self.day is not None
        result = []
        for number, part in (("1", PartOfDay.MORNING), ("2", PartOfDay.AFTERNOON)):
            report = next(p for p in self._narrowing.parts(self.day) if p.part is part)
            title = "&Morning" if part is PartOfDay.MORNING else "&Afternoon"
            keys = (number, "m" if part is PartOfDay.MORNING else "a")
            if report.slots:
                first, last = report.slots[0], report.slots[-1]
                rep = self._narrowing.rules.zone
                detail = f"{len(report.slots)} start times, {self._starts(first, last, rep)}"
                if not same_zone(first.start, self._zone):
                    detail += f" · them {self._starts(first, last, self._zone)}"
                result.append(Option(number, keys, title, detail))
            else:
                reason = REASONS[report.reason] if report.reason else "busy"
                result.append(Option(number, keys, title, "", False, reason))
        return result

    def _times(self) -> list[Slot]:
        assert self._narrowing is not None and self.day is not None
        return self._narrowing.times(self.day, self.part)

    def _time_options(self) -> list[Option]:
        return [Option("", (), self._rep_time(s), self._their_time(s)) for s in self._times()]

    def _their_time(self, slot: Slot) -> str:
        """'them 08:00-08:30 CST' (with the weekday when their date differs)."""
        assert self._narrowing is not None
        if same_zone(slot.start, self._zone) and same_zone(slot.end, self._zone):
            return ""  # the same clock on both sides: nothing to add
        theirs = slot.start.astimezone(self._zone)
        end = slot.end.astimezone(self._zone)
        day = slot.start.astimezone(self._narrowing.rules.zone).date()
        prefix = "them " + (f"{theirs:%a} " if theirs.date() != day else "")
        return prefix + self._span_in_zone(theirs, end)

    def _rep_time(self, slot: Slot) -> str:
        rep = self._narrowing.rules.zone if self._narrowing else self._zone
        start, end = slot.start.astimezone(rep), slot.end.astimezone(rep)
        return self._span_in_zone(start, end)

    def _span_in_zone(self, start: datetime, end: datetime) -> str:
        """'15:00-15:30 CET'; across a clock change each end carries its own name."""
        first, last = _clock(start, self._clock_24h), _clock(end, self._clock_24h)
        if start.tzname() != end.tzname():
            return f"{first} {start.tzname()}{DASH}{last} {end.tzname()}"
        return f"{first}{DASH}{last} {start.tzname()}"

    def _starts(self, first: Slot, last: Slot, zone: ZoneInfo) -> str:
        """'09:00 to 11:30 CET': the first and last start on that zone's clock."""
        a, b = first.start.astimezone(zone), last.start.astimezone(zone)
        return f"{_clock(a, self._clock_24h)} to {_clock(b, self._clock_24h)} {b.tzname()}"

    def _both_zones(self, slot: Slot | None) -> str:
        if slot is None or self._narrowing is None:
            return ""
        rep = slot.start.astimezone(self._narrowing.rules.zone)
        text = f"you: {format_day(rep.date())} ({format_offset(rep)})"
        theirs = slot.start.astimezone(self._zone)
        end = slot.end.astimezone(self._zone)
        text += (
            f" · them: {theirs:%a} {theirs.day} {theirs:%b} {_clock(theirs, self._clock_24h)}{DASH}"
            f"{_clock(end, self._clock_24h)} ({format_offset(theirs)})"
        )
        return text

    # --- commands ------------------------------------------------------------------------

    def press(self, text: str) -> bool:
        """A typed character: a number or mnemonic letter (or an hour at the time step)."""
        key = text.lower()
        if not key or (self.loading and self.step is not Step.HORIZON):
            return False
        if self.step is Step.TIME:
            if len(key) == 1 and "0" <= key <= "9":  # not "²" or other digits
                return self._type_hour(key)
            return False
        for index, option in enumerate(self.options()):
            if key in option.keys:
                return self.choose(index)
        return False

    def move(self, delta: int) -> None:
        count = len(self.options())
        if count:
            self.highlight = max(0, min(count - 1, self.highlight + delta))
            self._typed = ""
            self.changed.emit()

    def activate(self) -> bool:
        """Enter: choose the highlighted option (books at the confirm step)."""
        if self.loading:
            return False  # busy time is being read: what is shown may be about to change
        if self.step is Step.CONFIRM:
            assert self.slot is not None
            self.message = ""
            self.confirmed.emit(self.slot)
            return True
        return self.choose(self.highlight)

    def choose(self, index: int) -> bool:
        options = self.options()
        if not 0 <= index < len(options):
            return False
        option = options[index]
        if not option.enabled:
            self.message = f"{option.title.replace('&', '')}: {option.reason}."
            self.changed.emit()
            return True
        self.message = ""
        if self.step is Step.HORIZON:
            horizon = _HORIZONS[index][3]
            if horizon is Horizon.DATE:
                self.askDate.emit()
                return True
            if self._narrowing is None:
                return False
            self._enter(Step.DAY, horizon=horizon, named=None)
        elif self.step is Step.DAY:
            if option.keys == ("m",):
                has_more = bool(
                    self._narrowing
                    and self.horizon
                    and self._narrowing.offered_days(self.horizon, self.named, self.page + 1)
                )
                self.page = self.page + 1 if has_more else 0
                self.highlight = 0
                self.message = (
                    ""
                    if has_more or self.page
                    else "No other free day in this horizon; Backspace to pick another."
                )
                self.changed.emit()
                return True
            self._enter(Step.PART, day=self._offered()[index].day)
        elif self.step is Step.PART:
            self._enter(Step.TIME, part=(PartOfDay.MORNING, PartOfDay.AFTERNOON)[index])
        elif self.step is Step.TIME:
            self._enter(Step.CONFIRM, slot=self._times()[index])
        return True

    def choose_date(self, text: str) -> str:
        """The rep typed a date for "a date…"; returns a sentence when it is not one."""
        today = self.today
        if today is None:
            return "Your calendar is still being read; try again in a moment."
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            parsed = parse_stated_date(text, today)
            day = parsed if parsed is not None else date.min
        if day == date.min:
            return f"{text.strip()!r} is not a date I can read; try '15 Dec' or 2026-12-15."
        if day < today:
            return f"{format_day(day)} is already over; pick a later date."
        self._enter(Step.DAY, horizon=Horizon.DATE, named=day)
        return ""

    def needs_range(self) -> tuple[date, date] | None:
        """Days the loaded busy time must cover for a named date, when it does not yet."""
        if self.named is None:
            return None
        return self.named, self.named + timedelta(days=14)

    def _enter(self, step: Step, **answers: object) -> None:
        for name, value in answers.items():
            setattr(self, name, value)
        if step is Step.DAY:
            self.page = 0
        self.step = step
        self.highlight = 0
        self._typed = ""
        self.changed.emit()

    def back(self) -> bool:
        if self.step is Step.HORIZON:
            return False
        previous = Step(self.step - 1)
        self.step = previous
        self.message = ""
        self._typed = ""
        self.highlight = self._answer_index(previous) if self._narrowing else 0
        self.changed.emit()
        return True

    def _answer_index(self, step: Step) -> int:
        """Where the earlier answer sits among that step's options, to highlight it."""
        if step is Step.HORIZON:
            return next((i for i, h in enumerate(_HORIZONS) if h[3] is self.horizon), 0)
        if step is Step.DAY:
            return next((i for i, r in enumerate(self._offered()) if r.day == self.day), 0)
        if step is Step.PART:
            return 0 if self.part is PartOfDay.MORNING else 1
        return next((i for i, s in enumerate(self._times()) if s == self.slot), 0)

    def _type_hour(self, digit: str) -> bool:
        slots = self._times()
        for typed in (self._typed + digit, digit):
            index = self._match_hour(int(typed), slots)
            if index is not None:
                self._typed = typed if len(typed) < 2 else ""
                self.highlight = index
                self.message = ""
                self.changed.emit()
                return True
        if not self._typed and digit in "12":
            # "1" may be the start of 10 to 19, "2" of 20 to 23: wait for the next digit
            self._typed = digit
            self.message = ""
            self.changed.emit()
            return True
        typed = self._typed + digit
        self._typed = ""
        self.message = f"Nothing free at {int(typed)} o'clock in this part of the day."
        self.changed.emit()
        return True

    def _match_hour(self, hour: int, slots: list[Slot]) -> int | None:
        if not 0 <= hour <= 23:
            return None
        hours = {hour} if hour > 12 else {hour % 12, hour % 12 + 12}
        rep = self._narrowing.rules.zone if self._narrowing else self._zone
        # the hour the prospect hears first, then the rep's own clock
        for zone in (self._zone, rep):
            for index, slot in enumerate(slots):
                if slot.start.astimezone(zone).hour in hours:
                    return index
        return None
