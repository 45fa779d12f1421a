"""Finding a time zone from what a rep types: city names, aliases or IANA keys.

Matching ignores case and accents and treats ``_``, ``/``, ``-`` and spaces alike. Matches
rank exact key > exact city > city prefix > word prefix > substring. Backward-compatible
links (``US/Eastern``, ``Etc/GMT+5``, ``Asia/Calcutta``) are only offered when typed exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The tz database's geographic areas; every key outside them is a legacy link or a POSIX
# rule name, except UTC, which people do ask for.
_AREA_NAMES = "Africa America Antarctica Arctic Asia Atlantic Australia Europe Indian Pacific"
_AREAS = frozenset(_AREA_NAMES.split())
_KEPT_OUTSIDE_AREAS = frozenset({"UTC"})
# Keys inside the areas that are links kept for old spellings (tzdata 2026, in no zone.tab).
_LEGACY_LINK_NAMES = """
    Africa/Asmera Africa/Timbuktu America/Argentina/ComodRivadavia America/Atka
    America/Buenos_Aires America/Catamarca America/Coral_Harbour America/Cordoba
    America/Ensenada America/Fort_Wayne America/Godthab America/Indianapolis America/Jujuy
    America/Knox_IN America/Louisville America/Mendoza America/Montreal America/Nipigon
    America/Pangnirtung America/Porto_Acre America/Rainy_River America/Rosario
    America/Santa_Isabel America/Shiprock America/Thunder_Bay America/Virgin America/Yellowknife
    Antarctica/South_Pole Asia/Ashkhabad Asia/Calcutta Asia/Choibalsan Asia/Chongqing
    Asia/Chungking Asia/Dacca Asia/Harbin Asia/Istanbul Asia/Kashgar Asia/Katmandu Asia/Macao
    Asia/Rangoon Asia/Saigon Asia/Tel_Aviv Asia/Thimbu Asia/Ujung_Pandang Asia/Ulan_Bator
    Atlantic/Faeroe Atlantic/Jan_Mayen Australia/ACT Australia/Canberra Australia/Currie
    Australia/LHI Australia/NSW Australia/North Australia/Queensland Australia/South
    Australia/Tasmania Australia/Victoria Australia/West Australia/Yancowinna Europe/Belfast
    Europe/Kiev Europe/Nicosia Europe/Tiraspol Europe/Uzhgorod Europe/Zaporozhye
    Pacific/Enderbury Pacific/Johnston Pacific/Ponape Pacific/Samoa Pacific/Truk Pacific/Yap
    """
_LEGACY_LINKS = frozenset(_LEGACY_LINK_NAMES.split())

# Ranks, best first. A legacy key typed in full ("Singapore") follows the current zone it
# names ("Asia/Singapore") but comes before any partial match.
_EXACT_KEY, _EXACT_CITY, _LEGACY_KEY, _CITY_PREFIX, _WORD_PREFIX, _SUBSTRING = range(6)

_DROPPED = re.compile(r"[.'\u2019]")
_SEPARATORS = re.compile(r"[\s_/-]+")


@dataclass(frozen=True)
class ZoneMatch:
    """One suggestion: the IANA key, the text shown for it and the city that matched."""

    zone: str
    label: str
    city: str


def is_legacy(zone: str) -> bool:
    """True for backward-compatible links and rule names (``US/Eastern``, ``Etc/GMT+5``)."""
    if zone in _KEPT_OUTSIDE_AREAS:
        return False
    return zone.split("/", 1)[0] not in _AREAS or zone in _LEGACY_LINKS


def is_zone(name: str) -> bool:
    """A zone key tzdata has ("Europe/Berlin"); never a path ("/etc/..", "../x")."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def resolve_zone(text: str, zones: Iterable[str]) -> str | None:
    """The key ``text`` spells, ignoring case and with spaces for underscores, else None."""
    wanted = text.strip().replace(" ", "_").casefold()
    if not wanted:
        return None
    return next((zone for zone in zones if zone.casefold() == wanted), None)


