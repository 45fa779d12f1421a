"""The first-run setup (and File › Settings…): who the rep is, their time zone, their hours,
one busy calendar, and how new bookings go out by default.

Holds what the rep types and a sentence for each field that is not right, and saves to
settings.toml through :func:`save_values`, which changes only those lines (comments stay).
A refused save keeps everything typed and says why. Nothing here touches the network: a
feed address is checked for its scheme only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from followup_desk.domain.booking import is_valid_email
from followup_desk.domain.rules import WEEKDAY_NAMES
from followup_desk.domain.zone_search import is_zone
from followup_desk.errors import SettingsError
from followup_desk.storage.settings_file import load_settings, save_values

log = logging.getLogger(__name__)

TEXT_FIELDS = ("name", "email", "time_zone", "start", "end", "source")
DEFAULT_DAYS = frozenset({"mon", "tue", "wed", "thu", "fri"})
SEND_WAYS = ("caldav", "email", "ics")  # settings.toml's names, in the confirm step's order
FEED_SCHEMES = ("http", "https", "webcal", "webcals")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def clock_or_none(text: str) -> str | None:
    """``text`` as a 24-hour "HH:MM" (``9:05`` gives ``09:05``), or None."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        return None
    return f"{int(found[1]):02d}:{found[2]}"


def source_problem(source: str) -> str:
    """Why ``source`` cannot be a busy calendar, or "" (a feed is judged by its scheme)."""
    if "://" in source:
        parts = urlsplit(source)
        if parts.scheme.lower() not in FEED_SCHEMES:
            return "Use a feed address starting with https:// or webcal://, or an .ics file."
        if not parts.hostname:
            return "That address names no server; paste the whole feed address."
        return ""
    path = Path(source).expanduser()
    if path.is_dir():
        return f"{path} is a folder; choose the .ics file in it."
    if not path.is_file():
        return f"There is no file at {path}; choose the .ics file again."
    return ""


