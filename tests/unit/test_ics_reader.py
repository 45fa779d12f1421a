"""Busy time read from the .ics fixture bank: recurrence, zones, DST, free/busy, bad input.

Every test states the exact busy blocks (UTC instants) a rep's calendar yields, so a change
in icalendar, recurring-ical-events or x-wr-timezone that moves a meeting by an hour shows
up here first. The rep works on the Berlin clock unless a test says otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from followup_desk.adapters.ics_reader import ParsedBusy, busy_blocks
from followup_desk.domain.intervals import BusyBlock, BusyIndex
from followup_desk.errors import SourceError
from tests.conftest import ICS_FIXTURES

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def days(first: date, last: date) -> tuple[datetime, datetime]:
    """A window from the start of ``first`` to the end of ``last`` (UTC)."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return start, end


def read(fixture: str, window: tuple[datetime, datetime], zone: str = BERLIN) -> ParsedBusy:
    return busy_blocks((ICS_FIXTURES / fixture).read_bytes(), fixture, window, zone)


def busy(start: datetime, end: datetime) -> BusyBlock:
    return BusyBlock(start, end, all_day=False)


def all_day(start: datetime, end: datetime) -> BusyBlock:
    return BusyBlock(start, end, all_day=True)


MARCH_APRIL_2026 = days(date(2026, 3, 1), date(2026, 4, 12))
JUNE_2026 = days(date(2026, 6, 1), date(2026, 6, 30))


# --- recurrence -------------------------------------------------------------------------


def test_weekly_series_leaves_out_the_exdate_and_follows_the_moved_meeting() -> None:
    parsed = read("weekly_exdate_moved_override.ics", MARCH_APRIL_2026)

    assert parsed.blocks == (
        busy(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10)),  # 10:00 CET
        busy(utc(2026, 3, 9, 9), utc(2026, 3, 9, 10)),
        # 16 March is an EXDATE; 23 March moved to Tuesday 24th, 14:00-15:30 CET
        busy(utc(2026, 3, 24, 13), utc(2026, 3, 24, 14, 30)),
        # after Europe's clock change on 29 March, 10:00 CEST is 08:00 UTC
        busy(utc(2026, 3, 30, 8), utc(2026, 3, 30, 9)),
        busy(utc(2026, 4, 6, 8), utc(2026, 4, 6, 9)),
    )
    assert parsed.warnings == ()


def test_the_moved_meeting_leaves_its_original_slot_free() -> None:
    parsed = read("weekly_exdate_moved_override.ics", days(date(2026, 3, 23), date(2026, 3, 23)))

    assert parsed.blocks == ()


def test_blocks_are_clipped_to_the_asked_window() -> None:
    window = (utc(2026, 3, 9, 9, 30), utc(2026, 3, 24, 13, 30))

    parsed = read("weekly_exdate_moved_override.ics", window)

    assert parsed.blocks == (
        busy(utc(2026, 3, 9, 9, 30), utc(2026, 3, 9, 10)),
        busy(utc(2026, 3, 24, 13), utc(2026, 3, 24, 13, 30)),
    )


def test_rdate_adds_dates_and_a_period_rdate_keeps_its_own_length() -> None:
    parsed = read("rdate_extra_dates.ics", days(date(2026, 5, 1), date(2026, 5, 31)))

    assert parsed.blocks == (
        busy(utc(2026, 5, 5, 13), utc(2026, 5, 5, 14)),
        busy(utc(2026, 5, 7, 13), utc(2026, 5, 7, 14)),
        busy(utc(2026, 5, 12, 9), utc(2026, 5, 12, 10)),
        busy(utc(2026, 5, 14, 15), utc(2026, 5, 14, 17)),  # VALUE=PERIOD: two hours
    )


def test_one_occurrence_without_its_series_still_counts() -> None:
    # invited to a single meeting of someone else's series: only the override is exported
    parsed = read("override_without_its_series.ics", JUNE_2026)

    assert parsed.blocks == (busy(utc(2026, 6, 11, 8), utc(2026, 6, 11, 9)),)


def test_a_cancelled_occurrence_and_a_cancelled_event_are_free() -> None:
    parsed = read("series_with_cancelled_override.ics", days(date(2026, 4, 14), date(2026, 4, 18)))

    # the huddle of 16 April is cancelled, and so is the offsite that afternoon
    assert parsed.blocks == (
        busy(utc(2026, 4, 15, 13), utc(2026, 4, 15, 13, 30)),  # 09:00 EDT
        busy(utc(2026, 4, 17, 13), utc(2026, 4, 17, 13, 30)),
    )


