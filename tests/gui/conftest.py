"""The live-meeting window on a pinned clock, a real SQLite file and a real .ics calendar.

The rep works from Berlin; "now" is Monday 23 November 2026, 10:00. Late next week is
Thursday 3 and Friday 4 December. On Friday afternoon the rep has meetings at 13:00-14:30
and 16:00-17:00, so "how about 3?" is free and 14:00 is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from followup_desk.adapters.clock import FixedClock
from followup_desk.domain.review import name_key
from followup_desk.paths import AppPaths
from followup_desk.storage.codec import instant
from followup_desk.storage.db import connect
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.launch import build_window
from followup_desk.ui.widgets.main_window import MainWindow
from tests.conftest import SettingsWriter
from tests.servers import MemoryKeyring

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Followup Desk tests//EN
BEGIN:VEVENT
UID:friday-1@test
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261204T130000
DTEND;TZID=Europe/Berlin:20261204T143000
SUMMARY:Board review
END:VEVENT
BEGIN:VEVENT
UID:friday-2@test
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261204T160000
DTEND;TZID=Europe/Berlin:20261204T170000
SUMMARY:Pipeline call
END:VEVENT
BEGIN:VEVENT
UID:wednesday@test
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261202T090000
DTEND;TZID=Europe/Berlin:20261202T170000
SUMMARY:Offsite
END:VEVENT
END:VCALENDAR
"""

WindowFactory = Callable[..., MainWindow]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Passwords go to a keyring in this process: no GUI test touches the real one."""
    before: KeyringBackend = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "calendars" / "work.ics"
    path.parent.mkdir()
    path.write_text(CALENDAR.replace("\n", "\r\n"), encoding="utf-8", newline="")
    return path


@pytest.fixture
def make_window(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter, calendar_file: Path
) -> Iterator[WindowFactory]:
    windows: list[MainWindow] = []

    def make(
        now: datetime = NOW,
        sources: list[str] | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> MainWindow:
        path = write_settings(
            sources=[str(calendar_file)] if sources is None else sources,
            **settings,
        )
        if timeout is not None:  # how long a server may take to answer
            text = path.read_text(encoding="utf-8")
            line = f"[free_busy]\nfeed_timeout_seconds = {timeout}\n"
            path.write_text(text.replace("[free_busy]\n", line), encoding="utf-8")
        window = build_window(fd_home, load_settings(fd_home.settings_file), FixedClock(now))
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.vm.flow.narrowing is not None and not window.vm.flow.loading)
        return window

    yield make
    for window in windows:
        window.shutdown_workers()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(
    qtbot: QtBot, key: Qt.Key | str, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """One keystroke, to whatever has the focus, as the rep's keyboard would send it."""
    qtbot.keyClick(focused(), key, modifier)  # type: ignore[no-untyped-call]  # pytest-qt


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)  # type: ignore[no-untyped-call]  # pytest-qt


def answer(reply: Callable[[QDialog], None]) -> None:
    """Answer the next modal dialog with ``reply`` once it is up (dialogs block the test)."""
    tries = [0]

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QDialog):
            tries[0] += 1
            if tries[0] < 300:
                QTimer.singleShot(10, look)
            return
        reply(box)

    QTimer.singleShot(0, look)


def add_prospects(
    home: AppPaths,
    prefix: str,
    count: int,
    *,
    created: datetime = NOW - timedelta(days=30),
    follow_up: str | None = None,
) -> None:
    """``count`` prospects written straight into the database (a review of hundreds, faster
    than booking each): "{prefix} 000", "{prefix} 001"..., created a minute apart from
    ``created``, untouched since, with ``follow_up`` (an ISO date) as their follow-up date."""
    conn = connect(home.database)
    try:
        for n in range(count):
            name, at = f"{prefix} {n:03d}", instant(created + timedelta(minutes=n))
            address = f"{prefix.lower()}{n}@example.com"
            conn.execute(
                "INSERT INTO prospect (name, name_key, email, email_key, time_zone, created,"
                " updated, follow_up_suggested) VALUES (?, ?, ?, ?, 'Europe/Berlin', ?, ?, ?)",
                (name, name_key(name), address, address, at, at, follow_up),
            )
    finally:
        conn.close()
