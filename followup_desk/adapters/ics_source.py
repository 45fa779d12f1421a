"""The CalendarSource port for local .ics files and .ics feeds.

A file's fingerprint is its size and modification time (a stat, no read); a feed's is its
ETag or Last-Modified, or failing those a hash of the body, so an unchanged calendar is
recognised without parsing it.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path

from followup_desk.adapters import feeds
from followup_desk.adapters.ics_reader import busy_blocks
from followup_desk.domain.ports import SourceLoad
from followup_desk.errors import SourceError

log = logging.getLogger(__name__)


class IcsCalendarSource:
    """Reads .ics files and feeds; see :class:`followup_desk.domain.ports.CalendarSource`."""

    def __init__(self, *, timeout: float = 15.0, max_megabytes: int = 50) -> None:
        self._timeout = timeout
        self._max_bytes = max_megabytes << 20

    def load(
        self,
        source: str,
        window: tuple[datetime, datetime],
        zone: str,
        known_fingerprint: str | None,
    ) -> SourceLoad:
        if feeds.is_feed(source):
            return self._load_feed(source, window, zone, known_fingerprint)
        return self._load_file(source, window, zone, known_fingerprint)

    def _load_file(
        self, source: str, window: tuple[datetime, datetime], zone: str, known: str | None
    ) -> SourceLoad:
        path = Path(source).expanduser()
        try:
            stat = path.stat()
        except FileNotFoundError as exc:
            raise SourceError(
                source,
                f"The calendar file {source} does not exist. Check the path in the settings "
                "(free_busy.sources) or export the calendar again.",
            ) from exc
        except OSError as exc:
            raise SourceError(
                source, f"The calendar file {source} cannot be read ({exc.strerror})."
            ) from exc
        if not path.is_file():
            raise SourceError(source, f"{source} is a folder, not an .ics file.")
        if stat.st_size > self._max_bytes:
            megabytes = -(-stat.st_size >> 20)  # rounded up: 50.3 MB is "51", never "50"
            raise SourceError(
                source,
                f"{source} is {megabytes} MB, larger than the "
                f"{self._max_bytes >> 20} MB allowed for a free/busy calendar. Export a "
                "shorter range, or raise free_busy.max_source_megabytes in the settings.",
            )
        fingerprint = f"file:{stat.st_size}:{stat.st_mtime_ns}"
        if fingerprint == known:
            return SourceLoad(fingerprint, unchanged=True)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(
                source, f"The calendar file {source} cannot be read ({exc.strerror})."
            ) from exc
        parsed = busy_blocks(data, source, window, zone)
        return SourceLoad(fingerprint, False, parsed.blocks, parsed.warnings)

    def _load_feed(
        self, source: str, window: tuple[datetime, datetime], zone: str, known: str | None
    ) -> SourceLoad:
        etag = last_modified = ""
        if known and known.startswith("etag:"):
            etag = known[len("etag:") :]
        elif known and known.startswith("modified:"):
            last_modified = known[len("modified:") :]
        response = feeds.fetch(
            source,
            etag=etag,
            last_modified=last_modified,
            timeout=self._timeout,
            max_bytes=self._max_bytes,
        )
        if response.not_modified and known:
            return SourceLoad(known, unchanged=True)
        if response.etag:
            fingerprint = f"etag:{response.etag}"
        elif response.last_modified:
            fingerprint = f"modified:{response.last_modified}"
        else:
            fingerprint = "sha256:" + hashlib.sha256(response.data).hexdigest()
        if fingerprint == known:
            return SourceLoad(fingerprint, unchanged=True)
        parsed = busy_blocks(response.data, source, window, zone)
        return SourceLoad(fingerprint, False, parsed.blocks, parsed.warnings)
