"""The prospects list's model: those without a next step first, and said so in words.

The model is checked with pytest-qt's model tester (the rules every Qt view relies on),
empty, filled and refilled, and read the way the list and a screen reader read it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from followup_desk.domain.booking import Booking, BookingStatus, Prospect
from followup_desk.services.booking import NextStep
from followup_desk.ui.viewmodels.prospects import (
    HEADERS,
    NO_NEXT_STEP,
    MissingRole,
    ProspectsModel,
    StepRole,
)

CREATED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def prospect(pid: int, name: str, company: str = "") -> Prospect:
    return Prospect(
        id=pid,
        name=name,
        email=f"{name.split()[0].lower()}@example.com",
        time_zone="America/Chicago",
        company=company,
    )


def booked(who: Prospect, start: datetime, confirm_on: date | None = None) -> NextStep:
    assert who.id is not None
    booking = Booking(
        id=who.id * 10,
        prospect_id=who.id,
        uid=f"b{who.id}@followup-desk",
        sequence=0,
        status=BookingStatus.BOOKED,
        start=start,
        end=start + timedelta(minutes=30),
        rep_zone="Europe/Berlin",
        prospect_zone=who.time_zone,
        title=f"Robin Rep / {who.name}: next step",
        created=CREATED,
        updated=CREATED,
    )
    return NextStep(who, booking, confirm_on)


def waiting(who: Prospect) -> NextStep:
    return NextStep(who, None, None)


DANA = prospect(1, "Dana Whitfield", "Acme Ltd")
ERIK = prospect(2, "erik Olsen", "Fjord AS")
ANA = prospect(3, "Ana Souza")
ZOE = prospect(4, "Zoë Adams", "Zed plc")

# Friday 4 December 2026, 15:00 in Berlin; Thursday 3 December, 09:30 in Berlin
FRIDAY_3PM = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
THURSDAY_930 = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)

STEPS = [
    booked(DANA, FRIDAY_3PM, date(2026, 12, 3)),
    waiting(ZOE),
    booked(ANA, THURSDAY_930),
    waiting(ERIK),
]


def cells(model: ProspectsModel, role: int = Qt.ItemDataRole.DisplayRole) -> list[list[object]]:
    return [
        [model.index(row, column).data(role) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_the_model_keeps_qts_rules_empty_filled_and_refilled(
    qtmodeltester: ModelTester,
) -> None:
    model = ProspectsModel("Europe/Berlin")
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt
    model.set_steps(STEPS)
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt
    model.set_steps(STEPS[:1])
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt
    assert model.rowCount() == 1
    assert model.rowCount(model.index(0, 0)) == 0  # a table: rows have no children
    assert model.columnCount(model.index(0, 0)) == 0


def test_prospects_without_a_next_step_come_first_and_say_so() -> None:
    model = ProspectsModel("Europe/Berlin")
    model.set_steps(STEPS)

    assert cells(model) == [
        ["erik Olsen", "Fjord AS", NO_NEXT_STEP, ""],  # no next step, by name, case aside
        ["Zoë Adams", "Zed plc", NO_NEXT_STEP, ""],
        ["Ana Souza", "", "Thu 3 Dec 09:30", ""],  # then the booked ones, by name
        ["Dana Whitfield", "Acme Ltd", "Fri 4 Dec 15:00", ""],
    ]
    assert NO_NEXT_STEP == "⚠ No next step"
    assert model.missing_count() == 2
    assert [model.index(r, 0).data(MissingRole) for r in range(4)] == [True, True, False, False]


def test_the_next_step_is_shown_on_the_reps_clock() -> None:
    twelve_hour = ProspectsModel("America/Chicago", clock_24h=False)
    twelve_hour.set_steps([booked(DANA, FRIDAY_3PM)])
    assert twelve_hour.index(0, 2).data() == "Fri 4 Dec 8 am"


def test_screen_readers_hear_what_the_list_shows_and_tooltips_say_what_to_do() -> None:
    model = ProspectsModel("Europe/Berlin")
    model.set_steps(STEPS)

    assert cells(model, Qt.ItemDataRole.AccessibleTextRole) == cells(model)
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == (
        "erik Olsen has no booked next step: press B to book one."
    )
    assert model.index(3, 2).data(Qt.ItemDataRole.ToolTipRole) == (
        "dana@example.com; confirm on Thu 3"
    )
    assert model.index(2, 1).data(Qt.ItemDataRole.ToolTipRole) == "ana@example.com"


def test_each_row_hands_back_its_next_step_and_is_found_by_prospect() -> None:
    model = ProspectsModel("Europe/Berlin")
    model.set_steps(STEPS)

    assert model.index(3, 0).data(StepRole) is STEPS[0]
    assert model.step(3) is STEPS[0]
    assert model.step(4) is None and model.step(-1) is None
    assert model.row_of(1) == 3
    assert model.row_of(2) == 0
    assert model.row_of(99) is None
    assert model.data(QModelIndex()) is None


def test_the_headers_name_the_columns() -> None:
    model = ProspectsModel("Europe/Berlin")
    shown = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert shown == list(HEADERS) == ["Prospect", "Company", "Next step", "Reply"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None


def test_the_reply_column_says_the_prospects_answer_once_an_invite_went_out() -> None:
    model = ProspectsModel("Europe/Berlin")
    dana, ana = booked(DANA, FRIDAY_3PM), booked(ANA, THURSDAY_930)
    assert dana.booking is not None and ana.booking is not None
    accepted = NextStep(DANA, replace(dana.booking, reply="ACCEPTED"), None)
    lee = prospect(5, "Lee Park")
    declined = booked(lee, FRIDAY_3PM)
    assert declined.booking is not None
    declined = NextStep(lee, replace(declined.booking, reply="DECLINED"), None)
    # Ana's invite went out by e-mail (booking 30) and she has not answered; Zoë has no booking
    model.set_steps([accepted, ana, declined, waiting(ZOE)], invited=frozenset({30}))

    replies = {model.index(r, 0).data(): model.index(r, 3).data() for r in range(4)}
    assert replies == {
        "Dana Whitfield": "accepted",
        "Ana Souza": "no answer yet",
        "Lee Park": "declined",
        "Zoë Adams": "",
    }
    model.set_steps([ana])  # sent as an .ics file only: nothing to wait for
    assert model.index(0, 3).data() == ""
