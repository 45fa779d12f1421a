"""The cadences dialog: the list on the left, the selected cadence and its steps on the right.

Keys: Alt+C copy · Alt+N new · Alt+D delete · Alt+S or Ctrl+S save · Alt+X export ·
Alt+I import · Alt+A / Alt+R add or remove a step · Alt+U / Alt+W move it · Esc close.
Built-ins are shown read-only; the dialog observes a :class:`CadencesViewModel`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from followup_desk.domain.templates import PLACEHOLDER_HELP
from followup_desk.ui.viewmodels.cadence_models import (
    ANCHOR_LABELS,
    CHANNEL_LABELS,
    FIELDS,
    KeyRole,
    ProblemRole,
)
from followup_desk.ui.viewmodels.cadences import CadencesViewModel
from followup_desk.ui.widgets.style import role_colour, scaled_font, set_role_colour

FileChooser = Callable[[QWidget, bool], str]  # (parent, saving) -> a path, "" when cancelled
_Index = QModelIndex | QPersistentModelIndex
_FILTER = "Cadence files (*.toml);;All files (*)"
READING = "Reading the cadences…"


def choose_cadence_file(parent: QWidget, saving: bool) -> str:
    """Where to export to (saving) or what to import; "" when the rep cancels."""
    start = str(Path.home() / "my-cadences.toml")
    if saving:
        path, _ = QFileDialog.getSaveFileName(parent, "Export your cadences", start, _FILTER)
    else:
        path, _ = QFileDialog.getOpenFileName(parent, "Import cadences", str(Path.home()), _FILTER)
    return path


class _StepDelegate(QStyledItemDelegate):
    """Cells with a problem in the palette's error colour; choices edited in a combo box."""

    def __init__(self, choices: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._choices = choices or {}  # value -> label

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        if index.data(ProblemRole):
            colour = role_colour("error", option.palette)
            option.palette.setColor(QPalette.ColorRole.Text, colour)  # selected: stays legible

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        if not self._choices:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        combo.setAccessibleName(
            str(index.model().headerData(index.column(), Qt.Orientation.Horizontal))
        )
        for value, label in self._choices.items():
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


def _button(text: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.setAutoDefault(False)
    return button


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class CadenceEditor(QDialog):
    def __init__(
        self,
        vm: CadencesViewModel,
        *,
        choose_file: FileChooser = choose_cadence_file,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self._choose_file = choose_file
        self._syncing = False
        self.setWindowTitle("Cadences")
        self.setAccessibleName("Cadences")

        # left: every cadence, built-ins marked
        self.list = QListView()
        self.list.setModel(vm.list_model)
        self.list.setAccessibleName("Cadences")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        list_label = _label("Cadenc&es", self.list)
        list_label.setFont(scaled_font(1.1, bold=True))
        self.copy_button = _button("&Copy", "Copy the selected cadence")
        self.new_button = _button("&New", "New cadence")
        self.delete_button = _button("&Delete", "Delete the selected cadence")
        self.export_button = _button("E&xport…", "Export your cadences to a file")
        self.import_button = _button("&Import…", "Import cadences from a file")
        left = QVBoxLayout()
        left.addWidget(list_label)
        left.addWidget(self.list, 1)
        for row in (
            (self.copy_button, self.new_button, self.delete_button),
            (self.export_button, self.import_button),
        ):
            buttons = QHBoxLayout()
            for button in row:
                buttons.addWidget(button)
            left.addLayout(buttons)

        # right: the cadence, its steps, the message of the selected step, the preview
        self.title = QLabel()
        self.title.setFont(scaled_font(1.25, bold=True))
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        set_role_colour(self.notice, "muted")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Name")
        self.name_edit.setPlaceholderText("Three touches after a demo")
        self.key_edit = QLineEdit()
        self.key_edit.setAccessibleName("Short name")
        self.key_edit.setPlaceholderText("after-demo")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label("Na&me", self.name_edit), self.name_edit)
        form.addRow(_label("S&hort name", self.key_edit), self.key_edit)
        form.addRow(_label("Descrip&tion", self.description_edit), self.description_edit)

        self.table = QTableView()
        self.table.setModel(vm.steps)
        self.table.setAccessibleName("Steps")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._delegates = [
            _StepDelegate(parent=self),
            _StepDelegate({a.value: label for a, label in ANCHOR_LABELS.items()}, self),
            _StepDelegate({c.value: label for c, label in CHANNEL_LABELS.items()}, self),
        ]
        for column, field in enumerate(FIELDS):
            delegate = self._delegates[{"anchor": 1, "channel": 2}.get(field, 0)]
            self.table.setItemDelegateForColumn(column, delegate)
        header = self.table.horizontalHeader()
        for column in range(len(FIELDS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FIELDS.index("message"), QHeaderView.ResizeMode.Stretch)
        self.add_button = _button("&Add step", "Add a step below the selected one")
        self.remove_button = _button("&Remove step", "Remove the selected step")
        self.up_button = _button("Move &up", "Move the selected step up")
        self.down_button = _button("Move do&wn", "Move the selected step down")
        step_buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            step_buttons.addWidget(button)
        step_buttons.addStretch(1)
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.table, 1)
        steps_row.addLayout(step_buttons)
        steps_label = _label("Ste&ps (day offsets in calendar days; days off move on)", self.table)

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setAccessibleName("Problems")
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role_colour(self.problems_label, "error")
        self.problems_label.hide()
        self.message_edit = QPlainTextEdit()
        self.message_edit.setAccessibleName("Message of the selected step")
        self.message_edit.setTabChangesFocus(True)
        self.message_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.message_label = _label("Messa&ge of the selected step", self.message_edit)
        fill_ins = QLabel(f"Filled in for each prospect: {PLACEHOLDER_HELP}")
        fill_ins.setWordWrap(True)
        set_role_colour(fill_ins, "muted")
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("Preview")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.notice)
        right.addLayout(form)
        right.addWidget(steps_label)
        right.addLayout(steps_row, 1)
        right.addWidget(self.problems_label)
        right.addWidget(self.message_label)
        right.addWidget(self.message_edit)
        right.addWidget(fill_ins)
        right.addWidget(self.preview)

        # bottom: what happened, save and close
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        set_role_colour(self.status, "muted")
        self.save_button = _button("&Save", "Save the cadence")
        self.close_button = _button("Close", "Close (Esc)")
        self.close_button.setToolTip("Esc")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addSpacing(12)
        body.addLayout(right, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 12)
        self.resize(self.fontMetrics().averageCharWidth() * 175, self.fontMetrics().height() * 46)
        self._tab_order()

        # the rep's keys and typing go to the view model
        self.list.selectionModel().currentChanged.connect(self._list_moved)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._row_moved())
        self.table.activated.connect(self._cell_activated)
        self.name_edit.textEdited.connect(lambda text: vm.set_field("name", text))
        self.key_edit.textEdited.connect(lambda text: vm.set_field("key", text))
        self.description_edit.textChanged.connect(self._description_typed)
        self.message_edit.textChanged.connect(self._message_typed)
        self.copy_button.clicked.connect(self.copy_selected)
        self.new_button.clicked.connect(self.new_cadence)
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button.clicked.connect(self.export_file)
        self.import_button.clicked.connect(self.import_file)
        self.add_button.clicked.connect(self.add_step)
        self.remove_button.clicked.connect(self.remove_step)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.save_button.clicked.connect(vm.save)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(vm.save)

        vm.listChanged.connect(self._list_loaded)
        vm.draftChanged.connect(self._draft_changed)
        vm.draftEdited.connect(self._draft_edited)
        vm.message.connect(self.status.setText)
        self._draft_changed()
        if not vm.loaded:
            self.status.setText(READING)
            vm.load()
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.list,
            self.copy_button,
            self.new_button,
            self.delete_button,
            self.export_button,
            self.import_button,
            self.name_edit,
            self.key_edit,
            self.description_edit,
            self.table,
            self.add_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.message_edit,
            self.save_button,
            self.close_button,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- showing the view model ----------------------------------------------------------

    def _list_loaded(self) -> None:
        if self.status.text() == READING:
            self.status.clear()
        self._sync_list()

    def _sync_list(self) -> None:
        """The list's current row is the cadence on the right (none for an unsaved draft)."""
        draft = self.vm.draft
        row = self.vm.list_model.row_of(draft.stored_key) if draft and draft.stored_key else -1
        self._syncing = True
        try:
            if row < 0:
                self.list.selectionModel().clear()
            else:
                self.list.setCurrentIndex(self.vm.list_model.index(row, 0))
        finally:
            self._syncing = False

    def _draft_changed(self) -> None:
        vm, draft = self.vm, self.vm.draft
        self._syncing = True
        try:
            self.name_edit.setText(draft.name if draft else "")
            self.key_edit.setText(draft.key if draft else "")
            self.description_edit.setPlainText(draft.description if draft else "")
        finally:
            self._syncing = False
        editable = vm.editable
        for edit in (self.name_edit, self.description_edit, self.message_edit):
            edit.setReadOnly(not editable)
        self.key_edit.setReadOnly(not editable or (draft is not None and bool(draft.stored_key)))
        if draft is None:
            self.notice.setText("")
        elif draft.builtin:
            self.notice.setText(
                "Built in and read-only. Copy it (Alt+C) to make a version of your own."
            )
        elif draft.stored_key is None:
            self.notice.setText(
                "Not saved yet: give it a name and a short name of its own, then save (Alt+S)."
            )
        else:
            self.notice.setText("Your own cadence: edit the steps, then save (Alt+S).")
        self.notice.setVisible(bool(self.notice.text()))
        self.delete_button.setEnabled(bool(draft and not draft.builtin and draft.stored_key))
        self.copy_button.setEnabled(bool(draft and draft.stored_key))
        self._sync_list()
        if vm.steps.rowCount():
            self.table.setCurrentIndex(vm.steps.index(0, 0))
        self._row_moved()

    def _draft_edited(self) -> None:
        vm = self.vm
        problems = vm.problems()
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))
        self.problems_label.setVisible(bool(problems))
        self.table.setAccessibleDescription(" ".join(problems))
        for field, edit in (("name", self.name_edit), ("key", self.key_edit)):
            edit.setAccessibleDescription(" ".join(vm.field_problems(field)))
        self.preview.setText(vm.preview_line())
        self.save_button.setEnabled(vm.editable)
        draft = vm.draft
        self.title.setText((draft.name.strip() or "A new cadence") if draft else "No cadence")
        title = f"Cadences · {draft.name or 'new cadence'}" if draft else "Cadences"
        self.setWindowTitle(title + (" (not saved)" if vm.dirty and vm.editable else ""))
        self._show_message()
        self._step_buttons()

    def _row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def _row_moved(self) -> None:
        self._show_message()
        self._step_buttons()

    def _show_message(self) -> None:
        row = self._row()
        steps = self.vm.steps.steps
        text = steps[row].template if 0 <= row < len(steps) else ""
        self.message_edit.setEnabled(0 <= row < len(steps))
        self.message_label.setText(
            f"Messa&ge of step {row + 1}" if row >= 0 else "Messa&ge of the selected step"
        )
        if self.message_edit.toPlainText() != text:
            self._syncing = True
            try:
                self.message_edit.setPlainText(text)
            finally:
                self._syncing = False

    def _step_buttons(self) -> None:
        editable, row, count = self.vm.editable, self._row(), self.vm.steps.rowCount()
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable and row >= 0)
        self.up_button.setEnabled(editable and row > 0)
        self.down_button.setEnabled(editable and 0 <= row < count - 1)

    # --- the rep's actions ---------------------------------------------------------------

    def _description_typed(self) -> None:
        if not self._syncing:
            self.vm.set_field("description", self.description_edit.toPlainText())

    def _message_typed(self) -> None:
        row = self._row()
        if not self._syncing and row >= 0:
            self.vm.set_step_field(row, "message", self.message_edit.toPlainText())

    def _cell_activated(self, index: QModelIndex) -> None:
        if FIELDS[index.column()] == "message":
            self.message_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _list_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        key = str(current.data(KeyRole))
        draft = self.vm.draft
        if draft is not None and draft.stored_key == key:
            return
        if self._leave_ok():
            self.vm.select(key)
        else:
            self._sync_list()

    def _leave_ok(self) -> bool:
        """True when nothing typed would be lost, or the rep agrees to lose it."""
        vm = self.vm
        if not (vm.dirty and vm.editable and vm.draft is not None):
            return True
        name = vm.draft.name.strip() or "the new cadence"
        answer = QMessageBox.question(
            self,
            "Discard your changes?",
            f"Your changes to {name} are not saved and will be lost.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def _selected_key(self) -> str | None:
        draft = self.vm.draft
        return draft.stored_key if draft is not None else None

    def copy_selected(self) -> None:
        key = self._selected_key()
        if key is not None and self._leave_ok():
            self.vm.copy(key)
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.name_edit.selectAll()

    def new_cadence(self) -> None:
        if self._leave_ok():
            self.vm.new()
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def delete_selected(self) -> None:
        draft = self.vm.draft
        if draft is None or draft.builtin or draft.stored_key is None:
            self.vm.message.emit("Built-in cadences stay; only your own can be deleted.")
            return
        answer = QMessageBox.question(
            self,
            "Delete the cadence?",
            f"Delete {draft.name}? Prospects already in it keep their copy.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.delete(draft.stored_key)
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_step(self) -> None:
        row = self.vm.add_step(self._row() if self._row() >= 0 else None)
        if row >= 0:
            self.table.setCurrentIndex(self.vm.steps.index(row, FIELDS.index("days")))
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_step(self) -> None:
        row = self._row()
        if self.vm.remove_step(row) and self.vm.steps.rowCount():
            self.table.setCurrentIndex(
                self.vm.steps.index(min(row, self.vm.steps.rowCount() - 1), 0)
            )
        self._row_moved()

    def _move(self, by: int) -> None:
        row, column = self._row(), max(0, self.table.currentIndex().column())
        moved = self.vm.move_step_up(row) if by < 0 else self.vm.move_step_down(row)
        if moved:
            self.table.setCurrentIndex(self.vm.steps.index(row + by, column))
        self._row_moved()

    def export_file(self) -> None:
        path = self._choose_file(self, True)
        if path:
            self.vm.export_to(Path(path))

    def import_file(self) -> None:
        if not self._leave_ok():
            return
        path = self._choose_file(self, False)
        if path:
            self.vm.import_from(Path(path))

    def reject(self) -> None:
        """Esc and Close: ask first when typed changes would be lost."""
        if self._leave_ok():
            super().reject()
