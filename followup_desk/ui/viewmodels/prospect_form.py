"""The prospect captured during the meeting: who, how to reach them, how to follow up.

What the prospect says about following up is kept word for word; the app reads a date
out of it where it can and proposes an earlier one to act on (seed 004), which the rep
accepts or changes. Every field has its own sentence when it is not right, and nothing
typed is ever thrown away by a refusal.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Signal

from followup_desk.domain.booking import Prospect, is_valid_email
from followup_desk.domain.followup import understand
from followup_desk.domain.phrases import format_day
from followup_desk.domain.zone_search import is_zone

CHANNELS = ("Email", "Phone", "Text", "LinkedIn", "WhatsApp", "Video call")
FIELDS = ("name", "email", "company", "phone", "zone", "follow_up_said", "follow_up_channel")


class ProspectFormViewModel(QObject):
    changed = Signal()

    def __init__(self, default_zone: str, working_days: frozenset[int]) -> None:
        super().__init__()
        self._default_zone = default_zone
        self._working_days = working_days
        self.prospect_id: int | None = None
        self.locked = False  # rescheduling: the prospect is who they are
        self._values: dict[str, str] = {}
        self.channels: set[str] = set()
        self.follow_up_date: date | None = None  # the rep's own choice, when they changed it
        self.zone_guess = ""
        self.errors: dict[str, str] = {}
        self.clear()

    def set_default_zone(self, zone: str) -> None:
        self._default_zone = zone

    def clear(self) -> None:
        self._values = dict.fromkeys(FIELDS, "")
        self._values["zone"] = self._default_zone
        self.zone_guess = ""
        self.channels = set()
        self.follow_up_date = None
        self.prospect_id = None
        self.locked = False
        self.errors = {}
        self.changed.emit()

    def fill(self, prospect: Prospect) -> None:
        """Show a known prospect (rescheduling, or booking them again)."""
        self._values = {
            "name": prospect.name,
            "email": prospect.email,
            "company": prospect.company,
            "phone": prospect.phone,
            "zone": prospect.time_zone,
            "follow_up_said": prospect.follow_up_said,
            "follow_up_channel": prospect.follow_up_channel,
        }
        self.channels = set(prospect.channels)
        self.follow_up_date = prospect.follow_up_suggested
        self.prospect_id = prospect.id
        self.errors = {}
        self.changed.emit()

    def value(self, field: str) -> str:
        return self._values[field]

    def set_value(self, field: str, text: str) -> None:
        if self._values.get(field) == text:
            return
        self._values[field] = text
        if field == "follow_up_said":
            self.follow_up_date = None  # a new wish: propose afresh
        self.errors.pop(field, None)
        self.changed.emit()

    def set_channel(self, channel: str, used: bool) -> None:
        (self.channels.add if used else self.channels.discard)(channel)
        self.changed.emit()

    def set_follow_up_date(self, day: date | None) -> None:
        self.follow_up_date = day
        self.changed.emit()

    def set_zone_guess(self, zone: str) -> None:
        """The best zone for a city typed but not picked ("chicago" -> America/Chicago)."""
        self.zone_guess = zone if is_zone(zone) else ""
        self.errors.pop("zone", None)
        self.changed.emit()

    @property
    def zone(self) -> str:
        zone = self._values["zone"].strip()
        if is_zone(zone):
            return zone
        return self.zone_guess or self._default_zone

    def zone_note(self) -> str:
        """What a typed city was taken to mean, shown under the field."""
        typed = self._values["zone"].strip()
        if typed and not is_zone(typed) and self.zone_guess:
            return f"Taken as {self.zone_guess}."
        return ""

    def has_data(self) -> bool:
        """Anything typed that leaving would lose."""
        if self.locked:
            return False
        typed = any(self._values[f].strip() for f in FIELDS if f != "zone")
        return typed or bool(self.channels) or self._values["zone"] != self._default_zone

    def wish(self, today: date) -> tuple[date | None, date | None]:
        """The date the prospect named, and the one to act on (the rep's, or suggested)."""
        said = self._values["follow_up_said"].strip()
        if not said:
            return None, self.follow_up_date
        understood = understand(said, today, self._working_days)
        return understood.stated, self.follow_up_date or understood.suggested

    def wish_sentence(self, today: date) -> str:
        said = self._values["follow_up_said"].strip()
        if not said:
            return ""
        stated, act = self.wish(today)
        if stated is None:
            return "No date read from that; it is kept as said."
        text = f"They said {format_day(stated)}"
        if act is not None and act < stated:
            gap = (stated - act).days
            text += f"; follow up earlier, on {format_day(act)} ({gap} days before)"
        elif act is not None:
            text += f"; follow up on {format_day(act)}"
        return text + "."

    def validate(self) -> bool:
        """Check every field; sentences in ``errors``; True when the booking can go on."""
        errors: dict[str, str] = {}
        if not " ".join(self._values["name"].split()):
            errors["name"] = "Type the prospect's name."
        email = self._values["email"].strip()
        if not email:
            errors["email"] = "Type their e-mail address: the invite goes to it."
        elif not is_valid_email(email):
            errors["email"] = f"{email!r} is not an e-mail address (name@example.com)."
        zone = self._values["zone"].strip()
        if not is_zone(zone) and not (zone and self.zone_guess):
            errors["zone"] = (
                f"{zone!r} is not a time zone I know; type a city (Chicago) or a zone name "
                "(America/Chicago)."
                if zone
                else "Type their time zone or city."
            )
        self.errors = errors
        self.changed.emit()
        return not errors
