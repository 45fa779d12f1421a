"""Logging set-up: one rotating file in the log folder; tracebacks go there, not to users."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_HANDLER_NAME = "followup-desk-file"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIBRARY_LOGGERS = ("caldav", "niquests", "urllib3", "urllib3_future", "keyring")


def setup_logging(log_file: Path, level: int = logging.INFO) -> logging.Handler | None:
    """Send the app's log records to a rotating file; return the handler (None if impossible).

    A log folder that cannot be created must not stop the app: records then go nowhere
    rather than to the user's terminal.
    """
    root = logging.getLogger("followup_desk")
    root.setLevel(level)
    root.propagate = False
    for old in list(root.handlers):
        if old.get_name() == _HANDLER_NAME:
            root.removeHandler(old)
            old.close()
    handler: logging.Handler
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root.addHandler(handler)
    # The network libraries' warnings belong in the same file, not on the rep's terminal;
    # their debug records (request bodies: invites, addresses) are never written.
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.setLevel(logging.WARNING)
        library.propagate = False
        for old in list(library.handlers):
            if old.get_name() == _HANDLER_NAME:
                library.removeHandler(old)
        library.addHandler(handler)
    return handler
