"""File › Accounts… by keyboard, against a real Radicale and a real SMTP server.

The rep adds their calendar server, sees its calendars, ticks what counts as busy and saves;
the password goes to the keyring and never into the database. Wrong passwords, servers that
do not answer and a missing keyring are each said in a sentence, in the dialog.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from followup_desk.domain.accounts import CalDavAccount, SmtpAccount
from followup_desk.domain.outbox import Channel
from followup_desk.paths import AppPaths
from followup_desk.ui.viewmodels.narrowing import Step
from followup_desk.ui.widgets.accounts_dialog import AccountsDialog
from followup_desk.ui.widgets.caldav_form import CalDavForm
from followup_desk.ui.widgets.main_window import MainWindow
from followup_desk.ui.widgets.smtp_form import SmtpForm
from tests.gui.conftest import WindowFactory, answer, focused, press, type_text
from tests.servers import (
    CalDavServer,
    MemoryKeyring,
    SmtpServer,
    make_self_signed_cert,
    start_radicale,
    start_smtp,
)

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
PASSWORD = "Radicale-pw-7Qx"
KEYRING = "Followup Desk"

# Friday 4 December 2026, 11:00-12:00 Berlin: a meeting only the CalDAV calendar knows of
FRIDAY_MEETING = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//EN\r
BEGIN:VEVENT\r
UID:caldav-only@test\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261204T100000Z\r
DTEND:20261204T110000Z\r
SUMMARY:Only on the server\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    server = start_radicale(tmp_path_factory.mktemp("radicale"), users={"rep": PASSWORD})
    work = server.make_calendar("work", display_name="Work")
    server.make_calendar("private", display_name="Private")
    server.put(work, "friday.ics", FRIDAY_MEETING)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = start_smtp(password="Smtp-pw-3Kd")
    try:
        yield server
    finally:
        server.stop()


def open_accounts(qtbot: QtBot, window: MainWindow) -> AccountsDialog:
    press(qtbot, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: isinstance(window.accounts_dialog, AccountsDialog))
    dialog = window.accounts_dialog
    assert isinstance(dialog, AccountsDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.vm.loaded)
    return dialog


def caldav_form(dialog: AccountsDialog) -> CalDavForm:
    form = dialog.form
    assert isinstance(form, CalDavForm)
    return form


def fill_caldav(qtbot: QtBot, dialog: AccountsDialog, url: str, user: str, password: str) -> None:
    press(qtbot, Qt.Key.Key_C, ALT)  # "Add a calendar (CalDAV) account…"
    qtbot.waitUntil(lambda: dialog.form is not None)  # a mnemonic clicks after a short flash
    form = caldav_form(dialog)
    assert focused() is form.edits["url"]
    type_text(qtbot, url)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, user)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.edits["password"]
    type_text(qtbot, password)


def test_a_caldav_account_added_by_keys_shows_its_calendars_and_keeps_the_password_out_of_the_db(
    qtbot: QtBot,
    make_window: WindowFactory,
    radicale: CalDavServer,
    memory_keyring: MemoryKeyring,
    fd_home: AppPaths,
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    assert dialog.empty.isVisible()  # no account yet, said so
    assert not dialog.keyring_note.isVisible()

    fill_caldav(qtbot, dialog, radicale.url, "rep", PASSWORD)
    form = caldav_form(dialog)
    assert form.edits["password"].echoMode() is form.edits["password"].EchoMode.Password
    assert not form.save_button.isEnabled()  # a good test comes first
    press(qtbot, Qt.Key.Key_Return)  # Enter tests the connection
    qtbot.waitUntil(lambda: not form.draft.testing)

    assert form.result.sentence.text().startswith("Connected to 127.0.0.1:")
    assert "2 calendars found" in form.result.sentence.text()
    model = form.caldav.calendars
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert sorted(names) == ["Private", "Work"]
    assert form.table.isVisible()
    # both count as busy; the first writable one receives bookings
    checked = Qt.CheckState.Checked
    ticks = Qt.ItemDataRole.CheckStateRole
    assert all(model.index(r, 1).data(ticks) == checked for r in (0, 1))
    assert sum(model.index(r, 2).data(ticks) == checked for r in (0, 1)) == 1

    # the rep makes Work (only) the bookings calendar and the only busy one, by keys
    form.table.setFocus()
    work = names.index("Work")
    private = names.index("Private")
    form.table.setCurrentIndex(model.index(private, 0))
    press(qtbot, Qt.Key.Key_Space)  # Private no longer counts as busy
    form.table.setCurrentIndex(model.index(work, 0))
    if model.bookings() != radicale.home_url + "work/":
        press(qtbot, Qt.Key.Key_B)
    assert model.bookings() == radicale.home_url + "work/"
    assert model.busy() == (radicale.home_url + "work/",)
    assert form.save_button.isEnabled()

    press(qtbot, Qt.Key.Key_Return)  # Enter now saves
    qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)
    assert "Saved the account 'caldav'" in dialog.status.text()
    assert "keyring" in dialog.status.text()
    account = dialog.vm.model.account(0)
    assert isinstance(account, CalDavAccount)
    assert account.username == "rep" and account.bookings_calendar.endswith("/work/")
    assert "busy: Work" in dialog.vm.model.index(0, 3).data()

    # the password is in the keyring, and in no byte of the database (nor its journal)
    assert memory_keyring.passwords[(KEYRING, "caldav:caldav")] == PASSWORD
    qtbot.waitUntil(lambda: window.vm.runner.pending == 0)
    for path in fd_home.database.parent.glob(fd_home.database.name + "*"):
        assert PASSWORD.encode() not in path.read_bytes(), path

    # closed with Esc; the calendar's meeting now counts as busy in the flow
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.accounts_dialog is None)
    qtbot.waitUntil(lambda: not window.vm.flow.loading and window.vm.runner.pending == 0)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.focus_flow()
    for key in (Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_M):  # late next week, Friday, morning
        press(qtbot, key)
    assert window.vm.flow.step is Step.TIME
    offered = [row.option.title for row in window.panel.rows()]
    assert "09:00–09:30 CET" in offered
    assert "11:00–11:30 CET" not in offered  # the server's meeting


def test_a_wrong_password_is_said_and_nothing_is_saved(
    qtbot: QtBot, make_window: WindowFactory, radicale: CalDavServer
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    fill_caldav(qtbot, dialog, radicale.url, "rep", "not-the-password")
    form = caldav_form(dialog)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.draft.testing)

    sentence = form.result.sentence.text()
    assert "refused the user name 'rep' with this password" in sentence
    assert not form.table.isVisible()
    assert not form.save_button.isEnabled()
    press(qtbot, Qt.Key.Key_Escape)  # back to the list: still empty
    assert dialog.form is None
    assert dialog.vm.model.rowCount() == 0


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_server_that_is_not_there_is_said_in_a_sentence(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    fill_caldav(qtbot, dialog, f"http://127.0.0.1:{closed_port()}/", "rep", "pw")
    form = caldav_form(dialog)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.draft.testing)

    assert "Nothing answers at 127.0.0.1:" in form.result.sentence.text()
    assert "Traceback" not in form.result.sentence.text()
    assert not form.save_button.isEnabled()


class SlowServer:
    """Takes each connection and says nothing for a second, then hangs up."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self._running = True
        self._thread = threading.Thread(target=self._serve)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            time.sleep(1.0)
            connection.close()

    def stop(self) -> None:
        self._running = False
        self._thread.join(timeout=10)
        self._socket.close()


