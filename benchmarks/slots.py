"""Free/busy and slot-narrowing benchmark: prints figures against the goals of issue 3.

Run ``.venv/bin/python benchmarks/slots.py`` (full) or with ``--quick`` (a smoke run with
few repetitions). Nothing is asserted: the script prints what it measured, one run on
whatever machine it runs on.

What it does:

1. Generates, from a fixed seed, a calendar of 5,000 VEVENTs over two years around a fixed
   "now" (2026-11-23 10:00 Europe/Berlin): 200 weekly RRULE series with EXDATEs and
   RECURRENCE-ID overrides that move occurrences (the overrides count among the 5,000),
   all-day events and single events, in Europe/Berlin, America/New_York and Asia/Tokyo,
   with their VTIMEZONEs.
2. Points ``FOLLOWUP_DESK_HOME`` at a temporary folder whose settings.toml names that file
   as the only free/busy source.
3. Measures (medians, and p50/p95 for the narrowing steps):

   (a) cold load: ``FreeBusyService.busy`` on a fresh database, against icalendar's bare
       ``Calendar.from_ical`` of the same bytes (goal: at most 1.5x);
   (b) warm load: the same call after closing and reopening the desk with the cache
       populated (goal: at most 5% of cold);
   (c) each narrowing step with a warm cache, against a naive baseline that re-expands the
       parsed calendar with recurring-ical-events for every query (goal: p95 at most
       16 ms and at least 20x faster than the baseline).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.horizons import Horizon, horizon_range
from followup_desk.domain.intervals import BusyBlock, BusyIndex
from followup_desk.domain.narrowing import Narrowing, PartReport
from followup_desk.domain.rules import SchedulingRules
from followup_desk.domain.slots import DayReport, PartOfDay, Slot
from followup_desk.paths import HOME_ENV, resolve_paths
from followup_desk.services.scheduling import SlotQuery, day_bounds

SEED = 20261123
REP_ZONE = "Europe/Berlin"
PROSPECT_ZONE = "America/New_York"
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
ZONE_WEIGHTS = (0.5, 0.3, 0.2)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(REP_ZONE))
SPAN_DAYS = 365  # the calendar covers NOW - 1 year .. NOW + 1 year
NAMED_DAY = date(2026, 12, 15)

TOTAL_EVENTS = 5000
SERIES = 200
ALL_DAY_EVENTS = 300

GOAL_COLD_RATIO = 1.5
GOAL_WARM_PERCENT = 5.0
GOAL_STEP_P95_MS = 16.0
GOAL_SPEEDUP = 20.0


@dataclass(frozen=True)
class Repetitions:
    parse: int
    cold: int
    warm: int
    steps: int
    baseline: int


FULL = Repetitions(parse=7, cold=7, warm=31, steps=200, baseline=50)
QUICK = Repetitions(parse=2, cold=2, warm=5, steps=20, baseline=5)


# --------------------------------------------------------------------------- the calendar


@dataclass
class CalendarStats:
    series: int = 0
    overrides: int = 0
    exdates: int = 0
    all_day: int = 0
    single: int = 0
    transparent: int = 0
    cancelled: int = 0

    @property
    def vevents(self) -> int:
        return self.series + self.overrides + self.all_day + self.single


def _stamp(event: icalendar.Event, uid: str, summary: str) -> None:
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    event.add("summary", summary)


def _meeting_start(rng: random.Random, day: date, zone: ZoneInfo) -> datetime:
    """A start on ``day`` between 07:00 and 18:45 local time, on a quarter hour."""
    minute = rng.randrange(7 * 60, 19 * 60, 15)
    return datetime.combine(day, wall_time(minute // 60, minute % 60), tzinfo=zone)


def _weekday_near(rng: random.Random, first: date, last: date) -> date:
    day = first + timedelta(days=rng.randrange((last - first).days + 1))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _zone(rng: random.Random) -> ZoneInfo:
    return ZoneInfo(rng.choices(ZONES, ZONE_WEIGHTS)[0])


def generate_calendar(rng: random.Random) -> tuple[bytes, CalendarStats]:
    """The benchmark calendar (deterministic for a given ``rng`` state) and what it holds."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Followup Desk//benchmark//EN")
    cal.add("version", "2.0")
    stats = CalendarStats()
    today = NOW.date()
    first_day, last_day = today - timedelta(days=SPAN_DAYS), today + timedelta(days=SPAN_DAYS)
    lengths = (30, 45, 60, 60, 90)

    for index in range(SERIES):
        zone = _zone(rng)
        # a quarter of the series run across "now", so the horizons see recurrences,
        # EXDATEs and moved occurrences; the rest start anywhere in the two years
        if index % 4 == 0:
            start_day = _weekday_near(rng, today - timedelta(days=200), today - timedelta(days=7))
        else:
            start_day = _weekday_near(rng, first_day, last_day - timedelta(days=30))
        start = _meeting_start(rng, start_day, zone)
        length = timedelta(minutes=rng.choice(lengths))
        weeks = rng.randint(6, 40) if index % 4 else rng.randint(40, 80)
        open_ended = index % 10 == 3
        master = icalendar.Event()
        _stamp(master, f"series-{index:03d}@bench.followup-desk", f"Weekly sync {index}")
        master.add("dtstart", start)
        master.add("dtend", start + length)
        if open_ended:
            master.add("rrule", {"freq": "weekly"})
        elif index % 3 == 0:
            until = (start + timedelta(weeks=weeks - 1)).astimezone(UTC)
            master.add("rrule", {"freq": "weekly", "until": until})
        else:
            master.add("rrule", {"freq": "weekly", "count": weeks})
        # occurrences to drop (EXDATE) and to move (RECURRENCE-ID); when the series runs
        # across "now", one of them falls in the next weeks, so the horizons see them
        picks = rng.sample(range(weeks), k=5)
        dropped, moved = rng.randint(1, 2), rng.randint(1, 3)
        weeks_in = (today - start_day).days // 7
        if weeks_in >= 0 and weeks_in + 3 < weeks:
            picks.insert(dropped if index % 8 == 0 else 0, weeks_in + rng.randint(0, 3))
        picks = list(dict.fromkeys(picks))
        excluded, moved_ones = picks[:dropped], picks[dropped : dropped + moved]
        for k in excluded:
            master.add("exdate", start + timedelta(weeks=k))
            stats.exdates += 1
        cal.add_component(master)
        stats.series += 1
        for k in moved_ones:
            original = start + timedelta(weeks=k)
            override = icalendar.Event()
            _stamp(override, f"series-{index:03d}@bench.followup-desk", f"Weekly sync {index}")
            override.add("recurrence-id", original)
            shift = timedelta(hours=rng.choice((-26, -3, -1, 1, 2, 24, 48)))
            override.add("dtstart", original + shift)
            override.add("dtend", original + shift + length)
            if rng.random() < 0.1:
                override.add("status", "CANCELLED")
                stats.cancelled += 1
            cal.add_component(override)
            stats.overrides += 1

    for index in range(ALL_DAY_EVENTS):
        day = first_day + timedelta(days=rng.randrange(2 * SPAN_DAYS))
        event = icalendar.Event()
        _stamp(event, f"allday-{index:04d}@bench.followup-desk", f"All day {index}")
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=rng.choice((1, 1, 1, 2, 3))))
        if rng.random() < 0.3:
            event.add("transp", "TRANSPARENT")
            stats.transparent += 1
        cal.add_component(event)
        stats.all_day += 1

    index = 0
    while stats.vevents < TOTAL_EVENTS:
        zone = _zone(rng)
        day = _weekday_near(rng, first_day, last_day)
        start = _meeting_start(rng, day, zone)
        event = icalendar.Event()
        _stamp(event, f"single-{index:05d}@bench.followup-desk", f"Call {index}")
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=rng.choice(lengths)))
        draw = rng.random()
        if draw < 0.08:
            event.add("transp", "TRANSPARENT")
            stats.transparent += 1
        elif draw < 0.11:
            event.add("status", "CANCELLED")
            stats.cancelled += 1
        cal.add_component(event)
        stats.single += 1
        index += 1

    cal.add_missing_timezones(first_date=date(2024, 1, 1), last_date=date(2029, 1, 1))
    return cal.to_ical(), stats


