"""Fetching .ics feeds (http, https, webcal) with conditional GET and hard limits.

The standard library's urllib is enough: one GET with If-None-Match / If-Modified-Since,
a timeout, and a size cap read in chunks so a 200 MB answer is refused without being held
in memory. Every failure becomes a SourceError whose sentence says what to do.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message

from followup_desk import __version__
from followup_desk.errors import SourceError

log = logging.getLogger(__name__)

USER_AGENT = f"FollowupDesk/{__version__} (+calendar feed reader)"
_CHUNK = 1 << 16
_TOTAL_TIMEOUTS = 4  # a whole download may take this many timeouts


@dataclass(frozen=True)
class FeedResponse:
    not_modified: bool
    data: bytes
    etag: str
    last_modified: str


def is_feed(source: str) -> bool:
    return source.lower().startswith(("http://", "https://", "webcal://", "webcals://"))


def http_url(source: str) -> str:
    """webcal:// is https:// (it names the scheme for calendar apps, not a protocol)."""
    lowered = source.lower()
    if lowered.startswith("webcals://"):
        return "https://" + source[len("webcals://") :]
    if lowered.startswith("webcal://"):
        return "https://" + source[len("webcal://") :]
    return source


def _status_sentence(source: str, code: int, reason: str) -> str:
    if code in (401, 403):
        return (
            f"{source} refused access ({code} {reason}). If the calendar is private, use its "
            "secret address (the 'secret iCal address' in Google Calendar) instead."
        )
    if code == 404 or code == 410:
        return (
            f"{source} was not found ({code} {reason}). Check the address; the calendar may "
            "have been unpublished."
        )
    if code >= 500:
        return (
            f"The server of {source} failed ({code} {reason}). This is usually temporary; "
            "try again later."
        )
    return f"{source} answered {code} {reason}, not a calendar. Check the address."


def fetch(
    source: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float = 15.0,
    max_bytes: int = 50 << 20,
) -> FeedResponse:
    """GET the feed; ``not_modified`` when the server says the cached copy is current."""
    url = http_url(source)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(
            request, timeout=timeout
        ) as response:  # scheme checked by is_feed
            info: Message = response.headers
            length = info.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_big(source, max_bytes)
            chunks: list[bytes] = []
            size = 0
            # the timeout bounds each read; a server trickling bytes would pass every one
            deadline = time.monotonic() + timeout * _TOTAL_TIMEOUTS
            while chunk := response.read1(_CHUNK):  # whatever has arrived
                size += len(chunk)
                if size > max_bytes:
                    raise _too_big(source, max_bytes)
                if time.monotonic() > deadline:
                    raise TimeoutError(source)
                chunks.append(chunk)
            return FeedResponse(
                not_modified=False,
                data=b"".join(chunks),
                etag=info.get("ETag", "") or "",
                last_modified=info.get("Last-Modified", "") or "",
            )
    except urllib.error.HTTPError as exc:
        exc.close()  # the error is also the response: without this its socket leaks
        if exc.code == 304:
            return FeedResponse(True, b"", etag, last_modified)
        raise SourceError(source, _status_sentence(source, exc.code, exc.reason)) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            message = (
                f"The certificate of {source} is not trusted ({reason.verify_message}). "
                "Check the address, or ask the calendar's owner to fix the certificate."
            )
        elif isinstance(reason, TimeoutError | socket.timeout):
            message = _timeout_sentence(source, timeout)
        else:
            message = (
                f"{source} could not be reached ({reason}). Check the address and your "
                "connection; the last copy read is used meanwhile, if there is one."
            )
        raise SourceError(source, message) from exc
    except TimeoutError as exc:
        raise SourceError(source, _timeout_sentence(source, timeout)) from exc
    except (OSError, ValueError) as exc:
        raise SourceError(
            source, f"{source} could not be read ({exc}). Check the address."
        ) from exc


def _timeout_sentence(source: str, timeout: float) -> str:
    return (
        f"{source} did not answer within {timeout:g} seconds. Check your connection or try "
        "again later; the last copy read is used meanwhile, if there is one."
    )


def _too_big(source: str, max_bytes: int) -> SourceError:
    return SourceError(
        source,
        f"{source} is larger than {max_bytes >> 20} MB, too large for a free/busy calendar. "
        "Export a shorter range, or raise free_busy.max_source_megabytes in the settings.",
    )
