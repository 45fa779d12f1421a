"""The settings a rep edits, as one value object (loaded from settings.toml by storage)."""

from __future__ import annotations

from dataclasses import dataclass, field

from followup_desk.domain.booking import Rep
from followup_desk.domain.rules import SchedulingRules


@dataclass(frozen=True)
class Settings:
    rep: Rep = field(default_factory=lambda: Rep(name="", email=""))
    rules: SchedulingRules = field(default_factory=SchedulingRules)
    busy_sources: tuple[str, ...] = ()
    invites_folder: str = ""
    meeting_title: str = "{rep} / {prospect}: next step"
    feed_timeout_seconds: float = 15.0
    max_source_megabytes: int = 50
    # how an invite goes out by default: "ics", "caldav", "email" (the rep may pick per booking)
    send_channels: tuple[str, ...] = ("ics",)
