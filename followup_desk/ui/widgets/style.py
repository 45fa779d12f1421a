"""Fonts and colours that follow the system: sizes relative to the system font, and colours
chosen for the palette in use, so the window reads well in light and dark themes alike."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# Text colours for messages, for a light and a dark window background.
_COLOURS = {
    "warning": ("#8a4b00", "#ffc36b"),
    "error": ("#b00020", "#ff8a80"),
    "ok": ("#1b6e20", "#8be28f"),
    "muted": ("#5f6368", "#b0b4b8"),
}


def scaled_font(factor: float, *, bold: bool = False) -> QFont:
    """The application font, ``factor`` times as large: readable from a meter away."""
    font = QFont(QApplication.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def role_colour(role: str, palette: QPalette) -> QColor:
    light, dark = _COLOURS[role]
    return QColor(dark if is_dark(palette) else light)


def set_role_colour(widget: QWidget, role: str) -> None:
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, role_colour(role, palette))
    widget.setPalette(palette)
