"""The invitation e-mail (iMIP) as mail programs read it, and the prospect's answer read back.

The rep is in Berlin, the prospect in Tokyo; both names carry accents or CJK characters so
that any header, text or calendar encoding slip shows up as mojibake.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest

from followup_desk.adapters.ics_writer import build_invite, description
from followup_desk.adapters.imip import (
    Reply,
    build_imip,
    message_id,
    parse_replies,
    partstat_of,
)
from followup_desk.domain.booking import Booking, BookingStatus, Prospect, Rep
from followup_desk.errors import InvalidInputError

NOW = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
START = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)  # 15:00 in Berlin, 23:00 in Tokyo
UID = "7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk"
FROM = "jose@example.com"
REP = Rep(name="José Müller", email=FROM)
PROSPECT = Prospect(id=3, name="Zoë 東京", email="zoe@acme.example", time_zone="Asia/Tokyo")


def make_booking(**changes: Any) -> Booking:
    booking = Booking(
        id=7,
        prospect_id=3,
        uid=UID,
        sequence=0,
        status=BookingStatus.BOOKED,
        start=START,
        end=START + timedelta(minutes=45),
        rep_zone="Europe/Berlin",
        prospect_zone="Asia/Tokyo",
        title="Follow-up call: Acme pilot",
        created=NOW,
        updated=NOW,
    )
    return dataclasses.replace(booking, **changes)


def invitation(booking: Booking | None = None, prospect: Prospect = PROSPECT) -> bytes:
    booking = booking or make_booking()
    calendar = build_invite(booking, prospect, REP, NOW)
    return build_imip(booking, prospect, REP, from_address=FROM, calendar=calendar, stamp=NOW)


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_part(message: EmailMessage) -> EmailMessage:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert isinstance(part, EmailMessage)
    return part


def attachment(message: EmailMessage) -> EmailMessage:
    (part,) = list(message.iter_attachments())
    assert isinstance(part, EmailMessage)
    return part


def event_of(data: bytes) -> tuple[icalendar.Calendar, icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def part_bytes(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


# -- the invitation -------------------------------------------------------------------------


def test_invitation_has_the_shape_mail_programs_answer_with_accept_and_decline() -> None:
    raw = invitation()
    message = parsed(raw)

    tree = [(part.get_content_type(), part.get_content_disposition()) for part in message.walk()]
    assert tree == [
        ("multipart/mixed", None),
        ("multipart/alternative", None),
        ("text/plain", None),
        ("text/calendar", None),
        ("application/ics", "attachment"),
    ]
    assert message["MIME-Version"] == "1.0"
    invite = calendar_part(message)
    assert invite.get_param("method") == "REQUEST"
    assert str(invite.get_param("charset")).upper() == "UTF-8"
    # the bare token, as Gmail and Outlook send it (the parsed header would re-quote it)
    assert b"Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n" in raw


def test_the_calendar_part_carries_the_same_method_uid_and_people() -> None:
    message = parsed(invitation())
    invite = calendar_part(message)

    calendar, event = event_of(part_bytes(invite))

    assert calendar["METHOD"] == invite.get_param("method") == "REQUEST"
    assert event["UID"] == UID
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == f"mailto:{FROM}"
    assert str(event["ATTENDEE"]) == f"mailto:{PROSPECT.email}"
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"


def test_the_calendar_is_passed_on_byte_for_byte_inline_and_attached() -> None:
    booking = make_booking()
    calendar = build_invite(booking, PROSPECT, REP, NOW)
    message = parsed(
        build_imip(booking, PROSPECT, REP, from_address=FROM, calendar=calendar, stamp=NOW)
    )

    attached = attachment(message)

    assert part_bytes(calendar_part(message)) == calendar
    assert part_bytes(attached) == calendar
    assert attached.get_filename() == "invite.ics"
    assert attached.get_param("name") == "invite.ics"


def test_accented_and_cjk_names_survive_headers_text_and_calendar() -> None:
    message = parsed(invitation())

    assert message["From"].addresses[0].display_name == "José Müller"
    assert message["From"].addresses[0].addr_spec == FROM
    assert message["To"].addresses[0].display_name == "Zoë 東京"
    assert message["To"].addresses[0].addr_spec == PROSPECT.email
    text = message.get_body(("plain",))
    assert text is not None
    assert "José Müller" in text.get_content()
    _, event = event_of(part_bytes(calendar_part(message)))
    assert event["ORGANIZER"].params["CN"] == "José Müller"
    assert event["ATTENDEE"].params["CN"] == "Zoë 東京"


def test_the_text_says_the_time_in_both_zones_in_the_invites_own_words() -> None:
    booking = make_booking()
    message = parsed(invitation(booking))

    text = message.get_body(("plain",))
    assert text is not None
    content = text.get_content()

    assert content.replace("\r\n", "\n").strip() == description(booking, PROSPECT, REP)
    assert "Your time: Tuesday 17 March, 23:00 (Asia/Tokyo" in content
    assert "José Müller's time: Tuesday 17 March, 15:00 (Europe/Berlin" in content


def test_subject_names_the_meeting_and_the_prospects_local_time() -> None:
    message = parsed(invitation())

    assert (
        message["Subject"] == "Invitation: Follow-up call: Acme pilot - Tuesday 17 March, 23:00 JST"
    )


def test_a_long_or_accented_subject_reads_back_exactly() -> None:
    for title in (
        "Follow-up call: Acme pilot plus",
        "Pilot Ölmühle 東京, pricing and the rollout " * 3,
    ):
        message = parsed(invitation(make_booking(title=title)))

        assert message["Subject"] == f"Invitation: {title} - Tuesday 17 March, 23:00 JST"


def test_a_rescheduled_booking_is_an_updated_invitation_with_a_higher_sequence() -> None:
    first = parsed(invitation())
    moved = make_booking(
        sequence=1, start=START + timedelta(days=1), end=START + timedelta(days=1, minutes=45)
    )

    second = parsed(invitation(moved))

    assert second["Subject"].startswith(
        "Updated invitation: Follow-up call: Acme pilot - Wednesday 18 March"
    )
    _, event = event_of(part_bytes(calendar_part(second)))
    assert event["UID"] == UID
    assert event["SEQUENCE"] == 1
    assert second["Message-ID"] != first["Message-ID"]


def test_a_cancellation_says_cancel_inside_and_outside_the_calendar() -> None:
    cancelled = make_booking(sequence=2, status=BookingStatus.CANCELLED)

    message = parsed(invitation(cancelled))

    assert message["Subject"].startswith("Cancelled: Follow-up call: Acme pilot - ")
    invite = calendar_part(message)
    calendar, event = event_of(part_bytes(invite))
    assert invite.get_param("method") == calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2
    assert message["Message-ID"] == message_id(UID, 2, "CANCEL")


def test_the_same_booking_state_gives_the_same_message_so_a_retry_is_recognisable() -> None:
    booking = make_booking(sequence=3)

    first, again = invitation(booking), invitation(booking)

    assert first == again
    assert parsed(first)["Message-ID"] == message_id(UID, 3, "REQUEST")
    assert (
        message_id(UID, 3, "REQUEST")
        == "<request.3.7f3c9e1a-2b4d-4c8e-9f10-123456789abc@followup-desk>"
    )


def test_message_ids_are_valid_even_for_uids_from_elsewhere() -> None:
    odd = "{Outlook UID with spaces & braces}"

    made = message_id(odd, 0, "REQUEST")

    assert made == message_id(odd, 0, "REQUEST")
    assert re.fullmatch(r"<request\.0\.[0-9a-f]{40}@followup-desk>", made)


def test_the_message_is_ready_for_any_smtp_server() -> None:
    raw = invitation()

    lines = raw.split(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    assert max(len(line) for line in lines) <= 998
    assert raw.isascii()  # 7-bit clean: no server needs 8BITMIME
    for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        assert parsed(raw)[name], name


def test_an_accented_domain_is_written_in_idna() -> None:
    prospect = dataclasses.replace(PROSPECT, email="zoe@exämple.de")

    message = parsed(invitation(prospect=prospect))

    assert message["To"].addresses[0].addr_spec == "zoe@xn--exmple-cua.de"


# -- the answers -----------------------------------------------------------------------------


def reply_ics(partstat: str = "ACCEPTED", comment: str = "", sequence: int = 0) -> bytes:
    """A reply as Google Calendar sends it (one ATTENDEE, METHOD:REPLY)."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        "DTSTART:20260317T140000Z",
        "DTEND:20260317T144500Z",
        "DTSTAMP:20260303T081500Z",
        f"ORGANIZER;CN=José Müller:mailto:{FROM}",
        f"UID:{UID}",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN=Zoë 東京;",
        " X-NUM-GUESTS=0:mailto:Zoe@ACME.example",
        *([f"COMMENT:{comment}"] if comment else []),
        f"SEQUENCE:{sequence}",
        "STATUS:CONFIRMED",
        "SUMMARY:Follow-up call: Acme pilot",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def reply_eml(ics: bytes) -> bytes:
    """The whole answer e-mail: text, the text/calendar REPLY, and invite.ics attached."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "Zoë <zoe@acme.example>"
    message["To"] = f"José Müller <{FROM}>"
    message["Subject"] = "Accepted: Follow-up call: Acme pilot"
    message.set_content("Zoë has accepted this invitation.")
    message.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REPLY"})
    message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return message.as_bytes()


def test_an_accepted_reply_ics_names_the_event_the_attendee_and_the_answer() -> None:
    (reply,) = parse_replies(reply_ics(sequence=1), "accepted.ics")

    assert reply == Reply(
        uid=UID,
        attendee="zoe@acme.example",
        partstat="ACCEPTED",
        sequence=1,
        comment="",
        dtstamp=datetime(2026, 3, 3, 8, 15, tzinfo=UTC),
    )


def test_a_reply_email_is_read_through_its_calendar_part_once() -> None:
    replies = parse_replies(reply_eml(reply_ics()), "Accepted.eml")

    assert [(r.uid, r.attendee, r.partstat) for r in replies] == [
        (UID, "zoe@acme.example", "ACCEPTED")
    ]


def test_a_decline_keeps_the_prospects_comment() -> None:
    comment = "Sorry, that week is full; could we do the 24th?"

    (reply,) = parse_replies(
        reply_ics("DECLINED", comment.replace(",", "\\,").replace(";", "\\;")), "no.ics"
    )

    assert reply.partstat == "DECLINED"
    assert reply.comment == comment


def test_a_servers_copy_without_method_gives_the_attendees_answer() -> None:
    server_copy = reply_ics("TENTATIVE").replace(b"METHOD:REPLY\r\n", b"")

    (reply,) = parse_replies(server_copy, "server copy")

    assert reply.partstat == "TENTATIVE"
    assert partstat_of(server_copy, "ZOE@acme.example") == "TENTATIVE"
    assert partstat_of(server_copy, "someone@else.example") is None


def test_partstat_of_our_own_invite_is_needs_action() -> None:
    calendar = build_invite(make_booking(), PROSPECT, REP, NOW)

    assert partstat_of(calendar, PROSPECT.email) == "NEEDS-ACTION"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "is not a calendar reply"),
        (b"Subject: lunch?\r\n\r\nSee you at noon.\r\n", "is not a calendar reply"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no VEVENT with an ATTENDEE"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", "is not a readable calendar"),
    ],
    ids=["binary", "mail-without-calendar", "calendar-without-attendee", "truncated"],
)
def test_what_is_not_a_reply_is_refused_with_a_sentence_naming_the_file(
    data: bytes, says: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_replies(data, "answer.eml")

    assert str(caught.value).startswith("answer.eml ")
    assert says in str(caught.value)


def test_our_own_invitation_is_not_taken_for_a_reply() -> None:
    with pytest.raises(InvalidInputError, match=r"invite\.eml .*METHOD:REQUEST"):
        parse_replies(invitation(), "invite.eml")