def is_testing(form: CalDavForm) -> bool:
    return form.draft.testing


def test_esc_stops_waiting_for_a_server_that_does_not_answer(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    slow = SlowServer()
    try:
        dialog = open_accounts(qtbot, window)
        fill_caldav(qtbot, dialog, f"http://127.0.0.1:{slow.port}/", "rep", "pw")
        form = caldav_form(dialog)
        press(qtbot, Qt.Key.Key_Return)
        assert is_testing(form)
        assert form.result.busy.isVisible() and not form.test_button.isEnabled()
        assert not form.save_button.isEnabled()

        press(qtbot, Qt.Key.Key_Escape)  # stop waiting: the form stays, with what was typed
        assert not is_testing(form)
        assert dialog.form is form
        assert not form.result.busy.isVisible()
        assert "Stopped waiting" in form.result.sentence.text()
        assert form.test_button.isEnabled()
        assert form.edits["password"].text() == "pw"
        # the late answer changes nothing on screen
        qtbot.waitUntil(lambda: dialog.vm.runner.pending == 0, timeout=20_000)
        assert "Stopped waiting" in form.result.sentence.text()
    finally:
        slow.stop()


def test_without_a_system_keyring_save_waits_for_the_reps_consent(
    qtbot: QtBot, make_window: WindowFactory, radicale: CalDavServer
) -> None:
    # restored by the memory_keyring fixture; keyring's class has no types
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    window = make_window()
    dialog = open_accounts(qtbot, window)
    assert dialog.keyring_note.isVisible()
    assert "no system keyring" in dialog.keyring_note.text().lower()

    fill_caldav(qtbot, dialog, radicale.url, "rep", PASSWORD)
    form = caldav_form(dialog)
    assert form.keyring_note.isVisible()
    assert "kept for this run only" in form.keyring_note.text()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.draft.testing)
    assert form.draft.tested_ok()
    assert not form.save_button.isEnabled()
    assert "Keep the password for this run only" in form.save_hint.text()

    press(qtbot, Qt.Key.Key_Return)  # Enter goes to the consent tick, not to Save
    assert focused() is form.consent
    press(qtbot, Qt.Key.Key_Space)
    assert form.consent.isChecked()
    assert form.save_button.isEnabled()
    press(qtbot, Qt.Key.Key_Return)  # on the ticked box, Enter saves (it does not untick)
    qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)
    assert "this run only" in dialog.status.text()

    # the password kept for this run reaches the outbox worker too: a booking goes out
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: not window.vm.send.why_not(Channel.CALDAV))
    window.form.focus_field("name")
    type_text(qtbot, "Dana Whitfield")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "dana@example.com")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.vm.flow.loading)
    for key in (Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_A, Qt.Key.Key_3, Qt.Key.Key_Return):
        press(qtbot, key)
    press(qtbot, Qt.Key.Key_C)  # by the calendar
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.outcome.channel_texts() == ["Calendar: in your calendar ✓"],
        timeout=10_000,
    )


