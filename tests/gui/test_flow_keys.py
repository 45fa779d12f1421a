"""The live-meeting flow driven by keys: going back, leaving, more days, a named date, a
calendar that fails, clocks that change, a refused booking, and moving or cancelling one.

The rep, their calendar and the pinned clock are those of ``tests/gui/conftest.py``:
Berlin, Monday 23 November 2026 10:00; Friday 4 December has meetings 13:00-14:30 and
16:00-17:00; Wednesday 2 December is an all-day offsite.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import icalendar
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.paths import AppPaths
from followup_desk.ui.viewmodels.narrowing import NarrowingViewModel, Option, Step
from followup_desk.ui.widgets.main_window import MainWindow
from tests.gui.conftest import BERLIN, CALENDAR, WindowFactory, focused, press, type_text

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
NAME, EMAIL, COMPANY = "Dana Whitfield", "dana@example.com", "Acme Ltd"

# A meeting that lands on Friday 4 December 15:00-15:30 after the flow was opened.
FRIDAY_AT_3 = """BEGIN:VEVENT
UID:friday-3@test
DTSTAMP:20261123T090000Z
DTSTART;TZID=Europe/Berlin:20261204T150000
DTEND;TZID=Europe/Berlin:20261204T153000
SUMMARY:Booked by a colleague meanwhile
END:VEVENT
"""


# --- helpers -------------------------------------------------------------------------------


def now_at(flow: NarrowingViewModel) -> Step:
    """Where the flow is now (a call, so that mypy does not narrow it between keys)."""
    return flow.step


def fill_prospect(
    qtbot: QtBot, *, email: str = EMAIL, company: str = COMPANY, zone: str = ""
) -> None:
    """Type the prospect from the name field on, as the rep does while the prospect talks."""
    type_text(qtbot, NAME)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, email)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, company)
    if zone:
        press(qtbot, Qt.Key.Key_Tab)  # phone
        press(qtbot, Qt.Key.Key_Tab)  # zone
        press(qtbot, Qt.Key.Key_A, CTRL)
        type_text(qtbot, zone)


def keys(qtbot: QtBot, *sequence: Qt.Key) -> None:
    for key in sequence:
        press(qtbot, key)


def form_texts(window: MainWindow) -> tuple[str, str, str]:
    edits = window.form.edits
    return edits["name"].text(), edits["email"].text(), edits["company"].text()


def highlighted(window: MainWindow) -> Option:
    [row] = [row for row in window.panel.rows() if row.highlighted]
    return row.option


def titles(window: MainWindow) -> list[str]:
    return [row.option.title for row in window.panel.rows()]


def offered_days(window: MainWindow) -> list[str]:
    return [o.title for o in window.vm.flow.options() if o.enabled and o.key.isdigit()]


def bookings(home: AppPaths) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home.database)) as conn:
        return conn.execute(
            "SELECT start_utc, sequence, status, uid FROM booking ORDER BY id"
        ).fetchall()


def answer_dialog(
    qtbot: QtBot, button: QMessageBox.StandardButton, seen: list[str], by_key: bool
) -> None:
    """Answer the next question box: Esc (Cancel or No) when ``by_key``, else click ``button``.

    The box's text goes into ``seen``; the box itself is gone once it is answered.
    """
    tries = [0]

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] += 1
            if tries[0] < 200:
                QTimer.singleShot(10, answer)  # not up yet
            return
        seen.append(box.text())
        if by_key:
            qtbot.keyClick(box, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]  # pytest-qt
        else:
            chosen = box.button(button)
            assert chosen is not None, f"the box has no {button} button"
            chosen.click()

    QTimer.singleShot(0, answer)


def watch_for_dialogs(seen: list[str], looked: list[bool]) -> None:
    """Record (and close) any modal box up when the event loop next runs."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is not None:
            seen.append(box.windowTitle())
            box.close()
        looked.append(True)

    QTimer.singleShot(0, look)


def to_the_flow(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, Qt.Key.Key_Return)
    assert window.panel.hasFocus()