def write_settings(home: Path, calendar: Path) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text(
        f"""# Followup Desk settings written by benchmarks/slots.py.
[rep]
name = "Bea Benchmark"
email = "bea@example.com"
time_zone = "{REP_ZONE}"

[hours]
working_days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "17:00"
afternoon_starts = "12:00"
clock_24h = true

[meetings]
lengths = [30, 45, 60]
buffer_before = 10
buffer_after = 10
minimum_notice = 120
slot_step = 15
title = "{{rep}} / {{prospect}}: next step"

[free_busy]
sources = [{json.dumps(str(calendar))}]
all_day_events_busy = false
feed_timeout_seconds = 15
max_source_megabytes = 50

[invites]
folder = ""
""",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- timing


def measure(
    action: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
) -> list[float]:
    """Seconds ``action`` took, ``runs`` times; ``setup`` runs untimed before each run.

    The garbage collector stays on, as in the app; it is emptied before the series (and
    before each run when there is a setup, i.e. for the few long runs).
    """
    times: list[float] = []
    gc.collect()
    for _ in range(runs):
        if setup is not None:
            setup()
            gc.collect()
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile, interpolating linearly between closest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "MEETS" if ok else "MISSES"


SummaryRow = tuple[str, str, str, bool | None]  # figure, value, goal, met (None: info only)


def print_summary_table(rows: Sequence[SummaryRow]) -> None:
    """The closing table every benchmark prints: each figure against its goal."""
    width = max(len(row[0]) for row in rows)
    print("\nSummary")
    print(f"  {'figure':<{width}} {'value':>10}  {'goal':<10} verdict")
    for name, value, goal, ok in rows:
        print(
            f"  {name:<{width}} {value:>10}  {goal:<10} {'(info)' if ok is None else verdict(ok)}"
        )
    judged = [row[3] for row in rows if row[3] is not None]
    print(f"  {sum(judged)} of {len(judged)} figures meet their goal.")


# --------------------------------------------------------------------------- the baseline


def naive_blocks(occurrences: Iterable[Any], zone: ZoneInfo) -> list[BusyBlock]:
    """Busy blocks of expanded occurrences, the plain way (the app's rules of what is busy)."""
    blocks: list[BusyBlock] = []
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        start = event["DTSTART"].dt
        end = event["DTEND"].dt if event.get("DTEND") is not None else start
        all_day = not isinstance(start, datetime)
        if all_day:
            start = datetime.combine(start, wall_time(0), tzinfo=zone)
            end = datetime.combine(end, wall_time(0), tzinfo=zone)
        elif start.tzinfo is None:
            start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
        if end > start:
            blocks.append(BusyBlock(start.astimezone(UTC), end.astimezone(UTC), all_day))
    return blocks


class Baseline:
    """Answers every query by re-expanding the parsed calendar for the horizon's window."""

    def __init__(self, calendar: icalendar.Calendar, rules: SchedulingRules) -> None:
        self._calendar = calendar
        self._rules = rules

    def narrowing(self, first: date, last: date, length: timedelta) -> Narrowing:
        start, end = day_bounds(first, last, self._rules.zone)
        query = recurring_ical_events.of(self._calendar, components=["VEVENT"])
        blocks = naive_blocks(query.between(start, end), self._rules.zone)
        return Narrowing(
            rules=self._rules,
            busy=BusyIndex.from_blocks(blocks, all_day_busy=self._rules.all_day_events_busy),
            now=NOW,
            length=length,
            prospect_zone=ZoneInfo(PROSPECT_ZONE),
        )


def answer_key(answer: object) -> object:
    """What must be equal for two answers to offer the same days, parts and times."""
    if isinstance(answer, DayReport):
        return (answer.day, answer.reason, answer_key(answer.slots))
    if isinstance(answer, PartReport):
        return (answer.part, answer.reason, answer_key(answer.slots))
    if isinstance(answer, Slot):
        return (answer.start, answer.end, answer.part)
    if isinstance(answer, list | tuple):
        return [answer_key(item) for item in answer]
    return answer


def count_slots(answer: object) -> int:
    if isinstance(answer, Slot):
        return 1
    if isinstance(answer, DayReport | PartReport):
        return len(answer.slots)
    if isinstance(answer, list | tuple):
        return sum(count_slots(item) for item in answer)
    return 0


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Step:
    """One narrowing question, asked three ways."""

    name: str
    ours: Callable[[], object]  # through the services, busy time from the warm cache
    held: Callable[[], object]  # on a Narrowing snapshot already built (domain only)
    baseline: Callable[[], object]  # re-expanding the parsed calendar


@dataclass(frozen=True)
class StepResult:
    name: str
    ours: list[float]
    held: list[float]
    baseline: list[float]
    slots: int
    agree: bool

    @property
    def speedup(self) -> float:
        return percentile(self.baseline, 95) / percentile(self.ours, 95)


@dataclass(frozen=True)
class LoadResult:
    parse: list[float]
    cold: list[float]
    cold_open: list[float]
    warm: list[float]
    restart: list[float]
    first_parse: float
    first_cold: float
    window: tuple[datetime, datetime]
    cold_states: str
    warm_states: str
    blocks: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.cold) / statistics.median(self.parse)

    @property
    def warm_percent(self) -> float:
        return 100 * statistics.median(self.warm) / statistics.median(self.cold)


