"""Cross-border detection: places and countries named in a message."""

from __future__ import annotations

import re
from functools import cache

from ._data import load_json
from .constants import PARTNER_COUNTRIES
from .lexicon import Lexicon

_EXCLUDE_WINDOW = 30


@cache
def _country_pattern() -> re.Pattern[str]:
    """Every country's names in one alternation, one named group a country.

    Matched on lower-cased text with one word-start check: IGNORECASE, a look-behind
    per alternative and one regex per country made this the slowest step of the triage.
    """
    data = load_json("places.json")
    groups = [
        f"(?P<{country}>{'|'.join(names)})"
        for country, names in data.items()
        if not country.startswith("_")
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")")


def countries_mentioned(text: str, lexicon: Lexicon) -> dict[str, str]:
    """Countries named (directly or by a city) mapped to the first matching word.

    A country named as someone's origin ("I'm from Poland") is not a location of
    the sender or the incident, so it is skipped.
    """
    found: dict[str, str] = {}
    text = text.lower()
    for match in _country_pattern().finditer(text):
        country = match.lastgroup
        if country is None or country in found:
            continue
        before = text[max(0, match.start() - _EXCLUDE_WINDOW) : match.start()]
        if lexicon.find("cross_border_exclude", before):
            continue
        found[country] = match.group(0)
    return found


def cross_border(mentioned: dict[str, str], home: str | None) -> list[str]:
    """Why the message is cross-border relative to the receiving country, if it is.

    Without a known receiving country (English to a partner patrol), a message is
    cross-border when it names two different countries or any non-partner country.
    """
    if home:
        return [word for country, word in mentioned.items() if country != home.upper()]
    foreign = [w for c, w in mentioned.items() if c not in PARTNER_COUNTRIES]
    if foreign or len(mentioned) >= 2:
        return list(mentioned.values())
    return []
