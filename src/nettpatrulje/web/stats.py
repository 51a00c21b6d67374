from __future__ import annotations

from django.db.models import Count

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Conversation, Message, OutboxItem


def _counts(qs, field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by()}


def system_stats() -> dict:
    """Whole-installation counts for operators (not agency-scoped: no content)."""
    events = _counts(WebhookEvent.objects.all(), "status")
    messages = _counts(Message.objects.all(), "direction")
    outbox = _counts(OutboxItem.objects.all(), "state")
    return {
        "events": {
            "received": sum(events.values()),
            "duplicates": events.get(WebhookEvent.Status.DUPLICATE, 0),
            "unrouted": events.get(WebhookEvent.Status.UNROUTED, 0),
            "pending": events.get(WebhookEvent.Status.PENDING, 0),
            "processed": events.get(WebhookEvent.Status.PROCESSED, 0),
            "ignored": events.get(WebhookEvent.Status.IGNORED, 0),
            "failed": events.get(WebhookEvent.Status.FAILED, 0),
        },
        "messages": {
            "inbound": messages.get(Message.Direction.INBOUND, 0),
            "outbound": messages.get(Message.Direction.OUTBOUND, 0),
        },
        "conversations": Conversation.objects.count(),
        "outbox": {state: outbox.get(state, 0) for state in OutboxItem.State.values},
    }