class Bench:
    """The desk under test, opened and reopened against one settings folder."""

    naive: Baseline  # set by steps(), from a calendar parsed once

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.clock = FixedClock(NOW)
        self.desk = open_desk(clock=self.clock)
        self.rules = self.desk.settings.rules
        self.sources = self.desk.settings.busy_sources
        self.length = timedelta(minutes=self.rules.default_length)
        self.today = NOW.astimezone(self.rules.zone).date()

    def reopen(self, *, fresh: bool = False) -> None:
        """Close the desk and open it again (a restart); ``fresh`` drops the database."""
        self.desk.close()
        if fresh:
            self.drop_database()
        self.desk = open_desk(clock=self.clock)

    @staticmethod
    def drop_database() -> None:
        database = resolve_paths().database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)

    def window(self) -> tuple[datetime, datetime]:
        """Today through the last day of the furthest horizon ("in two weeks")."""
        _, last = horizon_range(Horizon.IN_2_WEEKS, self.today, self.rules)
        return day_bounds(self.today, last, self.rules.zone)

    def load(self, states: list[str]) -> int:
        start, end = self.window()
        result = self.desk.freebusy.busy(self.sources, start, end, self.rules.time_zone)
        states.append("+".join(report.state for report in result.reports))
        return len(result.blocks)

    def loads(self, reps: Repetitions) -> LoadResult:
        def bare_parse() -> object:
            return icalendar.Calendar.from_ical(self.data)

        # the first call of each, timed apart: it also pays for lazy set-up in the
        # libraries, which a one-shot command line run pays too
        first_parse = measure(bare_parse, 1)[0]
        self.reopen(fresh=True)
        first_cold = measure(lambda: self.load([]), 1)[0]

        parse = measure(bare_parse, reps.parse)
        cold_states: list[str] = []
        cold: list[float] = []
        cold_open: list[float] = []
        for _ in range(reps.cold):
            self.desk.close()
            self.drop_database()
            gc.collect()
            began = time.perf_counter()
            self.desk = open_desk(clock=self.clock)
            opened = time.perf_counter()
            self.load(cold_states)
            done = time.perf_counter()
            cold_open.append(done - began)
            cold.append(done - opened)
        warm_states: list[str] = []
        warm = measure(lambda: self.load(warm_states), reps.warm, setup=self.reopen)

        def restart_and_load() -> int:
            self.reopen()
            return self.load([])

        restart = measure(restart_and_load, reps.warm)
        return LoadResult(
            parse=parse,
            cold=cold,
            cold_open=cold_open,
            warm=warm,
            restart=restart,
            first_parse=first_parse,
            first_cold=first_cold,
            window=self.window(),
            cold_states="/".join(sorted(set(cold_states))),
            warm_states="/".join(sorted(set(warm_states))),
            blocks=self.load([]),
        )

    def narrowing(self, first: date, last: date) -> Narrowing:
        narrowing, _ = self.desk.scheduling.narrowing(
            self.rules, self.sources, PROSPECT_ZONE, self.length, NOW, first, last
        )
        return narrowing

    def step(self, name: str, first: date, last: date, ask: Callable[[Narrowing], object]) -> Step:
        held = self.narrowing(first, last)
        return Step(
            name,
            ours=lambda: ask(self.narrowing(first, last)),
            held=lambda: ask(held),
            baseline=lambda: ask(self.naive.narrowing(first, last, self.length)),
        )

    def steps(self, reps: Repetitions) -> list[StepResult]:
        parsed = icalendar.Calendar.from_ical(self.data)
        if not isinstance(parsed, icalendar.Calendar):
            raise TypeError("expected one calendar")
        self.naive = Baseline(parsed, self.rules)
        self.reopen()  # a restart: the cache is warm, nothing in memory
        results: list[StepResult] = []

        def run(step: Step) -> object:
            answer = step.ours()
            results.append(
                StepResult(
                    step.name,
                    ours=measure(step.ours, reps.steps),
                    held=measure(step.held, reps.steps),
                    baseline=measure(step.baseline, reps.baseline),
                    slots=count_slots(answer),
                    agree=answer_key(answer) == answer_key(step.baseline()),
                )
            )
            return answer

        offered: list[DayReport] = []
        for horizon in Horizon:
            named = NAMED_DAY if horizon is Horizon.DATE else None
            first, last = horizon_range(horizon, self.today, self.rules, named)
            label = horizon.value if named is None else f"{named:%d %b}"

            def ask(n: Narrowing, h: Horizon = horizon, d: date | None = named) -> object:
                return n.offered_days(h, d)

            answer = run(self.step(f"offered_days({label})", first, last, ask))
            if horizon is Horizon.NEXT_WEEK and isinstance(answer, list):
                offered = answer

        first, last = horizon_range(Horizon.NEXT_WEEK, self.today, self.rules)
        day = offered[0].day if offered else first
        parts = run(self.step(f"parts({day:%a %d %b})", first, last, lambda n: n.parts(day)))
        part = PartOfDay.MORNING
        if isinstance(parts, list):
            part = next((p.part for p in parts if p.slots), PartOfDay.MORNING)
        run(
            self.step(
                f"times({day:%a %d %b}, {part.value})",
                first,
                last,
                lambda n: n.times(day, part),
            )
        )
        query = SlotQuery(self.rules, self.sources, PROSPECT_ZONE, self.length, Horizon.NEXT_WEEK)
        held = self.narrowing(first, last)
        run(
            Step(
                "SchedulingService.slots(next-week)",
                ours=lambda: self.desk.scheduling.slots(query, NOW).slots,
                held=lambda: tuple(held.slots(Horizon.NEXT_WEEK)),
                baseline=lambda: tuple(
                    self.naive.narrowing(first, last, self.length).slots(Horizon.NEXT_WEEK)
                ),
            )
        )
        return results