# --- all-day and floating times --------------------------------------------------------------


def test_all_day_events_cover_the_reps_calendar_days_and_are_marked() -> None:
    parsed = read("all_day_single_and_multi_day.ics", days(date(2026, 6, 29), date(2026, 7, 20)))

    assert parsed.blocks == (
        all_day(utc(2026, 6, 30, 22), utc(2026, 7, 1, 22)),  # 1 July on the Berlin clock
        busy(utc(2026, 7, 2, 8), utc(2026, 7, 2, 9)),
        all_day(utc(2026, 7, 5, 22), utc(2026, 7, 8, 22)),  # 6 to 8 July, three days
        all_day(utc(2026, 7, 14, 22), utc(2026, 7, 15, 22)),  # no DTEND: one day
    )


def test_all_day_events_follow_the_reps_zone() -> None:
    parsed = read(
        "all_day_single_and_multi_day.ics",
        days(date(2026, 6, 29), date(2026, 7, 10)),
        zone=NEW_YORK,
    )

    assert [b for b in parsed.blocks if b.all_day] == [
        all_day(utc(2026, 7, 1, 4), utc(2026, 7, 2, 4)),
        all_day(utc(2026, 7, 6, 4), utc(2026, 7, 9, 4)),
    ]


def test_all_day_events_are_free_unless_the_setting_makes_them_busy() -> None:
    parsed = read("all_day_single_and_multi_day.ics", days(date(2026, 7, 1), date(2026, 7, 1)))

    assert BusyIndex.from_blocks(parsed.blocks, all_day_busy=False).spans == []
    assert BusyIndex.from_blocks(parsed.blocks, all_day_busy=True).spans == [
        (utc(2026, 7, 1), utc(2026, 7, 1, 22))
    ]


@pytest.mark.parametrize(
    ("zone", "start"),
    [(BERLIN, utc(2026, 6, 2, 7)), (NEW_YORK, utc(2026, 6, 2, 13))],
)
def test_floating_time_is_read_on_the_reps_wall_clock(zone: str, start: datetime) -> None:
    parsed = read("floating_time.ics", JUNE_2026, zone=zone)

    assert parsed.blocks == (busy(start, start + timedelta(hours=1)),)


# --- time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
def test_tzid_times_do_not_depend_on_the_reps_zone(zone: str) -> None:
    parsed = read("tzid_with_vtimezone.ics", days(date(2026, 6, 1), date(2026, 12, 31)), zone)

    assert parsed.blocks == (
        busy(utc(2026, 6, 2, 13), utc(2026, 6, 2, 14)),  # 09:00 EDT
        busy(utc(2026, 12, 2, 14), utc(2026, 12, 2, 14, 45)),  # 09:00 EST, DURATION 45 min
    )


def test_outlook_windows_zone_names_and_a_custom_vtimezone_are_honoured() -> None:
    parsed = read("outlook_windows_tzid.ics", days(date(2026, 6, 1), date(2026, 12, 31)))

    assert parsed.blocks == (
        busy(utc(2026, 6, 9, 13), utc(2026, 6, 9, 14)),  # W. Europe, summer: UTC+2
        busy(utc(2026, 6, 10, 4, 30), utc(2026, 6, 10, 5, 30)),  # "Customized": UTC+05:30
        busy(utc(2026, 12, 1, 14), utc(2026, 12, 1, 15)),  # W. Europe, winter: UTC+1
    )
    assert parsed.warnings == ()


def test_two_outlook_calendars_whose_custom_zones_share_a_name_keep_their_own_offsets() -> None:
    """Outlook calls every custom zone "Customized Time Zone"; icalendar caches by TZID."""
    bangalore = busy(utc(2026, 6, 10, 4, 30), utc(2026, 6, 10, 5, 30))  # 10:00 at UTC+05:30
    sao_paulo = busy(utc(2026, 6, 10, 13), utc(2026, 6, 10, 14))  # 10:00 at UTC-03:00

    for _ in range(2):  # in both orders
        india = read("outlook_windows_tzid.ics", JUNE_2026)
        brazil = read("outlook_customized_zone_brasilia.ics", JUNE_2026)

        assert bangalore in india.blocks
        assert brazil.blocks == (sao_paulo,)


def test_evolution_globally_unique_tzids_are_read_by_their_zone_name() -> None:
    parsed = read("evolution_globally_unique_tzids.ics", JUNE_2026, zone=NEW_YORK)

    assert parsed.blocks == (
        busy(utc(2026, 6, 11, 13), utc(2026, 6, 11, 14)),  # defined in the file: 09:00 EDT
        busy(utc(2026, 6, 12, 7), utc(2026, 6, 12, 8)),  # only named: 09:00 Berlin (CEST)
    )
    assert parsed.warnings == ()


