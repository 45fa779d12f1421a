"""Writing one event to a CalDAV calendar, safe to repeat after any failure.

The outbox retries a write after a timeout or a dropped connection, when the first try may
well have landed. Every PUT is therefore conditional: a create carries If-None-Match: *
and an update If-Match with the ETag last seen, and a 412 (precondition failed) is read as
"the server has something newer than we thought", resolved once by reading the server's
copy. The resource name comes from the UID, so a retried create meets its earlier self.
"""

from __future__ import annotations

import logging
from typing import cast
from urllib.parse import urljoin

from caldav.calendarobjectresource import CalendarObjectResource
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from caldav.response import DAVResponse

from followup_desk.adapters.caldav_failures import HttpError
from followup_desk.adapters.caldav_objects import (
    done_elsewhere,
    href_for,
    href_of,
    keep_answers,
    same_content,
    sequence,
)
from followup_desk.domain.ports import RemoteObject

log = logging.getLogger(__name__)

_OK = (200, 201, 204)
_UID_CONFLICT = "{urn:ietf:params:xml:ns:caldav}no-uid-conflict"


class UidTaken(Exception):
    """The server holds an event with this UID under another name."""


def _preconditions(response: DAVResponse) -> list[str]:
    """The DAV:error preconditions an error answer names (RFC 4918 16), Clark-notated."""
    return dav_error.parse_preconditions(response.raw.encode()) if response.status >= 400 else []


class EventWriter:
    """Conditional writes of one event, safe to repeat after any failure."""

    def __init__(self, client: DAVClient, calendar_url: str) -> None:
        self._client = client
        # a collection's URL ends in "/"; without it, names would be joined beside it
        self._calendar_url = calendar_url.rstrip("/") + "/"

    def _url(self, href: str) -> str:
        return urljoin(self._calendar_url, href)

    def get(self, url: str) -> RemoteObject | None:
        """The object at ``url`` with its ETag, or None when there is none."""
        response = self._client.request(url, "GET")
        if response.status in (404, 410):
            return None
        if response.status != 200:
            raise HttpError(response.status, response.raw.encode())
        etag = str(response.headers.get("ETag") or "")
        return RemoteObject(href_of(url), etag, response.raw.encode())

    def _put(self, url: str, data: bytes, condition: dict[str, str]) -> DAVResponse:
        headers = {"Content-Type": 'text/calendar; charset="utf-8"', **condition}
        try:
            return self._client.put(url, data.decode("utf-8"), headers)
        except dav_error.AuthorizationError as exc:
            if exc.status == 403 and _UID_CONFLICT in exc.preconditions:
                # RFC 4791 5.3.2.1 lets a server refuse a second resource with a UID by 403
                raise UidTaken from exc
            raise

    def _stored(self, url: str, response: DAVResponse, data: bytes) -> RemoteObject:
        etag = str(response.headers.get("ETag") or "")
        if etag and not etag.startswith("W/"):
            return RemoteObject(href_of(url), etag, data)
        # RFC 4791 5.3.4: a server that changed what it stored sends no strong ETag
        stored = self.get(url)
        return stored if stored is not None else RemoteObject(href_of(url), etag, data)

    @staticmethod
    def _fail(response: DAVResponse) -> HttpError:
        return HttpError(response.status, response.raw.encode())

    def find(self, uid: str) -> RemoteObject | None:
        found = self.get(self._url(href_for(uid)))
        if found is not None:
            return found
        calendar = Calendar(client=self._client, url=self._calendar_url)
        try:
            # a sync client's calendar: the coroutine half of caldav's union never comes
            event = cast(CalendarObjectResource, calendar.get_event_by_uid(uid))
        except dav_error.NotFoundError:
            return None
        raw = event.raw_data or str(event.data or "").encode()
        return RemoteObject(href_of(str(event.url)), event.etag or "", raw)

    def put(self, uid: str, data: bytes, href: str, etag: str) -> RemoteObject:
        url = self._url(href or href_for(uid))
        if href and not etag:
            current = self.get(url)
            if current is not None:
                if same_content(current.data, data):
                    return current
                return self._update(url, data, current.etag)
        if etag:
            return self._update(url, data, etag)
        return self._create(uid, url, data)

    def _create(self, uid: str, url: str, data: bytes) -> RemoteObject:
        try:
            response = self._put(url, data, {"If-None-Match": "*"})
        except UidTaken:
            current = self._holder(uid)
        else:
            if response.status in _OK:
                return self._stored(url, response, data)
            if _UID_CONFLICT in _preconditions(response):
                # the UID lives under another name (Radicale: 409, Xandikos: 412)
                current = self._holder(uid)
            elif response.status == 412:
                # Something is at this name already: most likely an earlier try that
                # landed although its answer was lost. Ours wins only if it is newer.
                found = self.get(url)
                if found is None:
                    raise self._fail(response)
                current = found
            else:
                raise self._fail(response)
        if sequence(current.data) >= sequence(data):
            log.info("event %s is on the server already; not written again", current.href)
            return current
        return self._update(self._url(current.href), data, current.etag)

    def _holder(self, uid: str) -> RemoteObject:
        """The event that holds ``uid`` under another name (it is ours: UIDs are unique)."""
        current = self.find(uid)
        if current is None:
            raise HttpError(412, b"the server says the UID is taken, but nothing holds it")
        return current

    def _update(self, url: str, data: bytes, etag: str) -> RemoteObject:
        response = self._put(url, data, self._if_match(etag))
        if response.status in _OK:
            return self._stored(url, response, data)
        if response.status != 412:
            raise self._fail(response)
        # Changed on the server since we read it (the prospect answered, or an earlier try
        # of ours landed): keep their answers, write ours over it with the fresh ETag.
        current = self.get(url)
        if current is None:
            response = self._put(url, data, {"If-None-Match": "*"})
            if response.status in _OK:
                return self._stored(url, response, data)
            raise self._fail(response)
        if done_elsewhere(data, current.data):
            # completed in another app since we wrote it: kept as it is; the next read of
            # the task list logs that touch and writes the task that follows
            log.info("task %s was completed elsewhere; not written over", current.href)
            return current
        merged = keep_answers(data, current.data)
        if same_content(merged, current.data):
            return current
        response = self._put(url, merged, self._if_match(current.etag))
        if response.status in _OK:
            return self._stored(url, response, merged)
        raise self._fail(response)

    @staticmethod
    def _if_match(etag: str) -> dict[str, str]:
        # If-Match compares strongly (RFC 9110 13.1.1): a weak ETag never matches, so with
        # only a weak one the write goes out unconditionally, as caldav itself does.
        if not etag or etag.startswith("W/"):
            return {}
        return {"If-Match": etag}
