"""settings.toml: created with commented defaults on first use, validated on every load.

Every problem names the key (``hours.start``) and says what a good value looks like.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from followup_desk.atomic import atomic_write
from followup_desk.domain.booking import Rep, is_valid_email
from followup_desk.domain.rules import WEEKDAY_NAMES, SchedulingRules
from followup_desk.domain.settings import Settings
from followup_desk.domain.zone_search import is_zone
from followup_desk.errors import SettingsError
from followup_desk.resources_access import read_text

log = logging.getLogger(__name__)


def system_time_zone() -> str:
    """The machine's IANA zone name, or "UTC" when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and is_zone(name):
            return name
    return "UTC"


def zone_or_error(name: str, what: str) -> str:
    """``name`` when it is a known IANA zone, else an error naming ``what`` and a hint."""
    if is_zone(name):
        return name
    lowered = name.strip().lower().replace(" ", "_")
    hints = sorted(z for z in available_timezones() if lowered and lowered in z.lower())[:3]
    hint = f" Did you mean {', '.join(hints)}?" if hints else ""
    raise SettingsError(
        f"{what}: {name!r} is not a time zone name. Use an IANA name such as "
        f"'Europe/Berlin' or 'America/New_York'.{hint}"
    )


def default_settings_text() -> str:
    return read_text("settings.toml").replace("{time_zone}", system_time_zone())


