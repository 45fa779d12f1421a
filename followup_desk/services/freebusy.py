"""Gathering busy time: every source through the cache, plus the rep's own bookings.

A source that fails does not stop the others: its last good cached copy is used and marked
stale, and a sentence naming it says what to do. A source is only parsed when its
fingerprint changed or the cached copy does not cover the asked window.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from followup_desk.domain.intervals import BusyBlock, BusyIndex
from followup_desk.domain.ports import BookingStore, BusyCache, CacheEntry, CalendarSource, Clock
from followup_desk.errors import SourceError

log = logging.getLogger(__name__)

# Parse this much ahead at once, so the usual horizons (up to three weeks) hit the cache.
DEFAULT_AHEAD = timedelta(days=42)
DEFAULT_BEHIND = timedelta(days=2)


@dataclass(frozen=True)
class SourceReport:
    """How one source fared: fresh, from cache, stale (with the error), or missing."""

    source: str
    state: str  # "parsed", "cached", "stale", "failed"
    blocks: int
    message: str = ""
    as_of: datetime | None = None


@dataclass(frozen=True)
class BusyResult:
    blocks: tuple[BusyBlock, ...]
    reports: tuple[SourceReport, ...]
    warnings: tuple[str, ...] = field(default=())

    def index(self, *, all_day_busy: bool) -> BusyIndex:
        return BusyIndex.from_blocks(self.blocks, all_day_busy=all_day_busy)

    @property
    def problems(self) -> list[str]:
        return [r.message for r in self.reports if r.state in ("stale", "failed")]


class FreeBusyService:
    def __init__(
        self,
        reader: CalendarSource,
        cache: BusyCache,
        bookings: BookingStore,
        clock: Clock,
    ) -> None:
        self._reader = reader
        self._cache = cache
        self._bookings = bookings
        self._clock = clock

    def busy(
        self,
        sources: Sequence[str],
        start: datetime,
        end: datetime,
        zone: str,
        *,
        exclude_booking: int | None = None,
    ) -> BusyResult:
        """Busy blocks between ``start`` and ``end`` from ``sources`` and own bookings."""
        blocks: list[BusyBlock] = []
        reports: list[SourceReport] = []
        warnings: list[str] = []
        for source in dict.fromkeys(sources):  # each source once, in the given order
            got, report, notes = self._source_blocks(source, start, end, zone)
            blocks.extend(b for b in got if b.end > start and b.start < end)
            reports.append(report)
            warnings.extend(notes)
        for booking in self._bookings.active_bookings(start, end):
            if booking.id != exclude_booking:
                blocks.append(BusyBlock(booking.start, booking.end))
        return BusyResult(tuple(sorted(blocks)), tuple(reports), tuple(warnings))

    def _source_blocks(
        self, source: str, start: datetime, end: datetime, zone: str
    ) -> tuple[tuple[BusyBlock, ...], SourceReport, list[str]]:
        cached = self._cache.get(source)
        usable = cached if cached is not None and cached.covers(start, end, zone) else None
        now = self._clock.now()
        try:
            window = (
                min(start, now - DEFAULT_BEHIND),
                max(end, now + DEFAULT_AHEAD),
            )
            load = self._reader.load(source, window, zone, usable.fingerprint if usable else None)
        except SourceError as exc:
            log.warning("free/busy source failed: %s", exc)
            if cached is not None:
                self._cache.mark_error(source, str(exc))
                as_of = cached.loaded_at
                message = f"{exc} Using the copy read {as_of:%Y-%m-%d %H:%M} UTC (may be stale)."
                return (
                    cached.blocks,
                    SourceReport(source, "stale", len(cached.blocks), message, as_of),
                    [],
                )
            return (), SourceReport(source, "failed", 0, str(exc)), []
        if load.unchanged and usable is not None:
            return (
                usable.blocks,
                SourceReport(source, "cached", len(usable.blocks), as_of=usable.loaded_at),
                list(usable.warnings),
            )
        entry = CacheEntry(
            source=source,
            fingerprint=load.fingerprint,
            zone=zone,
            window_start=window[0],
            window_end=window[1],
            loaded_at=now,
            blocks=load.blocks,
            warnings=load.warnings,
        )
        self._cache.put(entry)
        for note in load.warnings:
            log.info("source warning: %s", note)
        return (
            load.blocks,
            SourceReport(source, "parsed", len(load.blocks), as_of=now),
            list(load.warnings),
        )
