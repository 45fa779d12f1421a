"""Reading a CalDAV calendar's changes since the last time (RFC 6578 sync-collection).

A refresh asks only for what changed since the sync token the store kept, and gets the
changed events' data in the same answer, so an unchanged calendar costs one small request
and one change costs about one event's bytes. A token the server no longer knows means one
full read; a server without sync-collection is listed whole (calendar-query) whenever its
CTag moves.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from caldav.calendarobjectresource import CalendarObjectResource
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.elements import cdav, dav
from caldav.elements.base import BaseElement
from caldav.lib import error as dav_error
from caldav.lib.url import URL
from caldav.response import SyncCollectionResult

from followup_desk.adapters.caldav_failures import HttpError
from followup_desk.adapters.caldav_objects import href_of
from followup_desk.domain.ports import RemoteChanges, RemoteObject

log = logging.getLogger(__name__)

CTAG_PREFIX = "ctag:"
_CTAG_TAG = "{http://calendarserver.org/ns/}getctag"
_MAX_SYNC_PAGES = 50


class GetCTag(BaseElement):
    """CalendarServer's getctag. caldav names it in its calendar listing but has no element
    for it (its property table drops the name), so it is declared here."""

    tag = _CTAG_TAG


class SyncRefused(Exception):
    """The server refused a sync-collection REPORT (an old token, or no support for it)."""

    def __init__(self, status: int, preconditions: list[str]) -> None:
        super().__init__(f"sync-collection refused with HTTP {status}")
        self.status = status
        self.preconditions = preconditions


class CalendarReader:
    """Changes of one calendar since a sync token (RFC 6578), with their data."""

    def __init__(self, client: DAVClient, calendar_url: str) -> None:
        self._client = client
        self._url = calendar_url.rstrip("/") + "/"  # a collection's URL ends in "/"

    def changes(self, token: str) -> RemoteChanges:
        """What changed since ``token`` ("" for everything); the new token comes with it."""
        if token.startswith(CTAG_PREFIX):
            return self._by_ctag(token)
        if token:
            try:
                return self._sync(token)
            except SyncRefused as refused:
                log.info("sync token of %s refused (%s); reading it all", self._url, refused)
        try:
            return self._sync("")
        except SyncRefused as refused:
            if refused.status in (401, 404, 410):
                raise
            log.info("no sync-collection on %s (%s); listing it by CTag", self._url, refused)
        return self._listing()

    def _report(self, token: str) -> SyncCollectionResult:
        """One sync-collection REPORT asking for the data too (not only ETags).

        caldav's objects_by_sync_token asks for ETags only and then GETs each object one by
        one; asking for calendar-data in the REPORT (RFC 6578 allows any property) brings a
        change and its data in one round trip. The body is built from caldav's elements.
        """
        # caldav's elements take their children with "+"; that is no list concatenation
        wanted = dav.Prop() + [dav.GetEtag(), cdav.CalendarData()]  # noqa: RUF005
        body = dav.SyncCollection() + [  # noqa: RUF005
            dav.SyncToken(value=token),
            dav.SyncLevel(value="1"),
            wanted,
        ]
        try:
            response = self._client.report(self._url, str(body), depth=1)
        except dav_error.AuthorizationError as exc:
            if exc.status == 403:  # RFC 6578 3.2: 403 with DAV:valid-sync-token
                raise SyncRefused(403, exc.preconditions) from exc
            raise
        if response.status not in (200, 207):
            if response.status >= 500 and response.status != 501:
                raise HttpError(response.status, response.raw.encode())
            body_bytes = response.raw.encode()
            raise SyncRefused(response.status, dav_error.parse_preconditions(body_bytes))
        return response.parse_sync_collection()

    def _sync(self, token: str) -> RemoteChanges:
        changed: dict[str, RemoteObject | None] = {}
        deleted: set[str] = set()
        current = token
        for _page in range(_MAX_SYNC_PAGES):
            result = self._report(current)
            for item in result.changed:
                href = href_of(item.href)
                deleted.discard(href)
                data = item.calendar_data
                changed[href] = (
                    RemoteObject(href, str(item.etag or ""), data.encode("utf-8"))
                    if data and item.status == 200
                    else None
                )
            for gone in result.deleted:
                href = href_of(gone)
                changed.pop(href, None)
                deleted.add(href)
            new_token = str(result.sync_token or current)
            if not result.truncated or new_token == current:
                current = new_token
                break
            current = new_token
        missing = [href for href, obj in changed.items() if obj is None]
        if missing:
            for found in self._multiget(missing):
                changed[found.href] = found
            for href in missing:
                if changed.get(href) is None:
                    changed.pop(href, None)
                    deleted.add(href)  # gone between the report and the multiget
        objects = tuple(obj for obj in changed.values() if obj is not None)
        return RemoteChanges(current, objects, tuple(sorted(deleted)), full=not token)

    def _multiget(self, hrefs: list[str]) -> list[RemoteObject]:
        """Data of objects the sync report listed without it, in one calendar-multiget."""
        calendar = Calendar(client=self._client, url=self._url)
        base = URL.objectify(self._url)
        events = cast(list[CalendarObjectResource], calendar.multiget(base.join(h) for h in hrefs))
        return [
            RemoteObject(href_of(str(event.url)), event.etag or "", event.raw_data)
            for event in events
            if event.raw_data
        ]

    def _ctag(self) -> str:
        calendar = Calendar(client=self._client, url=self._url)
        props = cast(dict[str, Any], calendar.get_properties([GetCTag()]))
        return str(props.get(_CTAG_TAG) or "")

    def _by_ctag(self, token: str) -> RemoteChanges:
        ctag = self._ctag()
        if ctag and CTAG_PREFIX + ctag == token:
            return RemoteChanges(token, (), (), full=False)
        return self._listing(ctag)

    def _listing(self, ctag: str | None = None) -> RemoteChanges:
        """Every event and task of the calendar (calendar-query), for servers without sync:
        what a sync-collection would list too (tasks, completed ones included, are how a
        task ticked done in another app is read back)."""
        if ctag is None:
            ctag = self._ctag()  # read first: a change during the listing is seen next time
        calendar = Calendar(client=self._client, url=self._url)
        objects = tuple(
            RemoteObject(
                href_of(str(event.url)),
                event.etag or "",
                event.raw_data or str(event.data or "").encode(),
            )
            for event in (
                *cast(list[CalendarObjectResource], calendar.search(event=True)),
                *cast(
                    list[CalendarObjectResource],
                    calendar.search(todo=True, include_completed=True),
                ),
            )
        )
        return RemoteChanges(CTAG_PREFIX + ctag if ctag else "", objects, (), full=True)
