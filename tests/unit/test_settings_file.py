"""settings.toml: written with commented defaults on first use; every bad key is named."""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from pathlib import Path

import pytest

from followup_desk.errors import SettingsError
from followup_desk.paths import AppPaths
from followup_desk.storage.settings_file import load_settings, system_time_zone
from tests.conftest import SettingsWriter


def _settings_error(path: Path) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    return str(caught.value)


def test_first_load_writes_the_commented_defaults_and_loads_them(
    fd_home: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/Chicago")
    path = fd_home.settings_file
    assert not path.exists()

    settings = load_settings(path)

    text = path.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) >= 10
    assert 'time_zone = "America/Chicago"' in text
    assert set(tomllib.loads(text)) == {"rep", "hours", "meetings", "free_busy", "invites"}
    assert settings.rep.name == ""
    assert settings.rep.email == ""
    assert settings.rules.time_zone == "America/Chicago"
    assert settings.rules.working_days == frozenset({0, 1, 2, 3, 4})
    assert (settings.rules.day_start, settings.rules.day_end) == (time(9), time(17))
    assert settings.rules.meeting_lengths == (30, 45, 60)
    assert settings.rules.slot_step == timedelta(minutes=15)
    assert settings.busy_sources == ()


def test_without_a_known_zone_the_defaults_name_one_that_loads(
    fd_home: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Nowhere/Special")
    settings = load_settings(fd_home.settings_file)
    assert settings.rules.time_zone == system_time_zone()
    assert settings.rules.time_zone != "Nowhere/Special"


def test_an_existing_file_is_loaded_and_never_rewritten(
    write_settings: SettingsWriter, tmp_path: Path
) -> None:
    path = write_settings(
        time_zone="America/New_York",
        sources=[str(tmp_path / "work.ics"), "https://example.com/cal.ics"],
        start="08:30",
        end="18:00",
        buffer_before=5,
        buffer_after=15,
        minimum_notice=60,
        slot_step=30,
        all_day_busy=True,
    )
    before = path.read_bytes()

    settings = load_settings(path)

    assert path.read_bytes() == before
    assert settings.rep.name == "Robin Rep"
    assert settings.rep.email == "robin@example.com"
    rules = settings.rules
    assert rules.time_zone == "America/New_York"
    assert (rules.day_start, rules.day_end) == (time(8, 30), time(18))
    assert rules.buffer_before == timedelta(minutes=5)
    assert rules.buffer_after == timedelta(minutes=15)
    assert rules.minimum_notice == timedelta(hours=1)
    assert rules.slot_step == timedelta(minutes=30)
    assert rules.all_day_events_busy is True
    assert settings.busy_sources == (str(tmp_path / "work.ics"), "https://example.com/cal.ics")


# (line in the valid file, what replaces it, the key the message must name, and a phrase)
BAD_VALUES = [
    ('time_zone = "Europe/Berlin"', 'time_zone = "berlin"', "rep.time_zone", "Did you mean"),
    ('time_zone = "Europe/Berlin"', 'time_zone = "Mars/Base"', "rep.time_zone", "IANA"),
    ('time_zone = "Europe/Berlin"', 'time_zone = "/etc/passwd"', "rep.time_zone", "IANA"),
    ('email = "robin@example.com"', 'email = "robin-at-example"', "rep.email", "e-mail"),
    ('name = "Robin Rep"', "name = 42", "rep.name", "text"),
    ('start = "09:00"', 'start = "9am"', "hours.start", '"09:00"'),
    ('start = "09:00"', 'start = "9:00"', "hours.start", '"09:00"'),
    ('start = "09:00"', "start = 9", "hours.start", '"09:00"'),
    ('end = "17:00"', 'end = "08:00"', "hours.end", "later than hours.start"),
    ('end = "17:00"', 'end = "09:00"', "hours.end", "later than hours.start"),
    ('end = "17:00"', 'end = "25:00"', "hours.end", '"09:00"'),
    (
        'working_days = ["mon", "tue", "wed", "thu", "fri"]',
        'working_days = ["mon", "funday"]',
        "hours.working_days",
        "funday",
    ),
    (
        'working_days = ["mon", "tue", "wed", "thu", "fri"]',
        "working_days = []",
        "hours.working_days",
        "list",
    ),
    ("lengths = [30, 45, 60]", "lengths = []", "meetings.lengths", "minutes"),
    ("lengths = [30, 45, 60]", "lengths = [0, 30]", "meetings.lengths", "minutes"),
    ("lengths = [30, 45, 60]", 'lengths = [30, "45"]', "meetings.lengths", "minutes"),
    ("lengths = [30, 45, 60]", "lengths = 30", "meetings.lengths", "minutes"),
    ("lengths = [30, 45, 60]", "lengths = [true]", "meetings.lengths", "minutes"),
    ("slot_step = 15", "slot_step = 0", "meetings.slot_step", "between 5 and 120"),
    ("slot_step = 15", 'slot_step = "15"', "meetings.slot_step", "whole number"),
    ("slot_step = 15", "slot_step = 7.5", "meetings.slot_step", "whole number"),
    ("buffer_before = 10", "buffer_before = -5", "meetings.buffer_before", "between"),
    ("sources = []", 'sources = "calendar.ics"', "free_busy.sources", "list"),
    ("sources = []", "sources = [1, 2]", "free_busy.sources", "list"),
    (
        "all_day_events_busy = false",
        'all_day_events_busy = "yes"',
        "free_busy.all_day_events_busy",
        "true or false",
    ),
]


@pytest.mark.parametrize(("line", "bad", "key", "phrase"), BAD_VALUES)
def test_an_invalid_value_is_refused_naming_its_key(
    write_settings: SettingsWriter, line: str, bad: str, key: str, phrase: str
) -> None:
    path = write_settings()
    text = path.read_text(encoding="utf-8")
    assert line in text
    path.write_text(text.replace(line, bad, 1), encoding="utf-8")

    message = _settings_error(path)

    assert key in message
    assert phrase in message
    assert str(path) in message
    assert "\n" not in message


def test_an_unknown_zone_suggests_the_names_that_match(write_settings: SettingsWriter) -> None:
    path = write_settings(time_zone="new_york")
    message = _settings_error(path)
    assert "rep.time_zone" in message
    assert "Did you mean America/New_York?" in message


@pytest.mark.parametrize("section", ["rep", "hours", "meetings", "free_busy"])
def test_a_section_that_is_not_a_table_is_named(fd_home: AppPaths, section: str) -> None:
    path = fd_home.settings_file
    path.parent.mkdir(parents=True)
    path.write_text(f'{section} = "all of it"\n', encoding="utf-8")
    message = _settings_error(path)
    assert f"{section} must be a table ([{section}])" in message


def test_a_file_that_is_not_toml_is_refused_with_where_it_broke(fd_home: AppPaths) -> None:
    path = fd_home.settings_file
    path.parent.mkdir(parents=True)
    path.write_text('[rep]\nname = "Robin\nemail = robin@example.com\n', encoding="utf-8")
    message = _settings_error(path)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 2" in message


def test_a_file_that_is_not_utf8_is_refused(fd_home: AppPaths) -> None:
    path = fd_home.settings_file
    path.parent.mkdir(parents=True)
    path.write_bytes('[rep]\nname = "José"\n'.encode("latin-1"))
    message = _settings_error(path)
    assert str(path) in message
    assert "not UTF-8" in message


def test_a_settings_path_that_is_a_folder_is_refused(fd_home: AppPaths) -> None:
    path = fd_home.settings_file
    path.mkdir(parents=True)
    message = _settings_error(path)
    assert str(path) in message
    assert "cannot be read" in message
