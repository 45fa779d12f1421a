"""The cadences the rep can view, copy, edit and create: the list, one draft, its steps.

Built-in cadences are read-only; copying one is how it becomes the rep's own. The draft is
checked by the domain as it is edited (pure, on the GUI thread) and every sentence is
placed on the step and field it names; saving, deleting, export and import go through the
worker, and a refusal keeps the draft as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from followup_desk.atomic import atomic_write
from followup_desk.domain.cadences import Anchor, Cadence, CadenceStep, Channel, Plan, plan
from followup_desk.errors import CadenceFileError, InvalidInputError, StorageError, UserError
from followup_desk.ui.runner import DeskRunner

if TYPE_CHECKING:
    from followup_desk.app import Desk

_Index = QModelIndex | QPersistentModelIndex
_Value = int | str | None
Loaded = tuple[list[tuple[Cadence, bool]], date, frozenset[int]]

KeyRole = Qt.ItemDataRole.UserRole + 1
ProblemRole = Qt.ItemDataRole.UserRole + 2  # the sentences about one cell, a list of str

CHANNEL_LABELS = {
    Channel.CALL: "Call",
    Channel.VOICEMAIL: "Voicemail",
    Channel.EMAIL: "Email",
    Channel.LINKEDIN: "LinkedIn message",
    Channel.TEXT: "Text message",
    Channel.VISIT: "Visit",
}
_CHANNEL_WORDS = {c: "LinkedIn" if c is Channel.LINKEDIN else c.value for c in Channel}
ANCHOR_LABELS = {Anchor.START: "the start", Anchor.PREVIOUS: "the previous step"}
FIELDS = ("days", "anchor", "channel", "message", "closes")
HEADERS = ("Days after", "Counted from", "Channel", "Message", "Closes file after")
NEW_STEP = CadenceStep(Channel.EMAIL, 2, Anchor.PREVIOUS)
_STEP = re.compile(r"Step (\d+): ")


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _whole(value: object) -> int | None:
    """A whole number from the editor (int, or text such as " -3 "); None when it is not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,6}\s*", value):
        return int(value)
    return None


def field_of(sentence: str) -> str:
    """Which field of a step a domain sentence ("Step 3: ...") is about."""
    if "{reply_by}" in sentence:
        return "message"
    if "offset" in sentence:
        return "days"
    if "clos" in sentence:
        return "closes"
    return "message"


