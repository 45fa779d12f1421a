"""What the time-zone type-ahead suggests for what a rep types (no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest

from followup_desk.domain.zone_search import is_legacy, search_zones, zone_label
from followup_desk.resources_access import zone_aliases

ZONES = frozenset(available_timezones())
ALIASES = zone_aliases()


def suggested(text: str, aliases: dict[str, str] | None = None, limit: int = 20) -> list[str]:
    found = search_zones(text, ZONES, ALIASES if aliases is None else aliases, limit)
    return [m.zone for m in found]


def test_typing_the_start_of_a_city_suggests_it_first() -> None:
    assert suggested("chic")[0] == "America/Chicago"
    assert search_zones("chic", ZONES, ALIASES)[0].label == "Chicago — America/Chicago"


def test_exact_city_then_city_prefix_then_word_prefix_then_substring() -> None:
    zones = ["Asia/Kathmandu", "Europe/Isle_of_Man", "Asia/Manila", "Africa/Abidjan"]
    aliases = {"Man": "Africa/Abidjan"}  # Man, Côte d'Ivoire
    found = search_zones("man", zones, aliases)
    assert [m.zone for m in found] == [
        "Africa/Abidjan",  # exact: Man
        "Asia/Manila",  # city prefix
        "Europe/Isle_of_Man",  # word prefix
        "Asia/Kathmandu",  # substring
    ]
    assert found[0].city == "Man"


def test_a_typed_key_comes_before_cities_that_merely_start_alike() -> None:
    assert suggested("America/Chi")[:2] == ["America/Chicago", "America/Chihuahua"]
    assert suggested("america/chihuahua")[0] == "America/Chihuahua"


@pytest.mark.parametrize("typed", ["São Paulo", "sao paulo", "SAO_PAULO", "são-paulo"])
def test_accents_case_and_separators_do_not_matter(typed: str) -> None:
    assert suggested(typed, aliases={})[0] == "America/Sao_Paulo"


def test_an_accented_alias_gives_the_city_its_proper_spelling() -> None:
    assert search_zones("sao paulo", ZONES, ALIASES)[0].label == "São Paulo — America/Sao_Paulo"
    assert suggested("zurich", aliases={})[0] == "Europe/Zurich"
    assert suggested("Zürich", aliases={})[0] == "Europe/Zurich"


@pytest.mark.parametrize("typed", ["new york", "new_york", "New-York", "america/new york"])
def test_new_york_is_found_however_it_is_separated(typed: str) -> None:
    assert suggested(typed)[0] == "America/New_York"


@pytest.mark.parametrize(
    ("typed", "zone", "label"),
    [
        ("Mumbai", "Asia/Kolkata", "Mumbai — Asia/Kolkata"),
        ("bengaluru", "Asia/Kolkata", "Bengaluru — Asia/Kolkata"),
        ("San Francisco", "America/Los_Angeles", "San Francisco — America/Los_Angeles"),
        ("NYC", "America/New_York", "NYC — America/New_York"),
        ("munich", "Europe/Berlin", "Munich — Europe/Berlin"),
        ("abu dhabi", "Asia/Dubai", "Abu Dhabi — Asia/Dubai"),
    ],
)
def test_business_cities_without_a_key_of_their_own_are_found(
    typed: str, zone: str, label: str
) -> None:
    first = search_zones(typed, ZONES, ALIASES)[0]
    assert (first.zone, first.label) == (zone, label)


def test_each_zone_is_suggested_once_however_many_names_match() -> None:
    found = suggested("san")  # San Francisco, San Jose, San Diego all keep LA's clock
    assert found.count("America/Los_Angeles") == 1
    assert len(found) == len(set(found))


def test_business_hubs_come_before_equally_good_obscure_zones() -> None:
    found = suggested("new ")
    assert found.index("America/New_York") < found.index("America/North_Dakota/New_Salem")


def test_legacy_links_are_not_suggested_for_partial_text() -> None:
    for typed in ["eastern", "gmt+", "etc", "calcutta", "kiev", "buenos aires"]:
        assert not any(is_legacy(zone) for zone in suggested(typed, limit=100)), typed
    assert suggested("kolkata") == ["Asia/Kolkata"]
    assert "US/Eastern" not in suggested("us eastern", limit=100)


@pytest.mark.parametrize("typed", ["US/Eastern", "us/eastern", "Etc/GMT+5", "Asia/Calcutta"])
def test_a_legacy_key_typed_in_full_is_offered(typed: str) -> None:
    first = search_zones(typed, ZONES, ALIASES)[0]
    assert first.zone.casefold() == typed.casefold()
    assert first.label == first.zone


def test_a_legacy_key_that_is_also_a_city_comes_after_the_current_zone() -> None:
    assert suggested("Singapore")[:2] == ["Asia/Singapore", "Singapore"]


def test_suggestions_stop_at_the_limit() -> None:
    assert len(suggested("a")) == 20
    assert len(suggested("a", limit=5)) == 5
    assert suggested("a", limit=0) == []


def test_blank_or_unknown_text_suggests_nothing() -> None:
    assert suggested("") == []
    assert suggested("  _/ ") == []
    assert suggested("Atlantis") == []


def test_every_shipped_alias_points_at_a_current_zone_and_finds_it() -> None:
    assert 60 <= len(ALIASES) <= 150
    for city, zone in ALIASES.items():
        assert zone in ZONES and not is_legacy(zone), (city, zone)
        assert suggested(city)[0] == zone, city


@pytest.mark.parametrize(
    ("zone", "now", "label"),
    [
        (
            "America/Chicago",
            datetime(2026, 1, 15, 12, tzinfo=UTC),
            "America/Chicago (CST, UTC-06:00)",
        ),
        (
            "America/Chicago",
            datetime(2026, 7, 15, 12, tzinfo=UTC),
            "America/Chicago (CDT, UTC-05:00)",
        ),
        ("Asia/Kolkata", datetime(2026, 1, 15, 12, tzinfo=UTC), "Asia/Kolkata (IST, UTC+05:30)"),
        ("Europe/Istanbul", datetime(2026, 1, 15, 12, tzinfo=UTC), "Europe/Istanbul (UTC+03:00)"),
        ("UTC", datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("Asia/Tokyo")), "UTC (UTC+00:00)"),
    ],
)
def test_zone_label_shows_abbreviation_and_offset_at_that_moment(
    zone: str, now: datetime, label: str
) -> None:
    assert zone_label(zone, now) == label


def test_zone_label_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="aware"):
        zone_label("America/Chicago", datetime(2026, 1, 15, 12))
