"""After the meeting, through the real services on a real SQLite file: outcomes, cadences,
touches, snoozes, closed files and the weekly review, with the clock pinned.

Time moves by opening a new desk over the same database with a later FixedClock, as the
app does when the rep comes back another day. The rep works Monday to Friday in Berlin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import Desk, open_desk
from followup_desk.domain.cadences import Cadence, Channel, EnrolmentState
from followup_desk.domain.review import Group, ReviewItem, State
from followup_desk.domain.touches import Direction, Outcome
from followup_desk.errors import CadenceFileError, InvalidInputError, NotFoundError
from followup_desk.paths import AppPaths
from followup_desk.services.booking import BookingRequest
from followup_desk.services.followups import EmptyTouchWarning
from followup_desk.storage.cadence_file import builtin_cadences, dump_cadences
from tests.conftest import SettingsWriter

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ENROLLED = date(2026, 12, 14)  # Monday 14 December 2026: week 1 of the ten-week schedule
NEWS = "Sent the pilot results: 12% fewer returns in March"

DeskAt = Callable[..., Desk]


def berlin(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def desk_at(fd_home: AppPaths, write_settings: SettingsWriter) -> Iterator[DeskAt]:
    """Open the desk as if it were ``moment``; the previous desk is closed first."""
    write_settings()
    opened: list[Desk] = []

    def open_at(moment: datetime) -> Desk:
        while opened:
            opened.pop().close()
        desk = open_desk(fd_home, clock=FixedClock(moment))
        opened.append(desk)
        return desk

    yield open_at
    while opened:
        opened.pop().close()


def book(
    desk: Desk,
    start: datetime,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    follow_up: str = "",
) -> tuple[int, int]:
    """Book a 30-minute meeting; returns (booking id, prospect id)."""
    outcome = desk.bookings.book(
        BookingRequest(
            name=name,
            email=email,
            start=start,
            length=timedelta(minutes=30),
            follow_up_said=follow_up,
        )
    )
    assert outcome.booking.id is not None and outcome.prospect.id is not None
    return outcome.booking.id, outcome.prospect.id


def no_show_prospect(desk_at: DeskAt, name: str = "Ada Lovelace") -> int:
    """A prospect met on Tuesday 8 December who did not turn up; their id."""
    email = name.split()[0].lower() + "@example.com"
    booking_id, prospect_id = book(
        desk_at(berlin(date(2026, 12, 7))), berlin(date(2026, 12, 8), 10), name, email
    )
    desk_at(berlin(date(2026, 12, 8), 11)).followups.record_outcome(booking_id, Outcome.NO_SHOW)
    return prospect_id


def in_review(desk: Desk, prospect_id: int) -> ReviewItem | None:
    review = desk.followups.review()
    found = [i for _, items in review.groups for i in items if i.facts.prospect_id == prospect_id]
    assert len(found) <= 1
    return found[0] if found else None


def the_item(desk: Desk, prospect_id: int) -> ReviewItem:
    item = in_review(desk, prospect_id)
    assert item is not None, f"prospect {prospect_id} is not in the review"
    return item


def state(desk: Desk, prospect_id: int) -> State:
    return desk.followups.states()[prospect_id][0]


def week_of(day: date) -> int:
    return (day - ENROLLED).days // 7 + 1


def cadence(key: str) -> Cadence:
    return next(c for c in builtin_cadences() if c.key == key)


# --- the "done when" of the issue --------------------------------------------------------


def test_a_no_show_enrolled_in_ten_weeks_comes_due_in_weeks_1_3_6_and_10_then_closes(
    desk_at: DeskAt,
) -> None:
    booking_id, ada = book(desk_at(berlin(date(2026, 12, 7))), berlin(date(2026, 12, 8), 10))

    desk = desk_at(berlin(date(2026, 12, 8), 11))  # the meeting is over
    [(pending, prospect)] = desk.followups.awaiting_outcome()
    assert (pending.id, prospect.id) == (booking_id, ada)
    asking = the_item(desk, ada)
    assert (asking.group, asking.what) == (Group.NO_NEXT_STEP, "say whether the meeting happened")

    desk.followups.record_outcome(booking_id, Outcome.NO_SHOW)
    assert desk.followups.awaiting_outcome() == []
    back = the_item(desk, ada)
    assert (back.group, back.what) == (Group.NO_NEXT_STEP, "no next step")
    assert state(desk, ada) is State.NO_NEXT_STEP

    desk = desk_at(berlin(ENROLLED))
    enrolment = desk.followups.enrol(ada, "ten-week")
    assert (enrolment.next_due, enrolment.next_what) == (ENROLLED, "call")

    done: list[tuple[date, str]] = []
    day = ENROLLED
    while day <= date(2027, 2, 19):  # to the reply-by day the final email names
        desk = desk_at(berlin(day))
        item = the_item(desk, ada)
        assert item.group is not Group.OVERDUE, (day, item)
        if day.weekday() == 0 and item.due is not None and week_of(item.due) == week_of(day):
            # on Monday the week's first touch shows as due today or this week
            assert item.group in (Group.DUE_TODAY, Group.DUE_THIS_WEEK), (day, item)
        while item.group is Group.DUE_TODAY:
            channel = item.facts.cadence_what
            logged = desk.followups.log_touch(ada, Channel(channel), Direction.OUT, NEWS)
            assert logged.step_done is not None, (day, channel)
            done.append((day, channel))
            item = the_item(desk, ada)
        day += timedelta(days=1)

    round_a, round_b = ["call", "voicemail", "email"], ["call", "voicemail", "linkedin"]
    expected: list[tuple[date, str]] = []
    for monday in (ENROLLED, date(2026, 12, 28), date(2027, 1, 18)):
        for offset, channels in ((0, round_a), (2, round_b), (4, round_a)):
            expected += [(monday + timedelta(days=offset), c) for c in channels]
    expected += [(date(2027, 2, 15), "email"), (date(2027, 2, 15), "voicemail")]
    assert done == expected
    assert {week_of(d) for d, _ in done} == {1, 3, 6, 10}

    # the final email gave until Friday 19 February; the file closes once that day is over
    assert the_item(desk_at(berlin(date(2027, 2, 19), 17)), ada).group is Group.WAITING
    desk = desk_at(berlin(date(2027, 2, 22)))
    assert in_review(desk, ada) is None
    assert state(desk, ada) is State.CLOSED


@pytest.mark.parametrize("replied", [False, True])
def test_the_ten_week_final_step_closes_the_file_on_its_date_unless_a_reply_was_logged(
    desk_at: DeskAt, replied: bool
) -> None:
    ada = no_show_prospect(desk_at)
    final_week = date(2027, 2, 15)
    desk = desk_at(berlin(final_week))
    desk.followups.enrol(ada, "ten-week", ENROLLED)
    for step in cadence("ten-week").steps:  # the rep catches up on every touch today
        logged = desk.followups.log_touch(ada, step.channel, Direction.OUT, NEWS)
        assert logged.step_done is not None
    assert logged.enrolment_state is EnrolmentState.ACTIVE  # waiting for the reply-by date
    assert the_item(desk, ada).group is Group.WAITING

    if replied:
        desk = desk_at(berlin(date(2027, 2, 18), 14))
        desk.followups.log_touch(ada, Channel.EMAIL, Direction.IN, "Busy until April; call me then")

    desk = desk_at(berlin(date(2027, 2, 19), 16))  # the reply-by day itself
    assert in_review(desk, ada) is not None
    desk = desk_at(berlin(date(2027, 2, 20), 10))
    if replied:
        assert state(desk, ada) is State.NO_NEXT_STEP
        assert the_item(desk, ada).facts.cadence == ""
    else:
        assert in_review(desk, ada) is None
        assert state(desk, ada) is State.CLOSED


def catch_up_late(desk_at: DeskAt, steps_left: int) -> tuple[Desk, int]:
    """Ada's ten-week final touches were due Monday 15 February (reply by Friday 19); the
    rep only gets to them on Monday 22 February and logs all but ``steps_left`` steps."""
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(date(2027, 2, 22)))
    desk.followups.enrol(ada, "ten-week", ENROLLED)
    steps = cadence("ten-week").steps
    for step in steps[: len(steps) - steps_left]:
        desk.followups.log_touch(ada, step.channel, Direction.OUT, NEWS)
    return desk, ada


def test_a_late_final_touch_never_names_a_reply_by_date_already_past(desk_at: DeskAt) -> None:
    desk, ada = catch_up_late(desk_at, steps_left=1)

    voicemail = desk.followups.message(ada)

    assert voicemail.startswith("Hi Ada, it's Robin Rep. I've sent you one last email.")
    assert "Friday 19 February" not in voicemail


def test_silence_after_a_late_final_touch_still_closes_the_file(desk_at: DeskAt) -> None:
    desk, ada = catch_up_late(desk_at, steps_left=0)
    assert in_review(desk, ada) is not None  # the prospect gets the days the message gave

    # whatever reply-by date the voicemail named, three weeks of silence close the file
    desk = desk_at(berlin(date(2027, 3, 15)))
    assert in_review(desk, ada) is None
    assert state(desk, ada) is State.CLOSED


# --- outcomes ----------------------------------------------------------------------------


def test_a_cancelled_meeting_leaves_the_prospect_without_a_next_step(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(date(2026, 12, 7)))
    booking_id, ada = book(desk, berlin(date(2026, 12, 10), 14))
    assert in_review(desk, ada) is None  # booked: nothing to chase
    assert state(desk, ada) is State.BOOKED

    desk.bookings.cancel(booking_id)

    item = the_item(desk, ada)
    assert (item.group, item.what) == (Group.NO_NEXT_STEP, "no next step")
    assert desk.followups.awaiting_outcome() == []


def test_a_held_meeting_with_a_stated_follow_up_comes_due_on_the_earlier_suggested_date(
    desk_at: DeskAt,
) -> None:
    booking_id, ada = book(
        desk_at(berlin(date(2026, 12, 7))),
        berlin(date(2026, 12, 8), 10),
        follow_up="in two weeks",  # 21 December; the app suggests a few days before
    )
    desk = desk_at(berlin(date(2026, 12, 14)))
    desk.followups.record_outcome(booking_id, Outcome.HELD)

    item = the_item(desk, ada)
    assert item.group is Group.DUE_THIS_WEEK
    assert item.due is not None and item.due < date(2026, 12, 21)
    assert item.due == item.facts.follow_up_on
    assert "in two weeks" in item.what
    assert the_item(desk_at(berlin(date(2026, 12, 21))), ada).group is Group.OVERDUE


def test_an_outcome_before_the_meeting_ends_is_refused(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(date(2026, 12, 7)))
    booking_id, _ = book(desk, berlin(date(2026, 12, 8), 10))

    with pytest.raises(InvalidInputError, match="has not ended"):
        desk.followups.record_outcome(booking_id, Outcome.HELD)
    with pytest.raises(NotFoundError):
        desk.followups.record_outcome(999, Outcome.HELD)


# --- closing and reopening ---------------------------------------------------------------


def test_closing_a_file_removes_it_from_the_review_and_reopening_brings_it_back(
    desk_at: DeskAt,
) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))
    desk.followups.enrol(ada, "short-email")
    assert the_item(desk, ada).group is Group.DUE_TODAY

    with pytest.raises(InvalidInputError):
        desk.followups.close(ada, "   ")
    desk.followups.close(ada, "not interested")
    assert in_review(desk, ada) is None
    assert state(desk, ada) is State.CLOSED
    with pytest.raises(InvalidInputError, match="reopen"):
        desk.followups.enrol(ada, "ten-week")

    desk = desk_at(berlin(ENROLLED + timedelta(days=1)))
    assert in_review(desk, ada) is None
    desk.followups.reopen(ada)
    item = the_item(desk, ada)
    assert item.group is Group.NO_NEXT_STEP  # closing ended the cadence for good
    assert item.facts.cadence == ""


# --- a cadence stops by itself -----------------------------------------------------------


def test_a_reply_from_the_prospect_stops_the_cadence(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))
    desk.followups.enrol(ada, "ten-week")
    desk.followups.log_touch(ada, Channel.CALL, Direction.OUT, NEWS)

    desk = desk_at(berlin(ENROLLED, 15))
    logged = desk.followups.log_touch(ada, Channel.CALL, Direction.IN, "")  # they rang back

    assert logged.enrolment_state is EnrolmentState.STOPPED_REPLIED
    assert logged.next_due is None
    item = the_item(desk, ada)
    assert (item.group, item.facts.cadence, item.due) == (Group.NO_NEXT_STEP, "", None)
    assert state(desk, ada) is State.NO_NEXT_STEP
    with pytest.raises(InvalidInputError, match="not in a cadence"):
        desk.followups.message(ada)


def test_booking_a_new_meeting_stops_the_cadence_at_the_next_review(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))
    desk.followups.enrol(ada, "ten-week")
    booking_id, again = book(desk, berlin(date(2026, 12, 17), 10))
    assert again == ada  # the same prospect, by e-mail address

    assert in_review(desk, ada) is None
    assert state(desk, ada) is State.BOOKED

    desk = desk_at(berlin(date(2026, 12, 17), 12))  # that meeting is over, they missed it
    desk.followups.record_outcome(booking_id, Outcome.NO_SHOW)
    item = the_item(desk, ada)
    assert (item.group, item.facts.cadence) == (Group.NO_NEXT_STEP, "")


def test_a_snooze_shifts_the_cadences_later_touches(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))
    desk.followups.enrol(ada, "ten-week")
    with pytest.raises(InvalidInputError):
        desk.followups.snooze(ada, ENROLLED)

    next_monday = ENROLLED + timedelta(days=7)
    desk.followups.snooze(ada, next_monday)

    item = the_item(desk, ada)
    assert (item.group, item.due) == (Group.LATER, next_monday)
    assert state(desk, ada) is State.SNOOZED
    for day in (ENROLLED + timedelta(days=2), ENROLLED + timedelta(days=4)):
        assert the_item(desk_at(berlin(day)), ada).group is Group.LATER

    desk = desk_at(berlin(next_monday))
    assert the_item(desk, ada).group is Group.DUE_TODAY
    for channel in (Channel.CALL, Channel.VOICEMAIL, Channel.EMAIL):
        logged = desk.followups.log_touch(ada, channel, Direction.OUT, NEWS)
    assert logged.next_due == next_monday + timedelta(days=2)  # was Wednesday 16 December
    desk = desk_at(berlin(next_monday + timedelta(days=2)))
    for channel in (Channel.CALL, Channel.VOICEMAIL, Channel.LINKEDIN):
        logged = desk.followups.log_touch(ada, channel, Direction.OUT, NEWS)
    assert logged.next_due == next_monday + timedelta(days=4)
    desk = desk_at(berlin(next_monday + timedelta(days=4)))
    for channel in (Channel.CALL, Channel.VOICEMAIL, Channel.EMAIL):
        logged = desk.followups.log_touch(ada, channel, Direction.OUT, NEWS)
    assert logged.next_due == date(2027, 1, 4)  # week 3 moved a week too (was 28 December)


# --- touches -----------------------------------------------------------------------------


def test_an_empty_note_is_warned_about_and_logged_only_when_forced(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))

    with pytest.raises(EmptyTouchWarning, match="Ada Lovelace"):
        desk.followups.log_touch(
            ada, Channel.EMAIL, Direction.OUT, "Just touching base, any update?"
        )
    with pytest.raises(EmptyTouchWarning):
        desk.followups.log_touch(ada, Channel.CALL, Direction.OUT, "")
    assert desk.followups.touches(ada) == []
    assert the_item(desk, ada).facts.last_out is None

    logged = desk.followups.log_touch(
        ada, Channel.EMAIL, Direction.OUT, "Just touching base, any update?", force=True
    )
    [touch] = desk.followups.touches(ada)
    assert (touch.id, touch.note, touch.direction) == (
        logged.touch_id,
        "Just touching base, any update?",
        Direction.OUT,
    )
    assert the_item(desk, ada).group is Group.WAITING

    desk.followups.log_touch(ada, Channel.CALL, Direction.IN, "")  # their call needs no news
    assert len(desk.followups.touches(ada)) == 2


def test_a_touch_with_news_is_kept_and_marks_the_cadence_step_done(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))
    desk.followups.enrol(ada, "short-email")

    logged = desk.followups.log_touch(ada, Channel.EMAIL, Direction.OUT, NEWS)

    assert (logged.step_done, logged.enrolment_state) == (0, EnrolmentState.ACTIVE)
    assert logged.next_due == date(2026, 12, 16)  # two days after the first email
    [touch] = desk.followups.touches(ada)
    assert (touch.note, touch.step) == (NEWS, 0)


def test_waiting_since_names_the_reps_own_day_for_an_evening_touch(
    fd_home: AppPaths, write_settings: SettingsWriter
) -> None:
    # 20:00 on Monday in New York is already Tuesday in UTC.
    write_settings(time_zone="America/New_York")
    monday_evening = datetime(2026, 12, 14, 20, tzinfo=NEW_YORK)
    desk = open_desk(fd_home, clock=FixedClock(monday_evening - timedelta(days=7)))
    try:
        booking_id, ada = book(desk, datetime(2026, 12, 8, 10, tzinfo=NEW_YORK))
    finally:
        desk.close()
    desk = open_desk(fd_home, clock=FixedClock(monday_evening))
    try:
        desk.followups.record_outcome(booking_id, Outcome.HELD)
        desk.followups.log_touch(ada, Channel.EMAIL, Direction.OUT, NEWS)
        item = the_item(desk, ada)
    finally:
        desk.close()

    assert item.group is Group.WAITING
    assert item.what == "waiting since Mon 14 Dec"


def test_touching_an_unknown_prospect_is_refused(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(ENROLLED))
    with pytest.raises(NotFoundError, match="no prospect 42"):
        desk.followups.log_touch(42, Channel.CALL, Direction.OUT, NEWS)
    with pytest.raises(NotFoundError):
        desk.followups.enrol(42, "ten-week")


# --- cadences as data --------------------------------------------------------------------


def test_the_built_in_cadences_are_installed(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(ENROLLED))
    installed = {c.key: builtin for c, builtin in desk.cadences.cadences()}
    assert installed == {"ten-week": True, "short-email": True, "contact-basics": True}
    with pytest.raises(NotFoundError, match="ten-week"):
        desk.cadences.cadence("no-such-cadence")


def test_a_built_in_cadence_cannot_be_overwritten(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(ENROLLED))
    original, _ = desk.cadences.cadence("ten-week")

    with pytest.raises(InvalidInputError, match="built-in"):
        desk.cadences.save_cadence(replace(original, name="My ten weeks", steps=original.steps[:2]))

    kept, stored = desk.cadences.cadence("ten-week")
    assert kept == original
    assert stored.builtin


def test_a_copy_of_a_built_in_under_a_new_name_is_saved_as_the_reps_own(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(ENROLLED))
    original, _ = desk.cadences.cadence("short-email")
    mine = replace(original, key="my-short-email", name="My short emails", steps=original.steps[:3])

    desk.cadences.save_cadence(mine)

    saved, stored = desk.cadences.cadence("my-short-email")
    assert saved == mine
    assert not stored.builtin
    assert desk.cadences.cadence("short-email")[0] == original


def test_a_malformed_cadence_import_names_the_line_and_saves_nothing(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(ENROLLED))
    before = desk.cadences.cadences()
    text = "\n".join(
        [
            "[[cadence]]",
            'key = "mine"',
            'name = "Mine"',
            "",
            "[[cadence.step]]",
            'channel = "email"',
            "days = 2 days",
            'message = "Hi {first_name}"',
        ]
    )

    with pytest.raises(CadenceFileError, match=r"mine\.toml, line 7"):
        desk.cadences.import_cadences(text, "mine.toml")

    assert desk.cadences.cadences() == before


def test_an_import_with_a_bad_step_names_the_cadence_and_step_and_saves_nothing(
    desk_at: DeskAt,
) -> None:
    desk = desk_at(berlin(ENROLLED))
    before = desk.cadences.cadences()
    good = replace(cadence("short-email"), key="mine", name="Mine")
    text = dump_cadences([good]) + '\n[[cadence]]\nkey = "other"\nname = "Other"\n\n'
    text += '[[cadence.step]]\nchannel = "fax"\ndays = 1\n'

    with pytest.raises(CadenceFileError, match=r"mine\.toml: cadence 'other', step 1.*fax"):
        desk.cadences.import_cadences(text, "mine.toml")

    assert desk.cadences.cadences() == before


def test_an_import_that_would_overwrite_a_built_in_saves_none_of_the_file(
    desk_at: DeskAt,
) -> None:
    # "all or none": the first cadence is fine, the second carries a built-in's short name
    desk = desk_at(berlin(ENROLLED))
    before = desk.cadences.cadences()
    mine = replace(cadence("short-email"), key="mine", name="Mine")
    clash = replace(cadence("ten-week"), name="My ten weeks")

    with pytest.raises(InvalidInputError, match="built-in"):
        desk.cadences.import_cadences(dump_cadences([mine, clash]), "mine.toml")

    assert desk.cadences.cadences() == before


def test_an_exported_cadence_renamed_reads_back_identically(desk_at: DeskAt) -> None:
    desk = desk_at(berlin(ENROLLED))
    exported = desk.cadences.export_cadences(["contact-basics"])
    renamed = exported.replace('key = "contact-basics"', 'key = "my-basics"')

    assert desk.cadences.import_cadences(renamed, "basics.toml") == ["my-basics"]

    mine, stored = desk.cadences.cadence("my-basics")
    assert not stored.builtin
    assert mine == replace(cadence("contact-basics"), key="my-basics")


# --- messages ----------------------------------------------------------------------------


def test_the_next_message_fills_in_the_reps_and_the_prospects_names(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(ENROLLED))
    desk.followups.enrol(ada, "ten-week")

    call = desk.followups.message(ada)
    assert call.startswith("Hi Ada, it's Robin Rep.")
    assert "{" not in call and "}" not in call

    for channel in (Channel.CALL, Channel.VOICEMAIL):
        desk.followups.log_touch(ada, channel, Direction.OUT, NEWS)
    email = desk.followups.message(ada)
    assert email.startswith("Hi Ada,")
    assert email.rstrip().endswith("Robin Rep")


def test_the_final_email_names_the_reply_by_date(desk_at: DeskAt) -> None:
    ada = no_show_prospect(desk_at)
    desk = desk_at(berlin(date(2027, 2, 15)))
    desk.followups.enrol(ada, "ten-week", ENROLLED)
    for step in cadence("ten-week").steps[:-2]:
        desk.followups.log_touch(ada, step.channel, Direction.OUT, NEWS)

    final = desk.followups.message(ada)

    assert "Friday 19 February" in final
    assert "Hi Ada," in final
