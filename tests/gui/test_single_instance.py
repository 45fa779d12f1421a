"""Starting the app again: the second start hands its file to the open window and leaves
without a window of its own; a socket left by a crash does not stop a start; two data
folders are two apps. Then what the window does with what it was given: a calendar is
offered as busy time, a reply or a missing file gets a sentence, typing is never lost.

The second start is a real process (same FOLLOWUP_DESK_HOME); the first is a window in the
test process, served exactly as ``launch.run`` serves it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.paths import HOME_ENV, AppPaths
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.launch import serve_later_starts
from followup_desk.ui.single_instance import Kind, SingleInstance, Start, server_name, what_is
from followup_desk.ui.widgets.main_window import MainWindow
from tests.conftest import SettingsWriter
from tests.gui.conftest import CALENDAR, WindowFactory, type_text

RUN = "import sys; from followup_desk.ui.launch import run; raise SystemExit(run(sys.argv[1:]))"
RUN_AND_QUIT = (
    "from followup_desk.ui.launch import run; raise SystemExit(run(quit_after_paint=True))"
)
REPLY = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Someone//EN\r
METHOD:REPLY\r
BEGIN:VEVENT\r
UID:abc@test\r
DTSTAMP:20261120T090000Z\r
DTSTART:20261204T140000Z\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.com\r
END:VEVENT\r
END:VCALENDAR\r
"""


def start_app(code: str, *args: str, home: Path | None = None, cwd: Path | None = None) -> Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if home is not None:
        env[HOME_ENV] = str(home)
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


Popen = subprocess.Popen[str]


def finished(qtbot: QtBot, process: Popen) -> tuple[int, str]:
    """Wait for ``process`` while this event loop runs (the open window has to answer)."""
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    finally:
        if process.poll() is None:
            process.kill()
    _out, err = process.communicate()
    return process.returncode, err


def when_a_box_is_up(reply: Callable[[QMessageBox], None], within_s: float = 60) -> None:
    """Answer the next message box once it is up, however long another process takes."""
    deadline = time.monotonic() + within_s

    def look() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            reply(box)
        elif time.monotonic() < deadline:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def click(box: QMessageBox, button: QMessageBox.StandardButton) -> None:
    found = box.button(button)
    assert found is not None
    found.click()


@pytest.fixture
def served(
    make_window: WindowFactory, fd_home: AppPaths
) -> Iterator[tuple[MainWindow, SingleInstance]]:
    window = make_window()
    instance = SingleInstance(server_name(fd_home))
    assert instance.start([]) is Start.LISTENING
    serve_later_starts(instance, window)
    yield window, instance
    instance.close()


@pytest.fixture
def other_calendar(tmp_path: Path) -> Path:
    path = tmp_path / "downloads" / "team.ics"
    path.parent.mkdir()
    path.write_text(CALENDAR, encoding="utf-8")
    return path


def test_a_second_start_hands_its_file_to_the_open_window_and_exits_without_a_window(
    qtbot: QtBot,
    served: tuple[MainWindow, SingleInstance],
    fd_home: AppPaths,
    other_calendar: Path,
) -> None:
    window, _ = served
    asked: list[str] = []

    def add_it(box: QMessageBox) -> None:
        asked.append(box.text())
        click(box, QMessageBox.StandardButton.Yes)

    when_a_box_is_up(add_it)
    # started from the file's folder with a relative path, as a file manager might
    second = start_app(RUN, "team.ics", cwd=other_calendar.parent)
    code, err = finished(qtbot, second)
    qtbot.waitUntil(lambda: "now counts as busy" in window.statusBar().currentMessage())

    assert code == 0, err
    assert "Traceback" not in err
    assert asked == ["Add team.ics as a calendar that counts as busy?"]
    assert str(other_calendar) in load_settings(fd_home.settings_file).busy_sources
    assert str(other_calendar) in window.vm.settings.busy_sources  # the flow reads it now
    log = fd_home.log_file.read_text(encoding="utf-8")  # only the second start logs to it
    assert "handed 1 argument(s) to the open window" in log
    assert "window shown" not in log


