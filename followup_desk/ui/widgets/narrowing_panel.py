"""The narrowing panel: the line to say, the options with their keys, and why others are
missing. It takes the keyboard while the flow is open and hands every key to its view model.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from followup_desk.ui.viewmodels.narrowing import (
    STEP_TITLES,
    NarrowingViewModel,
    Option,
    Step,
)
from followup_desk.ui.viewmodels.sending import SendChoice
from followup_desk.ui.widgets.send_toggles import SendToggles
from followup_desk.ui.widgets.style import scaled_font, set_role_colour

TIME_COLUMNS = 4
_TEXT_WIDTH = 560  # an option's text is at least this wide in the window's right side


def _mnemonic_html(title: str) -> str:
    """'&Late next week' -> '<u>L</u>ate next week' (the letter that chooses it)."""
    index = title.find("&")
    if index < 0 or index + 1 >= len(title):
        return title
    return f"{title[:index]}<u>{title[index + 1]}</u>{title[index + 2 :]}"


class DateField(QLineEdit):
    """The date for "a date…"; Enter is its own and never reaches the panel behind it."""

    entered = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.entered.emit(self.text())
            event.accept()
            return
        super().keyPressEvent(event)


class OptionRow(QFrame):
    """One option: its key in a box, its title, and detail or the reason it is missing."""

    def __init__(self, option: Option, highlighted: bool, compact: bool) -> None:
        super().__init__()
        self.setObjectName("option")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        key = QLabel(option.key)
        key.setFont(scaled_font(1.25, bold=True))
        key.setMinimumWidth(28)
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if option.key:
            layout.addWidget(key)
        text = QLabel()
        text.setTextFormat(Qt.TextFormat.RichText)
        title = _mnemonic_html(option.title)
        second = option.detail if option.enabled else f"not offered: {option.reason}"
        text.setText(f"<b>{title}</b><br><small>{second}</small>" if second else f"<b>{title}</b>")
        if compact:
            text.setFont(scaled_font(1.0))
        else:
            text.setFont(scaled_font(1.15))
        text.setWordWrap(True)
        layout.addWidget(text, 1)
        plain_title = option.title.replace("&", "")
        self.setAccessibleName(plain_title)
        self.setAccessibleDescription(second)
        if not option.enabled:
            self.setEnabled(False)
        palette = self.palette()
        if highlighted:
            palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.Highlight))
            palette.setColor(
                QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.HighlightedText)
            )
        self.setPalette(palette)
        # never squeezed below its lines when a banner takes room above the flow (the
        # window's right side scrolls instead)
        margins = layout.contentsMargins()
        lines = text.heightForWidth(_TEXT_WIDTH)
        self.setMinimumHeight(lines + margins.top() + margins.bottom() + 2 * self.frameWidth())
        self.highlighted = highlighted
        self.option = option


class NarrowingPanel(QFrame):
    """Observes a :class:`NarrowingViewModel`; keys go to it while the panel has focus."""

    leaveRequested = Signal()  # Esc
    dateEntered = Signal(str)

    def __init__(
        self,
        vm: NarrowingViewModel,
        send: SendChoice | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self.send = send
        self.setObjectName("narrowing")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Find the next meeting")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)

        self.step_label = QLabel()
        self.step_label.setFont(scaled_font(1.0, bold=True))
        self.trail_label = QLabel()
        self.trail_label.setFont(scaled_font(1.0))
        self.trail_label.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.step_label)
        head.addStretch(1)
        head.addWidget(self.trail_label)
        layout.addLayout(head)

        self.say_label = QLabel()
        self.say_label.setObjectName("say")
        self.say_label.setFont(scaled_font(1.6, bold=True))
        self.say_label.setWordWrap(True)
        self.say_label.setAccessibleName("Say")
        self.say_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(self.say_label)

        self.date_edit = DateField()
        self.date_edit.setPlaceholderText("A date: 15 Dec, the 15th, next Friday, 2026-12-15")
        self.date_edit.setAccessibleName("Date to look around")
        self.date_edit.setFont(scaled_font(1.2))
        self.date_edit.entered.connect(self.dateEntered.emit)
        self.date_edit.hide()
        layout.addWidget(self.date_edit)

        self.options_box = QWidget()
        self.options_layout = QGridLayout(self.options_box)
        self.options_layout.setContentsMargins(0, 0, 0, 0)
        self.options_layout.setSpacing(6)
        layout.addWidget(self.options_box)

        self.toggles = SendToggles(send) if send is not None else None
        if self.toggles is not None:
            layout.addWidget(self.toggles)
            self.toggles.hide()

        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setAccessibleName("Why some times are missing")
        layout.addWidget(self.missing_label)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setFont(scaled_font(1.1, bold=True))
        self.message_label.setAccessibleName("Message")
        set_role_colour(self.message_label, "warning")
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        self.hint_label = QLabel()
        self.hint_label.setAccessibleName("Keys")
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        vm.changed.connect(self.refresh)
        vm.askDate.connect(self._ask_date)
        self.refresh()

    # --- drawing -------------------------------------------------------------------------

    def rows(self) -> list[OptionRow]:
        return self.options_box.findChildren(OptionRow)

    def refresh(self) -> None:
        vm = self.vm
        number = int(vm.step) + 1
        self.step_label.setText(f"Step {number} of 5 · {STEP_TITLES[vm.step]}")
        self.trail_label.setText("  ›  ".join(vm.trail()))
        say = vm.say_line()
        self.say_label.setText(f"Say: “{say}”" if say else "")
        while self.options_layout.count():
            item = self.options_layout.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
                widget.setParent(None)
        options = vm.options()
        compact = vm.step is Step.TIME
        columns = TIME_COLUMNS if compact else 1
        for index, option in enumerate(options):
            row = OptionRow(option, index == vm.highlight, compact)
            self.options_layout.addWidget(row, index // columns, index % columns)
        if vm.loading:
            self.missing_label.setText("Reading your calendar…")
        elif vm.narrowing is None and vm.step is Step.HORIZON:
            self.missing_label.setText("Your calendar is being read; the days appear in a moment.")
        else:
            self.missing_label.setText(vm.missing_note())
        self.message_label.setText(vm.message)
        self.message_label.setVisible(bool(vm.message))
        hint = vm.key_hint()
        if self.toggles is not None:
            confirm = vm.step is Step.CONFIRM
            self.toggles.setVisible(confirm)
            if confirm:
                hint = f"C calendar · E e-mail · I .ics file · {hint}"
        self.hint_label.setText(hint)

    def _ask_date(self) -> None:
        self.date_edit.show()
        self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def date_answer(self, problem: str) -> None:
        """The window's answer to a typed date: a sentence, or back to the keys."""
        if problem:
            self.vm.message = problem
            self.refresh()
            return
        self.date_edit.hide()
        self.date_edit.clear()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- keys ----------------------------------------------------------------------------

    def _typed(self, text: str) -> bool:
        """A printable key: a toggle at the confirm step (C, E, I), else the flow's."""
        vm = self.vm
        confirming = vm.step is Step.CONFIRM and not vm.loading
        if self.send is not None and confirming and self.send.press(text):
            return True
        return bool(text) and text.isprintable() and vm.press(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
        vm = self.vm
        if key == Qt.Key.Key_Escape:
            self.leaveRequested.emit()
        elif key == Qt.Key.Key_Backspace or (alt and key == Qt.Key.Key_Left):
            vm.back()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            vm.activate()
        elif key == Qt.Key.Key_Up:
            vm.move(-TIME_COLUMNS if vm.step is Step.TIME else -1)
        elif key == Qt.Key.Key_Down:
            vm.move(TIME_COLUMNS if vm.step is Step.TIME else 1)
        elif key == Qt.Key.Key_Left:
            vm.move(-1)
        elif key == Qt.Key.Key_Right:
            vm.move(1)
        elif self._typed(event.text()):
            pass
        else:
            super().keyPressEvent(event)
            return
        event.accept()
