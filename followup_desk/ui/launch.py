"""Starting the window: logging, settings (with the first-run setup), the workers, the window.

Nothing slow sits before the first paint: settings are a small local file, the database is
opened by the worker thread, and calendars are read there after the window shows. The
outbox worker (a second thread with its own Desk) makes its first run once the window's
worker is idle, after the first paint.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from followup_desk import APP_ID, APP_NAME
from followup_desk.domain.ports import Clock
from followup_desk.domain.settings import Settings
from followup_desk.errors import UserError
from followup_desk.logs import setup_logging
from followup_desk.paths import AppPaths, resolve_paths
from followup_desk.storage.settings_file import load_settings, system_time_zone
from followup_desk.ui import crash
from followup_desk.ui.icon import app_icon
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.single_instance import Request, SingleInstance, Start, server_name
from followup_desk.ui.viewmodels.desk import DeskViewModel
from followup_desk.ui.viewmodels.outbox import OutboxViewModel
from followup_desk.ui.viewmodels.outbox_worker import OutboxWorker
from followup_desk.ui.viewmodels.review import ReviewViewModel
from followup_desk.ui.widgets.main_window import MainWindow

if TYPE_CHECKING:
    from followup_desk.app import Desk, Gateways
    from followup_desk.domain.ports import Secrets

log = logging.getLogger(__name__)

BASE_FONT_SCALE = 1.15
# the outbox worker's first run waits for the window's worker to be idle, at most this long
OUTBOX_START_MS = 3000


class _QuitOnPaint(QObject):
    """For the start-up benchmark: quit once the window has painted."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


def application(argv: Sequence[str] = ()) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    # a notch above the system size: the rep reads it from a meter away while talking
    font = app.font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * BASE_FONT_SCALE)
        app.setFont(font)
    return app


def settings_or_setup(paths: AppPaths) -> Settings | None:
    """The rep's settings; the short setup first when their name or e-mail is missing."""
    try:
        settings = load_settings(paths.settings_file)
    except UserError as exc:
        QMessageBox.critical(
            None,
            APP_NAME,
            f"{exc}\n\nFix that line in the file and start the app again; "
            "`followup-desk settings` shows where it is.",
        )
        return None
    if settings.rep.name and settings.rep.email:
        return settings
    # only on a first start: kept off the usual path to the first paint
    from followup_desk.ui.viewmodels.setup import SetupViewModel
    from followup_desk.ui.widgets.setup_dialog import SetupDialog

    setup = SetupViewModel(paths.settings_file, system_time_zone())
    dialog = SetupDialog(setup)
    dialog.exec()
    try:
        return load_settings(paths.settings_file)
    except UserError as exc:  # the setup only writes what validates; the file was edited
        QMessageBox.critical(None, APP_NAME, str(exc))
        return None


class SharedParts:
    """One Secrets and one Gateways for every worker's Desk: a password kept "for this run
    only" (no system keyring) must work in the window's worker and the outbox worker alike.
    Built on first use, in whichever worker gets there first (they import the network
    libraries, which the first paint does not need)."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._lock = threading.Lock()
        self._parts: tuple[Secrets, Gateways] | None = None

    def get(self) -> tuple[Secrets, Gateways]:
        with self._lock:
            if self._parts is None:
                from followup_desk.adapters.secrets import KeyringSecrets
                from followup_desk.app import Gateways

                self._parts = (KeyringSecrets(), Gateways(self._timeout))
            return self._parts


def build_window(paths: AppPaths, settings: Settings, clock: Clock | None = None) -> MainWindow:
    shared = SharedParts(settings.feed_timeout_seconds)

    def opener() -> Desk:
        # imported here, in the worker thread: the calendar and network libraries behind
        # the Desk are not needed for the first paint
        from followup_desk.app import open_desk

        secrets, gateways = shared.get()
        return open_desk(paths, clock, secrets, gateways)

    def new_runner(name: str) -> DeskRunner:
        return DeskRunner(opener, str(paths.log_file), name)

    runner = new_runner("worker")
    vm = DeskViewModel(settings, runner)
    review = ReviewViewModel(runner)
    rules = settings.rules
    outbox = OutboxViewModel(runner, rules.time_zone, rules.clock_24h)
    worker = OutboxWorker(new_runner("outbox"))
    window = MainWindow(
        vm,
        review,
        paths.config_dir / "window.ini",
        paths.log_file.parent,
        paths.settings_file,
        outbox=outbox,
        outbox_worker=worker,
        accounts_runner=lambda: new_runner("accounts"),
    )
    worker.setParent(window)
    review.outboxNeeded.connect(worker.run_now)  # a task or an e-mail queued from the review
    vm.check_rep()
    vm.refresh_list()
    vm.start_new()
    vm.load_accounts()
    review.load()  # after the first paint's jobs: it only tells which meetings await an answer
    window.form.focus_field("name")
    _start_outbox_when_idle(runner, worker, window)
    return window


def _start_outbox_when_idle(runner: DeskRunner, worker: OutboxWorker, window: MainWindow) -> None:
    """The outbox worker's first run: once the window's first jobs are done (or after a few
    seconds), so it never competes with the first paint and the first busy-time read."""

    def idle(busy: bool) -> None:
        if not busy:
            worker.start()

    runner.busyChanged.connect(idle)
    QTimer.singleShot(OUTBOX_START_MS, window, worker.start)


def serve_later_starts(instance: SingleInstance, window: MainWindow) -> None:
    """A later start of the app brings ``window`` forward and hands it what it was given."""

    def bring_forward(request: Request) -> None:
        request.use_activation_token()
        window.raise_to_front()
        window.open_given(request.args)

    instance.on_request(bring_forward)


def _install_tray(window: MainWindow) -> None:
    from followup_desk.ui.tray import install_tray

    install_tray(window)  # parented to the window, which keeps it


def run(argv: Sequence[str] = (), *, quit_after_paint: bool = False) -> int:
    paths = resolve_paths()
    setup_logging(paths.log_file)
    app = application(argv)
    crash.install(paths.log_file)
    instance = SingleInstance(server_name(paths))
    started = instance.start(argv, os.environ.get("XDG_ACTIVATION_TOKEN", ""))
    if started is Start.HANDED_OVER:
        return 0  # the open window has the arguments and comes forward
    if started is Start.NOT_ANSWERING:
        QMessageBox.warning(
            None,
            APP_NAME,
            f"{APP_NAME} is already open but does not answer. Wait a moment and start it "
            "again; if it still does not answer, close the open window.",
        )
        return 1
    settings = settings_or_setup(paths)
    if settings is None:
        return 1
    window = build_window(paths, settings)
    serve_later_starts(instance, window)
    # the tray (and its reminders) after the first paint: nothing it does is needed sooner
    QTimer.singleShot(0, window, lambda: _install_tray(window))
    if quit_after_paint:
        watcher = _QuitOnPaint(window)
        window.installEventFilter(watcher)
    window.show()
    log.info("window shown")
    if argv:
        QTimer.singleShot(0, window, lambda: window.open_given(argv))
    code = app.exec()
    window.shutdown_workers()  # after quit() too, not only after the window's close
    instance.close()
    return code
