"""The app's icon for the window and the tray: the PNGs it ships, in every size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from followup_desk.resources_access import ICON_SIZES, icon_path


def _drawn_icon() -> QIcon:
    """A last resort when neither the shipped icon nor the theme has one: a calendar page."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#2f6fb0"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(4, 6, 56, 54), 8, 8)
    painter.setBrush(QColor("white"))
    painter.drawRect(QRectF(10, 22, 44, 32))
    painter.setPen(QPen(QColor("#2f6fb0"), 5, c=Qt.PenCapStyle.RoundCap))
    painter.drawPolyline([QPointF(20, 38), QPointF(29, 46), QPointF(45, 29)])
    painter.end()
    return QIcon(pixmap)


def app_icon() -> QIcon:
    """The shipped icon; else the theme's calendar; else a drawn one."""
    shipped = QIcon()
    for size in ICON_SIZES:
        path = Path(str(icon_path(size)))
        if path.is_file():
            shipped.addFile(str(path), QSize(size, size))
    if not shipped.isNull():
        return shipped
    themed = QIcon.fromTheme("x-office-calendar")
    return themed if not themed.isNull() else _drawn_icon()
