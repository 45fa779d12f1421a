"""Filling message templates, and what the built-in messages say."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup_desk.domain.cadences import Channel
from followup_desk.domain.templates import (
    PLACEHOLDERS,
    TemplateError,
    fill,
    template_problems,
    unknown_placeholders,
)
from followup_desk.storage.cadence_file import builtin_cadences

VALUES = {
    "prospect": "Dana Whitfield",
    "first_name": "Dana",
    "meeting": "our call on Tuesday",
    "follow_up": "by phone in early March",
    "rep": "Robin",
    "reply_by": "Friday 12 February",
}

BUILT_IN_STEPS = [
    (cadence.key, number, step)
    for cadence in builtin_cadences()
    for number, step in enumerate(cadence.steps, start=1)
]


def test_fill_puts_every_placeholder_in_its_place() -> None:
    template = " | ".join("{" + name + "}" for name in PLACEHOLDERS)
    assert fill(template, VALUES) == " | ".join(VALUES[name] for name in PLACEHOLDERS)


def test_fill_names_an_unknown_placeholder() -> None:
    with pytest.raises(TemplateError, match=r"\{frist_name\}") as caught:
        fill("Hi {frist_name},", VALUES)
    assert isinstance(caught.value, ValueError)


def test_double_braces_stay_as_single_braces_in_the_message() -> None:
    assert fill("Use {{curly}} braces, {first_name}: }}{{", VALUES) == (
        "Use {curly} braces, Dana: }{"
    )


@pytest.mark.parametrize(("template", "position"), [("Hi {first_name", 4), ("50% off }", 9)])
def test_a_lone_brace_is_refused_with_its_position(template: str, position: int) -> None:
    with pytest.raises(TemplateError, match=f"character {position}"):
        fill(template, VALUES)


def test_a_placeholder_without_a_value_stays_visible_for_the_rep_to_complete() -> None:
    assert fill("See you at {meeting}, {first_name}", {"first_name": "Dana"}) == (
        "See you at {meeting}, Dana"
    )


def test_spaces_inside_the_braces_are_forgiven() -> None:
    assert fill("Hi { first_name }", VALUES) == "Hi Dana"


def test_unknown_placeholders_lists_each_unknown_name_once_in_order() -> None:
    template = "{name} {rep} {company} {name} {{literal}}"
    assert unknown_placeholders(template) == ["name", "company"]
    assert unknown_placeholders("Hi {first_name}") == []


@given(st.text())
def test_text_without_braces_comes_back_unchanged(text: str) -> None:
    plain = text.replace("{", "").replace("}", "")
    assert fill(plain, VALUES) == plain


@given(st.text())
def test_escaped_text_comes_back_as_written(text: str) -> None:
    escaped = text.replace("{", "{{").replace("}", "}}")
    assert fill(escaped, VALUES) == text
    assert template_problems(escaped) == []


@pytest.mark.parametrize(
    ("key", "number", "template"), [(k, n, s.template) for k, n, s in BUILT_IN_STEPS]
)
def test_every_built_in_message_uses_only_known_placeholders_and_fills(
    key: str, number: int, template: str
) -> None:
    assert template_problems(template) == [], f"{key} step {number}"
    filled = fill(template, VALUES)
    assert "{" not in filled
    assert "Dana" in filled


FILLER = re.compile(
    r"touch(ing)? base|checking in|just following up|any update|circling back|"
    r"just wanted to follow up|made a decision",
    re.IGNORECASE,
)


def test_no_built_in_message_is_an_empty_check_in() -> None:
    for key, number, step in BUILT_IN_STEPS:
        assert not FILLER.search(step.template), f"{key} step {number}"


def test_every_written_built_in_message_asks_the_rep_for_something_new() -> None:
    written = {Channel.EMAIL, Channel.LINKEDIN, Channel.TEXT}
    for key, number, step in BUILT_IN_STEPS:
        if step.channel in written:
            assert re.search(r"\[[^\]]+\]", step.template), f"{key} step {number}"


def test_built_in_messages_are_short() -> None:
    for key, number, step in BUILT_IN_STEPS:
        words = len(step.template.split())
        limit = 40 if step.channel in {Channel.CALL, Channel.VOICEMAIL} else 90
        assert words <= limit, f"{key} step {number}: {words} words"
