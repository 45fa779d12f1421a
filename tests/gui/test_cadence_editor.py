"""The cadences dialog on a real database: copying a built-in and changing it, refusals
named at the step, read-only built-ins, deleting, export and import, and the steps model
checked by Qt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from followup_desk.app import open_desk
from followup_desk.domain.cadences import Anchor, Cadence, CadenceStep, Channel
from followup_desk.paths import AppPaths
from followup_desk.ui.viewmodels.cadence_models import FIELDS, CadenceStepsModel
from followup_desk.ui.viewmodels.cadences import CadencesViewModel
from followup_desk.ui.widgets.cadence_editor import CadenceEditor
from followup_desk.ui.widgets.main_window import MainWindow
from tests.gui.conftest import WindowFactory, answer, focused, press, type_text

COPY = "ten-week-copy"


def click(button: QMessageBox.StandardButton) -> Callable[[QDialog], None]:
    def reply(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        chosen = box.button(button)
        assert chosen is not None
        chosen.click()

    return reply


def settle(qtbot: QtBot, editor: CadenceEditor) -> None:
    qtbot.waitUntil(lambda: editor.vm.loaded and editor.vm.runner.pending == 0)


def open_editor(qtbot: QtBot, window: MainWindow, chosen: Path | None = None) -> CadenceEditor:
    def choose(_parent: QWidget, _saving: bool) -> str:
        return str(chosen) if chosen else ""

    editor = CadenceEditor(CadencesViewModel(window.vm.runner), choose_file=choose, parent=window)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    settle(qtbot, editor)
    return editor


def pick(qtbot: QtBot, editor: CadenceEditor, key: str) -> None:
    """Select a cadence in the list, as the arrow keys would."""
    row = editor.vm.list_model.row_of(key)
    assert row >= 0, f"{key} is not in the list"
    editor.list.setFocus()
    editor.list.setCurrentIndex(editor.vm.list_model.index(row, 0))
    assert editor.vm.draft is not None and editor.vm.draft.stored_key == key


def alt(qtbot: QtBot, key: Qt.Key, button: QPushButton) -> None:
    """Press a button's mnemonic; it clicks once its short press animation is over."""
    with qtbot.waitSignal(button.clicked, timeout=2000):
        press(qtbot, key, Qt.KeyboardModifier.AltModifier)


def copy_ten_week(qtbot: QtBot, editor: CadenceEditor) -> None:
    pick(qtbot, editor, "ten-week")
    alt(qtbot, Qt.Key.Key_C, editor.copy_button)
    draft = editor.vm.draft
    assert draft is not None and draft.key == COPY and draft.stored_key is None
    assert editor.name_edit.text() == "Ten weeks, three rounds a week (my copy)"


def save(qtbot: QtBot, editor: CadenceEditor) -> None:
    alt(qtbot, Qt.Key.Key_S, editor.save_button)
    settle(qtbot, editor)


def stored(home: AppPaths) -> dict[str, tuple[Cadence, bool]]:
    """The cadences as a fresh start of the app reads them."""
    desk = open_desk(home)
    try:
        return {c.key: (c, builtin) for c, builtin in desk.cadences.cadences()}
    finally:
        desk.close()


def list_names(editor: CadenceEditor) -> list[str]:
    model = editor.vm.list_model
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_the_steps_model_passes_qts_model_checks(qtmodeltester: ModelTester) -> None:
    model = CadenceStepsModel()
    steps = [
        CadenceStep(Channel.CALL, 0),
        CadenceStep(Channel.EMAIL, 2, Anchor.PREVIOUS, "Hi {first_name},\nsee you."),
        CadenceStep(Channel.VOICEMAIL, 0, Anchor.PREVIOUS, closes_after_days=4),
    ]
    model.set_steps(steps, editable=True)
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt

    # edits, insertions, moves and removals keep the model consistent
    assert model.setData(model.index(0, FIELDS.index("days")), "3")
    assert model.setData(model.index(1, FIELDS.index("channel")), "LinkedIn message")
    assert not model.setData(model.index(1, FIELDS.index("channel")), "pigeon")
    assert model.setData(model.index(2, FIELDS.index("closes")), "")
    model.insert(1, CadenceStep(Channel.TEXT, 1))
    model.move_down(0)
    model.remove(3)
    assert [s.channel for s in model.steps] == [Channel.TEXT, Channel.CALL, Channel.LINKEDIN]
    assert model.steps[1].days == 3
    assert model.index(2, FIELDS.index("message")).data() == "Hi {first_name},…"

    model.set_steps(steps, editable=False)
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, 0), 5)


