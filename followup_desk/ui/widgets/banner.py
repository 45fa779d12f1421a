"""A banner over the flow naming a free/busy source that failed, and what to do."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from followup_desk.ui.viewmodels.desk import Banner
from followup_desk.ui.widgets.style import scaled_font, set_role_colour


class SourceBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Calendar problems")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setFont(scaled_font(1.0))
        set_role_colour(self.label, "warning")
        layout.addWidget(self.label)
        self.hide()

    def show_banner(self, banner: Banner) -> None:
        if not banner.lines:
            self.hide()
            return
        lines = list(dict.fromkeys(banner.lines))  # one account's problem, said once
        if banner.stale:
            lines.append(
                "Busy times from those calendars are from their last good copies; check them."
                if len(lines) > 1
                else "Times from that calendar are from its last good copy; check them."
            )
        self.label.setText("\n".join(f"⚠ {line}" for line in lines))
        self.show()
