"""File › Back up… and Restore…: the same backups as `followup-desk backup/restore`, made and
read in the worker (the database is copied with SQLite's online backup while it is open)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from followup_desk.errors import UserError
from followup_desk.storage.settings_file import load_settings
from followup_desk.ui.viewmodels.desk import DeskViewModel

if TYPE_CHECKING:
    from followup_desk.app import Desk
    from followup_desk.storage.backup import RestoreReport


def _invites(desk: Desk) -> Path:
    folder = desk.settings.invites_folder
    return Path(folder).expanduser() if folder else desk.paths.invites_dir


def back_up(parent: QWidget, vm: DeskViewModel, say: object) -> None:
    suggested = Path.home() / f"followup-desk-{date.today():%Y-%m-%d}.zip"
    path, _ = QFileDialog.getSaveFileName(parent, "Back up", str(suggested), "Backup (*.zip)")
    if not path:
        return
    target = Path(path)

    def job(desk: Desk) -> Path:
        from followup_desk.storage.backup import write_backup  # zip, hashing: only when used

        write_backup(desk.paths, target, desk.clock.now(), _invites(desk))
        return target

    def failed(error: UserError) -> None:
        QMessageBox.warning(parent, "Back up", str(error))

    vm.runner.submit(job, lambda done: _say(say, f"Backed up to {done}."), failed)


def restore(parent: QWidget, vm: DeskViewModel, settings_file: Path, say: object) -> None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Restore a backup", str(Path.home()), "Backup (*.zip)"
    )
    if not path:
        return
    answer = QMessageBox.question(
        parent,
        "Restore a backup?",
        "Replace your current data with this backup? Your current data is kept aside first, "
        "as a backup you can restore to undo this.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    source = Path(path)

    def job(desk: Desk) -> RestoreReport:
        from followup_desk.storage.backup import checked_backup  # only when used

        with checked_backup(source, desk.paths) as backup:
            return backup.restore(desk.clock.now(), _invites(desk))

    def done(report: RestoreReport) -> None:
        vm.apply_settings(load_settings(settings_file))  # the worker reopens the database
        kept = f" Your previous data is kept in {report.aside}." if report.aside else ""
        _say(say, f"Restored {source.name}.{kept}")

    def failed(error: UserError) -> None:
        QMessageBox.warning(parent, "Restore", str(error))

    vm.runner.submit(job, done, failed)


def _say(say: object, text: str) -> None:
    if callable(say):
        say(text)
