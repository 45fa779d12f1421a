"""File › Back up… and Restore a backup… in the window: the same backups as the command line,
made and read while the window has the database open."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.paths import AppPaths
from tests.gui.conftest import WindowFactory
from tests.gui.test_flow_keys import book_friday_at_3, bookings


def test_a_backup_made_in_the_window_restores_a_deleted_booking(
    qtbot: QtBot,
    make_window: WindowFactory,
    fd_home: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window()
    book_friday_at_3(qtbot, window)
    saved = tmp_path / "friday.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    window.back_up()
    qtbot.waitUntil(lambda: saved.exists() and window.vm.runner.pending == 0)
    assert window.statusBar().currentMessage() == f"Backed up to {saved}."

    window.vm.runner.submit(
        lambda desk: (
            desk.conn.execute("DELETE FROM task") and desk.conn.execute("DELETE FROM booking")
        ),
        lambda _r: None,
    )
    qtbot.waitUntil(lambda: not bookings(fd_home))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.restore_backup()

    qtbot.waitUntil(lambda: len(bookings(fd_home)) == 1, timeout=10000)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Restored friday.zip"))
    assert "kept in" in window.statusBar().currentMessage()
