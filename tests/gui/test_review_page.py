"""The weekly review page, driven by keys: counts, the outcome question, closing a file,
logging a touch (with the nothing-new warning), and the review's model checked by Qt."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.review import Group, ProspectFacts, ReviewItem, build_review
from followup_desk.domain.touches import Outcome
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.ui.viewmodels.review import PAGE, ReviewModel
from followup_desk.ui.widgets.main_window import MainWindow
from tests.conftest import SettingsWriter
from tests.gui.conftest import BERLIN, NOW, WindowFactory, add_prospects, answer, press

LAST_WEEK = NOW - timedelta(days=7)  # Monday 16 November


def seed(home: AppPaths, write_settings: SettingsWriter) -> None:
    """Three prospects met last week: Dana (held, no next step), Lee (meeting over, no
    answer yet), Ana (held, in the ten-week cadence started last Tuesday)."""
    write_settings()
    desk = open_desk(home, FixedClock(LAST_WEEK))
    try:
        for name, email, day in (
            ("Dana Whitfield", "dana@acme.com", 17),
            ("Lee Park", "lee@north.io", 18),
            ("Ana Lopez", "ana@sol.es", 19),
        ):
            start = datetime(2026, 11, day, 10, tzinfo=BERLIN)
            desk.bookings.book(BookingRequest(name, email, start, timedelta(minutes=30)))
    finally:
        desk.close()
    later = open_desk(home, FixedClock(NOW))
    try:
        later.followups.record_outcome(1, Outcome.HELD)
        later.followups.record_outcome(3, Outcome.HELD)
        later.followups.enrol(3, "ten-week", date(2026, 11, 17))
    finally:
        later.close()


def open_review(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.review_vm.review is not None and window.vm.runner.pending == 0)


def names_in(window: MainWindow, group: Group) -> list[str]:
    review = window.review_vm.review
    assert review is not None
    return [i.facts.name for i in review.items(group)]


def items_of(window: MainWindow, name: str) -> list[ReviewItem]:
    review = window.review_vm.review
    assert review is not None
    return [i for g in Group for i in review.items(g) if i.facts.name == name]


def test_the_review_model_passes_qts_model_checks(qtmodeltester: ModelTester) -> None:
    facts = [
        ProspectFacts(1, "Dana", follow_up_on=date(2026, 11, 20)),
        ProspectFacts(2, "Lee"),
        ProspectFacts(3, "Ana", cadence="Ten weeks", cadence_due=date(2026, 11, 23)),
    ]
    model = ReviewModel()
    model.set_review(build_review(facts, date(2026, 11, 23), frozenset(range(5))))
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt
    assert model.rowCount() == 3  # overdue, due today, no next step


def test_the_review_shows_counts_and_who_is_due(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    seed(fd_home, write_settings)
    window = make_window()
    open_review(qtbot, window)

    # Ana's first round was due last Tuesday, the day her cadence started
    assert names_in(window, Group.OVERDUE) == ["Ana Lopez"]
    assert names_in(window, Group.NO_NEXT_STEP) == ["Dana Whitfield", "Lee Park"]
    assert "Overdue 1" in window.review.counts.text()
    assert "No next step 2" in window.review.counts.text()
    assert window.review.outcomes.isVisible()  # Lee's meeting waits for its outcome
    assert "1 meeting is over: did it happen?" in window.outcome_notice.text()


def test_the_outcome_question_records_a_no_show_and_the_notice_goes(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    seed(fd_home, write_settings)
    window = make_window()
    open_review(qtbot, window)

    def no_show(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        assert "Lee Park" in box.text()
        [button] = [b for b in box.buttons() if b.text() == "&No-show"]
        button.click()

    answer(no_show)
    press(qtbot, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not window.review_vm.awaiting and window.vm.runner.pending == 0)

    assert not window.outcome_notice.isVisible()
    assert "Lee Park" in names_in(window, Group.NO_NEXT_STEP)
    assert items_of(window, "Lee Park")[0].what == "no next step"


def test_closing_a_file_takes_it_out_of_the_review(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    seed(fd_home, write_settings)
    window = make_window()
    open_review(qtbot, window)
    tree = window.review.tree
    tree.setCurrentIndex(window.review_vm.model.index_of(1))  # Dana

    def reason(box: QDialog) -> None:
        assert isinstance(box, QInputDialog)
        edit = box.findChild(QLineEdit)
        assert edit is not None
        edit.setText("chose someone else")
        box.accept()

    answer(reason)
    press(qtbot, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: "Dana Whitfield" not in names_in(window, Group.NO_NEXT_STEP))
    assert all("Dana Whitfield" not in names_in(window, g) for g in Group)


def test_a_touch_that_says_nothing_new_is_questioned_then_logged_anyway(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    seed(fd_home, write_settings)
    window = make_window()
    open_review(qtbot, window)
    window.review.tree.setCurrentIndex(window.review_vm.model.index_of(3))  # Ana, call due
    warnings: list[str] = []

    def touch(box: QDialog) -> None:
        box.findChild(QLineEdit).setText("Just checking in")  # type: ignore[union-attr]
        answer(anyway)
        box.accept()

    def anyway(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        warnings.append(box.text())
        for button in box.buttons():
            if button.text() == "&Log it anyway":
                button.click()

    answer(touch)
    press(qtbot, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: bool(warnings) and window.vm.runner.pending == 0, timeout=5000)
    qtbot.waitUntil(
        lambda: (
            window.review_vm.review is not None
            and any(
                i.what.startswith("voicemail") for i in window.review_vm.review.items(Group.OVERDUE)
            )
        ),
        timeout=5000,
    )

    assert "nothing new" in warnings[0]
    # the call was the first of the round's three touches: the voicemail is next
    ana = items_of(window, "Ana Lopez")
    assert ana and ana[0].what.startswith("voicemail")


def quiet_prospects(home: AppPaths, count: int) -> None:
    """``count`` prospects met a month ago and never touched since: all of them stale."""
    add_prospects(home, "Quiet", count)


def test_a_long_group_shows_its_full_count_and_reads_more_rows_as_the_rep_moves_down(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    quiet_prospects(fd_home, PAGE + 30)
    window = make_window()
    open_review(qtbot, window)
    model, tree = window.review_vm.model, window.review.tree
    stale = model.group_index(Group.STALE)
    assert stale.data() == f"Stale ({PAGE + 30})"
    assert f"Stale {PAGE + 30}" in window.review.counts.text()
    assert model.rowCount(stale) == PAGE  # the first page only, until the rep goes further

    tree.setFocus()
    press(qtbot, Qt.Key.Key_End)  # to the last row read: the next ones are read
    qtbot.waitUntil(lambda: model.rowCount(stale) == PAGE + 30)
    press(qtbot, Qt.Key.Key_End)
    last = window.review.selected()
    assert last is not None and last.facts.name == f"Quiet {PAGE + 29:03d}"

    # after an action the review is read again, and the rows the rep reached stay
    window.review_vm.load()
    qtbot.waitUntil(lambda: window.vm.runner.pending == 0)
    assert model.rowCount(model.group_index(Group.STALE)) == PAGE + 30
    kept = window.review.selected()
    assert kept is not None and kept.facts.name == f"Quiet {PAGE + 29:03d}"


def export_review(qtbot: QtBot, window: MainWindow, target: Path) -> list[str]:
    """Ctrl+E's export to ``target``, waited for; what the status line said."""
    open_review(qtbot, window)
    said: list[str] = []
    window.review_vm.message.connect(said.append)
    window.review_vm.export_csv(target)
    qtbot.waitUntil(lambda: bool(said))
    return said


