"""The quick-add line: one text input for an interaction, typed while patrolling.

    @handle 13-15 #sextortion #bullying !high note text

- ``@name``   the player's handle (a pseudonym; the first one counts)
- age band   ``<13``, ``13-15``, ``16-17``, ``18+`` (a bare age such as ``14`` is
             put in its band when it comes before the note)
- ``#topic``  any number of topics; short forms: #bully, #sext, #groom, #scam,
             #gaming, #selfharm
- ``!level``  concern: ``!low``, ``!med``/``!medium``, ``!high``; ``!`` = medium,
             ``!!`` = high
- anything else is the note, in the order typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AGE_BANDS = ("<13", "13-15", "16-17", "18+")
CONCERNS = ("none", "low", "medium", "high")
TOPIC_ALIASES = {
    "bully": "bullying",
    "mobbing": "bullying",
    "sext": "sextortion",
    "groom": "grooming",
    "scam": "fraud",
    "gaming": "gaming-culture",
    "culture": "gaming-culture",
    "selfharm": "self-harm",
}
CONCERN_ALIASES = {
    "!": "medium",
    "!!": "high",
    "!!!": "high",
    "!none": "none",
    "!low": "low",
    "!med": "medium",
    "!medium": "medium",
    "!high": "high",
}
_HANDLE = re.compile(r"^@([\w.\-]{1,80})$")
_TOPIC = re.compile(r"^#([\w\-]{1,40})$")
_AGE_ALIASES = {"u13": "<13", "13–15": "13-15", "16–17": "16-17", "adult": "18+"}


@dataclass(frozen=True)
class QuickLine:
    handle: str = ""
    age_band: str = ""
    topics: tuple[str, ...] = field(default_factory=tuple)
    concern: str = "none"
    note: str = ""


def _band_for_age(age: int) -> str:
    if age < 13:
        return "<13"
    if age <= 15:
        return "13-15"
    if age <= 17:
        return "16-17"
    return "18+"


def parse(line: str) -> QuickLine:
    handle, band, concern = "", "", "none"
    topics: list[str] = []
    note: list[str] = []
    for token in line.split():
        low = token.lower()
        if not handle and (m := _HANDLE.match(token)):
            handle = m.group(1)
        elif m := _TOPIC.match(token):
            tag = m.group(1).lower()
            tag = TOPIC_ALIASES.get(tag, tag)
            if tag not in topics:
                topics.append(tag)
        elif low in CONCERN_ALIASES:
            concern = CONCERN_ALIASES[low]
        elif not band and (low in AGE_BANDS or low in _AGE_ALIASES):
            band = _AGE_ALIASES.get(low, low)
        elif not band and not note and low.isascii() and low.isdigit() and 5 <= int(low) <= 25:
            band = _band_for_age(int(low))
        else:
            note.append(token)
    return QuickLine(handle, band, tuple(topics), concern, " ".join(note))


def format_line(q: QuickLine) -> str:
    """The shortest line that parses back to `q` (used to show and re-edit a line)."""
    parts = []
    if q.handle:
        parts.append(f"@{q.handle}")
    if q.age_band:
        parts.append(q.age_band)
    parts.extend(f"#{t}" for t in q.topics)
    if q.concern != "none":
        parts.append(f"!{q.concern}")
    if q.note:
        parts.append(q.note)
    return " ".join(parts)
