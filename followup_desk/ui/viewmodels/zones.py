"""The time-zone suggestions for what the rep has typed, as a Qt list model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from zoneinfo import available_timezones

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)

from followup_desk.adapters.clock import SystemClock
from followup_desk.domain.ports import Clock
from followup_desk.domain.zone_search import ZoneMatch, resolve_zone, search_zones, zone_label
from followup_desk.resources_access import zone_aliases

ZONE_ROLE = Qt.ItemDataRole.UserRole + 1


class ZoneListModel(QAbstractListModel):
    """Ranked zones matching :meth:`set_filter`'s text; empty text suggests nothing.

    DisplayRole is the label (``Mumbai — Asia/Kolkata``), EditRole and :attr:`ZoneRole` the
    IANA key (what a completer writes into the field), ToolTipRole the zone's offset now.
    """

    ZoneRole = ZONE_ROLE

    def __init__(
        self,
        zones: Iterable[str],
        aliases: Mapping[str, str],
        clock: Clock,
        *,
        limit: int = 20,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._zones = frozenset(zones)
        self._aliases = dict(aliases)
        self._clock = clock
        self._limit = limit
        self._text = ""
        self._matches: list[ZoneMatch] = []

    @Slot(str)
    def set_filter(self, text: str) -> None:
        if text == self._text:
            return
        self.beginResetModel()
        self._text = text
        self._matches = search_zones(text, self._zones, self._aliases, self._limit)
        self.endResetModel()

    def zone_for(self, text: str) -> str | None:
        """The IANA key ``text`` spells (any case), or None when it names no zone."""
        return resolve_zone(text, self._zones)

    def describe(self, zone: str) -> str:
        """``America/Chicago (CST, UTC-06:00)``, at the clock's now."""
        return zone_label(zone, self._clock.now())

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._matches)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or index.parent().isValid() or index.column() != 0:
            return None
        if not 0 <= index.row() < len(self._matches):
            return None
        match = self._matches[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return match.label
        if role in (Qt.ItemDataRole.EditRole, ZONE_ROLE):
            return match.zone
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.describe(match.zone)
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names[ZONE_ROLE] = QByteArray(b"zone")
        return names


def every_zone_model(clock: Clock | None = None, parent: QObject | None = None) -> ZoneListModel:
    """A model over every zone tzdata knows and the shipped city aliases (one per field)."""
    return ZoneListModel(
        available_timezones(), zone_aliases(), clock or SystemClock(), parent=parent
    )
