"""Atomic file writes: a temp file in the same folder, flushed, then renamed over the target.

A reader (Outlook importing the invite, the app reading settings) sees the old file or the
new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from followup_desk.errors import StorageError


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step. Raises OSError (nothing left behind)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def export_text(path: Path, text: str, lost: str) -> None:
    """An export the rep asked for: written whole, or a StorageError saying why and that
    ``lost`` (e.g. "nothing was exported")."""
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise StorageError(f"{path} could not be written ({exc.strerror}); {lost}.") from exc
