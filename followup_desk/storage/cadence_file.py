"""Cadences as TOML: the built-ins in ``resources/cadences.toml``, exports and imports.

The file format is the one ``resources/cadences.toml`` documents in its header. Reading
checks every value and names where it went wrong: the line for broken TOML, the cadence and
step for a value the app cannot use. Writing produces text that reads back identically.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from typing import Any

from followup_desk.domain.cadences import Anchor, Cadence, CadenceStep, Channel
from followup_desk.errors import CadenceFileError
from followup_desk.resources_access import read_text

BUILTIN_FILE = "cadences.toml"

_CADENCE_KEYS = ("key", "name", "description", "step")
_STEP_KEYS = ("channel", "days", "from", "message", "closes_after_days")
_TOML_POSITION = re.compile(r"(.*) \(at line (\d+), column (\d+)\)", re.DOTALL)
_CHANNELS = ", ".join(channel.value for channel in Channel)


def builtin_cadences() -> list[Cadence]:
    """The cadences the app ships (ten-week, short-email, contact-basics)."""
    return parse_cadences(read_text(BUILTIN_FILE), BUILTIN_FILE)


def parse_cadences(text: str, where: str) -> list[Cadence]:
    """Every cadence in a TOML text; ``where`` (a file name) starts each error message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.fullmatch(str(exc))
        if found:  # "Illegal character '\\n' (at line 8, column 27)" -> "<where>, line 8, ..."
            message, line, column = found.groups()
            raise CadenceFileError(
                f"{where}, line {line}, column {column}: {message}; the file is not valid TOML."
            ) from exc
        raise CadenceFileError(f"{where} is not valid TOML: {exc}.") from exc
    extra = sorted(set(data) - {"cadence"})
    if extra:
        raise CadenceFileError(
            f"{where}: {extra[0]!r} is not part of a cadence file; "
            "each cadence starts with a [[cadence]] line."
        )
    tables = data.get("cadence", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise CadenceFileError(f"{where}: each cadence must start with a [[cadence]] line.")
    cadences: list[Cadence] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        cadence = _cadence(table, where, number)
        if cadence.key in seen:
            raise CadenceFileError(
                f"{where}: the short name {cadence.key!r} is used by two cadences; "
                "give each its own."
            )
        seen.add(cadence.key)
        cadences.append(cadence)
    return cadences


def _cadence(table: dict[str, Any], file: str, number: int) -> Cadence:
    key = table.get("key")
    named = isinstance(key, str) and key.strip()
    where = f"{file}: cadence {key!r}" if named else f"{file}: cadence {number}"
    _no_unknown_keys(table, _CADENCE_KEYS, where)
    key = _text(table, "key", where, required=True)
    name = _text(table, "name", where, required=True)
    description = _text(table, "description", where)
    raw_steps = table.get("step", [])
    if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
        raise CadenceFileError(f"{where}: each step must start with a [[cadence.step]] line.")
    steps = tuple(
        _step(raw, f"{where}, step {number}") for number, raw in enumerate(raw_steps, start=1)
    )
    cadence = Cadence(key=key, name=name, steps=steps, description=description)
    problems = cadence.problems()
    if problems:
        first = problems[0]
        if first.startswith("Step "):
            # "Step 3: the offset ..." -> "<file>: cadence 'x', step 3: the offset ..."
            first = "s" + first[1:]
            raise CadenceFileError(f"{where}, {first}")
        raise CadenceFileError(f"{where}: {first}")
    return cadence


def _step(raw: dict[str, Any], where: str) -> CadenceStep:
    _no_unknown_keys(raw, _STEP_KEYS, where)
    channel_text = _text(raw, "channel", where, required=True)
    try:
        channel = Channel(channel_text.lower())
    except ValueError:
        raise CadenceFileError(
            f"{where}: the channel {channel_text!r} is not one the app knows; "
            f"use one of {_CHANNELS}."
        ) from None
    days = _whole_number(raw, "days", where)
    if days is None:
        raise CadenceFileError(f"{where}: days is missing; write days = 0 for the same day.")
    anchor_text = _text(raw, "from", where) or Anchor.START.value
    try:
        anchor = Anchor(anchor_text.lower())
    except ValueError:
        raise CadenceFileError(
            f'{where}: from = {anchor_text!r} must be "start" or "previous".'
        ) from None
    return CadenceStep(
        channel=channel,
        days=days,
        anchor=anchor,
        template=_text(raw, "message", where),
        closes_after_days=_whole_number(raw, "closes_after_days", where),
    )


def _no_unknown_keys(table: dict[str, Any], allowed: Sequence[str], where: str) -> None:
    for name in table:
        if name not in allowed:
            raise CadenceFileError(
                f"{where}: {name!r} is not a setting here; use {', '.join(allowed)}."
            )


def _text(table: dict[str, Any], name: str, where: str, *, required: bool = False) -> str:
    value = table.get(name, "")
    if not isinstance(value, str):
        raise CadenceFileError(f"{where}: {name} must be text in quotes (got {value!r}).")
    if required and not value.strip():
        raise CadenceFileError(f"{where}: {name} is missing.")
    return value


def _whole_number(table: dict[str, Any], name: str, where: str) -> int | None:
    value = table.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CadenceFileError(f"{where}: {name} must be a whole number of days (got {value!r}).")
    return value


def dump_cadences(cadences: Sequence[Cadence]) -> str:
    """TOML text that :func:`parse_cadences` reads back as the same cadences."""
    lines = ["# Followup Desk cadences; the app can import this file.", ""]
    for cadence in cadences:
        lines += [
            "[[cadence]]",
            f"key = {_string(cadence.key)}",
            f"name = {_string(cadence.name)}",
            f"description = {_string(cadence.description)}",
            "",
        ]
        for step in cadence.steps:
            lines += [
                "[[cadence.step]]",
                f"channel = {_string(step.channel.value)}",
                f"days = {step.days}",
                f"from = {_string(step.anchor.value)}",
            ]
            if step.closes_after_days is not None:
                lines.append(f"closes_after_days = {step.closes_after_days}")
            lines += [f"message = {_string(step.template)}", ""]
    return "\n".join(lines)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _string(value: str) -> str:
    """A TOML basic string; text with line breaks becomes a multi-line one, kept readable."""
    multiline = "\n" in value
    out: list[str] = []
    for char in value:
        if char == "\n" and multiline:
            out.append(char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    body = "".join(out)
    # the line break after the opening quotes is not part of the text
    return f'"""\n{body}"""' if multiline else f'"{body}"'
