"""The time-zone field: suggestions while typing, picking with the keyboard, exact keys."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from followup_desk.adapters.clock import FixedClock
from followup_desk.resources_access import zone_aliases
from followup_desk.ui.viewmodels.zones import ZoneListModel
from followup_desk.ui.widgets.zone_field import ZoneField

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def model() -> ZoneListModel:
    return ZoneListModel(available_timezones(), zone_aliases(), FixedClock(WINTER))


@pytest.fixture
def field(qtbot: QtBot, model: ZoneListModel) -> ZoneField:
    """A shown, focused field: the completer only drives a line edit that has focus."""
    widget = ZoneField(model, accessible_name="Prospect's time zone")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    return widget


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.keyClicks(widget, text)  # type: ignore[no-untyped-call]  # pytest-qt is untyped here


def press(qtbot: QtBot, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key)  # type: ignore[no-untyped-call]  # pytest-qt is untyped here


def popup(field: ZoneField) -> QAbstractItemView:
    shown = field.completer().popup()
    assert shown is not None
    return shown


def suggestions(field: ZoneField) -> list[str]:
    shown = field.completer().completionModel()
    return [shown.index(row, 0).data(ZoneListModel.ZoneRole) for row in range(shown.rowCount())]


def test_zone_list_model_keeps_qt_model_rules(
    qtmodeltester: ModelTester, model: ZoneListModel
) -> None:
    model.set_filter("san")
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt
    model.set_filter("")
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt


def test_a_suggestion_shows_city_and_key_and_its_offset_now(model: ZoneListModel) -> None:
    model.set_filter("mumbai")
    row = model.index(0, 0)
    assert row.data(Qt.ItemDataRole.DisplayRole) == "Mumbai — Asia/Kolkata"
    assert row.data(ZoneListModel.ZoneRole) == "Asia/Kolkata"
    assert row.data(Qt.ItemDataRole.ToolTipRole) == "Asia/Kolkata (IST, UTC+05:30)"


def test_typing_chic_suggests_chicago_first(qtbot: QtBot, field: ZoneField) -> None:
    type_text(qtbot, field, "chic")
    assert popup(field).isVisible()
    assert suggestions(field)[0] == "America/Chicago"
    assert field.zone() is None  # nothing picked yet


def test_down_and_enter_pick_the_suggestion(qtbot: QtBot, field: ZoneField) -> None:
    type_text(qtbot, field, "chic")
    shown = popup(field)  # an open popup has the keyboard
    with qtbot.waitSignal(field.zoneChanged) as changed:
        press(qtbot, shown, Qt.Key.Key_Down)
        press(qtbot, shown, Qt.Key.Key_Return)
    assert changed.args == ["America/Chicago"]
    assert field.zone() == "America/Chicago"
    assert field.text() == "America/Chicago"
    assert not shown.isVisible()
    assert field.toolTip() == "America/Chicago (CST, UTC-06:00)"


def test_enter_with_nothing_highlighted_takes_the_top_suggestion(
    qtbot: QtBot, field: ZoneField
) -> None:
    type_text(qtbot, field, "mumb")
    press(qtbot, popup(field), Qt.Key.Key_Return)
    assert field.zone() == "Asia/Kolkata"


def test_an_exact_key_typed_in_full_is_the_zone_without_picking(
    qtbot: QtBot, field: ZoneField
) -> None:
    type_text(qtbot, field, "europe/berlin")
    assert field.zone() == "Europe/Berlin"


def test_unknown_text_clears_the_zone(qtbot: QtBot, field: ZoneField) -> None:
    field.set_zone("America/Chicago")
    with qtbot.waitSignal(field.zoneChanged) as changed:
        field.clear()
        type_text(qtbot, field, "Atlantis")
    assert changed.args == [""]
    assert field.zone() is None
    assert suggestions(field) == []
    assert not popup(field).isVisible()


def test_set_zone_shows_the_key_and_announces_it(qtbot: QtBot, field: ZoneField) -> None:
    with qtbot.waitSignal(field.zoneChanged) as changed:
        field.set_zone("Asia/Tokyo")
    assert changed.args == ["Asia/Tokyo"]
    assert (field.text(), field.zone()) == ("Asia/Tokyo", "Asia/Tokyo")


def test_screen_readers_name_the_field(field: ZoneField) -> None:
    assert field.accessibleName() == "Prospect's time zone"


def test_a_field_made_without_a_model_knows_every_zone_and_alias(qtbot: QtBot) -> None:
    bare = ZoneField()
    qtbot.addWidget(bare)
    type_text(qtbot, bare, "bengaluru")
    assert suggestions(bare)[0] == "Asia/Kolkata"
