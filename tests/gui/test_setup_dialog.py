"""The first-run setup, driven by the keyboard: Enter saves settings.toml, Esc writes nothing."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from followup_desk.paths import AppPaths
from followup_desk.storage import settings_file
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.viewmodels.setup import SetupViewModel
from followup_desk.ui.widgets.setup_dialog import FileChooser, SetupDialog
from tests.conftest import SettingsWriter
from tests.gui.conftest import WindowFactory, answer, focused, press, type_text

ODD_NAME = 'Zoë "Z" O\'Brien \\ #1'
DialogFactory = Callable[..., SetupDialog]


def _no_file_chosen(parent: QWidget, current: str) -> str:
    return ""


@pytest.fixture
def make_dialog(qtbot: QtBot, fd_home: AppPaths) -> DialogFactory:
    def make(
        zone: str = "Europe/Berlin", choose_file: FileChooser = _no_file_chosen
    ) -> SetupDialog:
        dialog = SetupDialog(SetupViewModel(fd_home.settings_file, zone), choose_file=choose_file)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name_edit)
        return dialog

    return make


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "calendars" / "work #1.ics"
    path.parent.mkdir()
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    return path


def type_any(qtbot: QtBot, text: str) -> None:
    """Type ``text`` into the focused widget, letters beyond ASCII (ë) included."""
    for char in text:
        if char.isascii():
            type_text(qtbot, char)
        else:
            QTest.sendKeyEvent(
                QTest.KeyAction.Click,
                focused(),
                Qt.Key.Key_unknown,
                char,
                Qt.KeyboardModifier.NoModifier,
            )


def tab(qtbot: QtBot, times: int = 1) -> None:
    for _ in range(times):
        press(qtbot, Qt.Key.Key_Tab)


def test_typing_the_setup_and_pressing_enter_saves_it_with_the_comments_kept(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths, calendar_file: Path
) -> None:
    dialog = make_dialog()

    type_any(qtbot, ODD_NAME)
    tab(qtbot)
    type_text(qtbot, "zoe@example.com")
    tab(qtbot)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "America/Chicago")
    tab(qtbot, 6)  # Monday ... Saturday
    assert focused().accessibleName() == "Saturday"
    press(qtbot, Qt.Key.Key_Space)
    tab(qtbot, 2)  # Sunday, then the day's start
    type_text(qtbot, "0830")
    tab(qtbot)
    type_text(qtbot, "1630")
    tab(qtbot)
    assert focused() is dialog.source_edit
    type_text(qtbot, str(calendar_file))
    press(qtbot, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    settings = load_settings(fd_home.settings_file)
    assert (settings.rep.name, settings.rep.email) == (ODD_NAME, "zoe@example.com")
    assert settings.rules.time_zone == "America/Chicago"
    assert settings.rules.working_days == frozenset({0, 1, 2, 3, 4, 5})
    assert (settings.rules.day_start, settings.rules.day_end) == (time(8, 30), time(16, 30))
    assert settings.busy_sources == (str(calendar_file),)
    text = fd_home.settings_file.read_text(encoding="utf-8")
    assert "# Your name and e-mail address: the organizer of every invite." in text
    assert "# Lengths you offer, in minutes; the first is the default." in text


def test_a_wrong_e_mail_shows_its_sentence_beside_the_field_and_writes_nothing(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths
) -> None:
    dialog = make_dialog()

    type_text(qtbot, "Robin Rep")
    tab(qtbot)
    type_text(qtbot, "robin at example")
    press(qtbot, Qt.Key.Key_Return)

    label = dialog.errors["email"]
    assert label.isVisible()
    assert label.text() == "Type an e-mail address such as name@example.com."
    edit = dialog.email_edit
    under_field = edit.mapTo(dialog, QPoint(0, edit.height())).y()
    assert 0 <= label.mapTo(dialog, QPoint(0, 0)).y() - under_field < 12
    assert edit.accessibleDescription() == label.text()
    assert dialog.isVisible()
    assert focused() is edit
    assert (dialog.name_edit.text(), edit.text()) == ("Robin Rep", "robin at example")
    assert not fd_home.settings_file.exists()


def test_the_sentence_goes_once_the_e_mail_is_put_right(
    qtbot: QtBot, make_dialog: DialogFactory
) -> None:
    dialog = make_dialog()
    tab(qtbot)
    type_text(qtbot, "robin@example")
    tab(qtbot)
    assert dialog.errors["email"].isVisible()

    dialog.email_edit.setFocus()
    press(qtbot, Qt.Key.Key_End)
    type_text(qtbot, ".com")

    assert not dialog.errors["email"].isVisible()


def test_escape_closes_the_setup_and_writes_nothing(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths
) -> None:
    dialog = make_dialog()
    type_text(qtbot, "Robin Rep")

    press(qtbot, Qt.Key.Key_Escape)

    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert not fd_home.settings_file.exists()


def test_later_by_its_shortcut_leaves_an_existing_file_as_it_was(
    qtbot: QtBot, make_dialog: DialogFactory, write_settings: SettingsWriter
) -> None:
    path = write_settings(name="", email="")
    before = path.read_bytes()
    dialog = make_dialog()
    type_text(qtbot, "Robin Rep")

    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # &Later

    qtbot.waitUntil(lambda: not dialog.isVisible())  # a mnemonic clicks after a short flash
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert path.read_bytes() == before


def test_the_time_zone_is_the_detected_one_until_changed(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths
) -> None:
    dialog = make_dialog(zone="Asia/Kolkata")
    assert dialog.zone_edit.text() == "Asia/Kolkata"

    type_text(qtbot, "Robin Rep")
    tab(qtbot)
    type_text(qtbot, "robin@example.com")
    press(qtbot, Qt.Key.Key_Return)

    assert load_settings(fd_home.settings_file).rules.time_zone == "Asia/Kolkata"


def test_what_settings_toml_already_holds_is_proposed(
    make_dialog: DialogFactory, write_settings: SettingsWriter
) -> None:
    write_settings(name="", email="robin@example.com", start="08:00", end="18:00")

    dialog = make_dialog()

    assert dialog.email_edit.text() == "robin@example.com"
    assert (dialog.start_edit.text(), dialog.end_edit.text()) == ("08:00", "18:00")


def test_an_end_before_the_start_is_named(qtbot: QtBot, make_dialog: DialogFactory) -> None:
    dialog = make_dialog()
    tab(qtbot, 12)  # name, e-mail, zone, seven days, the start's hour and minute
    assert focused() is dialog.end_edit

    type_text(qtbot, "0800")

    assert dialog.end_edit.text() == "08:00"
    assert dialog.errors["end"].text() == "The day must end after it starts (09:00)."
    assert dialog.errors["end"].isVisible()


@pytest.mark.parametrize(
    ("source", "sentence"),
    [
        ("/no/such/folder/work.ics", "There is no file at /no/such/folder/work.ics"),
        ("ftp://example.com/work.ics", "Use a feed address starting with https://"),
        ("https:///work.ics", "That address names no server"),
    ],
)
def test_a_calendar_that_cannot_be_used_is_named(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths, source: str, sentence: str
) -> None:
    dialog = make_dialog()
    dialog.source_edit.setFocus()
    type_text(qtbot, source)

    press(qtbot, Qt.Key.Key_Return)

    assert dialog.errors["source"].text().startswith(sentence)
    assert dialog.errors["source"].isVisible()
    assert not fd_home.settings_file.exists()


def test_a_feed_address_is_saved_without_going_on_the_network(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("the setup went on the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    dialog = make_dialog()
    type_text(qtbot, "Robin Rep")
    tab(qtbot)
    type_text(qtbot, "robin@example.com")
    dialog.source_edit.setFocus()
    type_text(qtbot, "webcal://calendar.example.com/robin.ics")

    press(qtbot, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    settings = load_settings(fd_home.settings_file)
    assert settings.busy_sources == ("webcal://calendar.example.com/robin.ics",)


def test_choose_file_by_its_shortcut_puts_the_chosen_calendar_in_the_field(
    qtbot: QtBot, make_dialog: DialogFactory, calendar_file: Path
) -> None:
    dialog = make_dialog(choose_file=lambda parent, current: str(calendar_file))

    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # Choose &file…

    qtbot.waitUntil(lambda: dialog.source_edit.text() == str(calendar_file))
    assert focused() is dialog.source_edit
    assert dialog.vm.value("source") == str(calendar_file)
    assert not dialog.errors["source"].isVisible()


def test_a_file_that_cannot_be_saved_is_explained_and_everything_typed_stays(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths
) -> None:
    path = fd_home.settings_file
    path.parent.mkdir(parents=True)
    path.write_text('[rep]\nname = "unfinished\n', encoding="utf-8")
    dialog = make_dialog()
    type_text(qtbot, "Robin Rep")
    tab(qtbot)
    type_text(qtbot, "robin@example.com")

    press(qtbot, Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert dialog.save_error.isVisible()
    assert "would not be valid TOML" in dialog.save_error.text()
    assert (dialog.name_edit.text(), dialog.email_edit.text()) == ("Robin Rep", "robin@example.com")
    assert path.read_text(encoding="utf-8") == '[rep]\nname = "unfinished\n'


def test_saving_an_empty_setup_names_what_is_missing_until_it_is_typed(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths
) -> None:
    dialog = make_dialog()

    press(qtbot, Qt.Key.Key_Return)
    tab(qtbot)  # leaving the name field empty does not hide its sentence

    assert dialog.errors["name"].text() == "Type your name; invites go out under it."
    assert dialog.errors["email"].isVisible()
    assert not dialog.errors["time_zone"].isVisible()
    assert not dialog.errors["source"].isVisible()  # a calendar is optional
    assert not fd_home.settings_file.exists()


ALT = Qt.KeyboardModifier.AltModifier


def test_how_new_bookings_go_out_is_chosen_by_its_keys_and_saved(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    dialog = make_dialog()
    assert [way for way, box in dialog.send_boxes.items() if box.isChecked()] == ["ics"]

    press(qtbot, Qt.Key.Key_R, ALT)  # into your calendar, as well as the .ics file
    qtbot.waitUntil(dialog.send_boxes["caldav"].isChecked)  # a mnemonic clicks after a flash
    press(qtbot, Qt.Key.Key_S, ALT)

    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_settings(fd_home.settings_file).send_channels == ("caldav", "ics")
    # the next time, the settings show it
    again = make_dialog()
    ticked = [way for way, box in again.send_boxes.items() if box.isChecked()]
    assert ticked == ["caldav", "ics"]


def test_no_way_out_for_new_bookings_is_refused_at_the_field_and_nothing_is_written(
    qtbot: QtBot, make_dialog: DialogFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    before = write_settings().read_text(encoding="utf-8")
    dialog = make_dialog()

    press(qtbot, Qt.Key.Key_I, ALT)  # the .ics file unticked: nothing left
    qtbot.waitUntil(lambda: not dialog.send_boxes["ics"].isChecked())
    press(qtbot, Qt.Key.Key_S, ALT)

    qtbot.waitUntil(lambda: dialog.errors["send"].isVisible())
    assert dialog.isVisible()
    assert dialog.errors["send"].text() == "Tick at least one way new bookings go out."
    qtbot.waitUntil(lambda: focused() is dialog.send_boxes["caldav"])  # where to put it right
    assert fd_home.settings_file.read_text(encoding="utf-8") == before


def zone_in_settings(qtbot: QtBot) -> str:
    """The zone File › Settings… (Ctrl+,) shows; the dialog is then closed unsaved."""
    shown: list[str] = []

    def look(box: QDialog) -> None:
        assert isinstance(box, SetupDialog)
        shown.append(box.zone_edit.text())
        box.reject()

    answer(look)
    press(qtbot, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    [zone] = shown
    return zone


def test_settings_from_the_window_propose_the_reps_zone_not_the_machines(
    qtbot: QtBot,
    make_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rep in New York opens File › Settings… on a laptop set to Tokyo: New York stays."""
    monkeypatch.setattr(settings_file, "system_time_zone", lambda: "Asia/Tokyo")
    window = make_window(time_zone="America/New_York")

    assert zone_in_settings(qtbot) == "America/New_York"
    assert window.vm.settings.rules.time_zone == "America/New_York"


def test_settings_from_the_window_show_the_zone_the_file_holds_now(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths
) -> None:
    """settings.toml edited by hand while the app runs: the dialog shows what it says."""
    make_window(time_zone="America/New_York")
    path = fd_home.settings_file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("America/New_York", "Asia/Tokyo"), encoding="utf-8")

    assert zone_in_settings(qtbot) == "Asia/Tokyo"
