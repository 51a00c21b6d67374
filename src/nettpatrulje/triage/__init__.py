"""Triage of incoming messages: language, category, urgency, flags, personal data.

Pure Python (no Django). Use :func:`get_engine` for the process-wide engine.
"""

from .constants import CATEGORIES, FLAGS, LANGUAGES, URGENCIES
from .engine import TriageEngine, TriageResult, get_engine
from .pii import PiiHit
from .risk import ConversationRisk, RiskMessage, RiskSignal

__all__ = [
    "CATEGORIES",
    "FLAGS",
    "LANGUAGES",
    "URGENCIES",
    "ConversationRisk",
    "PiiHit",
    "RiskMessage",
    "RiskSignal",
    "TriageEngine",
    "TriageResult",
    "get_engine",
]
