"""The prospect's details, typed during the meeting; each field has its sentence beside it.

Enter in any field moves to the narrowing flow (the details can be finished later, before
the booking is confirmed).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from followup_desk.ui.viewmodels.prospect_form import CHANNELS, ProspectFormViewModel
from followup_desk.ui.widgets.style import scaled_font, set_role_colour
from followup_desk.ui.widgets.zone_field import ZoneField

FOLLOW_UP_CHANNELS = ("", "Email", "Phone call", "Text", "LinkedIn", "WhatsApp", "Meeting")


class ProspectForm(QGroupBox):
    submitted = Signal()  # Enter: on to the narrowing flow

    def __init__(self, vm: ProspectFormViewModel, parent: QWidget | None = None) -> None:
        super().__init__("Prospect", parent)
        self.vm = vm
        self.today = date.today()
        self.setFont(scaled_font(1.05))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}

        def add(field: str, label: str, placeholder: str, edit: QLineEdit | None = None) -> None:
            edit = edit or QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(label.replace("&", ""))
            edit.textEdited.connect(lambda text, f=field: vm.set_value(f, text))
            edit.returnPressed.connect(self.submitted.emit)
            caption = QLabel(label)
            caption.setBuddy(edit)
            error = QLabel()
            error.setWordWrap(True)
            error.setAccessibleName(f"{label.replace('&', '')}: problem")
            set_role_colour(error, "error")
            error.hide()
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(caption, box)
            self.edits[field] = edit
            self.errors[field] = error

        add("name", "&Name", "Dana Whitfield")
        add("email", "&E-mail", "dana@example.com")
        add("company", "C&ompany", "Acme Ltd")
        add("phone", "&Phone", "+1 555 0100")
        self.zone_field = ZoneField()
        self.zone_field.zoneChanged.connect(self._zone_picked)
        self.zone_field.guessChanged.connect(vm.set_zone_guess)
        add("zone", "Time &zone", "a city or zone: Chicago, Europe/Berlin", self.zone_field)

        channels = QHBoxLayout()
        self.channel_boxes: dict[str, QCheckBox] = {}
        for channel in CHANNELS:
            box = QCheckBox(channel)
            box.toggled.connect(lambda used, c=channel: vm.set_channel(c, used))
            self.channel_boxes[channel] = box
            channels.addWidget(box)
        channels.addStretch(1)
        channel_caption = QLabel("They use")
        form.addRow(channel_caption, channels)

        add("follow_up_said", "&Follow-up", "their words: mid March, after the 15th, in two weeks")
        self.channel_combo = QComboBox()
        self.channel_combo.setEditable(True)
        self.channel_combo.addItems(FOLLOW_UP_CHANNELS)
        self.channel_combo.setAccessibleName("Follow up by")
        self.channel_combo.currentTextChanged.connect(
            lambda text: vm.set_value("follow_up_channel", text)
        )
        self.wish_label = QLabel()
        self.wish_label.setWordWrap(True)
        self.wish_label.setAccessibleName("Follow-up date understood")
        self.act_on = QDateEdit()
        self.act_on.setCalendarPopup(True)
        self.act_on.setDisplayFormat("ddd d MMM yyyy")
        self.act_on.setAccessibleName("Follow up on")
        self.act_on.dateChanged.connect(self._act_on_changed)
        act = QHBoxLayout()
        by = QLabel("&by")
        by.setBuddy(self.channel_combo)
        act.addWidget(by)
        act.addWidget(self.channel_combo)
        on = QLabel("o&n")
        on.setBuddy(self.act_on)
        self.act_on_label = on
        act.addWidget(on)
        act.addWidget(self.act_on)
        act.addStretch(1)
        form.addRow("", act)
        form.addRow(self.wish_label)
        self._updating = False
        vm.changed.connect(self.refresh)
        self.refresh()

    def _zone_picked(self, zone: str) -> None:
        if zone:
            self.vm.set_value("zone", zone)

    def _act_on_changed(self, value: QDate) -> None:
        if self._updating:
            return
        self.vm.set_follow_up_date(date(value.year(), value.month(), value.day()))

    def refresh(self) -> None:
        vm = self.vm
        self._updating = True
        try:
            for field, edit in self.edits.items():
                if edit.text() != vm.value(field) and not (
                    field == "zone" and self.zone_field.zone() == vm.value(field)
                ):
                    if field == "zone":
                        self.zone_field.set_zone(vm.value(field))
                    else:
                        edit.setText(vm.value(field))
                edit.setReadOnly(vm.locked)
                message = vm.errors.get(field, "")
                if field == "zone" and not message:
                    message = vm.zone_note()  # not an error: what a typed city was taken as
                self.errors[field].setText(message)
                self.errors[field].setVisible(bool(message))
            for channel, box in self.channel_boxes.items():
                box.setChecked(channel in vm.channels)
                box.setEnabled(not vm.locked)
            if self.channel_combo.currentText() != vm.value("follow_up_channel"):
                self.channel_combo.setCurrentText(vm.value("follow_up_channel"))
            wish = vm.wish_sentence(self.today)
            self.wish_label.setText(wish)
            self.wish_label.setVisible(bool(wish))  # no empty line kept under the form
            _, act = vm.wish(self.today)
            # a date to act on only once the prospect said when
            self.act_on.setVisible(act is not None)
            self.act_on_label.setVisible(act is not None)
            self.act_on.setEnabled(not vm.locked)
            if act is not None:
                self.act_on.setDate(QDate(act.year, act.month, act.day))
        finally:
            self._updating = False

    def focus_field(self, field: str) -> None:
        edit = self.edits.get(field)
        if edit is not None:
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            edit.selectAll()
