"""Bridge between the pure-Python triage engine and stored messages."""

from __future__ import annotations

import uuid

from django.utils import timezone

from nettpatrulje.inbox.models import Message
from nettpatrulje.lib.compiled import CompiledRead


def triage_text(text: str, attachments: list[dict], *, country: str | None):
    """The engine's result for a message's text (or its attachments' titles)."""
    from nettpatrulje.triage import get_engine

    text = text or " ".join(a.get("title", "") for a in attachments)
    return get_engine().triage(text, agency_country=country)


def triage_message(message: Message, *, country: str | None, result=None) -> None:
    """Set the triage fields; `result`: computed earlier by `triage_text`."""
    if result is None:
        result = triage_text(message.text, message.attachments, country=country)
    message.language = result.language
    message.category = result.category
    message.urgency = result.urgency
    message.flags = list(result.flags)
    message.pii = [{"type": p.type, "start": p.start, "end": p.end} for p in result.pii]
    message.redacted_text = result.redacted_text
    message.triage_explanation = result.explanation
    message.triaged_at = timezone.now()


RISK_WINDOW = 200  # messages; grooming unfolds over days, not over a whole history

# Read for every message of a conversation with a risk: compiled once (lib/compiled.py).
_recent_messages = CompiledRead(
    lambda conversation_id: (
        Message.objects.filter(conversation_id=conversation_id, deleted_at__isnull=True)
        .order_by("-sent_at")
        .values("pk", "text", "sent_at", "direction")[:RISK_WINDOW]
    ),
    uuid.UUID,
)


def conversation_risk_update(conversation, message: Message | None = None) -> None:
    """Re-assess the conversation's grooming/sextortion risk from its recent messages.
    A high risk lifts the conversation to at least high priority.

    Most messages carry no risk signal; when the new one has none and the
    conversation had no risk before, nothing can change and the history is not read."""
    from nettpatrulje.triage import RiskMessage, get_engine

    if message is not None and not conversation.risk_level:
        alone = get_engine().conversation_risk(
            [RiskMessage(id=str(message.pk), text=message.text, sent_at=message.sent_at)]
        )
        if not alone.signals:
            return

    recent = _recent_messages(conversation.pk)
    risk = get_engine().conversation_risk(
        [
            RiskMessage(
                id=str(m["pk"]),
                text=m["text"],
                sent_at=m["sent_at"],
                from_contact=m["direction"] == "in",
            )
            for m in reversed(recent)
        ]
    )
    conversation.risk_score = risk.score
    conversation.risk_level = risk.level if risk.level != "none" else ""
    conversation.risk_signals = risk.to_dict()["signals"]
    if risk.level == "high":
        conversation.priority = min(conversation.priority, 1)
