"""The tray and the reminders: the menu counts what the review counts, its actions bring the
window up where the rep needs it, and a touch that comes due is announced once, not on
every tick.

The offscreen platform has no system tray: the tray object, its menu and its notices are
built and checked here, but the icon is not shown (``show_if_available`` says so). Without a
tray a notice goes to the window's status line; that is the path these tests see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.review import Group
from followup_desk.paths import AppPaths
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.launch import build_window
from followup_desk.ui.tray import DeskTray, install_tray
from followup_desk.ui.viewmodels.reminders import RemindersViewModel
from followup_desk.ui.viewmodels.review import PAGE
from followup_desk.ui.widgets.main_window import MainWindow
from tests.conftest import SettingsWriter
from tests.gui.conftest import BERLIN, NOW, add_prospects
from tests.gui.test_review_page import seed

TUESDAY = date(2026, 11, 24)


class MovableClock:
    """The worker reads the time from here; a test moves it to the next morning."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def desk(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter
) -> Iterator[tuple[MainWindow, MovableClock]]:
    """Monday 23 November: Ana's first touch is overdue, Lee's meeting waits for its
    outcome, Dana's follow-up is on Tuesday (tomorrow)."""
    seed(fd_home, write_settings)
    setup = open_desk(fd_home)
    try:
        setup.followups.set_follow_up(1, TUESDAY)  # Dana
    finally:
        setup.close()
    clock = MovableClock(NOW)
    window = build_window(fd_home, load_settings(fd_home.settings_file), clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.review_vm.review is not None and window.vm.runner.pending == 0)
    yield window, clock
    window.vm.runner.shutdown()


def settled(qtbot: QtBot, window: MainWindow) -> None:
    """The window's first reads are done (a tick waited for is then the tick's own)."""
    qtbot.waitUntil(lambda: window.review_vm.review is not None and window.vm.runner.pending == 0)


def tick(qtbot: QtBot, reminders: RemindersViewModel) -> None:
    """One reminder tick, waited for: the review read again in the worker."""
    with qtbot.waitSignal(reminders.countsChanged, timeout=10_000):
        reminders.check()


def listen(reminders: RemindersViewModel) -> list[tuple[str, str]]:
    heard: list[tuple[str, str]] = []
    reminders.notify.connect(lambda title, text: heard.append((title, text)))
    return heard


def test_a_touch_that_comes_due_is_announced_once_and_not_on_every_tick(
    qtbot: QtBot, desk: tuple[MainWindow, MovableClock]
) -> None:
    window, clock = desk
    reminders = RemindersViewModel(window.review_vm)
    heard = listen(reminders)

    tick(qtbot, reminders)
    assert [title for title, _ in heard] == [
        "Touch due: Ana Lopez",
        "Did the meeting with Lee Park happen?",
    ]
    assert heard[0][1].endswith(", was due Tue 17 Nov.")
    assert heard[1][1] == "It was on Wed 18 Nov at 10:00. Say so in the weekly review."

    heard.clear()
    tick(qtbot, reminders)
    tick(qtbot, reminders)
    assert heard == []  # same things due: nothing said again

    clock.at = NOW + timedelta(days=1)  # Tuesday morning: Dana's follow-up comes due
    tick(qtbot, reminders)
    assert heard == [("Touch due: Dana Whitfield", "Follow up, due today.")]
    tick(qtbot, reminders)
    assert len(heard) == 1


def test_the_reminder_timer_announces_each_thing_once(
    qtbot: QtBot, desk: tuple[MainWindow, MovableClock]
) -> None:
    window, _ = desk
    reminders = RemindersViewModel(window.review_vm, every_ms=50, first_ms=0)
    heard = listen(reminders)
    reads = [0]
    reminders.countsChanged.connect(lambda: reads.__setitem__(0, reads[0] + 1))

    reminders.start()
    qtbot.waitUntil(lambda: reads[0] >= 5, timeout=10_000)
    reminders.stop()

    assert len(heard) == 2  # Ana's touch, Lee's meeting: once each over five reads