# --------------------------------------------------------------------------- printing


def print_loads(loads: LoadResult) -> None:
    start, end = loads.window
    print(
        f"\n(a) and (b): busy time for {start:%a %d %b} .. {end:%a %d %b %Y} "
        f"({loads.blocks} busy blocks), medians"
    )
    rows = (
        ("icalendar Calendar.from_ical, bare parse", loads.parse, "the baseline"),
        ("cold: FreeBusyService.busy, fresh database", loads.cold, loads.cold_states),
        ("cold, open_desk included (info)", loads.cold_open, loads.cold_states),
        ("warm: the same call after a restart", loads.warm, loads.warm_states),
        ("warm, open_desk included (info)", loads.restart, "cached"),
    )
    for label, times, note in rows:
        print(
            f"  {label:<44} {ms(statistics.median(times)):>10}  "
            f"(min {ms(min(times))}, {len(times)} runs; {note})"
        )
    print(
        f"  first call in this process (info, not in the medians): bare parse "
        f"{ms(loads.first_parse)}, cold load {ms(loads.first_cold)} "
        f"({loads.first_cold / loads.first_parse:.2f}x)"
    )


def print_steps(results: Sequence[StepResult], reps: Repetitions) -> None:
    print(
        f"\n(c) narrowing steps, warm cache: ours {reps.steps} runs, naive baseline "
        f"{reps.baseline} runs (recurring_ical_events.of(cal).between(horizon) per query)"
    )
    header = (
        f"  {'step':<36} {'ours p50':>9} {'ours p95':>9} {'held p95':>9} "
        f"{'base p50':>9} {'base p95':>9} {'speed-up':>9} {'slots':>6}  same answer"
    )
    print(header)
    for r in results:
        print(
            f"  {r.name:<36} {percentile(r.ours, 50) * 1000:>6.2f} ms"
            f" {percentile(r.ours, 95) * 1000:>6.2f} ms"
            f" {percentile(r.held, 95) * 1000:>6.2f} ms"
            f" {percentile(r.baseline, 50) * 1000:>6.0f} ms"
            f" {percentile(r.baseline, 95) * 1000:>6.0f} ms"
            f" {r.speedup:>8.0f}x {r.slots:>6}  {'yes' if r.agree else 'NO'}"
        )
    print(
        "  ours = SchedulingService.narrowing (busy time from the SQLite cache, index) + the "
        "step;\n  held = the step alone on a Narrowing already built; speed-up = base p95 / "
        "ours p95"
    )


