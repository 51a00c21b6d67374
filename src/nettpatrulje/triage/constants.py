"""Stable identifiers of the triage contract (``spec/triage-taxonomy.md``)."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final[tuple[str, ...]] = ("nb", "nn", "fi", "nl", "fr", "is", "en", "sv", "da", "de")
UNDETERMINED: Final[str] = "und"

CATEGORIES: Final[tuple[str, ...]] = (
    "sexual_exploitation",
    "threat_violence",
    "self_harm",
    "fraud",
    "harassment_hate",
    "drugs",
    "crime_tip",
    "question",
    "report_request",
    "other",
)
# Categories that must never be downgraded to other/question (contract: "next worst").
SEVERE_CATEGORIES: Final[frozenset[str]] = frozenset(
    {"sexual_exploitation", "threat_violence", "self_harm"}
)

URGENCIES: Final[tuple[str, ...]] = ("emergency", "high", "normal", "low")
URGENCY_RANK: Final[dict[str, int]] = {"low": 0, "normal": 1, "high": 2, "emergency": 3}

FLAGS: Final[tuple[str, ...]] = (
    "minor",
    "sextortion",
    "grooming",
    "suicide_risk",
    "weapon",
    "imminent",
    "personal_data",
    "cross_border",
)

# Countries of the partner agencies. When a message arrives without an agency the
# receiving country is inferred from the language (see ``home_country``).
PARTNER_COUNTRIES: Final[frozenset[str]] = frozenset({"NO", "FI", "NL", "BE", "IS"})

LANGUAGE_HOME_COUNTRY: Final[dict[str, str]] = {
    "nb": "NO",
    "nn": "NO",
    "fi": "FI",
    "is": "IS",
    "nl": "NL",
    "fr": "BE",
    # Swedish, Danish and German writers reach the Norwegian patrol (Kripos leads
    # the action weeks), so their home agency defaults to Norway.
    "sv": "NO",
    "da": "NO",
    "de": "NO",
}

# Region used to parse national-format phone numbers when no agency is known.
LANGUAGE_PHONE_REGION: Final[dict[str, str]] = {
    "nb": "NO",
    "nn": "NO",
    "fi": "FI",
    "is": "IS",
    "nl": "NL",
    "fr": "BE",
    "sv": "SE",
    "da": "DK",
    "de": "DE",
    "en": "NO",
}
DEFAULT_COUNTRY: Final[str] = "NO"