def test_google_export_keeps_its_meetings_on_the_x_wr_timezone_clock() -> None:
    parsed = read("google_x_wr_timezone.ics", MARCH_APRIL_2026)

    assert parsed.blocks == (
        busy(utc(2026, 3, 2, 17), utc(2026, 3, 2, 18)),  # 09:00 PST
        busy(utc(2026, 3, 5, 20), utc(2026, 3, 5, 21)),  # floating 12:00 in Los Angeles
        # the US changes clocks on 8 March: the weekly 09:00 follows, an hour earlier in UTC
        busy(utc(2026, 3, 9, 16), utc(2026, 3, 9, 17)),
        busy(utc(2026, 3, 16, 16), utc(2026, 3, 16, 17)),
    )


def test_an_x_wr_timezone_nobody_knows_is_a_warning_not_a_failure() -> None:
    text = (ICS_FIXTURES / "google_x_wr_timezone.ics").read_text(encoding="utf-8")
    data = text.replace("America/Los_Angeles", "Pacific/Atlantis").encode()

    parsed = busy_blocks(data, "atlantis.ics", MARCH_APRIL_2026, BERLIN)

    assert parsed.blocks[0] == busy(utc(2026, 3, 2, 17), utc(2026, 3, 2, 18))
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("atlantis.ics names the time zone Pacific/Atlantis")


# --- daylight saving time --------------------------------------------------------------------


def test_berlin_clock_change_on_25_october_2026() -> None:
    parsed = read(
        "dst_end_europe_berlin_2026_10_25.ics", days(date(2026, 10, 22), date(2026, 10, 27))
    )

    assert parsed.blocks == (
        busy(utc(2026, 10, 23, 7), utc(2026, 10, 23, 7, 30)),  # 09:00 CEST
        busy(utc(2026, 10, 24, 7), utc(2026, 10, 24, 7, 30)),
        # P1D from Saturday noon is nominal: until Sunday noon CET, 25 real hours
        busy(utc(2026, 10, 24, 10), utc(2026, 10, 25, 11)),
        # PT3H from 01:00 CEST is exact: three real hours, ending 02:00 CET
        busy(utc(2026, 10, 24, 23), utc(2026, 10, 25, 2)),
        # 01:30 CEST to 03:30 CET: three hours long on the wall clock, three in reality
        busy(utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 2, 30)),
        # 02:30 happens twice; RFC 5545 takes the first (CEST)
        busy(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 0, 45)),
        busy(utc(2026, 10, 25, 8), utc(2026, 10, 25, 8, 30)),  # 09:00 CET from now on
        busy(utc(2026, 10, 26, 8), utc(2026, 10, 26, 8, 30)),
    )


def test_new_york_clock_change_on_14_march_2027() -> None:
    parsed = read(
        "dst_start_america_new_york_2027_03_14.ics", days(date(2027, 3, 6), date(2027, 3, 22))
    )

    assert parsed.blocks == (
        busy(utc(2027, 3, 7, 15), utc(2027, 3, 7, 16)),  # 10:00 EST
        busy(utc(2027, 3, 14, 6), utc(2027, 3, 14, 8)),  # 01:00 EST to 04:00 EDT: two hours
        # 02:30 does not exist that night: RFC 5545 reads it with the offset before the gap
        busy(utc(2027, 3, 14, 7, 30), utc(2027, 3, 14, 8)),
        busy(utc(2027, 3, 14, 14), utc(2027, 3, 14, 15)),  # 10:00 EDT
        busy(utc(2027, 3, 21, 14), utc(2027, 3, 21, 15)),
    )


# --- what counts as busy ---------------------------------------------------------------------


def test_free_busy_periods_count_unless_marked_free() -> None:
    parsed = read("freebusy_periods.ics", days(date(2026, 6, 8), date(2026, 6, 12)))

    assert parsed.blocks == (
        busy(utc(2026, 6, 8, 8), utc(2026, 6, 8, 9)),  # BUSY
        busy(utc(2026, 6, 8, 12), utc(2026, 6, 8, 13, 30)),  # BUSY-TENTATIVE, PT1H30M
        # the FBTYPE=FREE afternoon of 8 June is not here
        busy(utc(2026, 6, 9, 16), utc(2026, 6, 9, 20)),  # BUSY-UNAVAILABLE
        busy(utc(2026, 6, 10, 7), utc(2026, 6, 10, 7, 30)),  # two periods on one line,
        busy(utc(2026, 6, 10, 10), utc(2026, 6, 10, 10, 45)),  # no FBTYPE: busy
    )
    assert parsed.warnings == ()


