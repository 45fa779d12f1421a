"""Render the app icon's PNG sizes from its SVG, into the hicolor theme layout.

    .venv/bin/python packaging/render_icons.py

Reads ``resources/icons/hicolor/scalable/apps/<APP_ID>.svg`` and writes
``resources/icons/hicolor/<N>x<N>/apps/<APP_ID>.png`` for every size desktops ask for. The
PNGs are committed, so neither installing nor bundling needs this script; run it again after
changing the SVG. Qt draws offscreen: no screen is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's package

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from followup_desk import APP_ID
from followup_desk.resources_access import ICON_SIZES

ROOT = Path(__file__).resolve().parent.parent
HICOLOR = ROOT / "resources" / "icons" / "hicolor"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    svg = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        sys.stderr.write(f"{svg} is not an SVG Qt can draw.\n")
        return 1
    for size in ICON_SIZES:
        target = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target)):  # PNG, from the suffix
            sys.stderr.write(f"Could not write {target}.\n")
            return 1
        sys.stdout.write(f"{target.relative_to(ROOT)}\n")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
