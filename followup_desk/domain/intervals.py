"""Busy blocks and a sorted index that answers "does this span touch anything busy?" fast."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, order=True)
class BusyBlock:
    """A span of busy time in UTC, end exclusive. ``all_day`` marks whole-day events."""

    start: datetime
    end: datetime
    all_day: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("busy blocks need time-zone-aware datetimes")


def to_utc(moment: datetime) -> datetime:
    """Return ``moment`` (aware) expressed in UTC."""
    return moment.astimezone(UTC)


def merge(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Merge overlapping or touching spans; the result is sorted and disjoint."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class BusyIndex:
    """Disjoint busy spans in UTC with an O(log n) overlap test."""

    def __init__(self, spans: Iterable[tuple[datetime, datetime]]) -> None:
        self._spans = merge((to_utc(s), to_utc(e)) for s, e in spans)
        self._ends = [end for _, end in self._spans]

    @classmethod
    def from_blocks(cls, blocks: Iterable[BusyBlock], *, all_day_busy: bool) -> BusyIndex:
        return cls((b.start, b.end) for b in blocks if all_day_busy or not b.all_day)

    def __len__(self) -> int:
        return len(self._spans)

    @property
    def spans(self) -> list[tuple[datetime, datetime]]:
        return list(self._spans)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) shares any instant with a busy span."""
        i = bisect_left(self._ends, start)
        # the first span ending after ``start`` is the only candidate: spans are disjoint
        while i < len(self._spans) and self._ends[i] <= start:
            i += 1
        return i < len(self._spans) and self._spans[i][0] < end
