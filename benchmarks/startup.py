"""Start-up and keystroke benchmark: prints figures against the goals of the start-up issue.

Run ``.venv/bin/python benchmarks/startup.py`` (full) or with ``--quick`` (a smoke run with
few repetitions). Nothing is asserted: the script prints what it measured, one run on
whatever machine it runs on. Qt runs on the ``offscreen`` platform unless ``--xvfb`` (a
private Xvfb server, started and stopped here) or ``--display`` (the session's $DISPLAY)
is given.

What it does:

1. Writes the calendar of ``benchmarks/slots.py`` (5,000 VEVENTs: weekly series with
   EXDATEs and moved occurrences, all-day events, three zones) and a settings.toml naming it,
   and fills an on-disk database with 2,000 prospects through ``SqliteBookingStore``: most
   with a booked next step, some whose only meeting is over or was cancelled. Two copies
   of that database are kept: one whose busy-time cache is empty ("cold": the calendar is
   read after the window shows) and one with the cache filled as the app fills it ("warm",
   the usual start).
2. (a) Start-up, whole processes, alternating in one run: ``python -c`` running the app's
   own start (``followup_desk.ui.launch.run(quit_after_paint=True)``, a fresh
   ``FOLLOWUP_DESK_HOME`` copied from the cold or the warm template each time) against a
   bare PySide6 script that shows an empty 1280x800 QWidget and quits on its first paint.
   Each child stamps ``time.monotonic()`` (one clock for every process) when its first
   top-level window receives its first Paint event; the parent times the whole process
   with ``time.perf_counter()`` around ``subprocess.run``. Goal: the app's median start to
   first paint at most 1.3x the bare window's.
3. (b) Keystroke to the next step painted, in this process: the window built by
   ``build_window`` on a pinned clock (Monday 23 November 2026, 10:00 Berlin), warm cache,
   the flow walked by key presses sent to the narrowing panel (3 late next week, 2 the
   second day, A afternoon, 3 "how about 3?", then Backspace three times, over and over;
   1 or M instead when the calendar leaves one day or a full afternoon) from a running
   event loop, a pause between keys as a person types. Each key is timed
   from just before ``QTest.keyClick`` until the frame in which the panel repainted is
   done. Goal: p95 under 16 ms (one frame at 60 Hz) for every kind of step.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtTest import QTest

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.booking import (
    Booking,
    BookingStatus,
    Prospect,
    Task,
    TaskKind,
    TaskStatus,
    confirm_due,
)
from followup_desk.domain.horizons import Horizon
from followup_desk.domain.narrowing import Narrowing
from followup_desk.domain.slots import PartOfDay
from followup_desk.paths import HOME_ENV, AppPaths, resolve_paths
from followup_desk.storage.bookings import SqliteBookingStore
from followup_desk.storage.db import connect
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.launch import application, build_window
from followup_desk.ui.viewmodels.desk import AHEAD_DAYS
from followup_desk.ui.viewmodels.narrowing import Step
from followup_desk.ui.widgets.main_window import MainWindow

# Run as a script, this file's folder is on sys.path but the repository root is not; the
# calendar generator is imported from its module, not copied, so the root is added first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.people import COMPANIES, FIRST_NAMES, LAST_NAMES, SUFFIXES
from benchmarks.slots import (
    NOW,
    REP_ZONE,
    SEED,
    ZONES,
    generate_calendar,
    ms,
    percentile,
    print_summary_table,
    write_settings,
)

GOAL_START_RATIO = 1.3
GOAL_KEY_P95_MS = 16.0

PROSPECTS = 2000
PAST_ONLY = 150  # their only meeting is over: no next step
CANCELLED_ONLY = 150  # their only meeting was cancelled: no next step
FUTURE_DAYS = 730  # booked next steps fall on working days over the next two years
PROSPECT_ZONES = (*ZONES, "Europe/London", "America/Chicago", "Asia/Singapore")

BARE_SIZE = (1280, 800)  # the app's window size on a first start
KEY_PAUSE_MS = 30  # between keys, as a fast typist
NO_PAINT_AFTER_MS = 2000  # a key that changed nothing on screen stops the run


@dataclass(frozen=True)
class Repetitions:
    starts: int  # timed starts per side
    rounds: int  # timed rounds of the seven-key walk
    warmup_rounds: int


FULL = Repetitions(starts=15, rounds=60, warmup_rounds=3)
QUICK = Repetitions(starts=5, rounds=8, warmup_rounds=1)


# --------------------------------------------------------------------------- the data


@dataclass
class DatabaseStats:
    prospects: int = 0
    next_steps: int = 0
    past_only: int = 0
    cancelled_only: int = 0
    seconds: float = 0.0


def _prospect(rng: random.Random, index: int) -> Prospect:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = f"{rng.choice(COMPANIES)} {rng.choice(SUFFIXES)}"
    domain = company.split()[0].lower()
    return Prospect(
        id=None,
        name=f"{first} {last}",
        email=f"{first[0].lower()}.{index:04d}@{domain}.example",
        time_zone=rng.choice(PROSPECT_ZONES),
        company=company,
        phone=f"+49 30 {rng.randrange(10**6, 10**7)}",
        channels=("email", "phone") if index % 3 else ("email",),
        follow_up_channel="email",
    )


def _meeting(rng: random.Random, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A start between 09:00 and 16:00 on ``day``, on a quarter hour, and its end."""
    minute = rng.randrange(9 * 60, 16 * 60 + 1, 15)
    start = datetime.combine(day, wall_time(minute // 60, minute % 60), tzinfo=zone)
    return start, start + timedelta(minutes=rng.choice((30, 45, 60)))


def _working_day(rng: random.Random, first: date, days: int) -> date:
    day = first + timedelta(days=rng.randrange(days))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def fill_database(paths: AppPaths, rng: random.Random) -> DatabaseStats:
    """2,000 prospects with their bookings and reminder tasks, one transaction each."""
    began = time.perf_counter()
    zone = ZoneInfo(REP_ZONE)
    today = NOW.date()
    working = frozenset(range(5))
    stats = DatabaseStats()
    without = rng.sample(range(PROSPECTS), PAST_ONLY + CANCELLED_ONLY)
    past_ones, cancelled_ones = set(without[:PAST_ONLY]), set(without[PAST_ONLY:])
    with closing(connect(paths.database)) as conn:
        store = SqliteBookingStore(conn)
        for index in range(PROSPECTS):
            prospect = _prospect(rng, index)
            past, cancelled = index in past_ones, index in cancelled_ones
            if past:
                day = _working_day(rng, today - timedelta(days=365), 360)
            else:
                day = _working_day(rng, today + timedelta(days=1), FUTURE_DAYS)
            start, end = _meeting(rng, day, zone)
            created = NOW - timedelta(days=rng.randrange(1, 400), minutes=rng.randrange(600))
            booking = Booking(
                id=None,
                prospect_id=0,
                uid=f"prospect-{index:04d}@bench.followup-desk",
                sequence=1 if cancelled else 0,
                status=BookingStatus.CANCELLED if cancelled else BookingStatus.BOOKED,
                start=start,
                end=end,
                rep_zone=REP_ZONE,
                prospect_zone=prospect.time_zone,
                title=f"Bea Benchmark / {prospect.name}: next step",
                created=min(created, start - timedelta(days=1)),
                updated=NOW - timedelta(days=1),
            )
            task_status = (
                TaskStatus.DONE if past else TaskStatus.CANCELLED if cancelled else TaskStatus.OPEN
            )
            task = Task(
                None, 0, TaskKind.CONFIRM_DAY_BEFORE, confirm_due(day, today, working), task_status
            )
            store.save_new_booking(prospect, booking, task)
            stats.prospects += 1
            stats.past_only += int(past)
            stats.cancelled_only += int(cancelled)
            stats.next_steps += int(not (past or cancelled))
    stats.seconds = time.perf_counter() - began
    return stats


def warm_cache(paths: AppPaths) -> int:
    """Read busy time as the window's first read does (system clock), filling the cache."""
    desk = open_desk(paths)
    try:
        rules = desk.settings.rules
        today = desk.clock.now().astimezone(rules.zone).date()
        _, busy = desk.scheduling.narrowing(
            rules,
            desk.settings.busy_sources,
            rules.time_zone,
            timedelta(minutes=rules.default_length),
            desk.clock.now(),
            today,
            today + timedelta(days=AHEAD_DAYS),
        )
        return len(busy.blocks)
    finally:
        desk.close()


def snapshot(database: Path, target: Path) -> None:
    """A self-contained copy of the database (WAL folded in), through SQLite's backup."""
    with closing(sqlite3.connect(database)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@dataclass(frozen=True)
class Templates:
    """What each start copies into its fresh FOLLOWUP_DESK_HOME."""

    settings: Path
    cold: Path
    warm: Path

    def home(self, root: Path, name: str, *, warm: bool) -> Path:
        home = root / name
        paths = resolve_paths({HOME_ENV: str(home)})
        paths.config_dir.mkdir(parents=True)
        paths.data_dir.mkdir(parents=True)
        shutil.copyfile(self.settings, paths.settings_file)
        shutil.copyfile(self.warm if warm else self.cold, paths.database)
        return home


# --------------------------------------------------------------------------- (a) start-up

# Both children stamp the first Paint event of the window they show. The stamp's filter
# sits on that window alone (an application-wide filter in Python costs the app ~45 ms of
# its start): a zero timer queued before the window is built installs it once the event
# loop runs, which is before the window is exposed, hence before it can paint.
_STAMP = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Stamp(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", time.monotonic(), type(watched).__name__, flush=True)
            watched.removeEventFilter(self)
        return False

stamp = Stamp()

def watch():
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    handle = shown[0].windowHandle() if shown else None
    if handle is None or handle.isExposed():
        print("missed: the window was exposed before the stamp was in place", flush=True)
    for widget in shown:
        widget.installEventFilter(stamp)
"""

APP_CHILD = (
    _STAMP
    + """
from followup_desk.ui import launch
launch.application()
QTimer.singleShot(0, watch)
sys.exit(launch.run(quit_after_paint=True))
"""
)

BARE_CHILD = (
    _STAMP
    + f"""
class QuitOnPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False

app = QApplication(sys.argv[:1])
QTimer.singleShot(0, watch)
window = QWidget()
window.resize({BARE_SIZE[0]}, {BARE_SIZE[1]})
quitter = QuitOnPaint(window)
window.installEventFilter(quitter)
window.show()
sys.exit(app.exec())
"""
)


@dataclass(frozen=True)
class Side:
    key: str
    label: str
    script: str
    warm: bool | None  # None: no home (the bare window)


SIDES = (
    Side("bare", f"bare PySide6 window (QWidget {BARE_SIZE[0]}x{BARE_SIZE[1]})", BARE_CHILD, None),
    Side("warm", "Followup Desk, warm cache (usual start)", APP_CHILD, True),
    Side("cold", "Followup Desk, cold cache (calendar unread)", APP_CHILD, False),
)


@dataclass
class Starts:
    paint: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    painted: set[str] = field(default_factory=set)
    stderr: list[str] = field(default_factory=list)
    calendar_read: int = 0  # runs whose worker (re)read the calendar before the process ended


class ChildFailed(RuntimeError):
    pass


def start_once(side: Side, env: dict[str, str], home: Path | None) -> tuple[float, float, str, str]:
    """One whole process: seconds to the first paint and to exit, what painted, stderr."""
    child_env = dict(env)
    # as on the rep's machine, where Python caches each module's bytecode (a shell that
    # sets PYTHONDONTWRITEBYTECODE would have the app compile every module at every start,
    # while PySide6, installed by pip, comes compiled); the untimed first start caches it
    child_env.pop("PYTHONDONTWRITEBYTECODE", None)
    if home is not None:
        child_env[HOME_ENV] = str(home)
    command = [sys.executable, "-c", side.script]
    began_clock = time.monotonic()
    began = time.perf_counter()
    done = subprocess.run(command, env=child_env, capture_output=True, text=True, timeout=300)
    total = time.perf_counter() - began
    lines = done.stdout.splitlines()
    stamps = [line.split() for line in lines if line.startswith("painted ")]
    missed = [line for line in lines if line.startswith("missed")]
    if done.returncode != 0 or len(stamps) != 1 or missed:
        said = (missed or done.stderr.strip().splitlines() or ["nothing on stderr"])[-1]
        raise ChildFailed(
            f"{side.label}: exit status {done.returncode}, {len(stamps)} paint stamp(s); {said}"
        )
    _, clock, painted = stamps[0]
    return float(clock) - began_clock, total, painted, done.stderr.strip()


def cache_stamp(home: Path) -> str | None:
    """When the busy-time cache in that home's database was last filled (None: empty)."""
    database = resolve_paths({HOME_ENV: str(home)}).database
    with closing(sqlite3.connect(database)) as conn:
        row = conn.execute("SELECT max(loaded_at) FROM busy_source").fetchone()
    return None if row is None or row[0] is None else str(row[0])


def time_starts(
    reps: Repetitions, templates: Templates, root: Path, env: dict[str, str]
) -> tuple[dict[str, Starts], dict[str, float]]:
    """Untimed first starts (bytecode, font and file caches), then alternating rounds."""
    results = {side.key: Starts() for side in SIDES}
    first: dict[str, float] = {}
    runs = 0

    def once(side: Side) -> tuple[float, float, str, str, bool]:
        nonlocal runs
        runs += 1
        if side.warm is None:
            return (*start_once(side, env, None), False)
        home = templates.home(root, f"{runs:03d}-{side.key}", warm=side.warm)
        before = cache_stamp(home)
        measured = start_once(side, env, home)
        return (*measured, cache_stamp(home) != before)

    for side in SIDES:
        first[side.key] = once(side)[0]
    for round_ in range(reps.starts):
        shift = round_ % len(SIDES)  # the order rotates: no side always runs after another
        for side in SIDES[shift:] + SIDES[:shift]:
            paint, total, painted, stderr, read = once(side)
            got = results[side.key]
            got.calendar_read += int(read)
            got.paint.append(paint)
            got.total.append(total)
            got.painted.add(painted)
            if stderr:
                got.stderr.append(stderr)
    return results, first


# --------------------------------------------------------------------------- (b) keystrokes


@dataclass(frozen=True)
class KeyStep:
    label: str
    key: Qt.Key
    expect: Step


_DAY_KEYS = (Qt.Key.Key_1, Qt.Key.Key_2)


def plan_walk(flow: Narrowing) -> tuple[KeyStep, ...]:
    """The seven-key walk of the brief (3, 2, A, 3, Backspace x3), kept to keys that move
    the flow on this calendar: the first day when late next week offers only one, the
    morning when that day's afternoon is full. The hour key is always 3: the flow either
    highlights a time at 3 or says nothing is free then, and repaints either way."""
    offered = flow.offered_days(Horizon.LATE_NEXT_WEEK)
    index = 1 if len(offered) > 1 else 0
    day = offered[index].day if offered else None
    free = {p.part: p.slots for p in flow.parts(day)} if day else {}
    afternoon = bool(free.get(PartOfDay.AFTERNOON))
    part_key, part_name = (Qt.Key.Key_A, "afternoon") if afternoon else (Qt.Key.Key_M, "morning")
    nth = ("first", "second")[index]
    return (
        KeyStep("3  late next week -> its days", Qt.Key.Key_3, Step.DAY),
        KeyStep(f"{index + 1}  the {nth} day -> parts", _DAY_KEYS[index], Step.PART),
        KeyStep(f"{part_name[0].upper()}  {part_name} -> times", part_key, Step.TIME),
        KeyStep("3  the hour typed at the times", Qt.Key.Key_3, Step.TIME),
        KeyStep("Backspace  times -> parts", Qt.Key.Key_Backspace, Step.PART),
        KeyStep("Backspace  parts -> days", Qt.Key.Key_Backspace, Step.DAY),
        KeyStep("Backspace  days -> horizons", Qt.Key.Key_Backspace, Step.HORIZON),
    )


@dataclass
class KeyTimes:
    painted: list[float] = field(default_factory=list)  # key sent .. frame with the panel done
    handled: list[float] = field(default_factory=list)  # key sent .. keyPressEvent returned
    paint_start: list[float] = field(default_factory=list)  # key sent .. panel's Paint event


class KeyDriver(QObject):
    """Sends the walk's keys one after another from the event loop and times each frame."""

    def __init__(
        self, window: MainWindow, walk: Sequence[KeyStep], reps: Repetitions, loop: QEventLoop
    ) -> None:
        super().__init__()
        self.window = window
        self.panel = window.panel
        self.walk = walk
        self.loop = loop
        self.total = (reps.warmup_rounds + reps.rounds) * len(walk)
        self.counted_from = reps.warmup_rounds * len(walk)
        self.times = {step.label: KeyTimes() for step in walk}
        self.warmup = KeyTimes()
        self.problem = ""
        self.says: dict[str, str] = {}
        self._sent = 0
        self._began = 0.0
        self._handled = 0.0
        self._paint_start = 0.0
        self._waiting = False
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._no_paint)
        self.panel.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._waiting and watched is self.panel and event.type() == QEvent.Type.Paint:
            self._waiting = False
            self._paint_start = time.perf_counter()
            # runs once the whole repaint (the panel's children too) is done and flushed
            QTimer.singleShot(0, self._frame_done)
        return False

    def start(self) -> None:
        QTimer.singleShot(0, self._press)

    def _step(self) -> KeyStep:
        return self.walk[self._sent % len(self.walk)]

    def _press(self) -> None:
        step = self._step()
        self._waiting = True
        self._watchdog.start(NO_PAINT_AFTER_MS)
        self._began = time.perf_counter()
        QTest.keyClick(self.panel, step.key)
        self._handled = time.perf_counter()
        flow = self.window.vm.flow
        if flow.step is not step.expect:
            self._stop(
                f"the key {step.label!r} left the flow at {flow.step.name}, not "
                f"{step.expect.name} (message: {flow.message or 'none'})"
            )
            return
        said = self.panel.say_label.text() + (f" [{flow.message}]" if flow.message else "")
        self.says.setdefault(step.label, said)

    def _frame_done(self) -> None:
        done = time.perf_counter()
        self._watchdog.stop()
        step = self._step()
        times = self.times[step.label] if self._sent >= self.counted_from else self.warmup
        times.painted.append(done - self._began)
        times.handled.append(self._handled - self._began)
        times.paint_start.append(self._paint_start - self._began)
        self._sent += 1
        if self._sent >= self.total:
            self._stop("")
        else:
            QTimer.singleShot(KEY_PAUSE_MS, self._press)

    def _no_paint(self) -> None:
        self._stop(f"no repaint of the panel within {NO_PAINT_AFTER_MS} ms of {self._step().label}")

    def _stop(self, problem: str) -> None:
        self.problem = problem
        self._waiting = False
        self._watchdog.stop()
        self.loop.quit()


def wait_until(condition: object, seconds: float) -> bool:
    assert callable(condition)
    deadline = time.perf_counter() + seconds
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() > deadline:
            return False
        QTimer.singleShot(5, loop.quit)
        loop.exec()
    return True


@dataclass(frozen=True)
class KeyResult:
    walk: tuple[KeyStep, ...]
    times: dict[str, KeyTimes]
    warmup: KeyTimes
    says: dict[str, str]
    problem: str
    ready: float  # seconds from show() to the flow holding busy time
    qt_messages: dict[str, int]

    def all_painted(self) -> list[float]:
        return [t for times in self.times.values() for t in times.painted]


def time_keys(reps: Repetitions, home: Path) -> KeyResult:
    paths = resolve_paths({HOME_ENV: str(home)})
    said: dict[str, int] = {}

    def qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        said[message] = said.get(message, 0) + 1  # counted and printed, not left on stderr

    qInstallMessageHandler(qt_message)
    application()
    window = build_window(paths, load_settings(paths.settings_file), FixedClock(NOW))
    try:
        began = time.perf_counter()
        window.show()
        window.activateWindow()
        vm = window.vm

        def ready() -> bool:
            return vm.flow.narrowing is not None and not vm.flow.loading and not vm.runner.pending

        if not wait_until(ready, 120) or vm.flow.narrowing is None:
            problem = "the flow never got its busy time"
            return KeyResult((), {}, KeyTimes(), {}, problem, 0.0, said)
        ready_after = time.perf_counter() - began
        walk = plan_walk(vm.flow.narrowing)
        window.focus_flow()
        wait_until(lambda: False, 0.3)  # let the first frames settle
        loop = QEventLoop()
        driver = KeyDriver(window, walk, reps, loop)
        gc.collect()
        driver.start()
        loop.exec()
        return KeyResult(
            walk, driver.times, driver.warmup, driver.says, driver.problem, ready_after, said
        )
    finally:
        window.close()
        window.vm.runner.shutdown()
        window.deleteLater()
        qInstallMessageHandler(None)


# --------------------------------------------------------------------------- the display


@contextmanager
def display(mode: str) -> Iterator[tuple[dict[str, str], str]]:
    """The environment for every Qt process here, and a name for it."""
    env = dict(os.environ)
    env.pop(HOME_ENV, None)
    if mode == "offscreen":
        env["QT_QPA_PLATFORM"] = "offscreen"
        yield env, "offscreen platform"
        return
    if mode == "display":
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            raise SystemExit("--display needs $DISPLAY or $WAYLAND_DISPLAY")
        env.pop("QT_QPA_PLATFORM", None)
        yield env, f"the session's display {env.get('DISPLAY') or env.get('WAYLAND_DISPLAY')}"
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("--xvfb needs Xvfb on the PATH")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise SystemExit("Xvfb did not start")
        env["DISPLAY"] = f":{number}"
        env["QT_QPA_PLATFORM"] = "xcb"
        yield env, f"Xvfb :{number} (xcb platform)"
    finally:
        server.terminate()
        server.wait(timeout=10)


# --------------------------------------------------------------------------- printing


def print_context(quick: bool, where: str) -> None:
    print(
        f"Followup Desk start-up benchmark ({'--quick smoke run' if quick else 'full run'}): "
        f"Python {platform.python_version()}, PySide6 {pyside_version} (Qt {qVersion()}), "
        f"icalendar {metadata.version('icalendar')}, {os.cpu_count()} CPU(s), "
        f"{platform.platform()}; Qt on the {where}"
    )
    print(
        "Figures come from this one run on a shared machine; other work on it moves them. "
        "Nothing is asserted."
    )
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(
            "PYTHONDONTWRITEBYTECODE is set here; the children start without it, so the app's "
            "modules are read from cached bytecode as on a rep's machine."
        )


def ratio(app: Sequence[float], bare: Sequence[float]) -> float:
    return statistics.median(app) / statistics.median(bare)


def print_starts(results: dict[str, Starts], first: dict[str, float], reps: Repetitions) -> None:
    print(
        f"\n(a) start-up, whole processes, {reps.starts} runs per side, alternating (the order "
        "rotates each round);\n    first paint = the first Paint event of the first top-level "
        "window, stamped in the child"
    )
    print(
        f"  {'side':<46} {'paint p50':>9} {'paint p95':>9} {'exit p50':>9} {'exit p95':>9}"
        f"  {'paint/bare':>10}"
    )
    bare = results["bare"]
    for side in SIDES:
        got = results[side.key]
        share = "" if side.key == "bare" else f"{ratio(got.paint, bare.paint):.2f}x"
        print(
            f"  {side.label:<46} {ms(statistics.median(got.paint)):>9} "
            f"{ms(percentile(got.paint, 95)):>9} {ms(statistics.median(got.total)):>9} "
            f"{ms(percentile(got.total, 95)):>9}  {share:>10}"
        )
    print(
        "  exit = the whole process, timed around subprocess.run; whole-process ratios: "
        + ", ".join(
            f"{side.key} {ratio(results[side.key].total, bare.total):.2f}x" for side in SIDES[1:]
        )
    )
    print(
        "  runs whose worker read the calendar before the process ended: "
        + ", ".join(
            f"{side.key} {results[side.key].calendar_read} of {reps.starts}" for side in SIDES[1:]
        )
    )
    print(
        "  what painted first: "
        + "; ".join(f"{side.key} {', '.join(sorted(results[side.key].painted))}" for side in SIDES)
    )
    print(
        "  first starts (untimed, not in the figures): "
        + ", ".join(f"{side.key} {ms(first[side.key])} to paint" for side in SIDES)
    )
    for side in SIDES:
        said = results[side.key].stderr
        if said:
            lines = said[0].splitlines()
            print(f"  {side.key}: stderr in {len(said)} of {reps.starts} runs, e.g. {lines[-1]!r}")


def print_keys(result: KeyResult, reps: Repetitions) -> None:
    print(
        f"\n(b) keystroke to the next step painted, in-process, warm cache: {reps.rounds} rounds "
        f"of the {len(result.walk)}-key walk (after {reps.warmup_rounds} untimed), "
        f"{KEY_PAUSE_MS} ms between keys; busy time reached the flow "
        f"{ms(result.ready)} after show()"
    )
    if result.problem:
        print(f"  STOPPED: {result.problem}")
    print(
        f"  {'key and step':<34} {'p50':>8} {'p95':>8} {'max':>8} {'handled p95':>12}"
        f" {'paint p95':>10}  keys"
    )
    for step in result.walk:
        times = result.times[step.label]
        if not times.painted:
            continue
        print(
            f"  {step.label:<34} {percentile(times.painted, 50) * 1000:>5.2f} ms"
            f" {percentile(times.painted, 95) * 1000:>5.2f} ms"
            f" {max(times.painted) * 1000:>5.2f} ms"
            f" {percentile(times.handled, 95) * 1000:>9.2f} ms"
            f" {percentile(times.paint_start, 95) * 1000:>7.2f} ms  {len(times.painted):>4}"
        )
    every = result.all_painted()
    if every:
        print(
            f"  {'every key':<34} {percentile(every, 50) * 1000:>5.2f} ms"
            f" {percentile(every, 95) * 1000:>5.2f} ms {max(every) * 1000:>5.2f} ms"
            f"{'':>25}  {len(every):>4}"
        )
    if result.warmup.painted:
        print(
            f"  untimed first round(s): the very first key {ms(result.warmup.painted[0])}, "
            f"slowest {ms(max(result.warmup.painted))}"
        )
    print(
        "  handled = until the key press returned (view model + rebuilding the panel's rows); "
        "paint = until\n  the panel's Paint event; p50/p95/max = until that frame was done."
    )
    for label, say in result.says.items():
        if say:
            print(f"  after {label.split()[0]!r:<11} {say}")
    for message, count in result.qt_messages.items():
        print(f"  Qt said {count}x: {message}")


def print_summary(starts: dict[str, Starts], keys: KeyResult) -> None:
    bare = starts["bare"]
    rows: list[tuple[str, str, str, bool]] = []
    for side in SIDES[1:]:
        share = ratio(starts[side.key].paint, bare.paint)
        rows.append(
            (
                f"(a) start to first paint, {side.key} cache / bare window",
                f"{share:.2f}x",
                f"<= {GOAL_START_RATIO}x",
                share <= GOAL_START_RATIO,
            )
        )
    for step in keys.walk:
        times = keys.times.get(step.label)
        if times is None or not times.painted:
            rows.append((f"(b) {step.label} p95", "not run", f"< {GOAL_KEY_P95_MS:g} ms", False))
            continue
        p95 = percentile(times.painted, 95) * 1000
        rows.append(
            (
                f"(b) {step.label} p95",
                f"{p95:.2f} ms",
                f"< {GOAL_KEY_P95_MS:g} ms",
                p95 < GOAL_KEY_P95_MS,
            )
        )
    every = keys.all_painted()
    if every:
        p95 = percentile(every, 95) * 1000
        goal = f"< {GOAL_KEY_P95_MS:g} ms"
        rows.append(("(b) every key p95", f"{p95:.2f} ms", goal, p95 < GOAL_KEY_P95_MS))
    print_summary_table(rows)


# --------------------------------------------------------------------------- the run


def prepare(workdir: Path) -> Templates:
    began = time.perf_counter()
    data, stats = generate_calendar(random.Random(SEED))
    calendar = workdir / "benchmark-calendar.ics"
    calendar.write_bytes(data)
    print(
        f"\nCalendar {calendar}: {len(data) / 1_048_576:.2f} MB, {stats.vevents:,} VEVENTs "
        f"(benchmarks/slots.py, seed {SEED}, generated in {time.perf_counter() - began:.1f} s)"
    )
    home = workdir / "template"
    write_settings(home, calendar)
    paths = resolve_paths({HOME_ENV: str(home)})
    filled = fill_database(paths, random.Random(SEED + 1))
    cold = workdir / "cold.sqlite3"
    snapshot(paths.database, cold)
    began = time.perf_counter()
    blocks = warm_cache(paths)
    warming = time.perf_counter() - began
    warm = workdir / "warm.sqlite3"
    snapshot(paths.database, warm)
    print(
        f"Database: {filled.prospects:,} prospects = {filled.next_steps:,} with a booked next "
        f"step (working days of the next {FUTURE_DAYS} days) + {filled.past_only} whose meeting "
        f"is over + {filled.cancelled_only} cancelled; written in {filled.seconds:.1f} s; "
        f"{cold.stat().st_size / 1024:.0f} KiB cold, {warm.stat().st_size / 1024:.0f} KiB warm "
        f"(cache filled in {warming:.1f} s: {blocks} busy blocks in the first read's "
        f"{AHEAD_DAYS + 1} days)"
    )
    return Templates(paths.settings_file, cold, warm)


def run(reps: Repetitions, workdir: Path, *, quick: bool, mode: str) -> None:
    with display(mode) as (env, where):
        os.environ.pop("QT_QPA_PLATFORM", None)  # this process's Qt (b) runs where the children do
        os.environ.update({k: v for k, v in env.items() if k in ("QT_QPA_PLATFORM", "DISPLAY")})
        print_context(quick, where)
        templates = prepare(workdir)
        starts, first = time_starts(reps, templates, workdir / "starts", env)
        print_starts(starts, first, reps)
        keys = time_keys(reps, templates.home(workdir, "keys", warm=True))
        print_keys(keys, reps)
        print_summary(starts, keys)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start-up and keystroke benchmark (prints figures, asserts nothing)."
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--xvfb", action="store_true", help="run Qt on a private Xvfb server")
    where.add_argument("--display", action="store_true", help="run Qt on the session's display")
    args = parser.parse_args(argv)
    reps = QUICK if args.quick else FULL
    mode = "xvfb" if args.xvfb else "display" if args.display else "offscreen"
    with tempfile.TemporaryDirectory(prefix="followup-desk-startup-") as tmp:
        try:
            run(reps, Path(tmp), quick=args.quick, mode=mode)
        except ChildFailed as exc:
            print(f"\nSTOPPED: a start failed: {exc}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