def print_summary(loads: LoadResult, results: Sequence[StepResult]) -> None:
    rows: list[tuple[str, str, str, bool]] = [
        (
            "(a) cold load / bare icalendar parse",
            f"{loads.ratio:.2f}x",
            f"<= {GOAL_COLD_RATIO}x",
            loads.ratio <= GOAL_COLD_RATIO,
        ),
        (
            "(b) warm load, % of cold",
            f"{loads.warm_percent:.2f} %",
            f"<= {GOAL_WARM_PERCENT:g} %",
            loads.warm_percent <= GOAL_WARM_PERCENT,
        ),
    ]
    for r in results:
        p95 = percentile(r.ours, 95) * 1000
        rows.append(
            (
                f"(c) {r.name} p95",
                f"{p95:.2f} ms",
                f"<= {GOAL_STEP_P95_MS:g} ms",
                p95 <= GOAL_STEP_P95_MS,
            )
        )
        rows.append(
            (
                f"(c) {r.name} speed-up",
                f"{r.speedup:.0f}x",
                f">= {GOAL_SPEEDUP:g}x",
                r.speedup >= GOAL_SPEEDUP,
            )
        )
    print_summary_table(rows)


def print_context(quick: bool) -> None:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("icalendar", "recurring-ical-events", "x-wr-timezone")
    )
    print(
        f"Followup Desk slots benchmark ({'--quick smoke run' if quick else 'full run'}): "
        f"Python {platform.python_version()}, {versions}, {os.cpu_count()} CPU(s), "
        f"{platform.platform()}"
    )
    print(
        "Figures come from this one run on a shared machine; other work on it moves them. "
        "Nothing is asserted."
    )


