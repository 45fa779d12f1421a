"""What the window must never do: book twice, lose typing silently, crash on a key, or let
one booking's settings leak into the next. Found by review; each test is one such case."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.paths import AppPaths
from followup_desk.ui.viewmodels.narrowing import Step
from tests.gui.conftest import WindowFactory, press, type_text
from tests.gui.test_flow_keys import (
    answer_dialog,
    book_friday_at_3,
    bookings,
    fill_prospect,
    keys,
    select_the_row,
    to_the_flow,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_refused_invite_shows_the_booking_as_saved_and_never_books_it_twice(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the invites folder should be", encoding="utf-8")
    window = make_window(invites_folder=str(blocker))
    vm = window.vm
    book_friday_at_3(qtbot, window)

    assert window.outcome.isVisible() and not window.panel.isVisible()
    assert window.outcome.again_button.isVisible()
    assert "The invite could not be written" in window.outcome.file.text()
    assert "followup-desk" not in window.outcome.file.text()  # no command line in the window
    press(qtbot, Qt.Key.Key_Return)  # a second Enter books nothing
    qtbot.waitUntil(lambda: vm.runner.pending == 0)
    assert len(bookings(fd_home)) == 1

    blocker.unlink()
    blocker.mkdir()  # the rep fixes the folder, then W writes the invite
    press(qtbot, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: vm.outcome is not None and bool(vm.outcome.ics_path))
    assert vm.outcome is not None
    assert Path(vm.outcome.ics_path).parent == blocker
    assert not window.outcome.again_button.isVisible()
    assert len(bookings(fd_home)) == 1


def test_a_booking_that_finishes_after_the_rep_moved_on_takes_nothing_over(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    window = make_window()
    vm = window.vm
    fill_prospect(qtbot)
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3, Qt.Key.Key_Return)
    vm.runner.submit(lambda desk: time.sleep(0.4), lambda result: None)  # a busy worker
    press(qtbot, Qt.Key.Key_Return)  # book: waits behind the slow job
    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Discard, seen, by_key=False)
    press(qtbot, Qt.Key.Key_N, CTRL)  # the rep moves on at once
    window.activateWindow()
    type_text(qtbot, "Next Person")

    qtbot.waitUntil(lambda: len(bookings(fd_home)) == 1 and vm.runner.pending == 0)
    assert seen == []  # nothing typed would be lost: no question
    assert vm.outcome is None  # the next prospect's flow stays on screen
    assert window.form.edits["name"].text() == "Next Person"
    assert window.statusBar().currentMessage().startswith("Booked: Dana Whitfield")


def test_booking_from_the_list_asks_before_replacing_a_half_typed_prospect(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    book_friday_at_3(qtbot, window)
    press(qtbot, Qt.Key.Key_N)
    type_text(qtbot, "Second Prospect")
    select_the_row(qtbot, window)
    seen: list[str] = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Cancel, seen, by_key=True)
    press(qtbot, Qt.Key.Key_R)

    assert len(seen) == 1 and "Second Prospect" in seen[0]
    assert window.form.edits["name"].text() == "Second Prospect"


def test_a_moved_meetings_length_does_not_stay_for_the_next_prospect(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    vm = window.vm
    window.length.setCurrentIndex(2)  # 60 minutes
    book_friday_at_3(qtbot, window)
    window.length.setCurrentIndex(0)  # back to 30 for what follows
    select_the_row(qtbot, window)
    press(qtbot, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: vm.flow.narrowing is not None and not vm.flow.loading)
    assert vm.flow.length == timedelta(minutes=60)  # moving keeps the meeting's length

    press(qtbot, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: not vm.flow.loading)
    assert vm.flow.length == timedelta(minutes=30)
    assert window.length.currentText() == "30 minutes"


def test_a_superscript_two_at_the_time_step_is_ignored_not_a_crash(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    to_the_flow(qtbot, window)
    keys(qtbot, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A)
    assert window.vm.flow.step is Step.TIME
    qtbot.keyClicks(window.panel, "²")  # type: ignore[no-untyped-call]  # pytest-qt
    assert window.vm.flow.step is Step.TIME


def test_a_city_typed_and_left_with_tab_is_taken_as_its_zone_and_says_so(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    fill_prospect(qtbot)
    field = window.form.zone_field
    field.setFocus()
    field.selectAll()
    type_text(qtbot, "chicago")
    press(qtbot, Qt.Key.Key_Tab)

    assert window.vm.form.zone == "America/Chicago"
    assert window.form.errors["zone"].text() == "Taken as America/Chicago."
    assert window.vm.form.validate()