def test_the_tray_menu_counts_what_the_review_counts(
    qtbot: QtBot, desk: tuple[MainWindow, MovableClock]
) -> None:
    window, clock = desk
    reminders = RemindersViewModel(window.review_vm)
    tray = DeskTray(window, reminders)
    assert tray.due_action.text() == "Reading the review…"

    tick(qtbot, reminders)
    review = window.review_vm.review
    assert review is not None
    due = len(review.items(Group.OVERDUE)) + len(review.items(Group.DUE_TODAY))
    assert (due, len(window.review_vm.awaiting)) == (1, 1)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == [
        "1 touch due today (1 overdue)",
        "1 meeting waiting for its outcome",
        "New next step",
        "Weekly review",
        "Quit",
    ]
    assert tray.icon.toolTip() == (
        "Followup Desk\n1 touch due today (1 overdue)\n1 meeting waiting for its outcome"
    )

    clock.at = NOW + timedelta(days=1)
    tick(qtbot, reminders)
    assert tray.due_action.text() == "2 touches due today (1 overdue)"


def test_where_there_is_no_tray_the_icon_is_not_shown_and_notices_reach_the_window(
    qtbot: QtBot, desk: tuple[MainWindow, MovableClock]
) -> None:
    window, _ = desk
    reminders = RemindersViewModel(window.review_vm, first_ms=0)
    tray = install_tray(window, reminders)

    available = QSystemTrayIcon.isSystemTrayAvailable()
    assert tray.icon.isVisible() is available  # offscreen: no tray, so not shown
    assert not tray.icon.icon().isNull()
    if not available:
        bar = window.statusBar()
        qtbot.waitUntil(lambda: "Did the meeting with Lee Park happen? · " in bar.currentMessage())
        assert bar.currentMessage().startswith("Touch due: Ana Lopez · ")
    reminders.stop()


def test_new_next_step_from_the_tray_brings_the_window_up_on_an_empty_form(
    qtbot: QtBot, desk: tuple[MainWindow, MovableClock]
) -> None:
    window, _ = desk
    tray = DeskTray(window, RemindersViewModel(window.review_vm))
    window.show_review()
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)

    tray.new_action.trigger()

    qtbot.waitUntil(lambda: not window.isMinimized())
    assert window.pages.currentIndex() == 0
    assert window.vm.form.value("name") == ""
    qtbot.waitUntil(lambda: window.form.isAncestorOf(window.focusWidget()))


def test_weekly_review_and_quit_from_the_tray(
    qtbot: QtBot, desk: tuple[MainWindow, MovableClock]
) -> None:
    window, _ = desk
    tray = DeskTray(window, RemindersViewModel(window.review_vm))

    tray.review_action.trigger()
    assert window.pages.currentWidget() is window.review

    tray.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not window.vm.runner._thread.isRunning()


