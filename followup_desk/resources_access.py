"""Finding what the app ships in ``resources/``, installed (wheel) or from a checkout."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def resource(name: str) -> Traversable:
    """The shipped file ``name`` (e.g. ``"settings.toml"``)."""
    try:
        found = resources.files("followup_desk.resources").joinpath(name)
        if found.is_file():
            return found
    except ModuleNotFoundError:
        pass
    # running from a checkout without installing: resources/ sits beside the package
    return Path(__file__).resolve().parent.parent / "resources" / name


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
