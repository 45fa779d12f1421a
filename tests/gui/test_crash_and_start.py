"""The last resort and the start: an uncaught error is logged and explained, never a
vanished window; and `followup-desk` with no subcommand really opens and paints the window."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.logs import setup_logging
from followup_desk.paths import AppPaths
from followup_desk.ui import crash
from tests.conftest import SettingsWriter


@pytest.mark.qt_no_exception_capture
def test_an_uncaught_error_is_logged_and_explained_in_a_dialog(
    qtbot: QtBot, fd_home: AppPaths
) -> None:
    setup_logging(fd_home.log_file)
    shown: list[str] = []

    def answer_the_dialog() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        shown.append(box.text())
        box.accept()

    previous = sys.excepthook
    try:
        crash.install(fd_home.log_file)
        QTimer.singleShot(50, answer_the_dialog)
        try:
            raise ZeroDivisionError("the bug under test")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
        for handler in logging.getLogger().handlers[:]:
            handler.close()
            logging.getLogger().removeHandler(handler)

    assert len(shown) == 1
    assert "Your bookings are saved" in shown[0]
    assert str(fd_home.log_file) in shown[0]
    logged = fd_home.log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "ZeroDivisionError: the bug under test" in logged


def test_the_app_starts_paints_its_window_and_quits_cleanly(
    fd_home: AppPaths, write_settings: SettingsWriter, tmp_path: Path
) -> None:
    write_settings()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    code = "from followup_desk.ui.launch import run; raise SystemExit(run(quit_after_paint=True))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    log = fd_home.log_file.read_text(encoding="utf-8")
    assert "window shown" in log
    assert (fd_home.config_dir / "window.ini").exists()  # size and position remembered
