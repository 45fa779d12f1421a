"""Cadence files: the built-ins load, exports read back identically, bad files say where."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup_desk.domain.cadences import Anchor, Cadence, CadenceStep, Channel
from followup_desk.errors import CadenceFileError, UserError
from followup_desk.storage.cadence_file import builtin_cadences, dump_cadences, parse_cadences


def one_cadence(steps: str, key: str = "mine") -> str:
    return textwrap.dedent(
        f"""\
        [[cadence]]
        key = "{key}"
        name = "My cadence"
        """
    ) + textwrap.dedent(steps)


def test_the_three_built_in_cadences_load() -> None:
    assert [c.key for c in builtin_cadences()] == ["ten-week", "short-email", "contact-basics"]


def test_built_ins_read_back_identically_after_an_export() -> None:
    cadences = builtin_cadences()
    text = dump_cadences(cadences)
    assert parse_cadences(text, "export.toml") == cadences
    assert dump_cadences(parse_cadences(text, "export.toml")) == text


messages = st.text(max_size=200).filter(lambda t: "{" not in t and "}" not in t) | st.sampled_from(
    ["Hi {first_name},\n\n{{braces}}\n{rep}", 'Say "hi"\\', "\r\n\t\x7f\x00"]
)


@given(
    st.lists(
        st.builds(
            CadenceStep,
            channel=st.sampled_from(Channel),
            days=st.integers(0, 366),
            anchor=st.sampled_from(Anchor),
            template=messages,
        ),
        min_size=1,
        max_size=5,
    ),
    st.text(min_size=1).filter(str.strip),
    st.text(),
    st.none() | st.integers(0, 30),
)
def test_any_valid_cadence_reads_back_identically(
    steps: list[CadenceStep], name: str, description: str, closes_after: int | None
) -> None:
    last = steps[-1]
    steps[-1] = CadenceStep(last.channel, last.days, last.anchor, last.template, closes_after)
    cadence = Cadence("my-own-2", name, tuple(steps), description)
    assert parse_cadences(dump_cadences([cadence]), "x.toml") == [cadence]


def test_a_malformed_file_names_its_line() -> None:
    text = one_cadence(
        """
        [[cadence.step]]
        channel = "email"
        days = 2
        message = "Hi {first_name}
        """
    )
    with pytest.raises(CadenceFileError, match=r"^mine\.toml, line 8, column 27: ") as caught:
        parse_cadences(text, "mine.toml")
    assert isinstance(caught.value, UserError)


def test_a_negative_offset_names_the_cadence_and_the_step() -> None:
    text = one_cadence(
        """
        [[cadence.step]]
        channel = "email"
        days = 0

        [[cadence.step]]
        channel = "call"
        days = -3
        """
    )
    with pytest.raises(
        CadenceFileError, match=r"^mine\.toml: cadence 'mine', step 2: the offset cannot be"
    ):
        parse_cadences(text, "mine.toml")


def test_a_cadence_without_steps_is_refused_by_name() -> None:
    with pytest.raises(CadenceFileError, match=r"cadence 'mine': The cadence has no steps"):
        parse_cadences(one_cadence(""), "mine.toml")


def test_an_unknown_channel_names_the_cadence_the_step_and_the_channels_there_are() -> None:
    text = one_cadence(
        """
        [[cadence.step]]
        channel = "fax"
        days = 1
        """
    )
    with pytest.raises(CadenceFileError, match=r"cadence 'mine', step 1: the channel 'fax'.*email"):
        parse_cadences(text, "mine.toml")


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ('channel = "email"\nday = 2', r"step 1: 'day' is not a setting here"),
        ('channel = "email"', r"step 1: days is missing"),
        ('channel = "email"\ndays = 1.5', r"step 1: days must be a whole number"),
        ('channel = "email"\ndays = 1\nfrom = "yesterday"', r'step 1: from = .* "previous"'),
        ('channel = "email"\ndays = 1\nmessage = "Hi {nam}"', r"step 1: \{nam\} is not"),
        ('channel = "email"\ndays = 1\ncloses_after_days = -1', r"step 1: the days before"),
    ],
)
def test_a_bad_step_value_names_the_cadence_and_the_step(step: str, expected: str) -> None:
    text = one_cadence("[[cadence.step]]\n" + step + "\n")
    with pytest.raises(CadenceFileError, match=r"cadence 'mine', " + expected):
        parse_cadences(text, "mine.toml")


def test_two_cadences_with_one_short_name_are_refused() -> None:
    step = '[[cadence.step]]\nchannel = "email"\ndays = 0\n'
    text = one_cadence(step) + "\n" + one_cadence(step)
    with pytest.raises(CadenceFileError, match="used by two cadences"):
        parse_cadences(text, "mine.toml")


def test_a_cadence_without_a_short_name_is_named_by_its_position() -> None:
    text = '[[cadence]]\nname = "Nameless"\n[[cadence.step]]\nchannel = "email"\ndays = 0\n'
    with pytest.raises(CadenceFileError, match=r"cadence 1: key is missing"):
        parse_cadences(text, "mine.toml")


def test_an_empty_file_holds_no_cadences() -> None:
    assert parse_cadences("# nothing yet\n", "mine.toml") == []
