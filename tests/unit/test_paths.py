"""Where the app keeps its files: under FOLLOWUP_DESK_HOME when set, else platformdirs."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from followup_desk.paths import HOME_ENV, AppPaths, resolve_paths


def _folders(paths: AppPaths) -> list[Path]:
    return [paths.data_dir, paths.config_dir, paths.cache_dir, paths.log_dir, paths.invites_dir]


def test_the_home_variable_puts_every_folder_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "portable"
    monkeypatch.setenv(HOME_ENV, str(home))
    paths = resolve_paths()
    folders = _folders(paths)
    assert all(folder.parent == home for folder in folders)
    assert len(set(folders)) == len(folders)
    assert paths.database.is_relative_to(paths.data_dir)
    assert paths.settings_file == paths.config_dir / "settings.toml"
    assert paths.log_file.parent == paths.log_dir


def test_resolving_creates_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "portable"
    monkeypatch.setenv(HOME_ENV, str(home))
    resolve_paths()
    assert not home.exists()


def test_a_home_given_with_a_tilde_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    paths = resolve_paths({HOME_ENV: "~/fd"})
    assert paths.data_dir == tmp_path / "fd" / "data"


def test_an_explicit_environment_overrides_the_process_one(tmp_path: Path) -> None:
    paths = resolve_paths({HOME_ENV: str(tmp_path / "other")})
    assert paths.config_dir.parent == tmp_path / "other"


def test_without_the_home_variable_the_platform_folders_are_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(HOME_ENV)
    paths = resolve_paths()
    app = "followup-desk"
    assert paths.data_dir == Path(platformdirs.user_data_dir(app, appauthor=False))
    assert paths.config_dir == Path(platformdirs.user_config_dir(app, appauthor=False))
    assert paths.cache_dir == Path(platformdirs.user_cache_dir(app, appauthor=False))
    assert paths.log_dir == Path(platformdirs.user_log_dir(app, appauthor=False))
    assert paths.invites_dir.is_relative_to(Path(platformdirs.user_documents_dir()))


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_home_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv(HOME_ENV, blank)
    with_blank = resolve_paths()
    monkeypatch.delenv(HOME_ENV)
    assert with_blank == resolve_paths()
