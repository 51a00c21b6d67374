"""Human, translatable names for the triage identifiers (``nettpatrulje.triage.constants``).

The identifiers stay the stored and exchanged values; these are only for display.
An identifier without a label here is shown as is (see ``label``).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nettpatrulje.triage.constants import (
    CATEGORIES,
    FLAGS,
    LANGUAGES,
    UNDETERMINED,
    URGENCIES,
)

CATEGORY_LABELS: dict[str, Promise] = {
    "sexual_exploitation": _("Sexual exploitation"),
    "threat_violence": _("Threats/violence"),
    "self_harm": _("Self-harm/suicide risk"),
    "fraud": _("Fraud"),
    "harassment_hate": _("Harassment/hate"),
    "drugs": _("Drugs"),
    "crime_tip": _("Crime tip"),
    "question": _("Question"),
    "report_request": _("Wants to report"),
    "other": _("Other"),
}

URGENCY_LABELS: dict[str, Promise] = {
    "emergency": _("Emergency"),
    "high": _("High"),
    "normal": _("Normal"),
    "low": _("Low"),
}

FLAG_LABELS: dict[str, Promise] = {
    "minor": _("Minor"),
    "sextortion": _("Sextortion"),
    "grooming": _("Grooming"),
    "suicide_risk": _("Suicide risk"),
    "weapon": _("Weapon"),
    "imminent": _("Imminent"),
    "personal_data": _("Personal data"),
    "cross_border": _("Another country"),
}

LANGUAGE_LABELS: dict[str, Promise] = {
    "nb": _("Norwegian Bokmål"),
    "nn": _("Norwegian Nynorsk"),
    "fi": _("Finnish"),
    "nl": _("Dutch"),
    "fr": _("French"),
    "is": _("Icelandic"),
    "en": _("English"),
    "sv": _("Swedish"),
    "da": _("Danish"),
    "de": _("German"),
    UNDETERMINED: _("Undetermined"),
}

RISK_LEVEL_LABELS: dict[str, Promise] = {
    "low": _("Low"),
    "medium": _("Medium"),
    "high": _("High"),
}

RISK_SIGNAL_LABELS: dict[str, Promise] = {
    "asks_age": _("Asks for age"),
    "secrecy": _("Asks for secrecy"),
    "move_platform": _("Moves to another app"),
    "requests_pictures": _("Asks for pictures"),
    "gifts": _("Offers gifts or game currency"),
    "meeting": _("Wants to meet"),
    "threat_share": _("Threatens to share images"),
    "flattery": _("Flattery"),
}

# Every identifier of the contract has a label (checked at import, so a new one is not missed).
assert set(CATEGORY_LABELS) == set(CATEGORIES), "CATEGORY_LABELS out of date"
assert set(URGENCY_LABELS) == set(URGENCIES), "URGENCY_LABELS out of date"
assert set(FLAG_LABELS) == set(FLAGS), "FLAG_LABELS out of date"
assert set(LANGUAGE_LABELS) == {*LANGUAGES, UNDETERMINED}, "LANGUAGE_LABELS out of date"


def label(labels: dict[str, Promise], value) -> str:
    """The label of ``value``, or ``value`` itself if it has none ("" for empty)."""
    if value in (None, ""):
        return ""
    return str(labels.get(value, value))