def test_an_smtp_account_is_tested_and_saved_from_the_reps_own_address(
    qtbot: QtBot, make_window: WindowFactory, smtp: SmtpServer, memory_keyring: MemoryKeyring
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    press(qtbot, Qt.Key.Key_E, ALT)  # "Add an e-mail (SMTP) account…"
    qtbot.waitUntil(lambda: dialog.form is not None)
    form = dialog.form
    assert isinstance(form, SmtpForm)
    assert form.edits["from_address"].text() == "robin@example.com"  # the rep's, prefilled
    assert form.edits["port"].text() == "587"
    form.security.setCurrentIndex(1)  # TLS from the start: the usual port follows
    assert form.edits["port"].text() == "465"
    form.security.setCurrentIndex(2)  # none: a server on this machine
    form.edits["host"].setFocus()
    type_text(qtbot, smtp.host)
    form.edits["port"].setFocus()
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, str(smtp.port))
    form.edits["username"].setFocus()
    type_text(qtbot, smtp.username)
    form.edits["from_address"].setFocus()
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "someone.else@example.com")
    form.edits["password"].setFocus()
    type_text(qtbot, smtp.password)
    press(qtbot, Qt.Key.Key_Return)
    # the From address must be the rep's: said beside the field, nothing tested
    assert "robin@example.com" in form.errors["from_address"].text()
    assert form.errors["from_address"].isVisible()
    form.edits["from_address"].setFocus()
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "robin@example.com")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.draft.testing)
    assert "mail will go out from robin@example.com" in form.result.sentence.text()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)
    account = dialog.vm.model.account(0)
    assert isinstance(account, SmtpAccount)
    assert account.port == smtp.port and account.from_address == "robin@example.com"
    assert memory_keyring.passwords[(KEYRING, "smtp:smtp")] == smtp.password
    # the e-mail toggle of the flow is now available
    qtbot.waitUntil(lambda: not window.vm.send.why_not(Channel.EMAIL))