class CadenceStepsModel(QAbstractTableModel):
    """The draft's steps, one row each; editable only for the rep's own cadences."""

    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.steps: list[CadenceStep] = []
        self.editable = False
        self._problems: dict[tuple[int, str], list[str]] = {}

    def set_steps(self, steps: list[CadenceStep], editable: bool) -> None:
        self.beginResetModel()
        self.steps = list(steps)
        self.editable = editable
        self._problems = {}
        self.endResetModel()

    def set_problems(self, problems: dict[tuple[int, str], list[str]]) -> None:
        if problems == self._problems:
            return
        self._problems = problems
        if self.steps:
            last = self.index(len(self.steps) - 1, len(FIELDS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # --- reading -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.steps)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation is Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return f"Step {section + 1}" if 0 <= section < len(self.steps) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.steps):
            return None
        step = self.steps[index.row()]
        field = FIELDS[index.column()]
        problems = self._problems.get((index.row(), field), [])
        if role == Qt.ItemDataRole.DisplayRole:
            shown = self._shown(step, field)
            return f"⚠ {shown}" if problems else shown
        if role == Qt.ItemDataRole.EditRole:
            return self._raw(step, field)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Step {index.row() + 1}, {HEADERS[index.column()]}: {self._shown(step, field)}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            if problems:
                return " ".join(problems)
            return step.template if field == "message" and step.template else None
        if role == ProblemRole:
            return list(problems)
        return None

    @staticmethod
    def _shown(step: CadenceStep, field: str) -> str:
        if field == "days":
            return str(step.days)
        if field == "anchor":
            return ANCHOR_LABELS[step.anchor]
        if field == "channel":
            return CHANNEL_LABELS[step.channel]
        if field == "message":
            lines = step.template.strip().splitlines()
            first = lines[0] if lines else ""
            return first if len(first) <= 60 and len(lines) < 2 else first[:59] + "…"
        if step.closes_after_days is None:
            return ""
        return f"{step.closes_after_days} day{'' if step.closes_after_days == 1 else 's'}"

    @staticmethod
    def _raw(step: CadenceStep, field: str) -> _Value:
        if field == "days":
            return step.days
        if field == "anchor":
            return step.anchor.value
        if field == "channel":
            return step.channel.value
        if field == "message":
            return step.template
        return "" if step.closes_after_days is None else str(step.closes_after_days)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        # the message is multi-line text: it is edited below the table, not in the cell
        in_cell = self.editable and FIELDS[index.column()] != "message"
        return flags | Qt.ItemFlag.ItemIsEditable if in_cell else flags

    # --- editing -------------------------------------------------------------------------

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not self.editable or role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        step = self.steps[index.row()]
        changed = self._with(step, FIELDS[index.column()], value)
        if changed is None:
            return False
        if changed != step:
            self.steps[index.row()] = changed
            self.dataChanged.emit(index, index)
            self.edited.emit()
        return True

    @staticmethod
    def _with(step: CadenceStep, field: str, value: object) -> CadenceStep | None:
        """The step with one field changed, or None when the value cannot be that field."""
        if field == "days":
            days = _whole(value)
            return None if days is None else replace(step, days=days)
        if field == "anchor":
            anchor = next((a for a in Anchor if value in (a, a.value, ANCHOR_LABELS[a])), None)
            return None if anchor is None else replace(step, anchor=anchor)
        if field == "channel":
            channel = next((c for c in Channel if value in (c, c.value, CHANNEL_LABELS[c])), None)
            return None if channel is None else replace(step, channel=channel)
        if field == "message":
            return replace(step, template=value) if isinstance(value, str) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return replace(step, closes_after_days=None)
        closes = _whole(value)
        return None if closes is None else replace(step, closes_after_days=closes)

    def insert(self, row: int, step: CadenceStep) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.steps.insert(row, step)
        self.endInsertRows()
        self.edited.emit()

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.steps[row]
        self.endRemoveRows()
        self.edited.emit()

    def move_down(self, row: int) -> None:
        """Swap a step with the one below it."""
        self.beginMoveRows(QModelIndex(), row + 1, row + 1, QModelIndex(), row)
        self.steps[row], self.steps[row + 1] = self.steps[row + 1], self.steps[row]
        self.endMoveRows()
        self.edited.emit()


class CadenceListModel(QAbstractListModel):
    """Every cadence by name; built-ins say so."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cadences: list[tuple[Cadence, bool]] = []

    def set_cadences(self, cadences: list[tuple[Cadence, bool]]) -> None:
        self.beginResetModel()
        self.cadences = list(cadences)
        self.endResetModel()

    def row_of(self, key: str) -> int:
        return next((r for r, (c, _) in enumerate(self.cadences) if c.key == key), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cadences)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.cadences):
            return None
        cadence, builtin = self.cadences[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{cadence.name} · built in" if builtin else cadence.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Built in and read-only: copy it to make it your own." if builtin else None
        if role == KeyRole:
            return cadence.key
        return None


@dataclass(frozen=True)
class Draft:
    """The cadence on the right: what the rep sees and edits (its steps live in the model)."""

    key: str
    name: str
    description: str
    stored_key: str | None  # the saved cadence it shows; None for a new one or a copy
    builtin: bool


class CadencesViewModel(QObject):
    listChanged = Signal()
    draftChanged = Signal()  # another cadence (or a new draft) is on the right
    draftEdited = Signal()  # a field or step changed: problems, preview, dirty
    message = Signal(str)  # a sentence for the dialog's status line

    def __init__(self, runner: DeskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.list_model = CadenceListModel(self)
        self.steps = CadenceStepsModel(self)
        self.draft: Draft | None = None
        self.dirty = False
        self.loaded = False
        self.today = date.today()  # replaced by the Desk's clock on load
        self.working_days = frozenset(range(5))
        self._checked = False  # show problems: the rep edited, or a save was refused
        self._refusal = ""  # the service's sentence when the domain found nothing
        self.steps.edited.connect(self._edited)

    # --- reading -------------------------------------------------------------------------

    @property
    def cadences(self) -> list[tuple[Cadence, bool]]:
        return self.list_model.cadences

    @property
    def editable(self) -> bool:
        return self.draft is not None and not self.draft.builtin

    def load(self, select: str | None = None) -> None:
        """Read the cadences; show ``select`` (or keep the draft, or show the first)."""

        def job(desk: Desk) -> Loaded:
            rules = desk.settings.rules
            return desk.followups.cadences(), desk.followups.today, rules.working_days

        def done(result: Loaded) -> None:
            cadences, self.today, self.working_days = result
            self.loaded = True
            self.list_model.set_cadences(cadences)
            self.listChanged.emit()
            if select is not None:
                self.select(select)
            elif self.draft is None or (
                self.draft.stored_key is not None
                and self.list_model.row_of(self.draft.stored_key) < 0
            ):
                if cadences:
                    self.select(cadences[0][0].key)
                else:
                    self.new()

        self.runner.submit(job, done, self._failed)

    def _failed(self, error: UserError) -> None:
        self.message.emit(str(error))

    def _find(self, key: str) -> tuple[Cadence, bool] | None:
        return next(((c, b) for c, b in self.cadences if c.key == key), None)

    def cadence(self) -> Cadence | None:
        """The draft as a domain cadence (whatever its problems)."""
        if self.draft is None:
            return None
        d = self.draft
        return Cadence(d.key.strip(), d.name.strip(), tuple(self.steps.steps), d.description)

    # --- choosing the draft --------------------------------------------------------------

    def _show(self, draft: Draft, steps: list[CadenceStep], *, dirty: bool) -> None:
        self.draft = draft
        self.dirty = dirty
        self._checked = False
        self._refusal = ""
        self.steps.set_steps(steps, not draft.builtin)
        self.draftChanged.emit()
        self.draftEdited.emit()

    def select(self, key: str) -> None:
        found = self._find(key)
        if found is None:
            self.message.emit(f"There is no cadence {key!r} any more.")
            return
        cadence, builtin = found
        draft = Draft(cadence.key, cadence.name, cadence.description, cadence.key, builtin)
        self._show(draft, list(cadence.steps), dirty=False)

    def _free_key(self, base: str) -> str:
        taken = {c.key for c, _ in self.cadences}
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        return key

    def copy(self, key: str) -> None:
        """A draft of the rep's own, copied from ``key`` (built in or not)."""
        found = self._find(key)
        if found is None:
            self.message.emit(f"There is no cadence {key!r} to copy.")
            return
        cadence, _ = found
        draft = Draft(
            self._free_key(f"{cadence.key}-copy"),
            f"{cadence.name} (my copy)",
            cadence.description,
            None,
            False,
        )
        self._show(draft, list(cadence.steps), dirty=True)
        self.message.emit(f"A copy of {cadence.name}: change what you like, then save it.")

    def new(self) -> None:
        draft = Draft(self._free_key("my-cadence"), "", "", None, False)
        self._show(draft, [replace(NEW_STEP, days=0, anchor=Anchor.START)], dirty=True)

    # --- editing -------------------------------------------------------------------------

    def set_field(self, field: str, value: str) -> None:
        """``name``, ``key`` (only before the first save) or ``description``."""
        if self.draft is None or not self.editable:
            return
        if field == "key" and self.draft.stored_key is not None:
            return  # a saved cadence keeps its short name; copy it for another
        if field == "name":
            changed = replace(self.draft, name=value)
        elif field == "key":
            changed = replace(self.draft, key=value)
        elif field == "description":
            changed = replace(self.draft, description=value)
        else:
            raise ValueError(f"unknown cadence field {field!r}")
        if changed != self.draft:
            self.draft = changed
            self._edited()

    def set_step_field(self, row: int, field: str, value: object) -> bool:
        """Change one field of one step; False when the value cannot be that field."""
        if not 0 <= row < len(self.steps.steps) or field not in FIELDS:
            return False
        return self.steps.setData(self.steps.index(row, FIELDS.index(field)), value)

    def add_step(self, after: int | None = None) -> int:
        """A new step below ``after`` (or at the end); returns its row, -1 when read-only."""
        if not self.editable:
            return -1
        row = (
            len(self.steps.steps)
            if after is None
            else max(0, min(after + 1, len(self.steps.steps)))
        )
        self.steps.insert(row, NEW_STEP)
        return row

    def remove_step(self, row: int) -> bool:
        if not self.editable or not 0 <= row < len(self.steps.steps):
            return False
        self.steps.remove(row)
        return True

    def move_step_up(self, row: int) -> bool:
        if not self.editable or not 0 < row < len(self.steps.steps):
            return False
        self.steps.move_down(row - 1)
        return True

    def move_step_down(self, row: int) -> bool:
        if not self.editable or not 0 <= row < len(self.steps.steps) - 1:
            return False
        self.steps.move_down(row)
        return True

    def _edited(self) -> None:
        self.dirty = True
        self._checked = True
        self._refusal = ""
        self._place_problems()
        self.draftEdited.emit()

    # --- problems ------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Why the draft cannot be saved, as sentences; empty until the rep edits or saves."""
        cadence = self.cadence()
        if cadence is None or not self._checked or not self.editable:
            return []
        found = cadence.problems()
        clash = self._clash(cadence.key)
        if clash:
            found.append(clash)
        if self._refusal and not found:
            found.append(self._refusal)
        return found

    def _clash(self, key: str) -> str:
        if self.draft is None or key == self.draft.stored_key:
            return ""
        found = self._find(key)
        if found is None:
            return ""
        if found[1]:
            return f"{key!r} is a built-in cadence's short name; choose another."
        return f"You already have a cadence with the short name {key!r}; choose another."

    def field_problems(self, field: str) -> list[str]:
        """The sentences about ``name``, ``key`` or ``steps`` (the cadence as a whole)."""
        out: list[str] = []
        for sentence in self.problems():
            if _STEP.match(sentence):
                continue
            if "short name" in sentence:
                where = "key"
            elif "needs a name" in sentence:
                where = "name"
            else:
                where = "steps"
            if where == field:
                out.append(sentence)
        return out

    def _place_problems(self) -> None:
        placed: dict[tuple[int, str], list[str]] = {}
        for sentence in self.problems():
            found = _STEP.match(sentence)
            if found:
                key = (int(found.group(1)) - 1, field_of(sentence))
                placed.setdefault(key, []).append(sentence[found.end() :])
        self.steps.set_problems(placed)

    # --- preview -------------------------------------------------------------------------

    def preview(self, start: date) -> Plan | None:
        """The draft's planned touches from ``start`` on the rep's days; None if it cannot."""
        cadence = self.cadence()
        if cadence is None or cadence.structure_problems() or not self.working_days:
            return None
        return plan(cadence, start, self.working_days)

    def preview_line(self, start: date | None = None) -> str:
        """ "Started today: Mon 23 Nov call, voicemail, email · Wed 25 Nov …, closes …"."""
        start = start or self.today
        planned = self.preview(start)
        if planned is None:
            return "No preview until the steps make sense."
        days: list[tuple[date, list[str]]] = []
        for touch in planned.touches:
            word = _CHANNEL_WORDS[touch.channel]
            if days and days[-1][0] == touch.due:
                days[-1][1].append(word)
            else:
                days.append((touch.due, [word]))
        when = "today" if start == self.today else _short(start)
        line = " · ".join(f"{_short(day)} {', '.join(words)}" for day, words in days)
        closes = f", closes {_short(planned.closes_on)}" if planned.closes_on else ""
        return f"Started {when}: {line}{closes}"

    # --- through the worker --------------------------------------------------------------

    def save(self) -> None:
        cadence = self.cadence()
        if cadence is None or not self.editable:
            self.message.emit("Built-in cadences are read-only; copy one to make it your own.")
            return
        clash = self._clash(cadence.key)
        if clash:
            self._refused(clash)
            return

        def done(_result: object) -> None:
            self.dirty = False
            self.message.emit(f"Saved {cadence.name}.")
            self.load(select=cadence.key)

        def failed(error: UserError) -> None:
            if isinstance(error, InvalidInputError):
                self._refused(str(error))
            else:
                self._failed(error)

        self.runner.submit(lambda desk: desk.followups.save_cadence(cadence), done, failed)

    def _refused(self, sentence: str) -> None:
        self._checked = True
        self._refusal = sentence
        self._place_problems()
        self.draftEdited.emit()
        count = len(self.problems())
        self.message.emit(
            "Not saved: fix what is listed under the steps."
            if count > 1
            else "Not saved: " + " ".join(self.problems())
        )

    def delete(self, key: str) -> None:
        """Delete one of the rep's own cadences (enrolled prospects keep their copy)."""
        found = self._find(key)
        if found is None or found[1]:
            self.message.emit("Built-in cadences stay; only your own can be deleted.")
            return
        name = found[0].name

        def done(_result: object) -> None:
            if self.draft is not None and self.draft.stored_key == key:
                self.draft = None
            self.message.emit(f"Deleted {name}.")
            self.load()

        self.runner.submit(lambda desk: desk.followups.delete_cadence(key), done, self._failed)

    def own_keys(self) -> list[str]:
        return [c.key for c, builtin in self.cadences if not builtin]

    def export_to(self, path: Path) -> None:
        """Write the rep's own cadences to ``path`` (built-ins ship with every copy)."""
        keys = self.own_keys()
        if not keys:
            self.message.emit("You have no cadences of your own to export yet; copy one first.")
            return

        def job(desk: Desk) -> int:
            text = desk.followups.export_cadences(keys)
            try:
                atomic_write(path, text.encode("utf-8"))
            except OSError as exc:
                raise StorageError(
                    f"{path} could not be written ({exc.strerror}); nothing was exported."
                ) from exc
            return len(keys)

        def done(count: int) -> None:
            noun = "cadence" if count == 1 else "cadences"
            self.message.emit(f"Exported {count} {noun} to {path}.")

        self.runner.submit(job, done, self._failed)

    def import_from(self, path: Path) -> None:
        """Save every cadence of the file (all or none) and show the first."""

        def job(desk: Desk) -> list[str]:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise StorageError(f"{path} could not be read ({exc.strerror}).") from exc
            except UnicodeDecodeError:
                raise CadenceFileError(f"{path.name} is not a text file of cadences.") from None
            return desk.followups.import_cadences(text, path.name)

        def done(keys: list[str]) -> None:
            if not keys:
                self.message.emit(f"{path.name} holds no cadences.")
                return
            self.message.emit(f"Imported {', '.join(keys)} from {path.name}.")
            self.load(select=keys[0])

        self.runner.submit(job, done, self._failed)
