"""Due touches as VTODOs (built with icalendar and read back), which task changes follow an
enrolment's change, which calendar takes the tasks, and the follow-up e-mail's bytes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import icalendar

from followup_desk.adapters.followup_objects import build_message, build_task, read_tasks
from followup_desk.domain.accounts import (
    NO_TASKS,
    CalDavAccount,
    CalendarInfo,
    pick_tasks_calendar,
)
from followup_desk.domain.tasks import DueTask, PlainMail, TaskStatus, task_changes, task_uid

STAMP = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
CALL = DueTask(
    uid=task_uid("a1b2c3d4e5f60718", 0),
    enrolment_key="a1b2c3d4e5f60718",
    step=0,
    prospect="José Müller",
    channel="call",
    due=date(2026, 12, 14),
    status=TaskStatus.NEEDS_ACTION,
    description="Hi José, since Tuesday I've found one thing that bears on your returns.",
    related_to="meeting-1@followup-desk",
    cadence="Ten weeks",
)
VOICEMAIL = DueTask(
    task_uid("a1b2c3d4e5f60718", 1), "a1b2c3d4e5f60718", 1, "José Müller", "voicemail",
    date(2026, 12, 14), TaskStatus.NEEDS_ACTION,
)  # fmt: skip


def todo_of(data: bytes) -> icalendar.cal.Component:
    calendar = icalendar.Calendar.from_ical(data)
    assert "METHOD" not in calendar  # stored on the server, not sent
    (todo,) = calendar.walk("VTODO")
    return todo


def test_a_due_touch_is_a_vtodo_with_due_day_status_channel_and_meeting() -> None:
    todo = todo_of(build_task(CALL, 0, STAMP))
    assert str(todo["UID"]) == "touch-a1b2c3d4e5f60718-1@followup-desk"
    assert str(todo["SUMMARY"]) == "Call José Müller"
    assert todo.decoded("DUE") == date(2026, 12, 14)  # a day, not a minute
    assert str(todo["STATUS"]) == "NEEDS-ACTION"
    assert todo.decoded("CATEGORIES") == ["call"]
    assert str(todo["RELATED-TO"]) == "meeting-1@followup-desk"
    assert "bears on your returns" in str(todo["DESCRIPTION"])
    assert todo.decoded("SEQUENCE") == 0
    assert "COMPLETED" not in todo


def test_a_completed_task_says_when_and_a_cancelled_one_does_not() -> None:
    done = todo_of(build_task(task_changes(CALL, VOICEMAIL, frozenset({0}), STAMP)[0], 1, STAMP))
    assert str(done["STATUS"]) == "COMPLETED"
    assert done.decoded("COMPLETED") == STAMP
    assert done.decoded("PERCENT-COMPLETE") == 100
    assert done.decoded("SEQUENCE") == 1
    stopped = task_changes(CALL, None, frozenset(), STAMP)
    cancelled = todo_of(build_task(stopped[0], 2, STAMP))
    assert str(cancelled["STATUS"]) == "CANCELLED" and "COMPLETED" not in cancelled


def test_task_changes_complete_the_old_touch_and_write_the_new_one() -> None:
    assert task_changes(None, CALL, frozenset(), STAMP) == [CALL]  # enrolled
    moved = task_changes(CALL, VOICEMAIL, frozenset({0}), STAMP)  # the call was made
    assert [(t.step, t.status) for t in moved] == [
        (0, TaskStatus.COMPLETED), (1, TaskStatus.NEEDS_ACTION),
    ]  # fmt: skip
    later = DueTask(**{**CALL.__dict__, "due": date(2026, 12, 21)})
    assert task_changes(CALL, later, frozenset(), STAMP) == [later]  # snoozed: same task
    assert task_changes(CALL, CALL, frozenset(), STAMP) == []  # nothing changed


def test_tasks_are_read_back_with_their_status_completion_and_channel() -> None:
    ours = build_task(CALL, 0, STAMP)
    calendar = icalendar.Calendar.from_ical(ours)
    todo = calendar.walk("VTODO")[0]
    todo["STATUS"] = "COMPLETED"
    todo.add("COMPLETED", datetime(2026, 12, 14, 9, 30, tzinfo=UTC))
    (seen,) = read_tasks(calendar.to_ical())
    assert (seen.uid, seen.status, seen.categories) == (CALL.uid, "COMPLETED", ("call",))
    assert seen.completed == datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
    assert read_tasks(b"not a calendar") == []
    floating = ours.replace(
        b"STATUS:NEEDS-ACTION", b"STATUS:COMPLETED\r\nCOMPLETED:20261214T093000"
    )
    assert read_tasks(floating)[0].completed == datetime(2026, 12, 14, 9, 30, tzinfo=UTC)


def test_the_task_list_is_a_task_calendar_else_the_bookings_one_if_it_takes_tasks() -> None:
    work = CalendarInfo("https://dav/rep/work/", "Work", components=("VEVENT", "VTODO"))
    events = CalendarInfo("https://dav/rep/events/", "Events", components=("VEVENT",))
    tasks = CalendarInfo("https://dav/rep/tasks/", "Tasks", components=("VTODO",))
    shared = CalendarInfo("https://dav/team/tasks/", "Team", read_only=True, components=("VTODO",))
    assert pick_tasks_calendar((work, shared, tasks), work.url) == tasks.url
    assert pick_tasks_calendar((work, shared), work.url) == work.url
    assert pick_tasks_calendar((events, shared), events.url) == ""
    account = CalDavAccount("work", "https://dav", "rep", calendars=(work, tasks),
                            bookings_calendar=work.url, tasks_calendar=work.url)  # fmt: skip
    assert account.task_list == work.url  # the rep's recorded choice wins
    assert CalDavAccount(**{**account.__dict__, "tasks_calendar": NO_TASKS}).task_list == ""
    gone = CalDavAccount(**{**account.__dict__, "tasks_calendar": "https://dav/old/"})
    assert gone.task_list == tasks.url  # a choice no longer on the server: picked again


def test_the_follow_up_email_is_plain_text_from_the_rep_to_the_prospect() -> None:
    data = build_message(PlainMail(
        from_name="Robin Rep", from_address="robin@example.com", to_name="José Müller",
        to_address="jose@exämple.de", subject="Following up: our meeting on Tuesday 8 December",
        body="Hi José,\n\nHere are the returns figures.", key="k-1@followup-desk", stamp=STAMP,
    ))  # fmt: skip
    assert data.isascii()  # no server needs 8BITMIME or SMTPUTF8
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["From"].addresses[0].addr_spec == "robin@example.com"
    assert message["To"].addresses[0].addr_spec == "jose@xn--exmple-cua.de"
    assert message["To"].addresses[0].display_name == "José Müller"
    assert message["Subject"] == "Following up: our meeting on Tuesday 8 December"
    assert message.get_content_type() == "text/plain"
    assert message.get_content().startswith("Hi José,")
    assert message["Message-ID"] == "<followup.0.k-1@followup-desk>"
