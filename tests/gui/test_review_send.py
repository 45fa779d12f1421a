"""Shift+M on the review page: the cadence message is shown as the e-mail it will be, the
rep fills in its gap and sends it; it arrives at a real SMTP server and the touch is logged.
Without an SMTP account the key says what to do instead, and nothing is logged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.domain.touches import Outcome
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.ui.widgets.main_window import MainWindow
from followup_desk.ui.widgets.review_panel import SEND_KEY
from followup_desk.ui.widgets.send_dialog import SendDialog
from tests.conftest import SettingsWriter, add_mail_account
from tests.gui.conftest import BERLIN, NOW, WindowFactory, answer, press
from tests.servers import SmtpServer, start_smtp

NEWS = "the pilot report: 12% fewer returns in March"

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = start_smtp()
    yield server
    server.stop()


def seed(home: AppPaths, write_settings: SettingsWriter, smtp: SmtpServer | None) -> None:
    """Ana, met last Thursday, in the short e-mail cadence from today (its first e-mail due)."""
    write_settings()
    desk = open_desk(home, FixedClock(NOW - timedelta(days=7)))
    try:
        start = datetime(2026, 11, 19, 10, tzinfo=BERLIN)
        desk.bookings.book(BookingRequest("Ana Lopez", "ana@sol.es", start, timedelta(minutes=30)))
        if smtp is not None:
            add_mail_account(desk, smtp)
    finally:
        desk.close()
    later = open_desk(home, FixedClock(NOW))
    try:
        later.followups.record_outcome(1, Outcome.HELD)
        later.followups.enrol(1, "short-email", date(2026, 11, 23))
    finally:
        later.close()


def open_review(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.review_vm.review is not None and window.vm.runner.pending == 0)
    window.review.tree.setCurrentIndex(window.review_vm.model.index_of(1))
    window.review.tree.setFocus()


def test_shift_m_shows_the_message_then_sends_it_and_logs_the_touch(
    qtbot: QtBot,
    make_window: WindowFactory,
    fd_home: AppPaths,
    write_settings: SettingsWriter,
    smtp: SmtpServer,
) -> None:
    seed(fd_home, write_settings, smtp)
    window = make_window()
    open_review(qtbot, window)
    assert SEND_KEY in window.review.keys.text()
    shown: list[str] = []

    def confirm(box: QDialog) -> None:
        assert isinstance(box, SendDialog)
        text = box.body.toPlainText()
        shown.append(text)
        start = text.index("[the information they asked for]")
        box.body.setPlainText(
            text[:start] + NEWS + text[start + len("[the information they asked for]") :]
        )
        answer(unfilled)
        # Ctrl+Enter sends (Enter alone is a new line in the message)
        qtbot.keyClick(box.body, Qt.Key.Key_Return, CTRL)  # type: ignore[no-untyped-call]

    def unfilled(box: QDialog) -> None:
        # one [gap] is still there: the app asks; the rep sends anyway
        assert isinstance(box, QMessageBox)
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == "&Send it anyway").click()

    answer(confirm)
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(smtp.messages) == 1, timeout=10000)
    assert "Hi Ana" in shown[0]
    assert "fill in" in shown[1]
    message = message_from_bytes(smtp.messages[0].data, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "ana@sol.es"
    assert message["Subject"] == "Following up: our meeting on Thursday 19 November"
    assert NEWS in message.get_body().get_content()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.vm.runner.pending == 0)
    desk = open_desk(fd_home, FixedClock(NOW))
    try:
        (touch,) = desk.followups.touches(1)
        assert touch.channel == "email" and NEWS in touch.note
    finally:
        desk.close()


def test_without_an_smtp_account_shift_m_says_what_to_do(
    qtbot: QtBot, make_window: WindowFactory, fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    seed(fd_home, write_settings, None)
    window = make_window()
    open_review(qtbot, window)
    assert SEND_KEY not in window.review.keys.text()
    said: list[str] = []
    window.review_vm.message.connect(said.append)
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    assert said and "no e-mail (SMTP) account" in said[-1]
    desk = open_desk(fd_home, FixedClock(NOW))
    try:
        assert desk.followups.touches(1) == []
    finally:
        desk.close()
