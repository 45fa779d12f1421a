"""The first-run setup dialog: a few labelled fields, each with its sentence beside it.

Save (Enter) writes settings.toml through the view model; Later (Esc) writes nothing and
the app opens all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from followup_desk import APP_NAME
from followup_desk.adapters.clock import SystemClock
from followup_desk.resources_access import zone_aliases
from followup_desk.ui.viewmodels.setup import SetupViewModel
from followup_desk.ui.viewmodels.zones import ZoneListModel
from followup_desk.ui.widgets.style import scaled_font, set_role_colour
from followup_desk.ui.widgets.zone_field import ZoneField

FileChooser = Callable[[QWidget, str], str]  # (parent, current text) -> path, "" if none
DAYS = (
    ("mon", "Mon", "Monday"),
    ("tue", "Tue", "Tuesday"),
    ("wed", "Wed", "Wednesday"),
    ("thu", "Thu", "Thursday"),
    ("fri", "Fri", "Friday"),
    ("sat", "Sat", "Saturday"),
    ("sun", "Sun", "Sunday"),
)
_CLOCK_FORMAT = "HH:mm"
# how new bookings go out: settings.toml's name, the box's caption (its Alt key), its name
SEND_CAPTIONS = (
    ("caldav", "into your calenda&r", "Into your calendar (CalDAV)"),
    ("email", "as an invitation e-&mail", "As an invitation e-mail"),
    ("ics", "as an .&ics file", "As an .ics file"),
)


def make_zone_field(zones: ZoneListModel) -> ZoneField:
    """The time zone editor (city search with suggestions)."""
    return ZoneField(zones, accessible_name="Time zone")


def system_zone_model(parent: QWidget) -> ZoneListModel:
    return ZoneListModel(available_timezones(), zone_aliases(), SystemClock(), parent=parent)


def choose_calendar_file(parent: QWidget, current: str) -> str:
    """Ask for an .ics file, starting beside the one already named; "" when cancelled."""
    folder = Path.home()
    if current and "://" not in current and Path(current).expanduser().parent.is_dir():
        folder = Path(current).expanduser().parent
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "Choose your calendar file",
        str(folder),
        "Calendar files (*.ics *.ical);;All files (*)",
    )
    return path


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(f"{name}: problem")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    set_role_colour(label, "error")
    label.hide()
    return label


def _boxes(
    items: Sequence[tuple[str, str, str]], toggled: Callable[[str, bool], None]
) -> tuple[QHBoxLayout, dict[str, QCheckBox]]:
    """A row of check boxes, one per (key, caption, accessible name), each reporting its key."""
    row, boxes = QHBoxLayout(), {}
    for key, caption, accessible in items:
        box = QCheckBox(caption)
        box.setAccessibleName(accessible)
        box.toggled.connect(lambda on, k=key: toggled(k, on))
        boxes[key] = box
        row.addWidget(box)
    row.addStretch(1)
    return row, boxes


class SetupDialog(QDialog):
    """Observes a :class:`SetupViewModel`; accepted once it has saved."""

    def __init__(
        self,
        vm: SetupViewModel,
        zones: ZoneListModel | None = None,
        *,
        choose_file: FileChooser = choose_calendar_file,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self._choose_file = choose_file
        self.setWindowTitle(f"Set up {APP_NAME}")
        self.setFont(scaled_font(1.15))
        self.errors: dict[str, QLabel] = {}
        self._error_owner: dict[str, QWidget] = {}
        self._refreshing = False

        title = QLabel(f"Welcome to {APP_NAME}")
        title.setFont(scaled_font(1.45, bold=True))
        intro = QLabel(
            "Tell us who you are and when you take meetings: invites go out under your "
            "name, and only free times are offered. You can change this later in "
            "settings.toml."
        )
        intro.setWordWrap(True)
        intro.setToolTip(str(vm.settings_file))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(10)

        self.name_edit = self._line_edit("Your name", "Robin Rep")
        self.email_edit = self._line_edit("Your e-mail address", "robin@example.com")
        self.zone_edit = make_zone_field(zones if zones is not None else system_zone_model(self))
        # Connected after the field's own handler, so zone() already reads the new text.
        self.zone_edit.textChanged.connect(self._zone_typed)
        self.zone_edit.editingFinished.connect(lambda: vm.check("time_zone"))
        self.source_edit = self._line_edit("Busy calendar", "work.ics or https://… or webcal://…")
        for field, edit in (
            ("name", self.name_edit),
            ("email", self.email_edit),
            ("source", self.source_edit),
        ):
            edit.textEdited.connect(lambda text, f=field: self._typed(f, text))
            edit.editingFinished.connect(lambda f=field: vm.check(f))

        self._add_row(form, "&Name", self.name_edit, self.name_edit, [("name", "Name")])
        self._add_row(form, "&E-mail", self.email_edit, self.email_edit, [("email", "E-mail")])
        self._add_row(
            form, "Time &zone", self.zone_edit, self.zone_edit, [("time_zone", "Time zone")]
        )

        days, self.day_boxes = _boxes(DAYS, self._day_toggled)
        self._add_row(
            form, "Working &days", days, self.day_boxes["mon"], [("working_days", "Working days")]
        )

        self.start_edit = self._time_edit("Day starts at")
        self.end_edit = self._time_edit("Day ends at")
        self.start_edit.timeChanged.connect(lambda t: self._time_changed("start", t))
        self.end_edit.timeChanged.connect(lambda t: self._time_changed("end", t))
        hours = QHBoxLayout()
        hours.addWidget(self.start_edit)
        to = QLabel("&to")
        to.setBuddy(self.end_edit)
        hours.addWidget(to)
        hours.addWidget(self.end_edit)
        hours.addStretch(1)
        self._add_row(
            form,
            "&Hours",
            hours,
            self.start_edit,
            [("start", "Day starts at"), ("end", "Day ends at")],
        )

        self.choose_button = QPushButton("Choose &file…")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self._choose_source)
        source = QHBoxLayout()
        source.addWidget(self.source_edit, 1)
        source.addWidget(self.choose_button)
        hint = QLabel("Optional: your busy times, as an .ics file or a calendar feed address.")
        hint.setWordWrap(True)
        set_role_colour(hint, "muted")
        self._add_row(
            form, "&Calendar", source, self.source_edit, [("source", "Busy calendar")], hint
        )

        ways, self.send_boxes = _boxes(SEND_CAPTIONS, self._send_toggled)
        ways_hint = QLabel(
            "Into your calendar and by e-mail once their account is set up (File › Accounts…). "
            "Each booking can still change it at the confirm step (C, E, I)."
        )
        ways_hint.setWordWrap(True)
        set_role_colour(ways_hint, "muted")
        self._add_row(
            form,
            "New bookings &go",
            ways,
            self.send_boxes["caldav"],
            [("send", "New bookings go")],
            ways_hint,
        )

        self.save_error = _error_label("Saving")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = self.buttons.addButton("&Later", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.later_button.setAutoDefault(False)
        self.later_button.setToolTip("Open the app now and set this up another time.")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.save_error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

        vm.changed.connect(self.refresh)
        self.refresh()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- building -------------------------------------------------------------------------

    def _line_edit(self, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    def _time_edit(self, accessible: str) -> QTimeEdit:
        edit = QTimeEdit()
        edit.setDisplayFormat(_CLOCK_FORMAT)
        edit.setAccessibleName(accessible)
        return edit

    def _add_row(
        self,
        form: QFormLayout,
        caption: str,
        field: QWidget | QHBoxLayout,
        buddy: QWidget,
        errors: list[tuple[str, str]],
        hint: QLabel | None = None,
    ) -> None:
        """A labelled row: the field, an optional hint, then its sentences (hidden if fine)."""
        label = QLabel(caption)
        label.setBuddy(buddy)
        box = QVBoxLayout()
        box.setSpacing(4)
        if isinstance(field, QWidget):
            box.addWidget(field)
        else:
            box.addLayout(field)
        if hint is not None:
            box.addWidget(hint)
        for key, name in errors:
            self.errors[key] = _error_label(name)
            self._error_owner[key] = self.end_edit if key == "end" else buddy
            box.addWidget(self.errors[key])
        form.addRow(label, box)

    # --- talking to the view model --------------------------------------------------------

    def _typed(self, field: str, text: str) -> None:
        if not self._refreshing:
            self.vm.set_value(field, text)

    def _zone_typed(self, text: str) -> None:
        self._typed("time_zone", self.zone_edit.zone() or text)

    def _day_toggled(self, day: str, works: bool) -> None:
        if not self._refreshing:
            self.vm.set_working_day(day, works)

    def _send_toggled(self, way: str, on: bool) -> None:
        if not self._refreshing:
            self.vm.set_send_way(way, on)

    def _time_changed(self, field: str, value: QTime) -> None:
        if not self._refreshing:
            self.vm.set_value(field, value.toString(_CLOCK_FORMAT))
            self.vm.check("end")

    def _choose_source(self) -> None:
        path = self._choose_file(self, self.vm.value("source"))
        if path:
            self.vm.set_value("source", path)
            self.vm.check("source")
            self.source_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _save(self) -> None:
        if self.vm.save():
            self.accept()
            return
        for key, owner in self._error_owner.items():
            if key in self.vm.errors():
                owner.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def refresh(self) -> None:
        self._refreshing = True
        try:
            self._show(self.vm)
        finally:
            self._refreshing = False

    def _show(self, vm: SetupViewModel) -> None:
        for field, edit in (
            ("name", self.name_edit),
            ("email", self.email_edit),
            ("source", self.source_edit),
        ):
            if edit.text() != vm.value(field):
                edit.setText(vm.value(field))
        if (self.zone_edit.zone() or self.zone_edit.text()) != vm.value("time_zone"):
            self.zone_edit.set_zone(vm.value("time_zone"))
        for field, time_edit in (("start", self.start_edit), ("end", self.end_edit)):
            shown = QTime.fromString(vm.value(field), _CLOCK_FORMAT)
            if shown.isValid() and shown != time_edit.time():
                time_edit.setTime(shown)
        for day, box in self.day_boxes.items():
            box.setChecked(day in vm.working_days)
        for way, box in self.send_boxes.items():
            box.setChecked(way in vm.send_ways)
        errors = vm.errors()
        for key, label in self.errors.items():
            message = errors.get(key, "")
            label.setText(message)
            label.setVisible(bool(message))
            self._error_owner[key].setAccessibleDescription(message)
        self.save_error.setText(vm.save_error)
        self.save_error.setVisible(bool(vm.save_error))
