"""File › Import a reply… (and a .ics or .eml file dropped on the window): the prospect's
answer to an invite, read in the worker and recorded on the booking, then said in a sentence:
"Ana Silva accepted (booking 12)". A file that holds no answer says so, in a dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from followup_desk.domain.outbox import reply_word
from followup_desk.errors import UserError
from followup_desk.ui.viewmodels.desk import DeskViewModel

if TYPE_CHECKING:
    from followup_desk.app import Desk
    from followup_desk.services.outbox import ReplyRead

REPLY_SUFFIXES = (".ics", ".eml")


def replies_sentence(found: Sequence[ReplyRead]) -> str:
    return "; ".join(
        f"{r.prospect} {reply_word(r.partstat)} (booking {r.booking_id})" for r in found
    )


def reply_files(urls: Sequence[QUrl]) -> list[Path]:
    """The dropped files that may hold a reply."""
    return [
        Path(url.toLocalFile())
        for url in urls
        if url.isLocalFile() and url.toLocalFile().lower().endswith(REPLY_SUFFIXES)
    ]


def import_replies(
    parent: QWidget, vm: DeskViewModel, paths: Sequence[Path], say: Callable[[str], None]
) -> None:
    for path in paths:

        def job(desk: Desk, path: Path = path) -> list[ReplyRead]:
            return desk.outbox.import_reply(path)

        def done(found: list[ReplyRead]) -> None:
            say(replies_sentence(found) + ".")
            vm.refresh_list()

        def failed(error: UserError, path: Path = path) -> None:
            QMessageBox.warning(parent, "Import a reply", f"{path.name}: {error}")

        vm.runner.submit(job, done, failed)


def choose_and_import(parent: QWidget, vm: DeskViewModel, say: Callable[[str], None]) -> None:
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "Import a reply",
        str(Path.home()),
        "Replies (*.ics *.eml);;All files (*)",
    )
    if path:
        import_replies(parent, vm, [Path(path)], say)
