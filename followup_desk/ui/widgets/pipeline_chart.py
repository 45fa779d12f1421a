"""A small stacked-bar chart of the pipeline: prospects per review group, week by week.

Drawn with QPainter in the palette's colours (no chart library for one picture). The
counts are what each week's review saw, so the chart fills in as the weeks go by.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from followup_desk.domain.review import GROUP_TITLES, Group
from followup_desk.ui.widgets.style import is_dark

# What needs the rep most sits at the bottom of each bar, in the warmest colour.
SERIES = (
    (Group.OVERDUE, "#d93025", "#ff7b72"),
    (Group.DUE_TODAY, "#e37400", "#ffb454"),
    (Group.DUE_THIS_WEEK, "#f9ab00", "#ffd866"),
    (Group.NO_NEXT_STEP, "#a142f4", "#d2a8ff"),
    (Group.STALE, "#80868b", "#b0b4b8"),
    (Group.WAITING, "#1a73e8", "#79c0ff"),
    (Group.LATER, "#188038", "#7ee787"),
)


class PipelineChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._weeks: list[tuple[date, dict[str, int]]] = []
        self.setAccessibleName("Pipeline over the last weeks")
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(600, 190)

    def set_weeks(self, weeks: list[tuple[date, dict[str, int]]]) -> None:
        self._weeks = weeks
        totals = ", ".join(f"{w:%d %b}: {sum(c.values())}" for w, c in weeks)
        self.setAccessibleDescription(f"Open prospects per week: {totals}")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        dark = is_dark(palette)
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.setPen(text)
        legend_w = 170
        painter.drawText(
            QRectF(8, 2, 400, 18),
            Qt.AlignmentFlag.AlignLeft,
            "Open prospects per week, by review group",
        )
        # room above the tallest bar for its total, below every bar for its week
        area = QRectF(8, 40, self.width() - legend_w - 24, self.height() - 64)
        if not self._weeks:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "The chart fills in week by week.")
            painter.end()
            return
        top = max(sum(c.values()) for _, c in self._weeks) or 1
        slot = area.width() / len(self._weeks)
        bar = min(48.0, slot * 0.6)
        for index, (week, counts) in enumerate(self._weeks):
            x = area.left() + index * slot + (slot - bar) / 2
            y = area.bottom()
            for group, light, darker in SERIES:
                n = counts.get(group.value, 0)
                if not n:
                    continue
                h = area.height() * n / top
                painter.fillRect(QRectF(x, y - h, bar, h), QColor(darker if dark else light))
                y -= h
            painter.setPen(text)
            label = QRectF(x - 20, area.bottom() + 4, bar + 40, 18)
            painter.drawText(label, Qt.AlignmentFlag.AlignHCenter, f"{week:%d %b}")
            total = sum(counts.values())
            painter.drawText(
                QRectF(x - 20, y - 18, bar + 40, 16), Qt.AlignmentFlag.AlignHCenter, str(total)
            )
        y = 10.0
        for group, light, darker in SERIES:
            painter.fillRect(
                QRectF(self.width() - legend_w, y + 3, 10, 10), QColor(darker if dark else light)
            )
            painter.setPen(text)
            painter.drawText(
                QRectF(self.width() - legend_w + 16, y, legend_w - 16, 16),
                Qt.AlignmentFlag.AlignLeft,
                GROUP_TITLES[group],
            )
            y += 18
        painter.end()
