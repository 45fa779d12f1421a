"""Cadences as the rep keeps them, a prospect's enrolment in one, and logged touches:
plain records shared by storage, services and the window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from followup_desk.domain.touches import Direction


@dataclass(frozen=True)
class StoredCadence:
    key: str
    name: str
    body: str  # the cadence as TOML (storage/cadence_file.py reads and writes it)
    builtin: bool


@dataclass(frozen=True)
class Enrolment:
    id: int
    prospect_id: int
    cadence_key: str
    cadence_name: str
    cadence_body: str  # frozen at enrolment: editing the cadence later changes no one's plan
    started: date
    status: str  # "active", "stopped", "finished"
    stopped_reason: str
    snoozes: tuple[tuple[date, int], ...]
    done_steps: frozenset[int]
    next_due: date | None
    next_what: str
    task_key: str = ""  # random: its due touches' task UIDs are made from it


@dataclass(frozen=True)
class StoredTouch:
    id: int
    prospect_id: int
    at: datetime
    channel: str
    direction: Direction
    note: str
    enrolment_id: int | None
    step: int | None


# What a touch changes in its enrolment: status, reason, done steps, next due, next what,
# and the shifts (snoozes, or a late step moving what follows).
EnrolmentUpdate = tuple[str, str, frozenset[int], date | None, str, tuple[tuple[date, int], ...]]
