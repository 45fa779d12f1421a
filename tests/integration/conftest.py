"""Real servers for the integration tests: Radicale, Xandikos, an SMTP server, keyrings.

Each CalDAV server starts once per test session on 127.0.0.1 at a random port; every test
gets a calendar of its own on it, so tests never see each other's events.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.servers import (
    CalDavServer,
    MemoryKeyring,
    SecretServiceSession,
    SmtpServer,
    start_radicale,
    start_secret_service,
    start_smtp,
    start_xandikos,
)

_calendars = itertools.count(1)


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    server = start_radicale(tmp_path_factory.mktemp("radicale"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    server = start_xandikos(tmp_path_factory.mktemp("xandikos"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def radicale_calendar(radicale: CalDavServer) -> tuple[CalDavServer, str]:
    return radicale, radicale.make_calendar(f"cal{next(_calendars)}", display_name="Work")


@pytest.fixture
def xandikos_calendar(xandikos: CalDavServer) -> tuple[CalDavServer, str]:
    return xandikos, xandikos.make_calendar(f"cal{next(_calendars)}", display_name="Work")


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = start_smtp()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before: KeyringBackend = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretServiceSession]:
    """gnome-keyring's Secret Service on a private D-Bus session bus (never the user's)."""
    session = start_secret_service(tmp_path_factory.mktemp("secret-service"))
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def secret_service_keyring(
    secret_service: SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringBackend]:
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.env["DBUS_SESSION_BUS_ADDRESS"])
    before: KeyringBackend = keyring.get_keyring()
    backend = SecretService.Keyring()  # type: ignore[no-untyped-call]  # keyring has no types here
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)
