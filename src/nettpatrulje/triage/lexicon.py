"""Compiled multilingual lexicons (data files under ``data/lexicon``).

Each language file lists regular expressions per category and per cue group. A
message is matched against its own language's file, the files it declares in
``also`` (e.g. Nynorsk borrows Bokmål), English (code-switching is the norm in
chats) and ``common.json`` (emoji, slang). Patterns match at the start of a word
and are open at the end, so stems cover inflected forms ("uhkai" -> "uhkailee").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ._data import load_json
from .constants import CATEGORIES, LANGUAGES

CUE_GROUPS = (
    "emergency",
    "high",
    "low",
    "imminent",
    "minor_cues",
    "adult",
    "sextortion_threat",
    "sextortion_demand",
    "grooming",
    "suicide",
    "suicide_negation",
    "weapon",
    "figurative",
    "real_world",
    "cross_border_exclude",
)
COMMON_GROUPS = (
    "figurative",
    "gaming",
    "platforms_move",
    "game_currency",
    "drugs_emoji",
    "address",
)


def _anchored(pattern: str) -> bool:
    """Patterns starting with a letter, a digit or a group match at a word start only."""
    return pattern[:1].isalnum() or pattern.startswith(("(?:", "\\d"))


def _anchor(pattern: str) -> str:
    return r"(?<!\w)" + pattern if _anchored(pattern) else pattern


def _compile(patterns: list[str], flags: int = 0) -> re.Pattern[str] | None:
    """One regex for a pattern list; texts are lower-cased first, so no IGNORECASE
    (which slows matching noticeably) except where a pattern needs case."""
    unique = list(dict.fromkeys(patterns))
    if not unique:
        return None
    # One word-start check in front of the whole alternation is much faster than a
    # look-behind in every alternative (the engine then only tries word starts).
    anchored = "|".join(f"(?:{p})" for p in unique if _anchored(p))
    free = "|".join(f"(?:{p})" for p in unique if not _anchored(p))
    parts = ([rf"(?<!\w)(?:{anchored})"] if anchored else []) + ([free] if free else [])
    return re.compile("|".join(parts), flags | re.MULTILINE)


@dataclass(frozen=True)
class Lexicon:
    """Compiled patterns for one message language (with its fallbacks)."""

    categories: dict[str, re.Pattern[str] | None]
    cues: dict[str, re.Pattern[str] | None]
    age: tuple[re.Pattern[str], ...]

    def find(self, group: str, text: str) -> list[str]:
        pattern = self.cues.get(group)
        return [m.group(0) for m in pattern.finditer(text)] if pattern else []

    def find_category(self, category: str, text: str) -> list[str]:
        pattern = self.categories.get(category)
        return [m.group(0) for m in pattern.finditer(text)] if pattern else []


def _sources(language: str) -> list[dict]:
    codes = [language] if language in LANGUAGES else []
    own = load_json("lexicon", f"{language}.json") if codes else {}
    codes.extend(own.get("also", []))
    if "en" not in codes:
        codes.append("en")
    return [load_json("lexicon", f"{code}.json") for code in dict.fromkeys(codes)]


@cache
def lexicon_for(language: str) -> Lexicon:
    """The compiled lexicon for a message language (``und`` falls back to English)."""
    sources = _sources(language)
    common = load_json("lexicon", "common.json")
    categories = {
        cat: _compile([p for src in sources for p in src.get("category", {}).get(cat, [])])
        for cat in CATEGORIES
    }
    cues: dict[str, re.Pattern[str] | None] = {}
    for group in CUE_GROUPS:
        patterns = [p for src in sources for p in src.get(group, [])]
        patterns += common.get(group, []) if group in COMMON_GROUPS else []
        cues[group] = _compile(patterns)
    for group in COMMON_GROUPS:
        if group not in cues:
            # Street addresses are recognised by their capitalised street names.
            flags = 0 if group != "address" else re.IGNORECASE
            cues[group] = _compile(common.get(group, []), flags)
    age = tuple(
        re.compile(_anchor(p), re.IGNORECASE) for src in sources for p in src.get("age", [])
    )
    return Lexicon(categories, cues, age)


def warm_up() -> None:
    """Compile every language's lexicon (done at engine load, not on first message)."""
    for code in (*LANGUAGES, "und"):
        lexicon_for(code)
