"""The cadences the rep can enrol prospects in: the built-in ones, kept in their current
wording, and the rep's own, saved, deleted, exported and imported as TOML text.

An enrolment keeps its own copy of the cadence it started with, so changing or deleting a
cadence here never changes a prospect already in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from followup_desk.domain.cadences import Cadence
from followup_desk.domain.enrolments import StoredCadence
from followup_desk.domain.ports import CadenceCodec, Clock, FollowupStore
from followup_desk.errors import InvalidInputError, NotFoundError


class CadenceLibrary:
    def __init__(
        self,
        store: FollowupStore,
        codec: CadenceCodec,
        builtins: Sequence[Cadence],
        clock: Clock,
    ) -> None:
        self._store = store
        self._codec = codec
        self._builtins = tuple(builtins)
        self._clock = clock

    def install_builtins(self) -> None:
        """Keep the built-in cadences in the database, in their current wording."""
        stored = {c.key: c for c in self._store.cadences()}
        now = self._clock.now()
        for cadence in self._builtins:
            body = self._codec.dump([cadence])
            known = stored.get(cadence.key)
            if known is None or (known.builtin and known.body != body):
                self._store.save_cadence(StoredCadence(cadence.key, cadence.name, body, True), now)

    def cadences(self) -> list[tuple[Cadence, bool]]:
        """Every cadence (parsed) and whether it is built in."""
        result: list[tuple[Cadence, bool]] = []
        for stored in self._store.cadences():
            parsed = self._codec.parse(stored.body, f"cadence {stored.key}")
            result.extend((c, stored.builtin) for c in parsed)
        return result

    def cadence(self, key: str) -> tuple[Cadence, StoredCadence]:
        for stored in self._store.cadences():
            if stored.key == key:
                return self._codec.parse(stored.body, f"cadence {key}")[0], stored
        names = ", ".join(s.key for s in self._store.cadences())
        raise NotFoundError(f"There is no cadence {key!r}; the cadences are: {names}.")

    def enrolment_copy(self, key: str) -> tuple[Cadence, StoredCadence]:
        """The cadence ``key``, and the copy of it an enrolment keeps (in today's wording)."""
        cadence, stored = self.cadence(key)
        return cadence, replace(stored, body=self._codec.dump([cadence]))

    def save_cadence(self, cadence: Cadence) -> None:
        problems = cadence.problems()
        if problems:
            raise InvalidInputError(" ".join(problems))
        if any(c.key == cadence.key for c in self._builtins):
            raise InvalidInputError(
                f"{cadence.key!r} is a built-in cadence; copy it under a new short name to "
                "make it your own."
            )
        body = self._codec.dump([cadence])
        self._store.save_cadence(
            StoredCadence(cadence.key, cadence.name, body, False), self._clock.now()
        )

    def delete_cadence(self, key: str) -> None:
        """Remove one of the rep's own cadences (enrolments keep their copy)."""
        if any(c.key == key for c in self._builtins):
            raise InvalidInputError(f"{key!r} is built in and stays; copy it to make your own.")
        self.cadence(key)  # says which exist when it does not
        self._store.delete_cadence(key)

    def export_cadences(self, keys: Sequence[str] = ()) -> str:
        chosen = [c for c, _ in self.cadences() if not keys or c.key in keys]
        return self._codec.dump(chosen)

    def import_cadences(self, text: str, where: str) -> list[str]:
        """Save every cadence of a file (all or none); returns their short names."""
        cadences = self._codec.parse(text, where)
        builtin = {c.key for c in self._builtins}
        for cadence in cadences:  # every check before the first save: all or nothing
            problems = cadence.problems()
            if cadence.key in builtin:
                problems.append(
                    "it has a built-in cadence's short name; give your copy a name of its own."
                )
            if problems:
                raise InvalidInputError(f"{where}, cadence {cadence.key!r}: " + " ".join(problems))
        for cadence in cadences:
            self.save_cadence(cadence)
        return [c.key for c in cadences]
