"""Saving settings.toml: only the given lines change; a refused value leaves the file alone."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

import pytest

from followup_desk.errors import SettingsError
from followup_desk.paths import AppPaths
from followup_desk.storage.settings_file import ensure_settings_file, load_settings, save_values
from tests.conftest import SettingsWriter

ODD_NAME = 'Zoë "Z" O\'Brien \\ #1'
WINDOWS_PATH = r"C:\Users\zoe\Calendars\work #2.ics"


def test_saving_changes_only_the_given_lines_and_keeps_every_comment(fd_home: AppPaths) -> None:
    path = fd_home.settings_file
    ensure_settings_file(path)
    before = path.read_text(encoding="utf-8").splitlines()

    save_values(
        path,
        {
            "rep.name": "Robin Rep",
            "rep.email": "robin@example.com",
            "hours.working_days": ["mon", "wed"],
            "hours.start": "08:30",
        },
    )

    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = {old: new for old, new in zip(before, after, strict=True) if old != new}
    assert changed == {
        'name = ""': 'name = "Robin Rep"',
        'email = ""': 'email = "robin@example.com"',
        'working_days = ["mon", "tue", "wed", "thu", "fri"]': 'working_days = ["mon", "wed"]',
        'start = "09:00"': 'start = "08:30"',
    }


def test_odd_names_and_backslashes_come_back_exactly_as_typed(fd_home: AppPaths) -> None:
    path = fd_home.settings_file

    saved = save_values(
        path,
        {"rep.name": ODD_NAME, "free_busy.sources": [WINDOWS_PATH, "webcal://example.com/a"]},
    )

    loaded = load_settings(path)
    assert loaded.rep.name == saved.rep.name == ODD_NAME
    assert loaded.busy_sources == (WINDOWS_PATH, "webcal://example.com/a")


def test_a_comment_at_the_end_of_an_edited_line_stays(write_settings: SettingsWriter) -> None:
    path = write_settings()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name = "Robin Rep"', 'name = "Robin Rep"  # on invites'))

    save_values(path, {"rep.name": "Robin #2"})

    assert 'name = "Robin #2"  # on invites\n' in path.read_text(encoding="utf-8")
    assert load_settings(path).rep.name == "Robin #2"


def test_a_value_spread_over_lines_is_replaced_whole(write_settings: SettingsWriter) -> None:
    path = write_settings()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("sources = []", 'sources = [\n  "a.ics",\n  "b.ics",\n]'))

    save_values(path, {"free_busy.sources": ["c.ics"]})

    assert load_settings(path).busy_sources == ("c.ics",)
    assert '"a.ics"' not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"rep.email": "robin at example"}, "rep.email"),
        ({"hours.start": "18:00"}, "hours.end"),
        ({"rep.time_zone": "Mars/Olympus"}, "rep.time_zone"),
        ({"meetings.lengths": []}, "meetings.lengths"),
    ],
)
def test_a_refused_value_is_named_and_the_file_is_left_as_it_was(
    write_settings: SettingsWriter, values: dict[str, object], key: str
) -> None:
    path = write_settings()
    before = path.read_bytes()

    with pytest.raises(SettingsError, match=key):
        save_values(path, {"rep.name": "Someone Else", **values})

    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp file left


def test_a_missing_file_starts_from_the_commented_defaults(
    fd_home: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/Chicago")
    path = fd_home.settings_file
    assert not path.exists()

    settings = save_values(path, {"rep.name": "Robin Rep", "hours.end": "18:00"})

    text = path.read_text(encoding="utf-8")
    assert "# Your name and e-mail address: the organizer of every invite." in text
    assert 'time_zone = "America/Chicago"' in text
    assert settings.rep.name == "Robin Rep"
    assert settings.rules.day_end == time(18)
    assert load_settings(path) == settings


def test_a_refused_value_for_a_missing_file_writes_nothing(fd_home: AppPaths) -> None:
    path = fd_home.settings_file

    with pytest.raises(SettingsError, match=r"rep\.email"):
        save_values(path, {"rep.email": "not an address"})

    assert not path.exists()


def test_a_key_missing_from_its_table_is_added_to_that_table(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '# mine\n[rep]\nname = "Robin"\n\n[hours]\n# my hours\nstart = "08:00"\n\n'
        "[meetings]\n# short ones\n",
        encoding="utf-8",
    )

    save_values(
        path,
        {"hours.end": "16:00", "hours.clock_24h": False, "meetings.slot_step": 30},
    )

    text = path.read_text(encoding="utf-8")
    assert text == (
        '# mine\n[rep]\nname = "Robin"\n\n[hours]\n# my hours\nstart = "08:00"\n'
        'end = "16:00"\nclock_24h = false\n\n[meetings]\n# short ones\nslot_step = 30\n'
    )
    assert tomllib.loads(text)["hours"] == {"start": "08:00", "end": "16:00", "clock_24h": False}


def test_a_missing_table_is_added_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[rep]\nname = "Robin"', encoding="utf-8")

    settings = save_values(path, {"free_busy.sources": ["/home/robin/work.ics"]})

    assert path.read_text(encoding="utf-8") == (
        '[rep]\nname = "Robin"\n\n[free_busy]\nsources = ["/home/robin/work.ics"]\n'
    )
    assert settings.busy_sources == ("/home/robin/work.ics",)


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b'# mine\r\n[rep]\r\nname = ""\r\n')

    save_values(path, {"rep.name": "Robin", "rep.email": "robin@example.com"})

    assert path.read_bytes() == (
        b'# mine\r\n[rep]\r\nname = "Robin"\r\nemail = "robin@example.com"\r\n'
    )


def test_a_file_that_is_not_toml_is_named_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[rep]\nname = "Robin\n', encoding="utf-8")

    with pytest.raises(SettingsError, match="not be valid TOML"):
        save_values(path, {"rep.email": "robin@example.com"})

    assert path.read_text(encoding="utf-8") == '[rep]\nname = "Robin\n'