def test_with_more_due_than_the_review_shows_the_tray_and_notice_count_them_all(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    many = PAGE + 20
    add_prospects(fd_home, "Due", many, follow_up="2026-11-20")  # last Friday
    window = build_window(fd_home, load_settings(fd_home.settings_file), MovableClock(NOW))
    qtbot.addWidget(window)
    try:
        settled(qtbot, window)
        reminders = RemindersViewModel(window.review_vm)
        tray = DeskTray(window, reminders)
        heard = listen(reminders)
        tick(qtbot, reminders)

        assert tray.due_action.text() == f"{many} touches due today ({many} overdue)"
        assert heard == [(f"{many} touches due", f"Due 000, Due 001, Due 002 and {many - 3} more.")]
    finally:
        window.vm.runner.shutdown()


def many_due(home: AppPaths, count: int, day: str = "2026-11-20") -> None:
    """``count`` prospects whose follow-up date is ``day``, named Due 000, Due 001..."""
    add_prospects(home, "Due", count, follow_up=day)


def test_clearing_the_first_rows_of_a_long_overdue_list_announces_nothing_new(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    many_due(fd_home, PAGE + 20)
    window = build_window(fd_home, load_settings(fd_home.settings_file), MovableClock(NOW))
    qtbot.addWidget(window)
    try:
        settled(qtbot, window)
        reminders = RemindersViewModel(window.review_vm)
        heard = listen(reminders)
        tick(qtbot, reminders)
        assert [title for title, _ in heard] == [f"{PAGE + 20} touches due"]

        # the rep snoozes the first ten: the ones behind them were due all along
        desk = open_desk(fd_home, FixedClock(NOW))
        try:
            for pid in range(1, 11):
                desk.followups.snooze(pid, TUESDAY + timedelta(days=7))
        finally:
            desk.close()
        heard.clear()
        tick(qtbot, reminders)
        assert heard == []
        assert reminders.due == PAGE + 10

        # one comes due anew, past the rows the review read (Saturday sorts after Friday's
        # hundred): it is announced, and named
        desk = open_desk(fd_home, FixedClock(NOW))
        try:
            desk.followups.set_follow_up(PAGE + 20, date(2026, 11, 21))  # Due 119
        finally:
            desk.close()
        tick(qtbot, reminders)
        assert heard == [("Touch due: Due 119", "A touch, was due Sat 21 Nov.")]
    finally:
        window.vm.runner.shutdown()


def test_rows_read_after_midnight_continue_the_review_the_rep_is_looking_at(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    many_due(fd_home, PAGE + 5, day="2026-11-23")  # all due on Monday
    clock = MovableClock(datetime(2026, 11, 23, 23, 50, tzinfo=BERLIN))
    window = build_window(fd_home, load_settings(fd_home.settings_file), clock)
    qtbot.addWidget(window)
    try:
        settled(qtbot, window)
        model = window.review_vm.model
        today = model.group_index(Group.DUE_TODAY)
        assert model.rowCount(today) == PAGE

        clock.at = datetime(2026, 11, 24, 0, 10, tzinfo=BERLIN)  # past midnight, Tuesday
        model.read_more(today)
        qtbot.waitUntil(lambda: window.vm.runner.pending == 0)

        # the group still reads as shown: Monday's "due today", all of it, in order
        names = [model.index(r, 0, today).data() for r in range(model.rowCount(today))]
        assert names == [f"Due {n:03d}" for n in range(PAGE + 5)]
    finally:
        window.vm.runner.shutdown()


def test_a_reload_by_the_clock_keeps_the_cursor_on_the_prospect_it_was_on(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    """At 23:50 the rep is on Tue 002 (due this week); past midnight the reminders' reload
    moves Tue 002 to "Due today": the cursor goes with them, not to whoever took their row
    (a key pressed then would act on someone else)."""
    write_settings()
    add_prospects(fd_home, "Tue", 5, follow_up="2026-11-24")
    add_prospects(fd_home, "Wed", 5, follow_up="2026-11-25")
    clock = MovableClock(datetime(2026, 11, 23, 23, 50, tzinfo=BERLIN))
    window = build_window(fd_home, load_settings(fd_home.settings_file), clock)
    qtbot.addWidget(window)
    try:
        settled(qtbot, window)
        vm = window.review_vm
        window.review.tree.setCurrentIndex(vm.model.index_of(3))  # Tue 002
        clock.at = datetime(2026, 11, 24, 0, 5, tzinfo=BERLIN)
        reminders = RemindersViewModel(vm)
        tick(qtbot, reminders)

        assert vm.review is not None
        assert [i.facts.name for i in vm.review.items(Group.DUE_TODAY)][2] == "Tue 002"
        on = window.review.selected()
        assert on is not None and (on.facts.name, on.group) == ("Tue 002", Group.DUE_TODAY)
    finally:
        window.vm.runner.shutdown()
