"""Finding what the app ships in ``resources/``, installed (wheel) or from a checkout."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from followup_desk import APP_ID

# The sizes the icon ships in, as resources/icons/hicolor/<N>x<N>/apps/<APP_ID>.png
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resource(name: str, *more: str) -> Traversable:
    """The shipped file ``name`` (e.g. ``"settings.toml"``; ``"icons", "hicolor", ...``)."""
    try:
        found = resources.files("followup_desk.resources")
        for part in (name, *more):
            found = found.joinpath(part)
        if found.is_file():
            return found
    except ModuleNotFoundError:
        pass
    # running from a checkout without installing: resources/ sits beside the package
    return Path(__file__).resolve().parent.parent.joinpath("resources", name, *more)


def read_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")


def zone_aliases() -> dict[str, str]:
    """City names no IANA key ends with, mapped to their zone (``zone_aliases.toml``)."""
    table = tomllib.loads(read_text("zone_aliases.toml"))["aliases"]
    return {str(city): str(zone) for city, zone in table.items()}


def empty_phrases() -> list[str]:
    """Phrases that tell a prospect nothing new (``empty_phrases.txt``, one per line)."""
    lines = (line.strip() for line in read_text("empty_phrases.txt").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def icon_path(size: int) -> Traversable:
    """The app icon drawn for ``size`` pixels (one of ``ICON_SIZES``), a PNG."""
    if size not in ICON_SIZES:
        raise ValueError(f"the icon ships in {ICON_SIZES} pixels, not {size}")
    return resource("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")


def icon_svg() -> Traversable:
    """The app icon as drawn (SVG): every size comes from it."""
    return resource("icons", "hicolor", "scalable", "apps", f"{APP_ID}.svg")