# --- back, one step at a time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "modifier"),
    [(Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_Left, ALT)],
    ids=["backspace", "alt-left"],
)
def test_back_goes_one_step_back_from_every_step_keeping_the_prospect_and_the_answer(
    qtbot: QtBot,
    make_window: WindowFactory,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier,
) -> None:
    window = make_window()
    flow = window.vm.flow
    fill_prospect(qtbot)
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3, Qt.Key.Key_Return)
    assert now_at(flow) is Step.CONFIRM
    typed = form_texts(window)
    assert typed == (NAME, EMAIL, COMPANY)

    expected = [
        (Step.TIME, "15:00–15:30 CET"),  # the time chosen
        (Step.PART, "&Afternoon"),
        (Step.DAY, "Friday 4 December"),
        (Step.HORIZON, "&Late next week"),
    ]
    for step, answer in expected:
        press(qtbot, key, modifier)
        assert now_at(flow) is step
        assert highlighted(window).title == answer, f"at {step.name}"
        assert window.panel.hasFocus()
        assert form_texts(window) == typed
    assert window.panel.say_label.text() == "Say: “How about late next week?”"

    # at the first step there is nowhere to go: nothing changes, nothing is lost
    press(qtbot, key, modifier)
    assert now_at(flow) is Step.HORIZON
    assert highlighted(window).title == "&Late next week"
    assert form_texts(window) == typed
    assert window.panel.hasFocus()
    assert window.vm.outcome is None

    # and the answers still lead on: Enter takes the highlighted horizon again
    press(qtbot, Qt.Key.Key_Return)
    assert now_at(flow) is Step.DAY
    assert offered_days(window) == ["Thursday 3 December", "Friday 4 December"]


# --- Esc -----------------------------------------------------------------------------------


def test_esc_with_nothing_typed_leaves_the_flow_for_the_list_without_asking(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    flow = window.vm.flow
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2)
    assert now_at(flow) is Step.PART

    dialogs: list[str] = []
    looked: list[bool] = []
    watch_for_dialogs(dialogs, looked)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(looked))

    assert dialogs == []
    assert now_at(flow) is Step.HORIZON
    assert flow.day is None and flow.horizon is None
    assert window.prospects.hasFocus()
    assert focused() is window.prospects


def test_esc_with_typed_details_asks_and_cancel_keeps_everything(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    flow = window.vm.flow
    fill_prospect(qtbot)
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A)
    assert now_at(flow) is Step.TIME

    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Cancel, seen, by_key=True)
    press(qtbot, Qt.Key.Key_Escape)

    assert len(seen) == 1
    assert "Dana Whitfield" in seen[0] and "will be lost" in seen[0]
    assert now_at(flow) is Step.TIME
    assert window.panel.say_label.text() == "Say: “How about Friday at 12:00?”"
    assert form_texts(window) == (NAME, EMAIL, COMPANY)
    assert window.vm.form.value("name") == NAME


def test_esc_with_typed_details_asks_and_discard_clears_the_form(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    flow = window.vm.flow
    fill_prospect(qtbot)
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2)

    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Discard, seen, by_key=False)
    press(qtbot, Qt.Key.Key_Escape)

    assert len(seen) == 1
    assert form_texts(window) == ("", "", "")
    assert not window.vm.form.has_data()
    assert now_at(flow) is Step.HORIZON
    # the list takes the focus (offscreen, the window is re-activated by hand, as a window
    # manager would once the box is gone)
    assert window.focusWidget() is window.prospects
    window.activateWindow()
    qtbot.waitUntil(window.prospects.hasFocus)


def test_esc_in_a_form_field_with_typed_details_asks_too(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    fill_prospect(qtbot)
    assert focused() is window.form.edits["company"]

    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Cancel, seen, by_key=True)
    press(qtbot, Qt.Key.Key_Escape)

    assert len(seen) == 1
    assert form_texts(window) == (NAME, EMAIL, COMPANY)


# --- more days, and a named date -----------------------------------------------------------