def run(reps: Repetitions, workdir: Path, *, quick: bool) -> None:
    print_context(quick)
    began = time.perf_counter()
    data, stats = generate_calendar(random.Random(SEED))
    calendar_path = workdir / "benchmark-calendar.ics"
    calendar_path.write_bytes(data)
    print(
        f"\nCalendar {calendar_path}: {len(data) / 1_048_576:.2f} MB ({len(data):,} bytes), "
        f"{stats.vevents:,} VEVENTs = {stats.series} weekly series "
        f"+ {stats.overrides} RECURRENCE-ID overrides + {stats.all_day} all-day "
        f"+ {stats.single:,} single; {stats.exdates} EXDATEs, {stats.transparent} "
        f"transparent, {stats.cancelled} cancelled; zones {', '.join(ZONES)} with VTIMEZONEs "
        f"(seed {SEED}, generated in {time.perf_counter() - began:.1f} s)"
    )
    home = workdir / "home"
    os.environ[HOME_ENV] = str(home)
    write_settings(home, calendar_path)
    print(f"{HOME_ENV}={home}; now = {NOW.isoformat()} ({REP_ZONE}); prospect {PROSPECT_ZONE}")

    bench = Bench(data)
    try:
        loads = bench.loads(reps)
        print_loads(loads)
        results = bench.steps(reps)
        print_steps(results, reps)
    finally:
        bench.desk.close()
    print_summary(loads, results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Free/busy and slot-narrowing benchmark (prints figures, asserts nothing)."
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run")
    args = parser.parse_args(argv)
    reps = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="followup-desk-bench-") as tmp:
        run(reps, Path(tmp), quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
