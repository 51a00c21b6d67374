"""Reads for the triage in the product: open alerts and measured quality."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth

from nettpatrulje.inbox.models import Message
from nettpatrulje.triage.constants import CATEGORIES
from nettpatrulje.triage.models import EmergencyAlert


def open_alerts(*, user) -> QuerySet[EmergencyAlert]:
    return (
        EmergencyAlert.objects.visible_to(user)
        .filter(acknowledged_at__isnull=True)
        .select_related("conversation__contact", "message")
    )


@dataclass
class MonthQuality:
    month: object
    messages: int = 0
    corrected: int = 0
    # category -> [true positives, predicted, actual]
    counts: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    emergency: list = field(default_factory=lambda: [0, 0, 0])

    def rows(self) -> list[dict]:
        return [_prf(cat, *self.counts[cat]) for cat in CATEGORIES if any(self.counts[cat])]

    @property
    def emergency_row(self) -> dict:
        return _prf("emergency", *self.emergency)


def _prf(label: str, tp: int, predicted: int, actual: int) -> dict:
    precision = tp / predicted if predicted else None
    recall = tp / actual if actual else None
    return {
        "label": label,
        "tp": tp,
        "predicted": predicted,
        "actual": actual,
        "precision": precision,
        "recall": recall,
    }


def triage_quality(*, user, months: int = 12) -> list[MonthQuality]:
    """Precision and recall of the triage against officers' corrections: a message
    nobody corrected counts as confirmed, a corrected one by its correction."""
    rows = (
        Message.objects.visible_to(user)
        .filter(direction="in", triaged_at__isnull=False)
        .annotate(month=TruncMonth("triaged_at"))
        .values("pk", "month", "category", "urgency")
        .order_by("-month")
    )
    latest = {}
    from nettpatrulje.triage.models import TriageCorrection

    for c in TriageCorrection.objects.visible_to(user).order_by("corrected_at"):
        latest[c.message_id] = c
    result: dict = {}
    for row in rows:
        quality = result.setdefault(row["month"], MonthQuality(month=row["month"]))
        correction = latest.get(row["pk"])
        predicted = correction.predicted if correction else row
        actual = correction.corrected if correction else row
        quality.messages += 1
        quality.corrected += correction is not None
        hit = predicted["category"] == actual["category"]
        quality.counts[predicted["category"]][1] += 1
        quality.counts[actual["category"]][2] += 1
        quality.counts[actual["category"]][0] += hit
        p_em, a_em = predicted["urgency"] == "emergency", actual["urgency"] == "emergency"
        quality.emergency[0] += p_em and a_em
        quality.emergency[1] += p_em
        quality.emergency[2] += a_em
    return sorted(result.values(), key=lambda q: q.month, reverse=True)[:months]