def test_more_days_offers_the_next_two_free_days_and_never_the_busy_wednesday(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    flow = window.vm.flow
    to_the_flow(qtbot, window)
    press(qtbot, Qt.Key.Key_2)  # next week
    assert now_at(flow) is Step.DAY
    assert offered_days(window) == ["Monday 30 November", "Tuesday 1 December"]
    assert window.panel.say_label.text() == "Say: “Does Monday or Tuesday suit you better?”"

    wednesday = [o for o in flow.options() if o.title == "Wednesday 2 December"]
    assert [(o.enabled, o.reason) for o in wednesday] == [(False, "busy")]
    [row] = [r for r in window.panel.rows() if r.option.title == "Wednesday 2 December"]
    assert not row.isEnabled()
    assert row.accessibleDescription() == "not offered: busy"

    press(qtbot, Qt.Key.Key_M)  # "neither": the next two
    assert now_at(flow) is Step.DAY
    assert offered_days(window) == ["Thursday 3 December", "Friday 4 December"]
    assert window.panel.say_label.text() == "Say: “Does Thursday or Friday suit you better?”"
    assert [o.enabled for o in flow.options() if o.title == "Wednesday 2 December"] == [False]

    press(qtbot, Qt.Key.Key_M)  # no more: back to the first two
    assert offered_days(window) == ["Monday 30 November", "Tuesday 1 December"]

    # whatever page, the offsite day is never offered
    for _ in range(3):
        assert "Wednesday 2 December" not in offered_days(window)
        press(qtbot, Qt.Key.Key_M)

    assert offered_days(window)[0] == "Thursday 3 December"  # three times M: the second pair
    press(qtbot, Qt.Key.Key_1)  # the first of the new pair is Thursday
    assert now_at(flow) is Step.PART
    assert flow.trail() == ["Next week", "Thursday 3 December"]


def test_a_named_date_is_asked_for_and_the_days_around_it_are_offered(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    flow = window.vm.flow
    to_the_flow(qtbot, window)
    press(qtbot, Qt.Key.Key_D)
    assert window.panel.date_edit.isVisible()
    assert focused() is window.panel.date_edit

    type_text(qtbot, "15 Dec")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not flow.loading)

    assert now_at(flow) is Step.DAY
    assert flow.named == datetime(2026, 12, 15).date()
    assert flow.trail() == ["Around Tuesday 15 December"]
    assert offered_days(window) == ["Tuesday 15 December", "Wednesday 16 December"]
    assert not window.panel.date_edit.isVisible()
    assert window.panel.hasFocus()


def test_the_date_key_5_works_like_d(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    to_the_flow(qtbot, window)
    press(qtbot, Qt.Key.Key_5)
    assert focused() is window.panel.date_edit


def test_a_date_that_cannot_be_read_gets_a_sentence_and_the_text_stays(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    flow = window.vm.flow
    to_the_flow(qtbot, window)
    press(qtbot, Qt.Key.Key_D)
    type_text(qtbot, "flurbday")
    press(qtbot, Qt.Key.Key_Return)

    assert now_at(flow) is Step.HORIZON
    assert window.panel.message_label.isVisible()
    assert window.panel.message_label.text() == (
        "'flurbday' is not a date I can read; try '15 Dec' or 2026-12-15."
    )
    assert window.panel.date_edit.isVisible()
    assert window.panel.date_edit.text() == "flurbday"


# --- a calendar that fails -----------------------------------------------------------------


def refused_url() -> str:
    """An address on this machine where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/cal.ics"


class _CalendarHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""

    def do_GET(self) -> None:
        body = CALENDAR.replace("\n", "\r\n").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handlers: nothing outlives a test


class CalendarHost:
    """The rep's calendar published over HTTP on 127.0.0.1, until ``stop``."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _CalendarHandler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/cal.ics"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)


@pytest.fixture
def calendar_host() -> Iterator[CalendarHost]:
    host = CalendarHost()
    try:
        yield host
    finally:
        host.stop()


def friday_afternoon_titles(qtbot: QtBot, window: MainWindow) -> list[str]:
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A)
    assert now_at(window.vm.flow) is Step.TIME
    return titles(window)


def test_a_calendar_address_that_refuses_is_named_in_the_banner_and_the_file_still_counts(
    qtbot: QtBot, make_window: WindowFactory, calendar_file: Path
) -> None:
    url = refused_url()
    window = make_window(sources=[str(calendar_file), url])

    assert window.banner.isVisible()
    assert url in window.banner.label.text()
    assert window.vm.banner.lines and not window.vm.banner.stale

    to_the_flow(qtbot, window)
    offered = friday_afternoon_titles(qtbot, window)
    assert "14:00–14:30 CET" not in offered  # the file's board review still counts
    assert "15:00–15:30 CET" in offered


def test_a_feed_that_stops_answering_uses_its_last_good_copy_and_says_so(
    qtbot: QtBot, make_window: WindowFactory, calendar_host: CalendarHost
) -> None:
    window = make_window(sources=[calendar_host.url])
    assert not window.banner.isVisible()  # read once, fine

    calendar_host.stop()
    window.vm.load_busy()
    qtbot.waitUntil(lambda: not window.vm.flow.loading)

    assert window.banner.isVisible()
    text = window.banner.label.text()
    assert calendar_host.url in text
    assert "may be stale" in text
    assert "last good copy" in text
    assert "as of 10:00" in text  # when that copy was read, on the rep's clock
    assert "UTC" not in text
    assert window.vm.banner.stale

    to_the_flow(qtbot, window)
    offered = friday_afternoon_titles(qtbot, window)
    assert "14:00–14:30 CET" not in offered  # the cached board review
    assert "15:00–15:30 CET" in offered


# --- clocks that change on different dates -------------------------------------------------

NEW_YORK = "America/New_York"


def walk_to_time(qtbot: QtBot, window: MainWindow, *sequence: Qt.Key) -> None:
    fill_prospect(qtbot, zone=NEW_YORK)
    qtbot.waitUntil(lambda: window.vm.flow.prospect_zone.key == NEW_YORK)
    to_the_flow(qtbot, window)
    keys(qtbot, *sequence)
    assert now_at(window.vm.flow) is Step.TIME


def test_before_the_us_clock_change_new_york_is_six_hours_behind_berlin(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Monday 8 March 2027: both sides on winter time (CET +01:00, EST -05:00)
    window = make_window(now=datetime(2027, 3, 8, 10, 0, tzinfo=BERLIN))
    flow = window.vm.flow
    fill_prospect(qtbot, zone=NEW_YORK)
    qtbot.waitUntil(lambda: flow.prospect_zone.key == NEW_YORK)
    to_the_flow(qtbot, window)
    press(qtbot, Qt.Key.Key_1)  # this week
    tuesday = next(o for o in flow.options() if o.title == "Tuesday 9 March")
    assert tuesday.detail == "starts 09:00–16:30 · them Tue 03:00–Tue 10:30 · 31 free"
    keys(qtbot, Qt.Key.Key_2, Qt.Key.Key_A)  # Tuesday afternoon
    assert now_at(flow) is Step.TIME

    tiles = {row.option.title: row.option.detail for row in window.panel.rows()}
    assert tiles["15:00–15:30 CET"] == "them 09:00–09:30 EST"
    assert tiles["16:30–17:00 CET"] == "them 10:30–11:00 EST"

    keys(qtbot, Qt.Key.Key_1, Qt.Key.Key_0)  # "10 o'clock your time?"
    assert highlighted(window).title == "16:00–16:30 CET"
    assert window.panel.say_label.text() == "Say: “How about Tuesday at 10:00 your time?”"

    press(qtbot, Qt.Key.Key_Return)
    [confirm] = flow.options()
    assert confirm.detail == (
        "you: Tuesday 9 March (CET, UTC+01:00) · them: Tue 9 Mar 10:00–10:30 (EST, UTC-05:00)"
    )


def test_between_the_two_clock_changes_new_york_is_five_hours_behind_berlin(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # the US moved its clocks on Sunday 14 March 2027; Europe only on 28 March
    window = make_window(now=datetime(2027, 3, 8, 10, 0, tzinfo=BERLIN))
    flow = window.vm.flow
    fill_prospect(qtbot, zone=NEW_YORK)
    qtbot.waitUntil(lambda: flow.prospect_zone.key == NEW_YORK)
    to_the_flow(qtbot, window)
    press(qtbot, Qt.Key.Key_2)  # next week: 15-19 March
    monday = next(o for o in flow.options() if o.title == "Monday 15 March")
    assert monday.detail == "starts 09:00–16:30 · them Mon 04:00–Mon 11:30 · 31 free"
    keys(qtbot, Qt.Key.Key_1, Qt.Key.Key_A)  # Monday afternoon
    assert now_at(flow) is Step.TIME

    tiles = {row.option.title: row.option.detail for row in window.panel.rows()}
    assert tiles["15:00–15:30 CET"] == "them 10:00–10:30 EDT"
    assert tiles["16:30–17:00 CET"] == "them 11:30–12:00 EDT"

    keys(qtbot, Qt.Key.Key_1, Qt.Key.Key_0)  # "10 o'clock your time?" is 15:00 in Berlin now
    assert highlighted(window).title == "15:00–15:30 CET"
    assert window.panel.say_label.text() == "Say: “How about Monday at 10:00 your time?”"

    press(qtbot, Qt.Key.Key_Return)
    [confirm] = flow.options()
    assert confirm.detail == (
        "you: Monday 15 March (CET, UTC+01:00) · them: Mon 15 Mar 10:00–10:30 (EDT, UTC-04:00)"
    )


# --- refused bookings ----------------------------------------------------------------------


def test_a_bad_email_at_the_last_step_is_explained_beside_the_field_and_nothing_is_booked(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    window = make_window()
    flow = window.vm.flow
    fill_prospect(qtbot, email="dana@example")
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3, Qt.Key.Key_Return)
    assert now_at(flow) is Step.CONFIRM

    press(qtbot, Qt.Key.Key_Return)
    error = window.form.errors["email"]
    assert error.isVisible()
    assert error.text() == "'dana@example' is not an e-mail address (name@example.com)."
    assert focused() is window.form.edits["email"]
    assert now_at(flow) is Step.CONFIRM
    assert "e-mail address" in window.panel.message_label.text()
    assert not window.vm.booking_in_flight  # nothing went to the worker
    assert window.vm.outcome is None
    assert bookings(fd_home) == []

    press(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, EMAIL)
    assert not error.isVisible()
    press(qtbot, Qt.Key.Key_T, CTRL)  # back to the flow, still at the last step
    assert window.panel.hasFocus()
    assert now_at(flow) is Step.CONFIRM
    press(qtbot, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.vm.outcome is not None)
    assert [row[0] for row in bookings(fd_home)] == ["2026-12-04T14:00:00+00:00"]


def test_a_time_taken_meanwhile_is_refused_and_the_times_are_offered_again(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, calendar_file: Path
) -> None:
    window = make_window()
    flow = window.vm.flow
    fill_prospect(qtbot)
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3, Qt.Key.Key_Return)
    assert now_at(flow) is Step.CONFIRM
    assert flow.slot is not None and flow.slot.start == datetime(2026, 12, 4, 15, tzinfo=BERLIN)

    # a colleague books 15:00 into the rep's calendar while the rep is talking
    before = calendar_file.stat().st_size
    text = CALENDAR.replace("END:VCALENDAR\n", FRIDAY_AT_3 + "END:VCALENDAR\n")
    calendar_file.write_text(text.replace("\n", "\r\n"), encoding="utf-8", newline="")
    assert calendar_file.stat().st_size != before
    press(qtbot, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: "no longer free" in window.panel.message_label.text())
    qtbot.waitUntil(lambda: not flow.loading and not window.vm.booking_in_flight)
    assert window.panel.message_label.isVisible()
    assert now_at(flow) is Step.TIME
    offered = titles(window)
    assert "15:00–15:30 CET" not in offered
    assert offered == ["12:00–12:30 CET", "12:15–12:45 CET"]
    assert window.vm.outcome is None
    assert bookings(fd_home) == []
    assert form_texts(window) == (NAME, EMAIL, COMPANY)


# --- moving and cancelling from the list ---------------------------------------------------


def select_the_row(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, Qt.Key.Key_L, CTRL)
    assert window.prospects.hasFocus()
    qtbot.waitUntil(lambda: window.vm.prospects.rowCount() == 1)
    press(qtbot, Qt.Key.Key_Down)
    if not window.prospects.currentIndex().isValid():
        press(qtbot, Qt.Key.Key_Home)
    assert window.prospects.currentIndex().row() == 0


def book_friday_at_3(qtbot: QtBot, window: MainWindow) -> None:
    fill_prospect(qtbot)
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3)
    keys(qtbot, Qt.Key.Key_Return, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vm.outcome is not None)


def move_from_the_list(qtbot: QtBot, window: MainWindow) -> None:
    select_the_row(qtbot, window)
    press(qtbot, Qt.Key.Key_R)
    vm = window.vm
    qtbot.waitUntil(lambda: vm.flow.narrowing is not None and not vm.flow.loading)
    assert window.mode_label.text() == "Move the meeting with Dana Whitfield"
    assert window.panel.isVisible() and not window.outcome.isVisible()
    assert window.panel.hasFocus()


def test_moving_a_meeting_shows_the_prospect_read_only(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    book_friday_at_3(qtbot, window)
    move_from_the_list(qtbot, window)

    assert form_texts(window) == (NAME, EMAIL, COMPANY)
    assert window.vm.form.locked
    writable = [field for field, edit in window.form.edits.items() if not edit.isReadOnly()]
    assert writable == [], "the prospect is who they are while their meeting moves"
    assert not any(box.isEnabled() for box in window.form.channel_boxes.values())


def test_a_booked_meeting_is_moved_and_then_cancelled_from_the_list(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    window = make_window()
    vm = window.vm
    book_friday_at_3(qtbot, window)
    first = vm.outcome
    assert first is not None
    [(_, _, _, uid)] = bookings(fd_home)

    # R on the row: move it
    move_from_the_list(qtbot, window)
    assert form_texts(window) == (NAME, EMAIL, COMPANY)

    # Thursday 3 December at 10:00 instead: the row below 09:00 in the grid of times
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_1, Qt.Key.Key_M, Qt.Key.Key_Down)
    assert highlighted(window).title == "10:00–10:30 CET"
    keys(qtbot, Qt.Key.Key_Return, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: vm.outcome is not None and vm.outcome_kind == "moved")
    moved = vm.outcome
    assert moved is not None
    assert bookings(fd_home) == [("2026-12-03T09:00:00+00:00", 1, "booked", uid)]
    update = Path(moved.ics_path)
    assert update.name.endswith("_update-1.ics")
    assert update.exists() and Path(first.ics_path).exists()
    event = icalendar.Calendar.from_ical(update.read_bytes()).walk("VEVENT")[0]
    assert str(event["UID"]) == uid
    assert str(event["SEQUENCE"]) == "1"
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN)
    qtbot.waitUntil(lambda: vm.prospects.index(0, 2).data() == "Thu 3 Dec 10:00")

    # Delete on the row: cancel it, after a Yes
    select_the_row(qtbot, window)
    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Yes, seen, by_key=False)
    press(qtbot, Qt.Key.Key_Delete)
    assert len(seen) == 1
    assert "Dana Whitfield" in seen[0]
    qtbot.waitUntil(lambda: vm.outcome is not None and vm.outcome_kind == "cancelled")
    cancelled = vm.outcome
    assert cancelled is not None
    assert bookings(fd_home) == [("2026-12-03T09:00:00+00:00", 2, "cancelled", uid)]
    cancel = Path(cancelled.ics_path)
    assert cancel.name.endswith("_cancel.ics")
    calendar = icalendar.Calendar.from_ical(cancel.read_bytes())
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == uid


def test_no_to_the_cancel_question_keeps_the_meeting(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    window = make_window()
    book_friday_at_3(qtbot, window)

    select_the_row(qtbot, window)
    qtbot.waitUntil(lambda: window.vm.runner.pending == 0)
    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.No, seen, by_key=True)
    press(qtbot, Qt.Key.Key_Delete)
    assert len(seen) == 1
    assert window.vm.runner.pending == 0  # no cancellation was sent to the worker
    assert window.vm.outcome_kind == "booked"
    assert [(row[1], row[2]) for row in bookings(fd_home)] == [(0, "booked")]
