"""Triage of incoming messages: language, category, urgency, flags, personal data.

Pure Python (no Django). Use :func:`get_engine` for the process-wide engine.

The engine (scikit-learn, lingua) is imported on first use, not with the
package: Django imports this package to load the app's models, and the web
server, which never triages, should not pay seconds of start-up and tens of
megabytes for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .constants import CATEGORIES, FLAGS, LANGUAGES, URGENCIES

if TYPE_CHECKING:
    from .engine import TriageEngine, TriageResult, get_engine
    from .pii import PiiHit
    from .risk import ConversationRisk, RiskMessage, RiskSignal

_LAZY = {
    "TriageEngine": ".engine",
    "TriageResult": ".engine",
    "get_engine": ".engine",
    "PiiHit": ".pii",
    "ConversationRisk": ".risk",
    "RiskMessage": ".risk",
    "RiskSignal": ".risk",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


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