def test_transparent_events_are_free_and_tentative_ones_busy() -> None:
    parsed = read("transparent_and_opaque.ics", JUNE_2026)

    assert parsed.blocks == (
        busy(utc(2026, 6, 3, 11), utc(2026, 6, 3, 12)),
        busy(utc(2026, 6, 3, 13), utc(2026, 6, 3, 14)),
    )


def test_a_window_with_nothing_in_it_is_empty_and_quiet() -> None:
    parsed = read("weekly_exdate_moved_override.ics", days(date(2030, 1, 1), date(2030, 1, 31)))

    assert parsed == ParsedBusy((), ())


# --- bad input: the good events still count --------------------------------------------------


def test_broken_folded_lines_cost_only_the_event_whose_times_they_break() -> None:
    parsed = read("broken_folded_lines.ics", JUNE_2026)

    assert parsed.blocks == (
        busy(utc(2026, 6, 8, 8), utc(2026, 6, 8, 9)),
        busy(utc(2026, 6, 8, 13, 30), utc(2026, 6, 8, 14)),  # only its description broke
        busy(utc(2026, 6, 8, 15), utc(2026, 6, 8, 16)),
    )
    assert parsed.warnings == (
        "broken_folded_lines.ics: 1 event(s) could not be read (broken dates or rules) and "
        "were left out; the rest of the calendar counts.",
    )


def test_a_bad_date_costs_only_its_event() -> None:
    parsed = read("bad_date_in_one_event.ics", JUNE_2026)

    assert parsed.blocks == (
        busy(utc(2026, 6, 9, 8), utc(2026, 6, 9, 8, 30)),
        busy(utc(2026, 6, 9, 14), utc(2026, 6, 9, 15)),
    )
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("bad_date_in_one_event.ics: 1 event(s) could not")


def test_rules_that_cannot_be_expanded_cost_only_their_events() -> None:
    # an unknown FREQ, INTERVAL=0 (which would expand for ever) and BYSETPOS=0 (which
    # parses, then fails in the middle of expansion) sit beside one good weekly series
    parsed = read("rule_that_cannot_be_expanded.ics", JUNE_2026)

    assert parsed.blocks == (
        busy(utc(2026, 6, 2, 9), utc(2026, 6, 2, 10)),
        busy(utc(2026, 6, 9, 9), utc(2026, 6, 9, 10)),
    )
    assert parsed.warnings == (
        "rule_that_cannot_be_expanded.ics: 3 event(s) could not be read (broken dates or "
        "rules) and were left out; the rest of the calendar counts.",
    )


def test_an_unknown_tzid_is_read_on_the_reps_clock_with_a_warning() -> None:
    parsed = read("unknown_tzid_without_vtimezone.ics", JUNE_2026)

    assert parsed.blocks == (
        busy(utc(2026, 6, 10, 7), utc(2026, 6, 10, 8)),  # 09:00 read as Berlin time
        busy(utc(2026, 6, 10, 14), utc(2026, 6, 10, 15)),
    )
    assert parsed.warnings == (
        "unknown_tzid_without_vtimezone.ics uses time zone(s) Head Office Time that it does "
        "not define; those times were read as Europe/Berlin time.",
    )


def test_text_that_is_not_utf8_is_read_as_windows_1252_with_a_warning() -> None:
    text = (ICS_FIXTURES / "floating_time.ics").read_text(encoding="utf-8")
    data = text.replace("SUMMARY:Dentist", "SUMMARY:Café with Zoë, then dentist").encode("cp1252")
    assert b"Caf\xe9" in data  # really not UTF-8

    parsed = busy_blocks(data, "exported-on-windows.ics", JUNE_2026, BERLIN)

    assert parsed.blocks == (busy(utc(2026, 6, 2, 7), utc(2026, 6, 2, 8)),)
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("exported-on-windows.ics is not UTF-8 text")
    assert "Export it again as UTF-8" in parsed.warnings[0]


def test_utf16_with_a_byte_order_mark_is_still_a_calendar() -> None:
    text = (ICS_FIXTURES / "floating_time.ics").read_text(encoding="utf-8")

    parsed = busy_blocks(text.encode("utf-16"), "unicode.ics", JUNE_2026, BERLIN)

    assert parsed == ParsedBusy((busy(utc(2026, 6, 2, 7), utc(2026, 6, 2, 8)),), ())