def test_a_second_start_with_nothing_to_open_brings_the_window_back(
    qtbot: QtBot, served: tuple[MainWindow, SingleInstance]
) -> None:
    window, _ = served
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)

    code, err = finished(qtbot, start_app(RUN))

    assert code == 0, err
    qtbot.waitUntil(lambda: not window.isMinimized() and window.isVisible())


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file behind")
def test_a_socket_left_by_a_crash_does_not_stop_the_app_from_starting(
    qtbot: QtBot, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    write_settings()
    stale = server_name(fd_home)
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(stale)  # bound, never listening, never removed: what a killed app leaves
    left.close()
    assert Path(stale).exists()

    code, err = finished(qtbot, start_app(RUN_AND_QUIT))

    assert code == 0, err
    log = fd_home.log_file.read_text(encoding="utf-8")
    assert "removing a socket nobody answers on" in log
    assert "window shown" in log
    assert not Path(stale).exists()  # the app that started removed its socket on quitting


def test_two_data_folders_are_two_apps(
    qtbot: QtBot, served: tuple[MainWindow, SingleInstance], fd_home: AppPaths, tmp_path: Path
) -> None:
    window, _ = served
    other = tmp_path / "portable-home"
    (other / "config").mkdir(parents=True)
    shutil.copy(fd_home.settings_file, other / "config" / "settings.toml")
    other_paths = AppPaths(other / "data", other / "config", other, other / "logs", other)

    assert server_name(fd_home) != server_name(other_paths)
    assert server_name(fd_home, user="ann") != server_name(fd_home, user="bob")
    code, err = finished(qtbot, start_app(RUN_AND_QUIT, home=other))

    assert code == 0, err
    assert "window shown" in (other / "logs" / "followup-desk.log").read_text(encoding="utf-8")
    assert not fd_home.log_file.exists()  # nothing was handed to the first app
    assert QApplication.activeModalWidget() is None
    assert window.statusBar().currentMessage() in ("", "Working…")


def test_an_invitation_reply_is_named_not_added(
    served: tuple[MainWindow, SingleInstance], fd_home: AppPaths, tmp_path: Path
) -> None:
    window, _ = served
    reply = tmp_path / "Accepted Next step.ics"
    reply.write_text(REPLY, encoding="utf-8", newline="")
    before = fd_home.settings_file.read_text(encoding="utf-8")

    window.open_given([str(reply)])

    assert window.statusBar().currentMessage() == (
        "Accepted Next step.ics is a reply to an invitation: replies are read once calendar "
        "accounts exist."
    )
    assert fd_home.settings_file.read_text(encoding="utf-8") == before


def test_a_webcal_link_is_offered_by_its_server_and_a_no_changes_nothing(
    served: tuple[MainWindow, SingleInstance], fd_home: AppPaths
) -> None:
    window, _ = served
    before = fd_home.settings_file.read_text(encoding="utf-8")
    asked: list[str] = []

    def decline(box: QMessageBox) -> None:
        asked.append(box.text())
        click(box, QMessageBox.StandardButton.No)

    when_a_box_is_up(decline)
    window.open_given(["webcal://calendar.example.com/u/robin/work.ics"])

    assert asked == [
        "Add the calendar feed at calendar.example.com as a calendar that counts as busy?"
    ]
    assert fd_home.settings_file.read_text(encoding="utf-8") == before
    assert (
        window.statusBar().currentMessage()
        == "The calendar feed at calendar.example.com was not added."
    )


def test_adding_a_calendar_never_throws_away_what_the_rep_is_typing(
    qtbot: QtBot, served: tuple[MainWindow, SingleInstance], fd_home: AppPaths, other_calendar: Path
) -> None:
    window, _ = served
    window.form.focus_field("name")
    type_text(qtbot, "Dana Whitfield")
    questions: list[str] = []

    def keep_typing(box: QMessageBox) -> None:
        questions.append(box.text())
        click(box, QMessageBox.StandardButton.Cancel)

    def add_it(box: QMessageBox) -> None:
        questions.append(box.text())
        when_a_box_is_up(keep_typing)
        click(box, QMessageBox.StandardButton.Yes)

    when_a_box_is_up(add_it)
    window.open_given([str(other_calendar)])

    assert questions[1].startswith("What you typed about Dana Whitfield has not been booked")
    assert window.vm.form.value("name") == "Dana Whitfield"
    assert str(other_calendar) not in load_settings(fd_home.settings_file).busy_sources
    assert "team.ics was not added; open it again" in window.statusBar().currentMessage()


@pytest.mark.parametrize(
    ("arg", "note"),
    [
        ("/nowhere/work.ics", "There is no file at /nowhere/work.ics."),
        (
            "mailto:dana@acme.com",
            "Followup Desk opens .ics files and webcal:// links, not mailto links.",
        ),
        ("webcal:/work.ics", "That calendar address names no server."),
        (
            "ftp://files.example.com/a.ics",
            "Followup Desk opens .ics files and webcal:// links, not ftp links.",
        ),
    ],
)
def test_what_cannot_be_a_calendar_gets_a_sentence(arg: str, note: str) -> None:
    given = what_is(arg)
    assert given.kind is Kind.NOT_A_CALENDAR
    assert given.note == note


def test_a_plain_text_file_and_an_invitation_are_not_calendars(tmp_path: Path) -> None:
    notes = tmp_path / "notes.ics"
    notes.write_text("call Dana on Friday", encoding="utf-8")
    invite = tmp_path / "invite.ics"
    invite.write_text(REPLY.replace("METHOD:REPLY", "METHOD:REQUEST"), encoding="utf-8")
    assert what_is(str(notes)).note == "notes.ics is not a calendar (.ics) file."
    assert what_is(str(invite)).note.startswith("invite.ics is an invitation, not a calendar")
    assert what_is(invite.parent.joinpath("x.ics").as_uri()).note.startswith("There is no file")