def test_the_csv_export_holds_every_row_not_only_those_shown(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    quiet_prospects(fd_home, PAGE + 5)
    target = fd_home.data_dir / "review.csv"

    said = export_review(qtbot, make_window(), target)

    assert said == [f"The review is in {target}."]
    rows = list(csv.reader(target.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["group", "prospect_id", "name", "company", "due", "what"]
    assert len(rows) == 1 + PAGE + 5
    assert {r[0] for r in rows[1:]} == {"stale"}


def test_a_csv_export_that_cannot_be_written_says_why_and_leaves_nothing(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    quiet_prospects(fd_home, 3)
    target = fd_home.data_dir / "no such folder" / "review.csv"
    window = make_window()

    said = export_review(qtbot, window, target)

    assert said[0].startswith(f"{target} could not be written (")
    assert said[0].endswith("; nothing was saved.")
    assert not target.parent.exists()
    assert window.review.counts.text().startswith("Overdue 0 · ")  # the counts stay shown


def test_a_reload_keeps_each_groups_rows_even_those_being_read_and_no_more(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    quiet_prospects(fd_home, PAGE + 30)  # stale
    # overdue: their follow-up date was last Friday
    add_prospects(fd_home, "Late", PAGE + 10, created=NOW, follow_up="2026-11-20")
    window = make_window()
    open_review(qtbot, window)
    model = window.review_vm.model

    def rows(group: Group) -> int:
        return model.rowCount(model.group_index(group))

    model.read_more(model.group_index(Group.STALE))
    qtbot.waitUntil(lambda: rows(Group.STALE) == PAGE + 30)
    # Overdue's next rows are asked for, and a reload is asked before they arrive
    model.read_more(model.group_index(Group.OVERDUE))
    window.review_vm.load()
    qtbot.waitUntil(lambda: window.vm.runner.pending == 0)

    assert rows(Group.STALE) == PAGE + 30
    assert rows(Group.OVERDUE) == PAGE + 10
    assert model.reached() == {Group.STALE: PAGE + 30, Group.OVERDUE: PAGE + 10}


def test_after_snoozing_a_prospect_the_cursor_is_on_the_one_that_took_its_place(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    quiet_prospects(fd_home, 5)  # Quiet 000 to Quiet 004, all stale
    window = make_window()
    open_review(qtbot, window)
    tree = window.review.tree
    tree.setCurrentIndex(window.review_vm.model.index_of(3))  # Quiet 002
    tree.setFocus()

    def tomorrow(box: QDialog) -> None:
        assert isinstance(box, QInputDialog)
        box.setTextValue("Tomorrow")
        box.accept()

    answer(tomorrow)
    press(qtbot, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: "Quiet 002" not in names_in(window, Group.STALE))
    qtbot.waitUntil(lambda: window.vm.runner.pending == 0)

    assert names_in(window, Group.DUE_THIS_WEEK) == ["Quiet 002"]
    now_on = window.review.selected()
    assert now_on is not None and now_on.facts.name == "Quiet 003"  # not back at the top


def test_an_empty_review_says_nobody_is_waiting_and_goes_once_someone_is(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    window = make_window()
    open_review(qtbot, window)
    assert window.review.empty.isVisible()
    assert window.review.empty.text().startswith("Nobody to chase")

    quiet_prospects(fd_home, 1)
    press(qtbot, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not window.review.empty.isVisible())
    assert names_in(window, Group.STALE) == ["Quiet 000"]
