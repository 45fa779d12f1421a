"""Fixtures shared by every test: no test ever touches a real config, data folder or log."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from followup_desk.domain.accounts import Security
from followup_desk.paths import HOME_ENV, AppPaths, resolve_paths
from tests.servers import CalDavServer, SmtpServer, start_radicale

if TYPE_CHECKING:
    from followup_desk.app import Desk

# GUI tests run without a screen; set before pytest-qt creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIXTURES = Path(__file__).parent / "fixtures"
ICS_FIXTURES = FIXTURES / "ics"


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    """One Radicale for the whole run, on 127.0.0.1 at a random port (tests/servers.py);
    each test makes calendars (or, in the integration tests, an account) of its own."""
    server = start_radicale(tmp_path_factory.mktemp("radicale"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fd_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppPaths]:
    """Point FOLLOWUP_DESK_HOME at a fresh folder for every test."""
    home = tmp_path / "fd-home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv("TZ", raising=False)
    yield resolve_paths()


SettingsWriter = Callable[..., Path]


@pytest.fixture
def write_settings(fd_home: AppPaths) -> SettingsWriter:
    """Write settings.toml for the test's home. Keyword arguments replace whole lines.

    ``write_settings(time_zone="America/New_York", sources=["/x.ics"], extra="...")``
    """

    def write(
        *,
        name: str = "Robin Rep",
        email: str = "robin@example.com",
        time_zone: str = "Europe/Berlin",
        sources: list[str] | None = None,
        start: str = "09:00",
        end: str = "17:00",
        buffer_before: int = 10,
        buffer_after: int = 10,
        minimum_notice: int = 120,
        slot_step: int = 15,
        all_day_busy: bool = False,
        invites_folder: str = "",
        extra: str = "",
    ) -> Path:
        src = ", ".join(f'"{s}"' for s in (sources or []))
        text = textwrap.dedent(
            f"""\
            [rep]
            name = "{name}"
            email = "{email}"
            time_zone = "{time_zone}"

            [hours]
            working_days = ["mon", "tue", "wed", "thu", "fri"]
            start = "{start}"
            end = "{end}"
            afternoon_starts = "12:00"

            [meetings]
            lengths = [30, 45, 60]
            buffer_before = {buffer_before}
            buffer_after = {buffer_after}
            minimum_notice = {minimum_notice}
            slot_step = {slot_step}

            [free_busy]
            sources = [{src}]
            all_day_events_busy = {"true" if all_day_busy else "false"}

            [invites]
            folder = "{invites_folder}"
            """
        )
        path = fd_home.settings_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + extra, encoding="utf-8")
        return path

    return write


def add_mail_account(desk: Desk, smtp: SmtpServer, name: str = "mail") -> None:
    """The test SMTP server saved as the rep's e-mail account (plain, on 127.0.0.1)."""
    desk.accounts.add_smtp(
        name=name,
        host=smtp.host,
        port=smtp.port,
        username=smtp.username,
        from_address="robin@example.com",
        password=smtp.password,
        security=Security.NONE,
    )
