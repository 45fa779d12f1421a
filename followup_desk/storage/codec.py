"""How dates and instants are written in the database: ISO 8601, instants always in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
