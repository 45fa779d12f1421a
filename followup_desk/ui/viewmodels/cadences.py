"""The cadences the rep can view, copy, edit and create: the list, one draft, its steps.

Built-in cadences are read-only; copying one is how it becomes the rep's own. The draft is
checked by the domain as it is edited (pure, on the GUI thread) and every sentence is
placed on the step and field it names; saving, deleting, export and import go through the
worker, and a refusal keeps the draft as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
)

from followup_desk.atomic import export_text
from followup_desk.domain.cadences import Anchor, Cadence, CadenceStep, Plan, plan
from followup_desk.errors import CadenceFileError, InvalidInputError, StorageError, UserError
from followup_desk.ui.runner import DeskRunner
from followup_desk.ui.viewmodels.cadence_models import (
    CHANNEL_WORDS,
    FIELDS,
    NEW_STEP,
    STEP_SENTENCE,
    CadenceListModel,
    CadenceStepsModel,
    field_of,
    short_day,
)

if TYPE_CHECKING:
    from followup_desk.app import Desk

_Index = QModelIndex | QPersistentModelIndex
_Value = int | str | None
Loaded = tuple[list[tuple[Cadence, bool]], date, frozenset[int]]


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
        self.today: date | None = None  # the Desk's clock says, on load
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
            return desk.cadences.cadences(), desk.followups.today, rules.working_days

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
            if STEP_SENTENCE.match(sentence):
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
            found = STEP_SENTENCE.match(sentence)
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
        """The preview in words: "Started today: Mon 23 Nov call, email · Wed 25 Nov …"."""
        start = start or self.today
        if start is None:
            return ""
        planned = self.preview(start)
        if planned is None:
            return "No preview until the steps make sense."
        days: list[tuple[date, list[str]]] = []
        for touch in planned.touches:
            word = CHANNEL_WORDS[touch.channel]
            if days and days[-1][0] == touch.due:
                days[-1][1].append(word)
            else:
                days.append((touch.due, [word]))
        when = "today" if start == self.today else short_day(start)
        line = " · ".join(f"{short_day(day)} {', '.join(words)}" for day, words in days)
        closes = f", closes {short_day(planned.closes_on)}" if planned.closes_on else ""
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

        self.runner.submit(lambda desk: desk.cadences.save_cadence(cadence), done, failed)

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

        self.runner.submit(lambda desk: desk.cadences.delete_cadence(key), done, self._failed)

    def own_keys(self) -> list[str]:
        return [c.key for c, builtin in self.cadences if not builtin]

    def export_to(self, path: Path) -> None:
        """Write the rep's own cadences to ``path`` (built-ins ship with every copy)."""
        keys = self.own_keys()
        if not keys:
            self.message.emit("You have no cadences of your own to export yet; copy one first.")
            return

        def job(desk: Desk) -> int:
            export_text(path, desk.cadences.export_cadences(keys), "nothing was exported")
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
            return desk.cadences.import_cadences(text, path.name)

        def done(keys: list[str]) -> None:
            if not keys:
                self.message.emit(f"{path.name} holds no cadences.")
                return
            self.message.emit(f"Imported {', '.join(keys)} from {path.name}.")
            self.load(select=keys[0])

        self.runner.submit(job, done, self._failed)
