"""Where Followup Desk keeps its files.

Everything goes through platformdirs, with exactly one override: the environment variable
``FOLLOWUP_DESK_HOME``. When it is set, data, config, cache, logs and exported invites all
live under that folder (tests and portable installs use it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from followup_desk import APP_NAME

HOME_ENV = "FOLLOWUP_DESK_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The folders the app uses; none is created until it is needed."""

    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path
    invites_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "followup-desk.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "followup-desk.log"


def resolve_paths(environ: dict[str, str] | None = None) -> AppPaths:
    """Return the app's folders, honouring ``FOLLOWUP_DESK_HOME`` when set."""
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser()
        return AppPaths(
            data_dir=root / "data",
            config_dir=root / "config",
            cache_dir=root / "cache",
            log_dir=root / "logs",
            invites_dir=root / "invites",
        )
    app = "followup-desk"
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(app, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(app, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(app, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(app, appauthor=False)),
        invites_dir=Path(platformdirs.user_documents_dir()) / APP_NAME / "Invites",
    )
