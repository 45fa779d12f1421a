"""Touches (every call, message or visit, out or in) and the outcome of a booked meeting.

Every outbound touch should carry something new for the prospect (seed 004). A note that
only says the rep is checking in gets a gentle warning, which the rep may override.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum


class Direction(StrEnum):
    OUT = "out"
    IN = "in"


class Outcome(StrEnum):
    HELD = "held"
    NO_SHOW = "no-show"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


# A meeting that did not take place leaves the prospect without a next step.
NOT_HELD = frozenset({Outcome.NO_SHOW, Outcome.CANCELLED, Outcome.RESCHEDULED})


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9']+", plain))


def says_nothing_new(note: str, empty_phrases: Iterable[str]) -> str | None:
    """The empty phrase the note amounts to, or None when it carries something.

    A note says nothing when, once the empty phrases and small talk are taken out, fewer
    than three words are left ("Just touching base, any update?" -> nothing left).
    """
    text = _words(note)
    if not text:
        return "(an empty note)"
    found: str | None = None
    for phrase in sorted((_words(p) for p in empty_phrases), key=len, reverse=True):
        if phrase and re.search(rf"\b{re.escape(phrase)}\b", text):
            found = found or phrase
            text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    if found is None:
        return None
    filler = {
        "hi",
        "hello",
        "hey",
        "just",
        "a",
        "the",
        "to",
        "and",
        "on",
        "in",
        "with",
        "you",
        "your",
        "i",
        "i'm",
        "im",
        "we",
        "our",
        "thanks",
        "thank",
        "regards",
        "best",
        "so",
        "quick",
        "wanted",
        "want",
        "any",
        "is",
        "it",
        "for",
        "of",
        "be",
        "there",
    }
    filler |= {"hope", "well", "you're", "youre", "all", "doing", "are"}
    left = [w for w in text.split() if w not in filler]
    return found if len(left) < 3 else None
