"""Real servers for the integration tests: Radicale, Xandikos, an SMTP server, keyrings.

Each CalDAV server starts once per test session on 127.0.0.1 at a random port; every test
gets a calendar of its own on it (on Radicale, an account of its own too), so tests never see
each other's events.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.servers import (
    CalDavServer,
    FaultProxy,
    MemoryKeyring,
    SecretServiceSession,
    SmtpServer,
    make_self_signed_cert,
    start_secret_service,
    start_smtp,
    start_xandikos,
)

_calendars = itertools.count(1)

#: ``fault_proxy(server_url)`` -> a FaultProxy in front of that server, stopped after the test
FaultProxyFactory = Callable[[str], FaultProxy]


@pytest.fixture(scope="session")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    server = start_xandikos(tmp_path_factory.mktemp("xandikos"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def radicale_calendar(radicale: CalDavServer) -> tuple[CalDavServer, str]:
    """A fresh account on the session's Radicale with one calendar, "Work", in its home.

    The account is new too, so discovery finds no other test's calendars or events.
    """
    number = next(_calendars)
    account = radicale.add_user(f"rep{number}", f"secret-pw-{number}")
    return account, account.make_calendar(f"cal{number}", display_name="Work")


@pytest.fixture
def xandikos_calendar(xandikos: CalDavServer) -> tuple[CalDavServer, str]:
    """A fresh calendar on the session's Xandikos. Xandikos has one principal and no logins,
    so its home also lists the other tests' calendars."""
    return xandikos, xandikos.make_calendar(f"cal{next(_calendars)}", display_name="Work")


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = start_smtp()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1 and localhost; trust it with ``cafile=cert``."""
    return make_self_signed_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def fault_proxy() -> Iterator[FaultProxyFactory]:
    proxies: list[FaultProxy] = []

    def make(server_url: str) -> FaultProxy:
        proxy = FaultProxy.to_url(server_url)
        proxies.append(proxy)
        return proxy

    try:
        yield make
    finally:
        for proxy in proxies:
            proxy.stop()


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
