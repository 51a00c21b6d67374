"""Public stream chat: every line kept and triaged, few raised to an officer.

A busy stream sends hundreds of lines a minute, almost all of them "gg", emotes
and banter. Each line costs one triage (about a millisecond) and one insert; only
a line that needs an officer (an emergency or high urgency, or a severe category)
opens or joins a conversation with its author, through the inbox's ordinary
inbound path so that alerts and automatic replies work exactly as for messages.

A line arriving while a patrol session collects this channel's chat is kept
with that session (`StreamChatLine.session_ref`).
"""

from __future__ import annotations

import hashlib
import logging

from django.db import IntegrityError, transaction

from nettpatrulje.channels.base import Inbound, Kind
from nettpatrulje.channels.models import Channel, StreamChatLine

logger = logging.getLogger(__name__)

RAISING_URGENCIES = frozenset({"emergency", "high"})
# Same set as the triage contract's "severe" categories (triage.constants).
RAISING_CATEGORIES = frozenset({"sexual_exploitation", "threat_violence", "self_harm"})
CHAT_THREAD_PREFIX = "chat:"


def needs_officer(*, urgency: str, category: str) -> bool:
    return urgency in RAISING_URGENCIES or category in RAISING_CATEGORIES


def _line_id(item: Inbound) -> str:
    if item.mid:
        return item.mid[:128]
    basis = f"{item.contact_id}|{item.sent_at.isoformat()}|{item.text}"
    return "syn:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def chat_line_apply(channel: Channel, item: Inbound) -> str:
    """Store one chat line (idempotent on its message id), triage it, and raise a
    conversation for its author when an officer is needed. Returns "created" or
    "duplicate"."""
    from nettpatrulje.triage import get_engine

    result = get_engine().triage(item.text, agency_country=channel.agency.country)
    line = StreamChatLine(
        agency_id=channel.agency_id,
        channel=channel,
        platform_message_id=_line_id(item),
        author_id=item.contact_id[:128],
        author_name=item.display_name[:200],
        text=item.text,
        sent_at=item.sent_at,
        language=result.language[:8],
        category=result.category[:30],
        urgency=result.urgency[:10],
        flags=list(result.flags),
        redacted_text=result.redacted_text,
        session_ref=_running_session_ref(channel, item),
    )
    try:
        # Insert and let the unique constraint decide: a redelivered line costs a
        # savepoint, an ordinary line no extra query.
        with transaction.atomic():
            line.save(force_insert=True)
    except IntegrityError:
        return "duplicate"
    if not needs_officer(urgency=result.urgency, category=result.category):
        return "created"
    if item.contact_id in _own_ids(channel):
        # Our own officer's line in chat (read back by the subscription) must not
        # open a case against ourselves, whatever it talks about.
        return "created"
    conversation_id = _raise(channel, item, line)
    StreamChatLine.objects.filter(pk=line.pk).update(conversation_id=conversation_id)
    return "created"


def _running_session_ref(channel: Channel, item: Inbound) -> str:
    from nettpatrulje.patrols.models import PatrolSession

    session_id = (
        PatrolSession.objects.filter(
            chat_channel=channel, started_at__lte=item.sent_at, ended_at__isnull=True
        )
        .order_by("-started_at")
        .values_list("pk", flat=True)
        .first()
    )
    return str(session_id) if session_id else ""


def _own_ids(channel: Channel) -> set[str]:
    return {channel.account_id, str((channel.config or {}).get("user_id") or "")} - {""}


def _raise(channel: Channel, item: Inbound, line: StreamChatLine):
    from nettpatrulje.inbox.models import Conversation
    from nettpatrulje.inbox.services import inbound_apply

    thread_key = CHAT_THREAD_PREFIX + item.contact_id
    raised = Inbound(
        kind=Kind.MESSAGE,
        account_id=item.account_id,
        contact_id=item.contact_id,
        sent_at=item.sent_at,
        mid=line.platform_message_id,
        text=item.text,
        raw_type=item.raw_type,
        thread_id=thread_key,
        display_name=item.display_name,
    )
    inbound_apply(channel=channel, item=raised)
    logger.info("chat line %s on channel %s raised to an officer", line.pk, channel.pk)
    return (
        Conversation.objects.filter(channel=channel, thread_key=thread_key)
        .values_list("pk", flat=True)
        .first()
    )
