"""A calendar the app was started with (a file, a webcal: link): offered as busy time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QMessageBox

from followup_desk.errors import SettingsError
from followup_desk.storage.settings_file import load_settings, save_values
from followup_desk.ui.single_instance import Given
from followup_desk.ui.viewmodels.desk import DeskViewModel


def offer(
    window: QMainWindow,
    given: Given,
    settings_file: Path,
    vm: DeskViewModel,
    *,
    may_go_on: Callable[[], bool],
) -> None:
    """Ask, then add ``given`` to the busy calendars; ``may_go_on`` guards typed details."""

    def say(text: str) -> None:
        window.statusBar().showMessage(text, 20000)

    try:
        sources = list(load_settings(settings_file).busy_sources)
    except SettingsError as exc:
        say(str(exc))
        return
    if given.source in sources:
        say(f"{given.subject} already counts as busy.")
        return
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    box = QMessageBox(QMessageBox.Icon.Question, "Add a busy calendar?", "", yes | no, window)
    box.setText(f"Add {given.name} as a calendar that counts as busy?")
    box.setInformativeText(f"{given.source}\n\nIts busy times are never offered to prospects.")
    box.setDefaultButton(yes)
    if box.exec() != yes:
        say(f"{given.subject} was not added.")
        return
    if not may_go_on():
        say(f"{given.subject} was not added; open it again once this next step is booked.")
        return
    try:
        settings = save_values(settings_file, {"free_busy.sources": [*sources, given.source]})
    except SettingsError as exc:
        say(str(exc))
        return
    vm.apply_settings(settings)
    say(f"{given.subject} now counts as busy.")
