"""Message templates of cadence steps: ``{placeholder}`` filling, ``{{`` and ``}}`` escapes.

A template is the rep's own text with a few named gaps the app can fill. Only the names in
:data:`PLACEHOLDERS` exist; anything else between braces is a mistake worth naming, so that
a rep who typed ``{frist_name}`` hears about it while editing, not from the prospect.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

PLACEHOLDERS = ("prospect", "first_name", "meeting", "follow_up", "rep", "reply_by")

PLACEHOLDER_HELP = ", ".join("{" + name + "}" for name in PLACEHOLDERS)


class TemplateError(ValueError):
    """A template cannot be filled: an unknown placeholder or a lone brace (named)."""


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Gap:
    name: str  # as written between the braces, spaces stripped


@dataclass(frozen=True)
class _LoneBrace:
    brace: str
    position: int  # 1-based character position, for the message


def _pieces(template: str) -> Iterator[_Text | _Gap | _LoneBrace]:
    i, n = 0, len(template)
    literal: list[str] = []
    while i < n:
        char = template[i]
        if char in "{}" and template.startswith(char * 2, i):
            literal.append(char)
            i += 2
        elif char == "{":
            end = template.find("}", i + 1)
            inner = template[i + 1 : end] if end != -1 else ""
            if end == -1 or "{" in inner:
                literal_text = "".join(literal)
                literal.clear()
                if literal_text:
                    yield _Text(literal_text)
                yield _LoneBrace("{", i + 1)
                i += 1
                continue
            if literal:
                yield _Text("".join(literal))
                literal.clear()
            yield _Gap(inner.strip())
            i = end + 1
        elif char == "}":
            if literal:
                yield _Text("".join(literal))
                literal.clear()
            yield _LoneBrace("}", i + 1)
            i += 1
        else:
            literal.append(char)
            i += 1
    if literal:
        yield _Text("".join(literal))


def unknown_placeholders(template: str) -> list[str]:
    """Names between braces that are not placeholders, each once, in order of appearance."""
    found: list[str] = []
    for piece in _pieces(template):
        if isinstance(piece, _Gap) and piece.name not in PLACEHOLDERS and piece.name not in found:
            found.append(piece.name)
    return found


def used_placeholders(template: str) -> list[str]:
    """Known placeholders the template uses, each once, in order of appearance."""
    found: list[str] = []
    for piece in _pieces(template):
        if isinstance(piece, _Gap) and piece.name in PLACEHOLDERS and piece.name not in found:
            found.append(piece.name)
    return found


def template_problems(template: str) -> list[str]:
    """Sentences saying what would stop :func:`fill`; empty when the template is usable."""
    problems: list[str] = []
    for name in unknown_placeholders(template):
        shown = "{" + name + "}"
        problems.append(f"{shown} is not something the app can fill in; use {PLACEHOLDER_HELP}.")
    for piece in _pieces(template):
        if isinstance(piece, _LoneBrace):
            problems.append(
                f"The {piece.brace} at character {piece.position} has no partner; "
                f"write {piece.brace * 2} for a brace in the text."
            )
            break
    return problems


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value.

    A known placeholder without a value stays as written (``{meeting}``), so the rep sees
    what to complete before sending. An unknown placeholder or a lone brace raises
    :class:`TemplateError` naming it.
    """
    problems = template_problems(template)
    if problems:
        raise TemplateError(problems[0])
    out: list[str] = []
    for piece in _pieces(template):
        if isinstance(piece, _Text):
            out.append(piece.text)
        elif isinstance(piece, _Gap):
            value = values.get(piece.name)
            out.append("{" + piece.name + "}" if value is None else value)
    return "".join(out)
