"""The last resort: an exception nobody caught is logged with its traceback, and the rep
gets a dialog that says what to do. The window stays open; nothing booked is lost (every
booking is committed before anything else happens)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("followup_desk.crash")
_qt_log = logging.getLogger("followup_desk.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def crash_sentence(log_file: Path) -> str:
    return (
        "Something unexpected went wrong. Your bookings are saved; what was on screen may "
        f"need doing again. The details are in the log:\n{log_file}\n\n"
        "If it happens again, send that file to support."
    )


def install(log_file: Path) -> None:
    """Route uncaught exceptions and Qt's own messages into the log."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        if QApplication.instance() is not None:
            box = QMessageBox(QMessageBox.Icon.Critical, "Followup Desk", crash_sentence(log_file))
            box.setObjectName("crash-dialog")
            box.exec()

    sys.excepthook = hook

    def qt_messages(kind: QtMsgType, _context: object, message: str) -> None:
        _qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(qt_messages)
