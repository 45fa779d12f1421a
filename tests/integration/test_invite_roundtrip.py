"""The invite .ics read back by two independent parsers: icalendar and vobject.

The rep works in Berlin, the prospect in New York, and the meeting sits in a week when the
two are on different daylight-saving dates, so an invite that leans on a fixed offset or
on the wrong zone shows up as an hour's error in one of the zones.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from followup_desk.adapters.clock import FixedClock
from followup_desk.adapters.ics_writer import IcsInviteWriter, build_invite
from followup_desk.domain.booking import Booking, BookingStatus, Prospect, Rep
from followup_desk.errors import InviteWriteError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
# Tuesday 17 March 2026: New York is on EDT since 8 March, Berlin on CET until 29 March,
# so the two are five hours apart, not six
START = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
LENGTH = timedelta(minutes=45)
TITLE = "Follow-up call: Acme pilot, pricing and the rollout to the regional offices"

REP = Rep(name="Robin Rep", email="robin@example.com")
PROSPECT = Prospect(
    id=3,
    name="Dana Müller-Łukasiewicz",
    email="dana@acme.example",
    time_zone="America/New_York",
    company="Acme Ölmühle GmbH",
)


def make_booking(start: datetime = START, **changes: Any) -> Booking:
    booking = Booking(
        id=7,
        prospect_id=3,
        uid="7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk",
        sequence=0,
        status=BookingStatus.BOOKED,
        start=start,
        end=start + LENGTH,
        rep_zone="Europe/Berlin",
        prospect_zone="America/New_York",
        title=TITLE,
        created=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        updated=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    return dataclasses.replace(booking, **changes)


def invite(booking: Booking | None = None) -> bytes:
    return build_invite(booking or make_booking(), PROSPECT, REP, NOW)


def with_icalendar(data: bytes) -> tuple[icalendar.Calendar, icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def prop(component: icalendar.cal.Component, name: str) -> Any:
    """A property by its iCalendar name, as icalendar decodes it (kept loosely typed)."""
    return component[name]


def with_vobject(data: bytes) -> Any:
    return vobject.readOne(data.decode("utf-8"))


# --- the request, read by icalendar ------------------------------------------------------------


def test_icalendar_reads_a_complete_request() -> None:
    calendar, event = with_icalendar(invite())

    assert str(prop(calendar, "METHOD")) == "REQUEST"
    assert str(prop(calendar, "VERSION")) == "2.0"
    assert str(prop(event, "UID")) == "7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk"
    assert prop(event, "DTSTAMP").dt == NOW
    assert prop(event, "SEQUENCE") == 0
    assert str(prop(event, "STATUS")) == "CONFIRMED"
    assert str(prop(event, "SUMMARY")) == TITLE
    organizer = prop(event, "ORGANIZER")
    assert str(organizer) == "mailto:robin@example.com"
    assert organizer.params["CN"] == "Robin Rep"
    attendee = prop(event, "ATTENDEE")
    assert str(attendee) == "mailto:dana@acme.example"
    assert attendee.params["CN"] == "Dana Müller-Łukasiewicz"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


# Spring: the US has changed clocks, Europe not yet. Autumn: Europe has changed back, the US
# not yet. Summer: both on daylight time, six hours apart.
WEEKS_APART = [
    pytest.param(START, "10:00", "15:00", id="march-gap-week"),
    pytest.param(datetime(2026, 10, 27, 15, 30, tzinfo=UTC), "11:30", "16:30", id="october-gap"),
    pytest.param(datetime(2026, 7, 7, 8, 0, tzinfo=UTC), "04:00", "10:00", id="summer"),
]


@pytest.mark.parametrize(("start", "new_york", "berlin"), WEEKS_APART)
def test_icalendar_reads_the_booked_instants_in_every_zone(
    start: datetime, new_york: str, berlin: str
) -> None:
    _, event = with_icalendar(invite(make_booking(start)))
    begins, ends = prop(event, "DTSTART").dt, prop(event, "DTEND").dt

    assert begins.astimezone(UTC) == start
    assert ends.astimezone(UTC) == start + LENGTH
    assert f"{begins.astimezone(NEW_YORK):%H:%M}" == new_york
    assert f"{begins.astimezone(BERLIN):%H:%M}" == berlin
    assert prop(event, "DTSTART").params["TZID"] == "Europe/Berlin"


@pytest.mark.parametrize(("start", "new_york", "berlin"), WEEKS_APART)
def test_the_files_own_vtimezone_gives_the_booked_instants(
    start: datetime, new_york: str, berlin: str
) -> None:
    """Read the local times through the VTIMEZONE in the file, not the IANA database."""
    calendar, event = with_icalendar(invite(make_booking(start)))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert isinstance(vtimezone, icalendar.Timezone)
    defined = vtimezone.to_tz()

    for name, expected in (("DTSTART", start), ("DTEND", start + LENGTH)):
        wall = prop(event, name).dt.replace(tzinfo=None)
        assert wall.replace(tzinfo=defined).astimezone(UTC) == expected
    assert f"{start.astimezone(NEW_YORK):%H:%M}" == new_york


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), id="first-02:30-CEST"),
        pytest.param(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), id="second-02:30-CET"),
    ],
)
def test_both_passes_through_the_repeated_hour_keep_their_instant(start: datetime) -> None:
    """02:30 happens twice in Berlin on 25 October 2026; each booking stays where it was."""
    data = invite(make_booking(start))
    _, event = with_icalendar(data)
    parsed = with_vobject(data).vevent

    assert prop(event, "DTSTART").dt.astimezone(UTC) == start
    assert prop(event, "DTEND").dt.astimezone(UTC) == start + LENGTH
    assert parsed.dtstart.value.astimezone(UTC) == start
    assert parsed.dtend.value.astimezone(UTC) == start + LENGTH


def test_every_tzid_used_has_its_vtimezone() -> None:
    data = invite()
    calendar, _ = with_icalendar(data)

    used = set(re.findall(rb";TZID=([^:;]+)", data.replace(b"\r\n ", b"")))
    defined = {str(prop(tz, "TZID")).encode() for tz in calendar.walk("VTIMEZONE")}

    assert used == {b"Europe/Berlin"}
    assert used <= defined
    assert calendar.get_missing_tzids() == set()  # icalendar's own view agrees


def test_the_description_says_the_prospect_is_not_locked_in() -> None:
    _, event = with_icalendar(invite())
    text = str(prop(event, "DESCRIPTION"))

    assert "You are not locked in" in text
    assert "Your time: Tuesday 17 March, 10:00 (America/New_York, EDT, UTC-04:00)" in text
    assert "Robin Rep's time: Tuesday 17 March, 15:00 (Europe/Berlin, CET, UTC+01:00)" in text


# --- the same request, read by vobject -----------------------------------------------------


def test_vobject_reads_the_same_request() -> None:
    parsed = with_vobject(invite())
    event = parsed.vevent

    assert parsed.method.value == "REQUEST"
    assert event.uid.value == "7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk"
    assert event.dtstamp.value == NOW
    assert int(event.sequence.value) == 0
    assert event.organizer.value == "mailto:robin@example.com"
    assert event.organizer.params["CN"] == ["Robin Rep"]
    assert event.attendee.value == "mailto:dana@acme.example"
    assert event.attendee.params["CN"] == ["Dana Müller-Łukasiewicz"]
    assert event.attendee.params["RSVP"] == ["TRUE"]
    assert event.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
    assert event.attendee.params["ROLE"] == ["REQ-PARTICIPANT"]
    assert event.summary.value == TITLE
    assert "You are not locked in" in event.description.value


@pytest.mark.parametrize(("start", "new_york", "berlin"), WEEKS_APART)
def test_vobject_reads_the_booked_instants_in_every_zone(
    start: datetime, new_york: str, berlin: str
) -> None:
    event = with_vobject(invite(make_booking(start))).vevent
    begins, ends = event.dtstart.value, event.dtend.value

    assert begins.astimezone(UTC) == start
    assert ends.astimezone(UTC) == start + LENGTH
    assert f"{begins.astimezone(NEW_YORK):%H:%M}" == new_york
    assert f"{begins.astimezone(BERLIN):%H:%M}" == berlin


# --- the bytes on disk -----------------------------------------------------------------------


def test_lines_end_in_crlf_and_are_folded_within_75_octets() -> None:
    long_title = "Rückruf: Angebot für die Zweigstellen in München, Köln und Düsseldorf " * 2
    data = invite(make_booking(title=long_title.strip()))

    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:  # no character is cut in half by a fold
        line.decode("utf-8")
    _, event = with_icalendar(data)
    assert str(prop(event, "SUMMARY")) == long_title.strip()
    assert with_vobject(data).vevent.summary.value == long_title.strip()


def test_dtstamp_is_the_clocks_now_in_utc() -> None:
    assert b"\r\nDTSTAMP:20260302T090500Z\r\n" in invite()


# --- changes: same UID, higher SEQUENCE --------------------------------------------------------


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence() -> None:
    first = make_booking()
    later = START + timedelta(days=2, hours=1)
    moved = dataclasses.replace(first, sequence=1, start=later, end=later + LENGTH)

    _, before = with_icalendar(invite(first))
    calendar, after = with_icalendar(invite(moved))

    assert str(prop(calendar, "METHOD")) == "REQUEST"
    assert str(prop(after, "UID")) == str(prop(before, "UID"))
    assert prop(after, "SEQUENCE") > prop(before, "SEQUENCE")
    assert prop(after, "DTSTART").dt.astimezone(UTC) == later


def test_a_cancellation_is_a_cancel_with_the_same_uid_and_a_higher_sequence() -> None:
    first = make_booking()
    cancelled = dataclasses.replace(first, sequence=1, status=BookingStatus.CANCELLED)

    _, before = with_icalendar(invite(first))
    calendar, event = with_icalendar(invite(cancelled))
    parsed = with_vobject(invite(cancelled))

    assert str(prop(calendar, "METHOD")) == "CANCEL"
    assert str(prop(event, "STATUS")) == "CANCELLED"
    assert str(prop(event, "UID")) == str(prop(before, "UID"))
    assert prop(event, "SEQUENCE") > prop(before, "SEQUENCE")
    assert parsed.method.value == "CANCEL"
    assert parsed.vevent.status.value == "CANCELLED"
    assert parsed.vevent.uid.value == str(prop(before, "UID"))
    assert int(parsed.vevent.sequence.value) == 1
    description = str(prop(event, "DESCRIPTION"))
    assert description.startswith("This meeting has been cancelled.")
    assert "not locked in" not in description


# --- writing the file ----------------------------------------------------------------------


def test_the_writer_leaves_only_the_finished_invite(tmp_path: Path) -> None:
    writer = IcsInviteWriter(FixedClock(NOW))
    target = tmp_path / "invites" / "2026-03-17 Dana.ics"

    written = writer.write(make_booking(), PROSPECT, REP, str(target))

    assert written == str(target)
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert target.read_bytes() == invite()


def test_rewriting_an_invite_replaces_it_whole(tmp_path: Path) -> None:
    writer = IcsInviteWriter(FixedClock(NOW))
    target = tmp_path / "invite.ics"
    booking = make_booking()
    writer.write(booking, PROSPECT, REP, str(target))

    cancelled = dataclasses.replace(booking, sequence=1, status=BookingStatus.CANCELLED)
    writer.write(cancelled, PROSPECT, REP, str(target))

    assert [p.name for p in tmp_path.iterdir()] == ["invite.ics"]
    calendar, event = with_icalendar(target.read_bytes())
    assert str(prop(calendar, "METHOD")) == "CANCEL"
    assert prop(event, "SEQUENCE") == 1


def test_an_invite_that_cannot_be_written_says_what_to_do(tmp_path: Path) -> None:
    # a path below a regular file fails even for root, unlike a read-only folder
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("keep me", encoding="utf-8")
    target = blocker / "invite.ics"

    with pytest.raises(InviteWriteError) as raised:
        IcsInviteWriter(FixedClock(NOW)).write(make_booking(), PROSPECT, REP, str(target))

    message = str(raised.value)
    assert message.startswith(f"The invite could not be written to {target} (")
    assert message.endswith(
        "Choose a folder you can write to (invites.folder in the settings, or --ics)."
    )
    assert blocker.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]
