"""Every touch should bring the prospect something new (seed 004): the notes that do not.

The phrase list is the one the app ships (resources/empty_phrases.txt).
"""

from __future__ import annotations

import pytest

from followup_desk.domain.touches import NOT_HELD, Direction, Outcome, says_nothing_new
from followup_desk.resources_access import empty_phrases

PHRASES = empty_phrases()


def test_the_shipped_phrase_list_holds_the_usual_empty_follow_ups() -> None:
    lowered = {p.lower() for p in PHRASES}
    assert {"just touching base", "checking in", "any update"} <= lowered
    assert not any(p.startswith("#") for p in PHRASES)


@pytest.mark.parametrize(
    "note",
    [
        "Just touching base, any update?",
        "checking in!",
        "Hi Ana, just following up. Any thoughts? Thanks!",
        "Circling back on this one",
        "Did you get my email?",
        "Friendly reminder :)",
    ],
)
def test_a_note_that_only_checks_in_says_nothing_new(note: str) -> None:
    assert says_nothing_new(note, PHRASES) is not None


def test_the_warning_names_the_empty_phrase_it_found() -> None:
    assert says_nothing_new("Just touching base, any update?", PHRASES) == "just touching base"
    assert says_nothing_new("checking in!", PHRASES) == "checking in"


@pytest.mark.parametrize(
    "note",
    [
        "Checking in with the pilot results: 12% fewer returns in March",
        "Following up with the Zürich case study: returns down by a third",
        "Did you get my email? The price drops to 40 € per seat in January",
        "Sent the revised quote with the three-year discount",
    ],
)
def test_a_note_with_something_new_passes_even_with_a_check_in_phrase(note: str) -> None:
    assert says_nothing_new(note, PHRASES) is None


@pytest.mark.parametrize("note", ["", "   ", "\n\t", "?!", "..."])
def test_an_empty_note_says_nothing_new(note: str) -> None:
    assert says_nothing_new(note, PHRASES) == "(an empty note)"


@pytest.mark.parametrize(
    "note",
    ["JUST TOUCHING BASE", "Just Checking In", "Just tóuching báse!", "ÀNY UPDATE?"],
)
def test_case_and_accents_do_not_hide_an_empty_note(note: str) -> None:
    assert says_nothing_new(note, PHRASES) is not None


def test_a_note_in_another_script_with_content_passes() -> None:
    assert says_nothing_new("Пилот в Москве: возвраты минус 12%", PHRASES) is None


def test_a_typographic_apostrophe_does_not_hide_an_empty_note() -> None:
    # Phones and Macs turn ' into a right single quotation mark (U+2019) by themselves.
    assert says_nothing_new("Haven't heard back", PHRASES) is not None
    assert says_nothing_new("Haven\u2019t heard back", PHRASES) is not None


def test_pleasantries_around_a_check_in_still_say_nothing_new() -> None:
    assert says_nothing_new("Just checking in, hope you're well!", PHRASES) is not None


def test_a_custom_phrase_list_is_honoured() -> None:
    assert says_nothing_new("Quick ping", ["quick ping"]) == "quick ping"
    assert says_nothing_new("Quick ping", []) is None


# --- outcomes and directions -------------------------------------------------------------


def test_only_a_held_meeting_counts_as_having_happened() -> None:
    assert {o.value for o in Outcome} == {"held", "no-show", "rescheduled", "cancelled"}
    assert Outcome.HELD not in NOT_HELD
    assert {Outcome.NO_SHOW, Outcome.CANCELLED, Outcome.RESCHEDULED} == NOT_HELD


def test_touch_directions_read_as_the_command_line_writes_them() -> None:
    assert Direction("in") is Direction.IN
    assert Direction("out") is Direction.OUT
    assert Outcome("no-show") is Outcome.NO_SHOW
