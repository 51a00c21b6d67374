"""Transparent rule signals extracted from a message with the lexicons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .constants import CATEGORIES
from .lexicon import Lexicon

ADULT_AGE = 18


@dataclass(frozen=True)
class RuleSignals:
    """What the lexicons found in one message; every list holds the matched words."""

    category_hits: dict[str, list[str]]
    emergency: list[str]
    high: list[str]
    low: list[str]
    imminent: list[str]
    minor: list[str]
    adult: list[str]
    sextortion: list[str]
    grooming: list[str]
    suicide: list[str]
    weapon: list[str]
    figurative: list[str]
    real_world: list[str]
    gaming: list[str]
    extra: dict[str, list[str]] = field(default_factory=dict)

    @property
    def figurative_only(self) -> bool:
        """Irony or game talk with nothing pointing at the real world."""
        return bool(self.figurative) and not self.real_world


def _ages(lexicon: Lexicon, text: str) -> list[int]:
    ages: list[int] = []
    for pattern in lexicon.age:
        for match in pattern.finditer(text):
            try:
                ages.append(int(match.group("age")))
            except (IndexError, ValueError):
                continue
    return ages


def _minor_cues(lexicon: Lexicon, text: str) -> list[str]:
    ages = _ages(lexicon, text)
    cues = [f"age {a}" for a in ages if 3 <= a < ADULT_AGE]
    if ages and not cues and all(a >= ADULT_AGE for a in ages):
        # Only adults are mentioned by age; school words alone then do not make a minor.
        return []
    return cues + lexicon.find("minor_cues", text)


def _sextortion(lexicon: Lexicon, text: str) -> list[str]:
    sexual = lexicon.find_category("sexual_exploitation", text)
    # Intimate images named by a category cue ("nakenbildene") count as the threat too.
    threat = lexicon.find("sextortion_threat", text) + sexual
    demand = lexicon.find("sextortion_demand", text)
    explicit = [w for w in sexual if "sextor" in w]
    if explicit:
        return explicit
    if threat and demand:
        return [threat[0], demand[0]]
    return []


def extract(lexicon: Lexicon, text: str) -> RuleSignals:
    """Run every lexicon group over ``text``."""
    lowered = text.lower()
    suicide = lexicon.find("suicide", lowered)
    if suicide and lexicon.find("suicide_negation", lowered):
        suicide = []
    return RuleSignals(
        category_hits={cat: lexicon.find_category(cat, lowered) for cat in CATEGORIES},
        emergency=lexicon.find("emergency", lowered),
        high=lexicon.find("high", lowered),
        low=lexicon.find("low", lowered),
        imminent=lexicon.find("imminent", lowered),
        minor=_minor_cues(lexicon, lowered),
        adult=lexicon.find("adult", lowered),
        sextortion=_sextortion(lexicon, lowered),
        grooming=lexicon.find("grooming", lowered),
        suicide=suicide,
        weapon=lexicon.find("weapon", lowered),
        figurative=lexicon.find("figurative", lowered),
        real_world=lexicon.find("real_world", lowered) + lexicon.find("address", text),
        gaming=lexicon.find("gaming", lowered),
        extra={
            "platforms_move": lexicon.find("platforms_move", lowered),
            "game_currency": lexicon.find("game_currency", lowered),
            "drugs_emoji": lexicon.find("drugs_emoji", text),
        },
    )


_WS = re.compile(r"\s+")


def excerpt(text: str, limit: int = 80) -> str:
    """A one-line excerpt for explanations and risk signals."""
    flat = _WS.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
