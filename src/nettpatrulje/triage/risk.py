"""Conversation-level grooming/sextortion risk for gaming and social chats.

Each message from the contact is matched against multilingual signal lexicons
(``data/risk.json``). As in user-level aggregation systems (e.g. Roblox
Sentinel), one message rarely means much; repeated and *diverse* signals over
time do. Each occurrence contributes its weight, decayed by its age relative to
the latest message (half-life from the data file); occurrences of one signal type
combine by noisy-OR, and the types combine by noisy-OR boosted by diversity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache

from ._data import load_json
from .rules import excerpt


@dataclass(frozen=True, slots=True)
class RiskMessage:
    id: str
    text: str
    sent_at: datetime
    from_contact: bool = True


@dataclass(frozen=True, slots=True)
class RiskSignal:
    message_id: str
    signal: str
    weight: float
    excerpt: str


@dataclass(frozen=True)
class ConversationRisk:
    score: float
    level: str
    signals: list[RiskSignal] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 3),
            "level": self.level,
            "signals": [
                {
                    "message_id": s.message_id,
                    "signal": s.signal,
                    "weight": round(s.weight, 3),
                    "excerpt": s.excerpt,
                }
                for s in self.signals
            ],
        }


LEVELS = ((0.6, "high"), (0.3, "medium"), (0.0001, "low"))
# Each distinct signal type beyond the first multiplies the combined evidence.
_DIVERSITY_BOOST = 0.15


@cache
def _signal_table() -> tuple[float, dict[str, tuple[float, re.Pattern[str]]], re.Pattern[str]]:
    data = load_json("risk.json")
    table = {
        name: (
            float(spec["weight"]),
            re.compile("|".join(rf"(?:(?<!\w){p})" for p in spec["patterns"]), re.IGNORECASE),
        )
        for name, spec in data["signals"].items()
    }
    # Every pattern of every signal behind one look-behind: it matches exactly when
    # at least one signal's pattern does, so a message it does not match (most of
    # them) is done with one scan instead of one per signal (~10x less CPU).
    anything = re.compile(
        r"(?<!\w)(?:"
        + "|".join(f"(?:{p})" for spec in data["signals"].values() for p in spec["patterns"])
        + ")",
        re.IGNORECASE,
    )
    return float(data["half_life_hours"]), table, anything


def _level(score: float) -> str:
    for threshold, name in LEVELS:
        if score >= threshold:
            return name
    return "none"


# A conversation at risk is assessed again with every new message, over its
# recent window: the same texts, scanned again each time. Their matches are kept
# (about 1 MB at most) so that only the new message is scanned.
@lru_cache(maxsize=8192)
def _matches(text: str) -> tuple[tuple[str, float], ...]:
    """The signals a text shows, with their weights, in the data file's order."""
    _, table, anything = _signal_table()
    if not anything.search(text):
        return ()
    return tuple(
        (name, weight) for name, (weight, pattern) in table.items() if pattern.search(text)
    )


def assess_conversation(messages: Sequence[RiskMessage]) -> ConversationRisk:
    half_life = _signal_table()[0]
    contact = [m for m in messages if m.from_contact and m.text]
    if not contact:
        return ConversationRisk(0.0, "none", [])
    latest = max(m.sent_at for m in contact)
    signals: list[RiskSignal] = []
    per_type: dict[str, float] = {}
    for message in contact:
        found = _matches(message.text)
        if not found:
            continue
        age_h = max(0.0, (latest - message.sent_at).total_seconds() / 3600)
        decay = 0.5 ** (age_h / half_life)
        for name, weight in found:
            w = weight * decay
            signals.append(RiskSignal(message.id, name, w, excerpt(message.text)))
            per_type[name] = 1 - (1 - per_type.get(name, 0.0)) * (1 - w)
    if not per_type:
        return ConversationRisk(0.0, "none", [])
    remaining = math.prod(1 - v for v in per_type.values())
    boost = 1 + _DIVERSITY_BOOST * (len(per_type) - 1)
    score = min(1.0, (1 - remaining) * boost)
    signals.sort(key=lambda s: -s.weight)
    return ConversationRisk(score, _level(score), signals)
