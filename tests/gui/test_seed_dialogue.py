"""Seed 000's dialogue, driven by the keyboard alone, from the name field to the invite.

"How about late next week?" - "Thursday or Friday?" Friday - "Friday morning?" busy -
"let's book in for 3?" - "I'll send through an appointment now."
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from followup_desk.paths import AppPaths
from followup_desk.ui.viewmodels.narrowing import Step
from tests.gui.conftest import BERLIN, WindowFactory, press, type_text

CHICAGO = ZoneInfo("America/Chicago")


def fill_prospect(qtbot: QtBot, zone: str = "") -> None:
    type_text(qtbot, "Dana Whitfield")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "dana@example.com")
    if zone:
        press(qtbot, Qt.Key.Key_Tab)  # company
        press(qtbot, Qt.Key.Key_Tab)  # phone
        press(qtbot, Qt.Key.Key_Tab)  # zone
        press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, zone)


def test_the_seed_dialogue_books_friday_at_3_in_six_keystrokes(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    window = make_window()
    flow = window.vm.flow
    fill_prospect(qtbot)
    press(qtbot, Qt.Key.Key_Return)  # from the form to the flow
    assert window.panel.hasFocus()
    assert "late next week" in window.panel.say_label.text()

    keys: list[Qt.Key] = [
        Qt.Key.Key_3,  # late next week
        Qt.Key.Key_2,  # Friday
        Qt.Key.Key_A,  # afternoon
        Qt.Key.Key_3,  # "how about 3?"
        Qt.Key.Key_Return,  # that time
        Qt.Key.Key_Return,  # book and write the invite
    ]
    steps = []
    for key in keys:
        press(qtbot, key)
        steps.append((flow.step, window.panel.say_label.text()))
    assert [s for s, _ in steps[:5]] == [Step.DAY, Step.PART, Step.TIME, Step.TIME, Step.CONFIRM]
    assert steps[0][1] == "Say: “Does Thursday or Friday suit you better?”"
    assert steps[3][1] == "Say: “How about Friday at 15:00?”"

    qtbot.waitUntil(lambda: window.vm.outcome is not None)
    outcome = window.vm.outcome
    assert outcome is not None
    assert window.outcome.isVisible()
    assert "I'll send the invite now" in window.outcome.say.text()
    assert outcome.ics_path in window.outcome.file.text()

    with closing(sqlite3.connect(fd_home.database)) as conn:
        rows = conn.execute("SELECT start_utc, end_utc, status FROM booking").fetchall()
        names = conn.execute("SELECT name, email FROM prospect").fetchall()
    assert rows == [("2026-12-04T14:00:00+00:00", "2026-12-04T14:30:00+00:00", "booked")]
    assert names == [("Dana Whitfield", "dana@example.com")]
    event = icalendar.Calendar.from_ical(Path(outcome.ics_path).read_bytes()).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2026, 12, 4, 15, 0, tzinfo=BERLIN)
    assert event.decoded("DTEND") == datetime(2026, 12, 4, 15, 30, tzinfo=BERLIN)
    assert "dana@example.com" in str(event["ATTENDEE"])
    # the list shows the new next step
    qtbot.waitUntil(lambda: window.vm.prospects.rowCount() == 1)
    assert window.vm.prospects.step(0) is not None


def test_the_prospects_zone_is_said_aloud_and_both_zones_are_shown(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    fill_prospect(qtbot, zone="America/Chicago")
    press(qtbot, Qt.Key.Key_Return)
    for key in (Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A):
        press(qtbot, key)

    # 3 pm in Chicago is 22:00 in Berlin: outside the rep's hours, so the rep's 15:00 is it
    press(qtbot, Qt.Key.Key_3)
    say = window.panel.say_label.text()
    assert say == "Say: “How about Friday at 08:00 your time?”"
    tiles = [row.option for row in window.panel.rows()]
    first = next(t for t in tiles if t.title.startswith("15:00"))
    assert (first.title, first.detail) == ("15:00–15:30 CET", "them 08:00–08:30 CST")

    press(qtbot, Qt.Key.Key_Return)  # the confirm step spells out both offsets
    [confirm] = [row.option for row in window.panel.rows()]
    assert confirm.detail == (
        "you: Friday 4 December (CET, UTC+01:00) · them: Fri 4 Dec 08:00–08:30 (CST, UTC-06:00)"
    )


def test_busy_and_too_early_times_are_explained_not_just_missing(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    press(qtbot, Qt.Key.Key_Return)  # straight to the flow from the empty name field
    for key in (Qt.Key.Key_L, Qt.Key.Key_2, Qt.Key.Key_A):
        press(qtbot, key)

    note = window.panel.missing_label.text()
    # 30 minutes and 10-minute buffers: 12:30 would run into the 13:00 board review, 14:30
    # would start straight out of it; 15:30 would run into the 16:00 call
    assert note == "Not offered: 12:30-14:30 busy; 15:30-16:30 busy; 16:45 outside your hours"
    titles = [row.option.title for row in window.panel.rows()]
    assert "14:00–14:30 CET" not in titles
    assert "15:00–15:30 CET" in titles