def test_removing_an_account_asks_first_and_a_new_password_is_tested(
    qtbot: QtBot,
    make_window: WindowFactory,
    radicale: CalDavServer,
    memory_keyring: MemoryKeyring,
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    fill_caldav(qtbot, dialog, radicale.url, "rep", PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    form = caldav_form(dialog)
    qtbot.waitUntil(lambda: form.draft.tested_ok())
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)
    assert focused() is dialog.table

    def type_password(box: QDialog) -> None:
        assert isinstance(box, QInputDialog)
        box.setTextValue("wrong-now")
        box.accept()

    answer(type_password)
    press(qtbot, Qt.Key.Key_P)  # change the password: stored, then tested
    qtbot.waitUntil(lambda: "refused" in dialog.status.text())
    assert memory_keyring.passwords[(KEYRING, "caldav:caldav")] == "wrong-now"

    seen: list[str] = []

    def say_no(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.reject()

    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.table)
    answer(say_no)
    press(qtbot, Qt.Key.Key_Delete)
    assert seen and "Remove the account 'caldav'" in seen[0]
    assert dialog.vm.model.rowCount() == 1

    def say_yes(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        button = box.button(QMessageBox.StandardButton.Yes)
        assert button is not None
        button.click()

    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.table)
    answer(say_yes)
    press(qtbot, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: dialog.vm.model.rowCount() == 0)
    assert (KEYRING, "caldav:caldav") not in memory_keyring.passwords
    assert "Removed the account 'caldav'" in dialog.status.text()
    assert QApplication.activeModalWidget() is dialog


def test_the_calendars_of_a_saved_account_are_changed_without_typing_the_password_again(
    qtbot: QtBot, make_window: WindowFactory, radicale: CalDavServer
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    fill_caldav(qtbot, dialog, radicale.url, "rep", PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: caldav_form(dialog).draft.tested_ok())
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)

    press(qtbot, Qt.Key.Key_Return)  # Enter on the account: its calendars
    form = caldav_form(dialog)
    assert form.title.text() == "Calendars of 'caldav'"
    assert form.edits["url"].isReadOnly() and form.edits["password"].text() == ""
    assert form.save_button.isEnabled()  # the stored password stays
    model = form.caldav.calendars
    assert model.rowCount() == 2 and len(model.busy()) == 2
    form.table.setFocus()
    form.table.setCurrentIndex(model.index(0, 0))
    press(qtbot, Qt.Key.Key_Space)  # the first no longer counts as busy
    form.by_server.click()  # the server sends the invitations
    dialog.vm.say("")
    press(qtbot, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: dialog.form is None and "Saved" in dialog.status.text())

    def saved() -> CalDavAccount | None:
        account = dialog.vm.model.account(0)
        return account if isinstance(account, CalDavAccount) else None

    qtbot.waitUntil(lambda: (account := saved()) is not None and len(account.busy_calendars) == 1)
    account = saved()
    assert account is not None
    assert account.invites_by.value == "server"
    assert "invitations e-mailed by the calendar server" in dialog.vm.model.index(0, 3).data()


@pytest.fixture(scope="module")
def tls_radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    folder = tmp_path_factory.mktemp("radicale-tls")
    server = start_radicale(folder, tls=make_self_signed_cert(folder / "cert"))
    server.make_calendar("work", display_name="Work")
    try:
        yield server
    finally:
        server.stop()


def test_a_self_signed_certificate_is_shown_by_its_fingerprint_and_trusted_on_request(
    qtbot: QtBot, make_window: WindowFactory, tls_radicale: CalDavServer
) -> None:
    window = make_window()
    dialog = open_accounts(qtbot, window)
    fill_caldav(qtbot, dialog, tls_radicale.url, "rep", tls_radicale.password)
    form = caldav_form(dialog)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.draft.testing)

    assert "is not trusted" in form.result.sentence.text()
    fingerprint = form.draft.untrusted()
    assert len(fingerprint.split(":")) == 32  # SHA-256, colon-separated
    assert form.result.fingerprint.isVisible()
    assert fingerprint in form.result.fingerprint.text()
    assert form.result.trust_button.isVisible()
    assert not form.save_button.isEnabled()

    press(qtbot, Qt.Key.Key_C, ALT)  # "Trust this certificate": stored, tested again
    qtbot.waitUntil(lambda: form.draft.tested_ok(), timeout=10_000)
    assert form.result.sentence.text().startswith("Connected to")
    assert not form.result.trust_button.isVisible()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)
    account = dialog.vm.model.account(0)
    assert isinstance(account, CalDavAccount)
    assert account.trusted_fingerprint == fingerprint


