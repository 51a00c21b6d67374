"""Writes of the triage in the product: alerts, automatic replies, corrections."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from nettpatrulje.accounts.opening_hours import is_open
from nettpatrulje.audit.services import audit_log
from nettpatrulje.inbox.auto_replies import default_text
from nettpatrulje.inbox.models import URGENCY_RANK, CannedResponse, Conversation, Message
from nettpatrulje.triage.constants import CATEGORIES, FLAGS, LANGUAGES, URGENCIES
from nettpatrulje.triage.models import EmergencyAlert, TriageCorrection

# One automatic reply of a kind per conversation in this period: guidance, not spam.
AUTO_REPLY_QUIET = {"emergency": timedelta(hours=6), "out_of_hours": timedelta(hours=12)}


def inbound_triaged(*, conversation: Conversation, message: Message) -> None:
    """Runs in the transaction that stores an inbound message."""
    agency = conversation.agency
    if message.urgency == "emergency":
        EmergencyAlert.objects.get_or_create(
            message=message, defaults={"agency_id": agency.pk, "conversation": conversation}
        )
        _auto_reply(conversation, message, "emergency")
    elif not is_open(agency.opening_hours, agency.timezone, message.sent_at):
        _auto_reply(conversation, message, "out_of_hours")


def _auto_reply(conversation: Conversation, message: Message, purpose: str) -> None:
    from nettpatrulje.inbox.services import ReplyBlocked, conversation_reply

    since = timezone.now() - AUTO_REPLY_QUIET[purpose]
    if conversation.messages.filter(auto_purpose=purpose, created_at__gte=since).exists():
        return
    language = message.language if message.language in LANGUAGES else conversation.agency.language
    own = CannedResponse.objects.filter(
        agency_id=conversation.agency_id, purpose=purpose, language=language
    ).first()
    text = own.text if own else default_text(purpose, language, conversation.agency.country)
    # Outside the platform's window no automatic reply is allowed; the alert still stands.
    with suppress(ReplyBlocked):
        conversation_reply(
            conversation=conversation, author=None, text=text, automatic=True, auto_purpose=purpose
        )


def alert_acknowledge(*, alert: EmergencyAlert, user, ip: str | None = None) -> None:
    with transaction.atomic():
        updated = EmergencyAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user
        )
        if updated:
            audit_log(
                action="alert.acknowledge",
                actor=user,
                obj=alert.conversation,
                ip=ip,
                detail={"alert": alert.pk},
            )


def triage_correct(
    *,
    message: Message,
    user,
    language: str,
    category: str,
    urgency: str,
    flags: list[str],
    ip: str | None = None,
) -> TriageCorrection:
    if (
        language not in (*LANGUAGES, "und")
        or category not in CATEGORIES
        or urgency not in URGENCIES
    ):
        raise ValueError("unknown language, category or urgency")
    flags = sorted(set(flags))
    if not set(flags) <= set(FLAGS):
        raise ValueError("unknown flag")
    before = {
        "language": message.language,
        "category": message.category,
        "urgency": message.urgency,
        "flags": list(message.flags),
    }
    after = {"language": language, "category": category, "urgency": urgency, "flags": flags}
    with transaction.atomic():
        # The first correction keeps what the engine said; later ones chain from it.
        first = message.corrections.order_by("corrected_at").first()
        correction = TriageCorrection.objects.create(
            agency_id=message.agency_id,
            message=message,
            corrected_by=user,
            predicted=first.predicted if first else before,
            corrected=after,
        )
        Message.objects.filter(pk=message.pk).update(**after)
        _recompute_conversation(message.conversation_id)
        audit_log(
            action="triage.correct",
            actor=user,
            obj=message.conversation,
            ip=ip,
            detail={"message": str(message.pk), "from": before, "to": after},
        )
    return correction


def _recompute_conversation(conversation_id) -> None:
    inbound = Message.objects.filter(conversation_id=conversation_id, direction="in").exclude(
        urgency=""
    )
    top = min(
        inbound.values("urgency", "category", "language"),
        key=lambda m: URGENCY_RANK.get(m["urgency"], 9),
        default=None,
    )
    if top is None:
        return
    Conversation.objects.filter(pk=conversation_id).update(
        urgency=top["urgency"], category=top["category"], priority=URGENCY_RANK[top["urgency"]]
    )
