"""A line edit for a time zone that suggests zones from city names as the rep types."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit, QWidget

from followup_desk.domain.zone_search import is_zone, zone_label
from followup_desk.ui.viewmodels.zones import ZONE_ROLE, ZoneListModel, every_zone_model

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _exact_key(text: str) -> str | None:
    """``text`` when it is exactly a zone key tzdata has, without listing every zone."""
    return text if text[:1].isalpha() and is_zone(text) else None


class ZoneField(QLineEdit):
    """Type a city or an IANA key; pick a suggestion with the arrows and Enter.

    Picking writes the suggestion's IANA key into the field. Enter with nothing highlighted
    takes the top suggestion. :meth:`zone` is the key the text spells, or None. Without a
    ``model`` the field suggests from every zone and the shipped aliases, on the system clock.
    """

    zoneChanged = Signal(str)  # the IANA key, or "" when the text names no zone
    guessChanged = Signal(str)  # the best suggestion for what is typed ("" when none)

    def __init__(
        self,
        model: ZoneListModel | None = None,
        *,
        accessible_name: str = "Time zone",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._zone: str | None = None
        # Listing every zone walks the tzdata folder (~15 ms): without a given model that
        # waits for the first focus, so it is not paid on the way to the first paint.
        self._given = model
        if model is not None:
            self._install(model)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText("City or zone, e.g. Chicago")
        self.textEdited.connect(self._suggest)
        self.textChanged.connect(self._resolve)

    def _install(self, model: ZoneListModel) -> ZoneListModel:
        self._given = model
        completer = QCompleter(model, self)
        # The model already filters and ranks; the completer must show its rows as they are.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        return model

    @property
    def _model(self) -> ZoneListModel:
        if self._given is None:
            return self._install(every_zone_model(parent=self))
        return self._given

    def focusInEvent(self, event: QFocusEvent) -> None:
        _ = self._model  # the completer must be there before the first key
        super().focusInEvent(event)

    def zone(self) -> str | None:
        return self._zone

    def set_zone(self, key: str) -> None:
        """Show ``key``; an unknown key is shown as typed and :meth:`zone` is None."""
        self.setText(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS and self._take_top_suggestion():
            event.accept()
            return
        super().keyPressEvent(event)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer().popup()
        assert popup is not None  # a QCompleter makes its popup on first ask
        return popup

    def _suggest(self, text: str) -> None:
        self._model.set_filter(text)
        top = self._model.index(0, 0).data(ZONE_ROLE) if self._model.rowCount() else ""
        self.guessChanged.emit(str(top or ""))
        if self._model.rowCount() > 0:
            self.completer().complete()
        else:
            self._popup().hide()

    def _resolve(self, text: str) -> None:
        # an exact key needs no list of every zone: that waits for the rep's first focus
        zone = _exact_key(text) if self._given is None else None
        if zone is None and text.strip():
            zone = self._model.zone_for(text)
        if zone == self._zone:
            return
        self._zone = zone
        label = zone_label(zone, datetime.now(UTC)) if zone else ""
        self.setToolTip(self._given.describe(zone) if zone and self._given else label)
        self.zoneChanged.emit(zone or "")

    def _take_top_suggestion(self) -> bool:
        """Enter with no suggestion highlighted picks the first one, if the text is no zone."""
        popup = self._popup()
        if self._zone is not None or self._model.rowCount() == 0:
            return False
        if popup.isVisible() and popup.currentIndex().isValid():
            return False  # the completer picks the highlighted one
        popup.hide()
        self.setText(str(self._model.index(0, 0).data(ZONE_ROLE)))
        return True
