"""Template filters naming triage identifiers: ``{% load triage_labels %}``.

``{{ m.category|category_label }}`` shows "Threats/violence" (translated) for
``threat_violence``; unknown identifiers are shown as they are.
"""

from __future__ import annotations

from django import template

from nettpatrulje.triage.labels import (
    CATEGORY_LABELS,
    FLAG_LABELS,
    LANGUAGE_LABELS,
    RISK_LEVEL_LABELS,
    RISK_SIGNAL_LABELS,
    URGENCY_LABELS,
    label,
)

register = template.Library()


@register.filter
def category_label(value) -> str:
    return label(CATEGORY_LABELS, value)


@register.filter
def urgency_label(value) -> str:
    return label(URGENCY_LABELS, value)


@register.filter
def flag_label(value) -> str:
    return label(FLAG_LABELS, value)


@register.filter
def language_label(value) -> str:
    return label(LANGUAGE_LABELS, value)


@register.filter
def risk_label(value) -> str:
    return label(RISK_LEVEL_LABELS, value)


@register.filter
def risk_signal_label(value) -> str:
    return label(RISK_SIGNAL_LABELS, value)
