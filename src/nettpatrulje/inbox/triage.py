"""Bridge between the pure-Python triage engine and stored messages."""

from __future__ import annotations

from django.utils import timezone

from nettpatrulje.inbox.models import Message


def triage_message(message: Message, *, country: str | None) -> None:
    from nettpatrulje.triage import get_engine

    text = message.text or " ".join(a.get("title", "") for a in message.attachments)
    result = get_engine().triage(text, agency_country=country)
    message.language = result.language
    message.category = result.category
    message.urgency = result.urgency
    message.flags = list(result.flags)
    message.pii = [{"type": p.type, "start": p.start, "end": p.end} for p in result.pii]
    message.redacted_text = result.redacted_text
    message.triage_explanation = result.explanation
    message.triaged_at = timezone.now()