def test_a_saved_email_account_moves_to_another_server_keeping_its_password(
    qtbot: QtBot,
    make_window: WindowFactory,
    smtp: SmtpServer,
    memory_keyring: MemoryKeyring,
) -> None:
    # the provider changes its port: the rep changes the account instead of re-adding it
    moved = start_smtp(password=smtp.password)
    try:
        window = make_window()
        dialog = open_accounts(qtbot, window)
        press(qtbot, Qt.Key.Key_E, ALT)
        qtbot.waitUntil(lambda: dialog.form is not None)
        adding = dialog.form
        assert isinstance(adding, SmtpForm)
        adding.security.setCurrentIndex(2)  # none: a server on this machine
        for field, text in (
            ("host", smtp.host),
            ("port", str(smtp.port)),
            ("username", smtp.username),
            ("password", smtp.password),
        ):
            adding.edits[field].setFocus()
            press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            type_text(qtbot, text)
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: adding.draft.tested_ok())
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.form is None and dialog.vm.model.rowCount() == 1)

        assert dialog.edit_button.text() == "Change its &details…"
        press(qtbot, Qt.Key.Key_Return)  # Enter on the account: its details
        qtbot.waitUntil(lambda: isinstance(dialog.form, SmtpForm))
        changing = dialog.form
        assert isinstance(changing, SmtpForm)
        assert changing.title.text() == "E-mail account 'smtp'"
        assert changing.edits["password"].text() == "" and changing.edits["name"].isReadOnly()
        changing.edits["port"].setFocus()
        press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, str(moved.port))
        assert not changing.save_button.isEnabled()  # a changed server is tested before saving
        press(qtbot, Qt.Key.Key_Return)  # tested with the stored password
        qtbot.waitUntil(lambda: changing.draft.tested_ok())
        assert f"Connected to {moved.host}:{moved.port}" in changing.result.sentence.text()
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.form is None and "Saved" in dialog.status.text())

        def saved() -> SmtpAccount | None:
            account = dialog.vm.model.account(0)
            return account if isinstance(account, SmtpAccount) else None

        qtbot.waitUntil(lambda: (account := saved()) is not None and account.port == moved.port)
        assert memory_keyring.passwords[(KEYRING, "smtp:smtp")] == smtp.password
    finally:
        moved.stop()
