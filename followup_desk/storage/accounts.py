"""Accounts in SQLite: everything about them but the password, which only the keyring holds."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from followup_desk.domain.accounts import (
    Account,
    AccountKind,
    CalDavAccount,
    CalendarInfo,
    InvitesBy,
    Security,
    SmtpAccount,
)
from followup_desk.storage.codec import instant
from followup_desk.storage.db import transaction


def _config(account: Account) -> dict[str, Any]:
    if isinstance(account, CalDavAccount):
        return {
            "url": account.url,
            "username": account.username,
            "home_url": account.home_url,
            "calendars": [
                {
                    "url": c.url,
                    "name": c.name,
                    "read_only": c.read_only,
                    "components": list(c.components),
                    "color": c.color,
                }
                for c in account.calendars
            ],
            "busy_calendars": list(account.busy_calendars),
            "bookings_calendar": account.bookings_calendar,
            "tasks_calendar": account.tasks_calendar,
            "invites_by": account.invites_by.value,
            "trusted_fingerprint": account.trusted_fingerprint,
        }
    return {
        "host": account.host,
        "port": account.port,
        "username": account.username,
        "from_address": account.from_address,
        "security": account.security.value,
        "trusted_fingerprint": account.trusted_fingerprint,
    }


def _account(row: tuple[Any, ...]) -> Account:
    account_id, name, kind, text = row
    data = json.loads(text)
    if kind == AccountKind.CALDAV.value:
        return CalDavAccount(
            id=int(account_id),
            name=str(name),
            url=str(data.get("url", "")),
            username=str(data.get("username", "")),
            home_url=str(data.get("home_url", "")),
            calendars=tuple(
                CalendarInfo(
                    url=str(c["url"]),
                    name=str(c.get("name", "")),
                    read_only=bool(c.get("read_only", False)),
                    components=tuple(c.get("components", ["VEVENT"])),
                    color=str(c.get("color", "")),
                )
                for c in data.get("calendars", [])
            ),
            busy_calendars=tuple(data.get("busy_calendars", [])),
            bookings_calendar=str(data.get("bookings_calendar", "")),
            tasks_calendar=str(data.get("tasks_calendar", "")),
            invites_by=InvitesBy(data.get("invites_by", InvitesBy.APP.value)),
            trusted_fingerprint=str(data.get("trusted_fingerprint", "")),
        )
    return SmtpAccount(
        id=int(account_id),
        name=str(name),
        host=str(data.get("host", "")),
        port=int(data.get("port", 587)),
        username=str(data.get("username", "")),
        from_address=str(data.get("from_address", "")),
        security=Security(data.get("security", Security.STARTTLS.value)),
        trusted_fingerprint=str(data.get("trusted_fingerprint", "")),
    )


class SqliteAccountStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def all(self) -> list[Account]:
        rows = self._conn.execute(
            "SELECT id, name, kind, config FROM account ORDER BY kind, id"
        ).fetchall()
        return [_account(tuple(r)) for r in rows]

    def get(self, name: str) -> Account | None:
        row = self._conn.execute(
            "SELECT id, name, kind, config FROM account WHERE name = ?", (name,)
        ).fetchone()
        return _account(tuple(row)) if row else None

    def save(self, account: Account, at: datetime) -> Account:
        """Insert, or replace the account of the same name (its kind may not change)."""
        text = json.dumps(_config(account), sort_keys=True)
        now = instant(at)
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO account (name, kind, config, created, updated)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET config = excluded.config,"
                " kind = excluded.kind, updated = excluded.updated",
                (account.name, account.kind.value, text, now, now),
            )
        saved = self.get(account.name)
        assert saved is not None
        return saved

    def delete(self, name: str) -> bool:
        with transaction(self._conn):
            cur = self._conn.execute("DELETE FROM account WHERE name = ?", (name,))
        return cur.rowcount > 0