def search_zones(
    text: str, zones: Iterable[str], aliases: Mapping[str, str], limit: int = 20
) -> list[ZoneMatch]:
    """Up to ``limit`` zones for ``text``, best first.

    ``aliases`` maps extra city names (``"Mumbai"``) to keys; an alias that spells a key's
    own city with accents (``"São Paulo"``) becomes that city's displayed name. Among equally
    good matches, zones some alias points at (business hubs) come first, then by city.
    """
    wanted = _fold(text)
    known = set(zones)
    if not wanted or limit <= 0:
        return []
    hubs = {zone for zone in aliases.values() if zone in known}
    names = _names_by_zone(known, aliases)
    best: dict[str, tuple[int, str]] = {}
    exact = resolve_zone(text, known)
    if exact is not None:
        rank = _LEGACY_KEY if is_legacy(exact) else _EXACT_KEY
        best[exact] = (rank, names.get(exact, [_city_of(exact)])[0])
    for zone, its_names in names.items():
        found = _best_name(wanted, zone, its_names)
        if found is not None and (zone not in best or found[0] < best[zone][0]):
            best[zone] = found

    ordered = sorted(
        best.items(), key=lambda item: (item[1][0], item[0] not in hubs, _fold(item[1][1]), item[0])
    )
    return [_match(zone, city) for zone, (_rank, city) in ordered[:limit]]


def zone_label(zone: str, now: datetime) -> str:
    """``zone`` with its abbreviation and offset at ``now``: ``America/Chicago (CST, UTC-06:00)``.

    ``now`` must be aware; numeric abbreviations (``+03``) are left out as they repeat the
    offset. Raises ``zoneinfo.ZoneInfoNotFoundError`` for an unknown key.
    """
    if now.tzinfo is None:
        raise ValueError("zone_label needs an aware datetime")
    local = now.astimezone(ZoneInfo(zone))
    offset = _format_offset(local.utcoffset() or timedelta(0))
    abbreviation = local.tzname() or ""
    if not abbreviation or abbreviation[0] in "+-" or abbreviation == "UTC":
        return f"{zone} ({offset})"
    return f"{zone} ({abbreviation}, {offset})"


def _fold(text: str) -> str:
    """``text`` as matching sees it: no case, no accents, one space for ``_ / -`` runs."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", _DROPPED.sub("", bare)).strip()


def _city_of(zone: str) -> str:
    """The city a key names: ``America/Argentina/Buenos_Aires`` -> ``Buenos Aires``."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _names_by_zone(zones: set[str], aliases: Mapping[str, str]) -> dict[str, list[str]]:
    """Each offered zone's names: its own city first, then the aliases pointing at it."""
    names = {zone: [_city_of(zone)] for zone in zones if not is_legacy(zone)}
    for alias, zone in aliases.items():
        if zone not in names:
            continue
        if _fold(alias) == _fold(names[zone][0]):
            names[zone][0] = alias  # the accented spelling of the key's own city
        else:
            names[zone].append(alias)
    return names


def _best_name(wanted: str, zone: str, names: list[str]) -> tuple[int, str] | None:
    """The best rank among a zone's names and its key, with the name to show for it."""
    ranked = [
        (rank, order, name)
        for order, name in enumerate(names)
        if (rank := _name_rank(wanted, _fold(name))) is not None
    ]
    key_rank = _partial_rank(wanted, _fold(zone))
    if key_rank is not None:
        ranked.append((key_rank, len(names), names[0]))
    if not ranked:
        return None
    rank, _order, name = min(ranked)
    return rank, name


def _name_rank(wanted: str, name: str) -> int | None:
    if name == wanted:
        return _EXACT_CITY
    if name.startswith(wanted):
        return _CITY_PREFIX
    return _partial_rank(wanted, name)


def _partial_rank(wanted: str, name: str) -> int | None:
    if f" {wanted}" in f" {name}":
        return _WORD_PREFIX
    if wanted in name:
        return _SUBSTRING
    return None


def _match(zone: str, city: str) -> ZoneMatch:
    label = zone if is_legacy(zone) or city == zone else f"{city} — {zone}"
    return ZoneMatch(zone=zone, label=label, city=city)


def _format_offset(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
