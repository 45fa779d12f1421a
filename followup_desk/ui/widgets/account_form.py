"""What both account forms share: labelled fields with their sentences, the test's answer,
the keyring consent, and the Test / Save / Back buttons.

Enter does the next useful thing: it tests the connection until a test succeeded, then
saves. Esc stops waiting for a test's answer, or goes back to the list of accounts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from followup_desk.ui.viewmodels.account_draft import Draft
from followup_desk.ui.widgets.connection_result import ConnectionResult
from followup_desk.ui.widgets.style import scaled_font, set_role_colour


class AccountForm(QWidget):
    backRequested = Signal()

    def __init__(self, draft: Draft, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._refreshing = False
        self.title = QLabel(title)
        self.title.setFont(scaled_font(1.3, bold=True))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setVerticalSpacing(8)
        self.result = ConnectionResult(draft)

        self.consent = QCheckBox("&Keep the password for this run only (no keyring)")
        self.consent.toggled.connect(draft.set_agreed)
        self.keyring_note = QLabel(
            "⚠ No system keyring: the password will be kept for this run only (you will be "
            "asked for it again next time)."
        )
        self.keyring_note.setToolTip(draft.keyring_problem)
        self.keyring_note.setWordWrap(True)
        set_role_colour(self.keyring_note, "warning")

        self.test_button = QPushButton("&Test connection")
        self.save_button = QPushButton("&Save")
        self.back_button = QPushButton("Back to the accounts")
        for button in (self.test_button, self.save_button, self.back_button):
            button.setAutoDefault(False)
        self.test_button.clicked.connect(draft.test)
        self.save_button.clicked.connect(self.save)
        self.back_button.clicked.connect(self.backRequested.emit)
        self.save_hint = QLabel()
        self.save_hint.setWordWrap(True)
        set_role_colour(self.save_hint, "muted")

        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        # what may grow (the calendars found) scrolls; the buttons stay in sight below
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 8, 0)
        inner.addWidget(self.title)
        inner.addLayout(self.form)
        inner.addWidget(self.result)
        inner.addLayout(self.body)
        inner.addWidget(self.keyring_note)
        inner.addWidget(self.consent)
        inner.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.save_hint)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout.addLayout(buttons)
        draft.changed.connect(self.refresh)

    # --- building --------------------------------------------------------------------------

    def add_field(
        self,
        field: str,
        caption: str,
        placeholder: str = "",
        *,
        password: bool = False,
        hint: str = "",
    ) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(caption.replace("&", ""))
        edit.setPlaceholderText(placeholder)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setText(self.draft.value(field))
        edit.textEdited.connect(lambda text, f=field: self.draft.set_value(f, text))
        label = QLabel(caption)
        label.setBuddy(edit)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(edit)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            set_role_colour(note, "muted")
            box.addWidget(note)
        error = QLabel()
        error.setWordWrap(True)
        error.setAccessibleName(f"{caption.replace('&', '')}: problem")
        set_role_colour(error, "error")
        error.hide()
        box.addWidget(error)
        self.form.addRow(label, box)
        self.edits[field] = edit
        self.errors[field] = error
        return edit

    # --- commands --------------------------------------------------------------------------

    def primary(self) -> None:
        """Enter: save after a good test (asking for the keyring consent first), else test."""
        draft = self.draft
        if draft.can_save():
            self.save()
        elif draft.testing or draft.saving:
            return
        elif draft.tested_ok() and draft.needs_consent() and not draft.agreed:
            self.scroll_area.ensureWidgetVisible(self.consent)
            self.consent.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            draft.test()

    def save(self) -> None:
        if not self.draft.save():
            self.refresh()
            for field, label in self.errors.items():
                if label.isVisible():
                    self.edits[field].setFocus(Qt.FocusReason.OtherFocusReason)
                    return

    def escape(self) -> bool:
        """Esc: stop waiting for a test (True), or nothing to do here (False)."""
        return self.draft.cancel_test()

    def focus_first(self) -> None:
        for edit in self.edits.values():
            if edit.isEnabled() and not edit.isReadOnly():
                edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    # --- showing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        draft = self.draft
        for field, edit in self.edits.items():
            if edit.text() != draft.value(field):
                edit.setText(draft.value(field))
            message = draft.errors.get(field, "")
            self.errors[field].setText(message)
            self.errors[field].setVisible(bool(message))
            edit.setAccessibleDescription(message)
        consent = draft.needs_consent()
        self.keyring_note.setVisible(bool(draft.keyring_problem))
        self.consent.setVisible(bool(draft.keyring_problem))
        self.consent.setEnabled(consent)
        self.consent.blockSignals(True)
        self.consent.setChecked(draft.agreed)
        self.consent.blockSignals(False)
        self.test_button.setEnabled(not draft.testing and not draft.saving)
        self.save_button.setEnabled(draft.can_save())
        self.save_hint.setText(draft.save_hint())
        self.save_hint.setVisible(bool(draft.save_hint()))
