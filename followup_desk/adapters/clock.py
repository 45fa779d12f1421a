"""The real clock, and a fixed one for scripts (``--now``) and tests."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._moment = moment

    def now(self) -> datetime:
        return self._moment