def test_a_utf8_byte_order_mark_is_ignored() -> None:
    data = b"\xef\xbb\xbf" + (ICS_FIXTURES / "floating_time.ics").read_bytes()

    parsed = busy_blocks(data, "bom.ics", JUNE_2026, BERLIN)

    assert parsed == ParsedBusy((busy(utc(2026, 6, 2, 7), utc(2026, 6, 2, 8)),), ())


def test_calendars_concatenated_in_one_file_all_count() -> None:
    data = (ICS_FIXTURES / "floating_time.ics").read_bytes() + (
        ICS_FIXTURES / "transparent_and_opaque.ics"
    ).read_bytes()

    parsed = busy_blocks(data, "two.ics", JUNE_2026, BERLIN)

    assert parsed.blocks == (
        busy(utc(2026, 6, 2, 7), utc(2026, 6, 2, 8)),
        busy(utc(2026, 6, 3, 11), utc(2026, 6, 3, 12)),
        busy(utc(2026, 6, 3, 13), utc(2026, 6, 3, 14)),
    )


@pytest.mark.parametrize("fixture", ["not_a_calendar.html", "empty.ics"])
def test_a_file_that_is_not_a_calendar_is_refused_with_its_name(fixture: str) -> None:
    with pytest.raises(SourceError) as raised:
        read(fixture, JUNE_2026)

    assert raised.value.source == fixture
    assert str(raised.value) == (
        f"{fixture} is not an iCalendar file (no BEGIN:VCALENDAR at its start). "
        "Check that the path or address points to an .ics export."
    )


def test_a_broken_line_outside_any_event_makes_the_file_unreadable() -> None:
    # icalendar tolerates a bad line inside a VEVENT, not at the calendar's own level
    data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nthis line has no colon\r\nEND:VCALENDAR\r\n"

    with pytest.raises(SourceError) as raised:
        busy_blocks(data, "team.ics", JUNE_2026, BERLIN)

    assert str(raised.value).startswith("team.ics is not a readable iCalendar file (")
    assert str(raised.value).endswith("Export it again from the calendar program.")


def test_a_calendar_with_no_end_is_refused_with_its_name() -> None:
    with pytest.raises(SourceError, match=r"^cut\.ics holds no calendar\. Export it again\.$"):
        busy_blocks(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "cut.ics", JUNE_2026, BERLIN)


FIXTURE_FILES = sorted(p.name for p in ICS_FIXTURES.iterdir() if p.is_file())


@pytest.mark.parametrize("fixture", FIXTURE_FILES)
def test_no_fixture_ever_escapes_the_error_tree(fixture: str) -> None:
    """Whatever a file holds, the reader answers blocks or a SourceError, never a crash."""
    window = (utc(2025, 1, 1), utc(2028, 1, 1))
    for zone in (BERLIN, NEW_YORK, "UTC"):
        try:
            parsed = read(fixture, window, zone)
        except SourceError as error:
            assert error.source == fixture
            assert fixture in str(error)
        else:
            assert all(b.start < b.end for b in parsed.blocks)
            assert all(fixture in warning for warning in parsed.warnings)


def test_the_fixture_bank_is_complete() -> None:
    """Each fixture is used by a test above; a new one needs its own exact test too."""
    source = Path(__file__).read_text(encoding="utf-8")

    unused = [name for name in FIXTURE_FILES if f'"{name}"' not in source]

    assert unused == []


def test_a_rule_repeating_every_second_is_left_out_instead_of_hanging_the_read() -> None:
    # six weeks of FREQ=SECONDLY would be millions of occurrences; every 30 minutes is fine
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:flood\r\nDTSTAMP:20260101T000000Z\r\n"
        b"DTSTART:20260601T080000Z\r\nDTEND:20260601T080001Z\r\nRRULE:FREQ=SECONDLY\r\n"
        b"END:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:poll\r\nDTSTAMP:20260101T000000Z\r\n"
        b"DTSTART:20260601T090000Z\r\nDTEND:20260601T091000Z\r\n"
        b"RRULE:FREQ=MINUTELY;INTERVAL=30;COUNT=2\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )

    parsed = busy_blocks(data, "flood.ics", JUNE_2026, BERLIN)

    assert parsed.blocks == (
        busy(utc(2026, 6, 1, 9), utc(2026, 6, 1, 9, 10)),
        busy(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 9, 40)),
    )
    assert parsed.warnings == (
        "flood.ics: 1 event(s) could not be read (broken dates or rules) and were left out; "
        "the rest of the calendar counts.",
    )