def ensure_settings_file(path: Path) -> None:
    """Write the commented defaults when there is no settings file yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, default_settings_text().encode("utf-8"))
        log.info("wrote default settings to %s", path)


def load_settings(path: Path) -> Settings:
    """Read and validate settings.toml (creating it with defaults when absent)."""
    try:
        ensure_settings_file(path)
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"The settings file {path} cannot be read: {exc.strerror}.") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SettingsError(f"The settings file {path} is not UTF-8 text.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"The settings file {path} is not valid TOML: {exc}.") from exc
    return parse_settings(data, str(path))


class _Reader:
    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, key: str, message: str) -> SettingsError:
        return SettingsError(f"{self.where}: {key} {message}")

    def get(self, key: str, default: Any) -> Any:
        section, _, name = key.partition(".")
        table = self.data.get(section, {})
        if not isinstance(table, dict):
            raise self.fail(section, "must be a table ([" + section + "]).")
        return table.get(name, default)

    def text(self, key: str, default: str) -> str:
        value = self.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"must be text in quotes (got {value!r}).")
        return value.strip()

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {value!r}).")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number (got {value!r}).")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low:g} and {high:g} (got {value!r}).")
        return float(value)

    def minutes(self, key: str, default: int, low: int, high: int) -> timedelta:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number of minutes (got {value!r}).")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high} minutes (got {value}).")
        return timedelta(minutes=value)

    def clock(self, key: str, default: str) -> time:
        value = self.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f'must be a time like "09:00" in quotes (got {value!r}).')
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is None or len(value.strip()) != 5 or parsed.second:
            raise self.fail(key, f'must be a 24-hour time like "09:00" (got "{value}").')
        return parsed


def parse_settings(data: dict[str, Any], where: str = "settings.toml") -> Settings:
    """Validate a parsed settings table; raise SettingsError naming the first bad key."""
    r = _Reader(data, where)
    email = r.text("rep.email", "")
    if email and not is_valid_email(email):
        raise r.fail("rep.email", f"is not an e-mail address (got {email!r}).")
    zone_name = r.text("rep.time_zone", "UTC") or "UTC"
    try:
        zone_or_error(zone_name, f"{where}: rep.time_zone")
    except SettingsError as exc:
        raise exc from None

    days_raw = r.get("hours.working_days", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(days_raw, list) or not days_raw:
        raise r.fail("hours.working_days", 'must be a list such as ["mon", "tue"].')
    days = set()
    for item in days_raw:
        name = str(item).strip().lower()[:3]
        if name not in WEEKDAY_NAMES:
            raise r.fail("hours.working_days", f"holds {item!r}; use mon, tue, ... sun.")
        days.add(WEEKDAY_NAMES.index(name))

    start, end = r.clock("hours.start", "09:00"), r.clock("hours.end", "17:00")
    if end <= start:
        raise r.fail("hours.end", f"must be later than hours.start ({start:%H:%M}).")
    afternoon = r.clock("hours.afternoon_starts", "12:00")

    lengths_raw = r.get("meetings.lengths", [30, 45, 60])
    if (
        not isinstance(lengths_raw, list)
        or not lengths_raw
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in lengths_raw)
        or not all(5 <= x <= 480 for x in lengths_raw)
    ):
        raise r.fail("meetings.lengths", "must be a list of minutes between 5 and 480.")
    step = r.minutes("meetings.slot_step", 15, 5, 120)

    rules = SchedulingRules(
        time_zone=zone_name,
        working_days=frozenset(days),
        day_start=start,
        day_end=end,
        afternoon_starts=afternoon,
        meeting_lengths=tuple(lengths_raw),
        default_length=lengths_raw[0],
        buffer_before=r.minutes("meetings.buffer_before", 10, 0, 240),
        buffer_after=r.minutes("meetings.buffer_after", 10, 0, 240),
        minimum_notice=r.minutes("meetings.minimum_notice", 120, 0, 60 * 24 * 14),
        slot_step=step,
        all_day_events_busy=r.boolean("free_busy.all_day_events_busy", False),
        clock_24h=r.boolean("hours.clock_24h", True),
    )
    sources_raw = r.get("free_busy.sources", [])
    if not isinstance(sources_raw, list) or not all(isinstance(s, str) for s in sources_raw):
        raise r.fail("free_busy.sources", "must be a list of paths or addresses in quotes.")
    send_raw = r.get("invites.send", ["ics"])
    channels = ("ics", "caldav", "email")
    if (
        not isinstance(send_raw, list)
        or not send_raw
        or not all(isinstance(s, str) and s.strip().lower() in channels for s in send_raw)
    ):
        raise r.fail("invites.send", 'must be a list of "ics", "caldav" and "email".')
    return Settings(
        rep=Rep(name=r.text("rep.name", ""), email=email),
        send_channels=tuple(dict.fromkeys(s.strip().lower() for s in send_raw)),
        rules=rules,
        busy_sources=tuple(s.strip() for s in sources_raw if s.strip()),
        invites_folder=r.text("invites.folder", ""),
        meeting_title=r.text("meetings.title", "{rep} / {prospect}: next step")
        or "{rep} / {prospect}: next step",
        feed_timeout_seconds=r.number("free_busy.feed_timeout_seconds", 15, 1, 300),
        max_source_megabytes=int(r.number("free_busy.max_source_megabytes", 50, 1, 1000)),
    )


# --- Saving: rewrite the given lines, keep everything else as the rep wrote it ----------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY_PREFIX = re.compile(rf"\s*{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*\s*=[ \t]*")


def save_values(path: Path, values: Mapping[str, object]) -> Settings:
    """Set dotted ``table.key`` values in settings.toml, keeping comments and other lines.

    The new text is validated before anything is written: when a value is refused, the
    SettingsError names it and the file is left as it was. A missing file starts from the
    commented defaults. Returns the settings as saved.
    """
    try:
        text = path.read_bytes().decode("utf-8") if path.exists() else default_settings_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"The settings file {path} cannot be read: {exc}.") from exc
    rendered = {_split_key(key): _toml_value(value) for key, value in values.items()}
    new_text = _replace_lines(text, rendered)
    try:
        data = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"The settings file {path} would not be valid TOML: {exc}.") from exc
    settings = parse_settings(data, str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, new_text.encode("utf-8"))
    except OSError as exc:
        raise SettingsError(
            f"The settings file {path} cannot be written: {exc.strerror}. "
            "Check that the folder exists and is writable."
        ) from exc
    log.info("saved %s in %s", ", ".join(values), path)
    return settings


def _split_key(dotted: str) -> tuple[str, str]:
    table, _, key = dotted.partition(".")
    if not (_BARE_KEY.fullmatch(table) and _BARE_KEY.fullmatch(key)):
        raise ValueError(f"{dotted!r} is not a 'table.key' name")
    return table, key


def _toml_value(value: object) -> str:
    """``value`` as TOML: text in quotes (escaped), whole numbers, true/false, lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to settings.toml")


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _parses(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _table_name(line: str) -> str | None:
    """The name of a plain ``[table]`` header; None for anything else."""
    data = _parses(line)
    if data is None or len(data) != 1:
        return None
    (name, table), *_ = data.items()
    return name if isinstance(table, dict) and not table else None


def _entry_end(lines: list[str], start: int) -> int:
    """One past the last line of the ``key = value`` entry at ``start`` (values may span)."""
    for end in range(start + 1, len(lines) + 1):
        if _parses("".join(lines[start:end])) is not None:
            return end
    return start + 1  # broken already: leave the line to the final check


def _rewrite_entry(entry: list[str], value: str) -> str:
    """The entry with its value replaced; indentation, spelling and end comment kept."""
    first, last = entry[0], entry[-1]
    prefix = _KEY_PREFIX.match(first)
    head = prefix.group(0) if prefix else first[: first.index("=") + 1] + " "
    ending = last[len(last.rstrip("\r\n")) :] or "\n"
    body = last.rstrip("\r\n")
    comment = ""
    for at in (i for i, char in enumerate(body) if char == "#"):
        if _parses("".join(entry[:-1]) + body[:at]) is not None:
            kept = body[:at]
            comment = kept[len(kept.rstrip()) :] + body[at:]
            break
    return head + value + comment + ending


def _replace_lines(text: str, values: dict[tuple[str, str], str]) -> str:
    """``text`` with each (table, key) entry's value replaced by the rendered TOML given."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    out: list[str] = []
    pending = dict(values)
    table: str | None = ""  # "" before the first header, None in tables not edited here
    insert_at: dict[str, int] = {}  # where a key missing from each table goes in ``out``
    has_entry: set[str] = set()
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        end = i + 1
        if stripped.startswith("["):
            table = _table_name(lines[i])
            if table is not None:
                insert_at[table] = len(out) + 1
            out.append(lines[i])
        elif stripped.startswith("#") or not stripped:
            if stripped and table and table not in has_entry and insert_at[table] == len(out):
                insert_at[table] += 1  # after the comments that open an empty table
            out.append(lines[i])
        else:
            end = _entry_end(lines, i)
            entry = "".join(lines[i:end])
            parsed = _parses(entry) or {}
            key = next(iter(parsed), None)
            new = None
            if table and key is not None and not isinstance(parsed[key], dict):
                new = pending.pop((table, key), None)
            out.append(entry if new is None else _rewrite_entry(lines[i:end], new))
            if table:
                insert_at[table] = len(out)
                has_entry.add(table)
        i = end
    _add_missing(out, pending, insert_at, newline)
    return "".join(out)


def _add_missing(
    out: list[str], pending: dict[tuple[str, str], str], insert_at: dict[str, int], newline: str
) -> None:
    """Add keys not found: at the end of their table, or in a new table at the end."""
    missing: dict[str, list[str]] = {}
    for (table, key), value in pending.items():
        missing.setdefault(table, []).append(f"{key} = {value}{newline}")
    for table in sorted(missing, key=lambda t: -insert_at.get(t, -1)):  # last first
        if table in insert_at:
            at = insert_at[table]
            out[at:at] = missing[table]
        else:
            if out and out[-1].strip():
                out.append(newline)
            out.extend([f"[{table}]{newline}", *missing[table]])