def test_ctrl_k_opens_the_cadences(qtbot: QtBot, make_window: WindowFactory) -> None:
    make_window()
    seen: list[str] = []

    def close(box: QDialog) -> None:
        assert isinstance(box, CadenceEditor)
        qtbot.waitUntil(lambda: box.vm.loaded)
        seen.extend(list_names(box))
        box.reject()

    answer(close)
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert "Ten weeks, three rounds a week · built in" in seen


def test_the_preview_shows_the_days_it_would_come_due(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    editor = open_editor(qtbot, make_window())
    pick(qtbot, editor, "ten-week")

    preview = editor.preview.text()
    assert preview.startswith(
        "Started today: Mon 23 Nov call, voicemail, email · Wed 25 Nov call, voicemail, LinkedIn"
    )
    assert preview.endswith("Mon 25 Jan email, voicemail, closes Fri 29 Jan")


def test_a_copied_built_in_with_a_changed_day_is_saved_as_the_reps_own(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    editor = open_editor(qtbot, make_window())
    copy_ten_week(qtbot, editor)

    # step 4 (the second round's call) waits three days instead of two: typed in its cell
    editor.table.setFocus()
    editor.table.setCurrentIndex(editor.vm.steps.index(3, FIELDS.index("days")))
    press(qtbot, Qt.Key.Key_F2)
    spin = focused()
    assert isinstance(spin, QSpinBox)  # a negative number can be typed: refused at saving
    assert spin.minimum() < 0
    spin.selectAll()
    type_text(qtbot, "3")
    press(qtbot, Qt.Key.Key_Return)  # the view commits it a moment later
    qtbot.waitUntil(lambda: editor.vm.steps.steps[3].days == 3)
    assert editor.windowTitle().endswith("(not saved)")
    save(qtbot, editor)

    assert not editor.windowTitle().endswith("(not saved)")
    assert "Ten weeks, three rounds a week (my copy)" in list_names(editor)
    assert editor.list.currentIndex().row() == editor.vm.list_model.row_of(COPY)
    cadences = stored(fd_home)
    copy, builtin = cadences[COPY]
    assert not builtin
    assert copy.steps[3].days == 3
    assert cadences["ten-week"][0].steps[3].days == 2  # the built-in is unchanged
    assert "Fri 27 Nov" not in editor.preview.text()  # the second round moved to Thu 26


def test_a_negative_offset_is_refused_at_its_step_and_nothing_is_saved(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    editor = open_editor(qtbot, make_window())
    copy_ten_week(qtbot, editor)

    assert editor.vm.set_step_field(1, "days", -1)
    save(qtbot, editor)

    assert "Step 2: the offset cannot be negative." in editor.problems_label.text()
    assert editor.problems_label.isVisible()
    cell = editor.vm.steps.index(1, FIELDS.index("days"))
    assert cell.data(Qt.ItemDataRole.DisplayRole) == "⚠ -1"
    assert "the offset cannot be negative" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert editor.vm.draft is not None and editor.vm.draft.key == COPY  # the draft is kept
    assert editor.vm.steps.steps[1].days == -1
    assert COPY not in stored(fd_home)

    # putting it right clears the sentence
    assert editor.vm.set_step_field(1, "days", 0)
    assert not editor.problems_label.isVisible()


def test_built_ins_are_read_only_and_stay(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    editor = open_editor(qtbot, make_window())
    pick(qtbot, editor, "ten-week")

    assert editor.name_edit.isReadOnly() and editor.message_edit.isReadOnly()
    assert not editor.delete_button.isEnabled()
    assert not editor.save_button.isEnabled()
    assert not editor.add_button.isEnabled()
    cell = editor.vm.steps.index(0, 0)
    assert not editor.vm.steps.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert not editor.vm.set_step_field(0, "days", 5)
    assert editor.vm.add_step() == -1
    assert "read-only" in editor.notice.text()

    editor.vm.delete("ten-week")
    settle(qtbot, editor)
    assert "only your own can be deleted" in editor.status.text()
    assert stored(fd_home)["ten-week"][1]


def test_deleting_removes_one_of_the_reps_own(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    editor = open_editor(qtbot, make_window())
    copy_ten_week(qtbot, editor)
    save(qtbot, editor)
    assert COPY in stored(fd_home)

    answer(click(QMessageBox.StandardButton.Yes))
    alt(qtbot, Qt.Key.Key_D, editor.delete_button)
    settle(qtbot, editor)

    assert editor.vm.list_model.row_of(COPY) == -1
    assert COPY not in stored(fd_home)
    assert "ten-week" in stored(fd_home)


def test_export_then_import_brings_the_reps_cadences_back(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, tmp_path: Path
) -> None:
    file = tmp_path / "mine.toml"
    editor = open_editor(qtbot, make_window(), chosen=file)
    copy_ten_week(qtbot, editor)
    assert editor.vm.set_step_field(0, "message", "Hi {first_name}, {rep} here.")
    save(qtbot, editor)
    saved = stored(fd_home)[COPY][0]

    alt(qtbot, Qt.Key.Key_X, editor.export_button)
    settle(qtbot, editor)
    assert f"Exported 1 cadence to {file}" in editor.status.text()
    text = file.read_text(encoding="utf-8")
    assert f'key = "{COPY}"' in text and 'key = "ten-week"' not in text

    answer(click(QMessageBox.StandardButton.Yes))
    alt(qtbot, Qt.Key.Key_D, editor.delete_button)
    settle(qtbot, editor)
    assert COPY not in stored(fd_home)

    editor.activateWindow()  # the question has gone; back to the dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    editor.list.setFocus()
    alt(qtbot, Qt.Key.Key_I, editor.import_button)
    settle(qtbot, editor)
    assert stored(fd_home)[COPY] == (saved, False)
    assert editor.vm.draft is not None and editor.vm.draft.stored_key == COPY
    assert "Imported ten-week-copy from mine.toml" in editor.status.text()


def test_a_malformed_import_names_the_line_and_saves_nothing(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, tmp_path: Path
) -> None:
    file = tmp_path / "broken.toml"
    file.write_text('[[cadence]]\nkey = "mine"\nname = "Mine\n', encoding="utf-8")
    editor = open_editor(qtbot, make_window(), chosen=file)

    alt(qtbot, Qt.Key.Key_I, editor.import_button)
    settle(qtbot, editor)

    assert "broken.toml, line 3" in editor.status.text()
    assert "mine" not in stored(fd_home)


@pytest.mark.parametrize("discard", [False, True])
def test_closing_with_unsaved_changes_asks_first(
    qtbot: QtBot, make_window: WindowFactory, discard: bool
) -> None:
    editor = open_editor(qtbot, make_window())
    copy_ten_week(qtbot, editor)

    button = QMessageBox.StandardButton.Discard if discard else QMessageBox.StandardButton.Cancel
    answer(click(button))
    press(qtbot, Qt.Key.Key_Escape)

    assert editor.isVisible() is not discard
    if not discard:  # the typing is still there; leave without asking again
        editor.vm.dirty = False
        editor.reject()