class SetupViewModel(QObject):
    """The setup's fields (``TEXT_FIELDS`` and the working days) and its Save command."""

    changed = Signal()
    saved = Signal(object)  # the Settings as written

    def __init__(
        self, settings_file: Path, detected_zone: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings_file = settings_file
        self._values = dict.fromkeys(TEXT_FIELDS, "")
        self._values.update(time_zone=detected_zone, start="09:00", end="17:00")
        self._days = set(DEFAULT_DAYS)
        self._send = {"ics"}
        self._other_sources: tuple[str, ...] = ()
        self._errors: dict[str, str] = {}
        self._save_error = ""
        self._prefill()

    def _prefill(self) -> None:
        """Propose what settings.toml already holds (the rep may have started there).

        The time zone stays the detected one: that is the question the setup asks.
        """
        if not self.settings_file.exists():
            return
        try:
            settings = load_settings(self.settings_file)
        except SettingsError as exc:
            log.info("setup starts from defaults: %s", exc)
            return
        rules = settings.rules
        self._values.update(
            name=settings.rep.name,
            email=settings.rep.email,
            start=f"{rules.day_start:%H:%M}",
            end=f"{rules.day_end:%H:%M}",
            source=settings.busy_sources[0] if settings.busy_sources else "",
        )
        self._days = {WEEKDAY_NAMES[day] for day in rules.working_days}
        self._send = {way for way in settings.send_channels if way in SEND_WAYS}
        self._other_sources = settings.busy_sources[1:]

    # --- what the rep types ---------------------------------------------------------------

    def value(self, field: str) -> str:
        return self._values[field]

    def set_value(self, field: str, text: str) -> None:
        if field not in self._values:
            raise KeyError(field)
        if self._values[field] == text:
            return
        self._values[field] = text
        for shown in (field, "end") if field == "start" else (field,):
            if shown in self._errors:
                self._show(shown, self._problem(shown))
        self.changed.emit()

    @property
    def working_days(self) -> frozenset[str]:
        return frozenset(self._days)

    def set_working_day(self, day: str, works: bool) -> None:
        self._tick(self._days, WEEKDAY_NAMES, day, works, "working_days")

    def _tick(self, ticked: set[str], known: Sequence[str], key: str, on: bool, field: str) -> None:
        if key not in known:
            raise KeyError(key)
        if (key in ticked) == on:
            return
        (ticked.add if on else ticked.discard)(key)
        self._show(field, self._problem(field))
        self.changed.emit()

    @property
    def send_ways(self) -> frozenset[str]:
        """How new bookings go out unless the rep chooses otherwise at the confirm step."""
        return frozenset(self._send)

    def set_send_way(self, way: str, on: bool) -> None:
        self._tick(self._send, SEND_WAYS, way, on, "send")

    # --- what is not right ----------------------------------------------------------------

    def errors(self) -> dict[str, str]:
        """The sentence shown for each field that is not right (checked or saved)."""
        return dict(self._errors)

    @property
    def save_error(self) -> str:
        """Why the last save failed (the file could not be read or written), or ""."""
        return self._save_error

    def check(self, field: str) -> None:
        """Show ``field``'s sentence when what is typed there is wrong (empty: not yet)."""
        typed = field not in self._values or bool(self._values[field].strip())
        if typed or field in self._errors:
            self._show(field, self._problem(field))
            self.changed.emit()

    def validate(self) -> bool:
        """Check every field; True when all can be saved."""
        for field in (*TEXT_FIELDS, "working_days", "send"):
            self._show(field, self._problem(field))
        self.changed.emit()
        return not self._errors

    def _show(self, field: str, message: str) -> None:
        if message:
            self._errors[field] = message
        else:
            self._errors.pop(field, None)

    def _problem(self, field: str) -> str:
        if field == "working_days":
            return "" if self._days else "Tick at least one day you take meetings."
        if field == "send":
            return "" if self._send else "Tick at least one way new bookings go out."
        text = self._values[field].strip()
        if field == "name":
            return "" if text else "Type your name; invites go out under it."
        if field == "email":
            if is_valid_email(text):
                return ""
            return "Type an e-mail address such as name@example.com."
        if field == "time_zone":
            if is_zone(text):
                return ""
            if not text:
                return "Type your time zone, such as Europe/Berlin."
            return (
                f"{text!r} is not a time zone I know; type a city and pick it from the list, "
                "or a zone name such as Europe/Berlin."
            )
        if field == "source":
            return source_problem(text) if text else ""
        clock = clock_or_none(text)
        if clock is None:
            return "Type a 24-hour time such as 09:00."
        start = clock_or_none(self._values["start"])
        if field == "end" and start is not None and clock <= start:
            return f"The day must end after it starts ({start})."
        return ""

    # --- saving ---------------------------------------------------------------------------

    def values_to_save(self) -> dict[str, object]:
        """The settings.toml lines this setup writes, as dotted keys."""
        source = self._values["source"].strip()
        if source and "://" not in source:
            source = str(Path(source).expanduser().absolute())
        return {
            "rep.name": " ".join(self._values["name"].split()),
            "rep.email": self._values["email"].strip(),
            "rep.time_zone": self._values["time_zone"].strip(),
            "hours.working_days": [day for day in WEEKDAY_NAMES if day in self._days],
            "hours.start": clock_or_none(self._values["start"]),
            "hours.end": clock_or_none(self._values["end"]),
            "free_busy.sources": list(
                dict.fromkeys(s for s in (source, *self._other_sources) if s)
            ),
            "invites.send": [way for way in SEND_WAYS if way in self._send],
        }

    def save(self) -> bool:
        """Write the setup to settings.toml; False (all typed data kept) when refused."""
        self._save_error = ""
        if not self.validate():
            return False
        try:
            settings = save_values(self.settings_file, self.values_to_save())
        except SettingsError as exc:
            log.info("setup not saved: %s", exc)
            self._save_error = str(exc)
            self.changed.emit()
            return False
        self.changed.emit()
        self.saved.emit(settings)
        return True
