"""`followup-desk FILE.ics` or a webcal link (what the desktop's "open with" passes) opens
the window with it; anything else is a command for the command line."""

from __future__ import annotations

import pytest

from followup_desk.__main__ import _opened_with_the_app


@pytest.mark.parametrize(
    "arg", ["/home/rep/team.ics", "REPLY.ICS", "webcal://example.com/cal", "webcals://x/y"]
)
def test_files_and_calendar_links_go_to_the_window(arg: str) -> None:
    assert _opened_with_the_app(arg)


@pytest.mark.parametrize("arg", ["slots", "book", "--help", "review", "ics"])
def test_commands_go_to_the_command_line(arg: str) -> None:
    assert not _opened_with_the_app(arg)
