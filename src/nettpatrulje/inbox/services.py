"""Every write on conversations and messages.

Inbound items come from the channel parsers (`inbound_apply`); officer
actions come from views and the API. Officer actions record their audit
entry here, in the same transaction, so no caller can forget it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nettpatrulje.accounts.models import User
from nettpatrulje.audit.services import audit_log
from nettpatrulje.channels.base import Inbound, Kind
from nettpatrulje.channels.chat import chat_line_apply
from nettpatrulje.channels.models import Channel
from nettpatrulje.inbox.models import (
    URGENCY_RANK,
    Contact,
    Conversation,
    Label,
    Message,
    Note,
    OutboxItem,
    Priority,
)
from nettpatrulje.lib.compiled import CompiledInsert, CompiledRead, CompiledSave
from nettpatrulje.lib.tasks import enqueue

logger = logging.getLogger(__name__)

META_PLATFORMS = {"messenger", "instagram"}
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
OUTBOX_METADATA_PREFIX = "nettpatrulje:outbox:"


# --- Inbound ---------------------------------------------------------------


def inbound_triage_ahead(channel: Channel, item: Inbound):
    """Triage an inbound message before its transaction opens, or None.

    Triage is CPU work that needs no database (and loads a language model the
    first time a language is seen). Done inside the transaction it would hold
    SQLite's write lock (transactions are IMMEDIATE) the whole time, and the
    web server's inserts of new deliveries would wait behind it."""
    if item.kind not in (Kind.MESSAGE, Kind.POSTBACK) or not item.contact_id:
        return None
    from nettpatrulje.inbox.triage import triage_text

    return triage_text(
        item.text, [a.as_dict() for a in item.attachments], country=channel.agency.country
    )


def inbound_apply(*, channel: Channel, item: Inbound, triaged=None) -> str:
    """Apply one parsed item. Returns "created", "duplicate", "updated" or "ignored".
    `triaged`: the item's triage from `inbound_triage_ahead`, if done already."""
    if triaged is not None and item.kind in (Kind.MESSAGE, Kind.POSTBACK) and item.contact_id:
        return _inbound_message(channel, item, triaged=triaged)
    handler = {
        Kind.MESSAGE: _inbound_message,
        Kind.POSTBACK: _inbound_message,
        Kind.ECHO: _inbound_echo,
        Kind.DELIVERY: _inbound_delivery,
        Kind.READ: _inbound_read,
        Kind.UNSEND: _inbound_unsend,
        Kind.EDIT: _inbound_edit,
        Kind.CHAT_LINE: chat_line_apply,
    }.get(item.kind)
    if handler is None or not item.contact_id:
        return "ignored"
    return handler(channel, item)


def _synthetic_mid(item: Inbound) -> str:
    # Postbacks and some old payloads have no mid; a stable key from their
    # content still makes a redelivery a duplicate.
    basis = f"{item.kind}|{item.contact_id}|{item.sent_at.isoformat()}|{item.payload}|{item.text}"
    return "syn:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


# The reads every inbound message makes, compiled once (lib/compiled.py): on the
# worker they were most of the CPU of storing a message.
_message_seen = CompiledRead(
    lambda channel_id, mid: Message.objects.filter(channel_id=channel_id, platform_message_id=mid),
    int,
    str,
    exists=True,
)
# What get_or_create's get() reads (no ordering, at most 21 rows).
_contact_rows = CompiledRead(
    lambda channel_id, platform_id: Contact.objects.filter(
        channel_id=channel_id, platform_id=platform_id
    ).order_by()[:21],
    int,
    str,
)
# With the contact it was started by (a join, its row not locked): for a direct
# message that is the sender, and no second read is needed.
_conversation_rows = CompiledRead(
    lambda channel_id, thread_key: (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("contact")
        .filter(channel_id=channel_id, thread_key=thread_key)
        .order_by()[:21]
    ),
    int,
    str,
)


def _get_or_create(found: list, queryset, *, defaults: dict, **lookup):
    """QuerySet.get_or_create whose get() was the compiled read that gave `found`."""
    if len(found) == 1:
        return found[0], False
    if not found:
        try:
            with transaction.atomic():
                return queryset.create(**lookup, **defaults), True
        except IntegrityError:
            pass  # created concurrently: get_or_create below reads it
    # A concurrent creation, or (impossibly) two rows: get_or_create as ever,
    # which reads the row or raises.
    return queryset.get_or_create(defaults=defaults, **lookup)


def _contact_for(channel: Channel, item: Inbound) -> Contact:
    contact, created = _get_or_create(
        _contact_rows(channel.pk, item.contact_id),
        Contact.objects,
        channel=channel,
        platform_id=item.contact_id,
        defaults={"agency_id": channel.agency_id, "display_name": item.display_name[:200]},
    )
    if not created:
        _contact_renamed(contact, item)
    return contact


def _contact_renamed(contact: Contact, item: Inbound) -> None:
    if item.display_name and contact.display_name != item.display_name[:200]:
        Contact.objects.filter(pk=contact.pk).update(display_name=item.display_name[:200])
        contact.display_name = item.display_name[:200]


def _conversation_of(channel: Channel, item: Inbound) -> Conversation:
    """The item's conversation, locked for the rest of the transaction (the new
    message updates it, and an officer or another worker may be updating it
    too, on PostgreSQL), and its sender, each created if new."""
    found = _conversation_rows(channel.pk, item.thread_key)
    if len(found) == 1 and found[0].contact.platform_id == item.contact_id:
        _contact_renamed(found[0].contact, item)
        return found[0]
    contact = _contact_for(channel, item)
    conversation, _ = _get_or_create(
        found,
        Conversation.objects.select_for_update(of=("self",)).select_related("contact"),
        channel=channel,
        thread_key=item.thread_key,
        defaults={
            "agency_id": channel.agency_id,
            "contact": contact,
            "created_at": item.sent_at,
            "last_message_at": item.sent_at,
        },
    )
    return conversation


def _inbound_message(channel: Channel, item: Inbound, *, triaged=None) -> str:
    mid = item.mid or _synthetic_mid(item)
    if _message_seen(channel.pk, mid):
        return "duplicate"
    conversation = _conversation_of(channel, item)
    message = Message(
        agency_id=channel.agency_id,
        conversation=conversation,
        channel=channel,
        direction=Message.Direction.INBOUND,
        text=item.text,
        attachments=[a.as_dict() for a in item.attachments],
        reply_to=item.reply_to,
        payload=item.payload[:1000],
        platform_message_id=mid,
        sent_at=item.sent_at,
    )
    _triage(message, channel, result=triaged)
    if not _insert_message(message):
        # A concurrent delivery of the same message won the race.
        return "duplicate"
    # The channel's agency is the conversation's: no need to read it again.
    conversation.agency = channel.agency
    conversation = _conversation_after_inbound(conversation.pk, message, locked=conversation)
    from nettpatrulje.triage.services import inbound_triaged

    inbound_triaged(conversation=conversation, message=message)
    return "created"


def _triage(message: Message, channel: Channel, *, result=None) -> None:
    """Triage before the message is committed, so no officer ever sees it untriaged."""
    from nettpatrulje.inbox.triage import triage_message

    triage_message(message, country=channel.agency.country, result=result)


# What an inbound message changes on its conversation (saved with update_fields).
_AFTER_INBOUND_FIELDS = [
    "last_message_at",
    "last_inbound_at",
    "waiting_since",
    "status",
    "closed_at",
    "urgency",
    "category",
    "priority",
    "language",
    "risk_score",
    "risk_level",
    "risk_signals",
]


# message.save(force_insert=True), its INSERT compiled once; a message already
# stored (a concurrent delivery of it) is not inserted, without the savepoint
# an IntegrityError would need.
_insert_message = CompiledInsert(Message, skip_conflicts_on=("channel", "platform_message_id"))
# conversation.save(update_fields=_AFTER_INBOUND_FIELDS), its UPDATE compiled once.
_save_after_inbound = CompiledSave(Conversation, _AFTER_INBOUND_FIELDS)


def _conversation_after_inbound(
    conversation_id, message: Message, *, locked: Conversation | None = None
) -> Conversation:
    """`locked`: the conversation as already read with select_for_update in this
    transaction, so it is current and need not be read again."""
    conversation = locked or (
        Conversation.objects.select_for_update().select_related("agency").get(pk=conversation_id)
    )
    conversation.last_message_at = max(conversation.last_message_at, message.sent_at)
    if conversation.last_inbound_at is None or message.sent_at > conversation.last_inbound_at:
        conversation.last_inbound_at = message.sent_at
    if conversation.waiting_since is None:
        conversation.waiting_since = message.sent_at
    if conversation.status != Conversation.Status.OPEN:
        conversation.status = Conversation.Status.OPEN
        conversation.closed_at = None
    if message.urgency:
        rank = URGENCY_RANK.get(message.urgency, Priority.NORMAL)
        current = URGENCY_RANK.get(conversation.urgency, 99)
        first_triage = not conversation.urgency
        if rank < current:
            conversation.urgency = message.urgency
            conversation.category = message.category
        # The first message sets the priority; later ones only raise it, so an
        # officer's manual change is not undone by a greeting.
        if first_triage or rank < conversation.priority:
            conversation.priority = rank
    if message.language and message.language != "und":
        conversation.language = message.language
    from nettpatrulje.inbox.triage import conversation_risk_update

    conversation_risk_update(conversation, message)
    _save_after_inbound(conversation)
    return conversation


def _inbound_echo(channel: Channel, item: Inbound) -> str:
    if item.metadata.startswith(OUTBOX_METADATA_PREFIX):
        outbox_id = item.metadata.removeprefix(OUTBOX_METADATA_PREFIX)
        return _reconcile_echo(channel, outbox_id, item)
    if (
        not item.mid
        or Message.objects.filter(channel=channel, platform_message_id=item.mid).exists()
    ):
        return "duplicate"
    # Sent by a person from Meta's own tools: part of the thread, never a new conversation.
    conversation = Conversation.objects.filter(channel=channel, thread_key=item.thread_key).first()
    if conversation is None:
        return "ignored"
    try:
        with transaction.atomic():
            Message.objects.create(
                agency_id=channel.agency_id,
                conversation=conversation,
                channel=channel,
                direction=Message.Direction.OUTBOUND,
                text=item.text,
                attachments=[a.as_dict() for a in item.attachments],
                platform_message_id=item.mid,
                sent_at=item.sent_at,
            )
    except IntegrityError:
        return "duplicate"
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=item.sent_at, waiting_since=None
    )
    return "created"


def _reconcile_echo(channel: Channel, outbox_id: str, item: Inbound) -> str:
    try:
        outbox = (
            OutboxItem.objects.select_for_update()
            .select_related("message")
            .get(pk=outbox_id, channel=channel)
        )
    except (OutboxItem.DoesNotExist, ValueError):
        return "ignored"
    if outbox.state == OutboxItem.State.SENT and outbox.message.platform_message_id:
        return "duplicate"
    now = timezone.now()
    outbox.state = OutboxItem.State.SENT
    outbox.sent_at = outbox.sent_at or now
    outbox.last_error = ""
    outbox.save(update_fields=["state", "sent_at", "last_error"])
    if item.mid and not outbox.message.platform_message_id:
        Message.objects.filter(pk=outbox.message_id).update(platform_message_id=item.mid)
    return "updated"


def _inbound_delivery(channel: Channel, item: Inbound) -> str:
    now = timezone.now()
    q = Q(platform_message_id__in=item.mids) if item.mids else Q(pk__in=[])
    if item.watermark:
        q |= Q(conversation__thread_key=item.thread_key, sent_at__lte=item.watermark)
    updated = Message.objects.filter(
        q, channel=channel, direction=Message.Direction.OUTBOUND, delivered_at__isnull=True
    ).update(delivered_at=now)
    return "updated" if updated else "ignored"


def _inbound_read(channel: Channel, item: Inbound) -> str:
    watermark = item.watermark or item.sent_at
    updated = Message.objects.filter(
        channel=channel,
        conversation__thread_key=item.thread_key,
        direction=Message.Direction.OUTBOUND,
        sent_at__lte=watermark,
        read_at__isnull=True,
    ).update(read_at=watermark)
    return "updated" if updated else "ignored"


def _inbound_unsend(channel: Channel, item: Inbound) -> str:
    message = Message.objects.filter(channel=channel, platform_message_id=item.mid).first()
    if message is None or message.deleted_at is not None:
        return "ignored"
    Message.objects.filter(pk=message.pk).update(
        deleted_at=timezone.now(), text="", redacted_text="", attachments=[], pii=[]
    )
    audit_log(
        action="message.unsent",
        actor="platform",
        obj=message,
        detail={"platform_message_id": item.mid},
    )
    return "updated"


def _inbound_edit(channel: Channel, item: Inbound) -> str:
    """An edited message is triaged again: the new text may be the serious one.
    The earlier text is kept in the audit trail, not thrown away."""
    message = (
        Message.objects.select_related("conversation", "channel__agency")
        .filter(channel=channel, platform_message_id=item.mid)
        .first()
    )
    if message is None or message.deleted_at is not None or message.text == item.text:
        return "ignored"
    audit_log(
        action="message.edited",
        actor="platform",
        obj=message,
        detail={"platform_message_id": item.mid, "previous_text": message.text},
    )
    message.text = item.text
    _triage(message, channel)
    message.save()
    conversation = _conversation_after_inbound(message.conversation_id, message)
    from nettpatrulje.triage.services import inbound_triaged

    inbound_triaged(conversation=conversation, message=message)
    return "updated"


# --- Replies and the outbox -------------------------------------------------


class ReplyBlocked(Exception):
    """The platform's rules forbid this reply now; the message says why, for the officer."""


@dataclass(frozen=True)
class ReplyWindow:
    allowed: bool
    tag: str = ""
    explanation: str = ""


def reply_window(conversation: Conversation, now: datetime | None = None) -> ReplyWindow:
    """Meta's messaging policy: free replies within 24 h of the contact's last
    message; a human agent may answer until 7 days with the HUMAN_AGENT tag."""
    now = now or timezone.now()
    if conversation.channel.platform == "internal":
        return ReplyWindow(
            False,
            explanation=_(
                "An internal case (from a patrol or a referral): there is nobody on a platform to reply to."
            ),
        )
    if conversation.channel.platform not in META_PLATFORMS:
        # Only Meta limits when a business may answer; the others allow replies any time.
        return ReplyWindow(True)
    last = conversation.last_inbound_at
    if last is None:
        return ReplyWindow(
            False, explanation=_("The contact has never written to us, so we may not write first.")
        )
    age = now - last
    if age <= STANDARD_WINDOW:
        return ReplyWindow(True)
    if age <= HUMAN_AGENT_WINDOW:
        return ReplyWindow(
            True,
            tag="HUMAN_AGENT",
            explanation=_(
                "More than 24 hours since the contact wrote: sent as a human agent reply (allowed up to 7 days)."
            ),
        )
    return ReplyWindow(
        False,
        explanation=_(
            "More than 7 days since the contact last wrote. Meta does not allow a reply "
            "until they write again."
        ),
    )


def conversation_reply(
    *,
    conversation: Conversation,
    author: User | None,
    text: str,
    automatic: bool = False,
    auto_purpose: str = "",
    ip: str | None = None,
) -> Message:
    text = text.strip()
    if not text:
        raise ReplyBlocked(_("The reply is empty."))
    window = reply_window(conversation)
    if not window.allowed:
        raise ReplyBlocked(window.explanation)
    if window.tag and automatic:
        # HUMAN_AGENT is for people only; automatic replies stay inside 24 h.
        raise ReplyBlocked(window.explanation)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            agency_id=conversation.agency_id,
            conversation=conversation,
            channel_id=conversation.channel_id,
            direction=Message.Direction.OUTBOUND,
            text=text,
            redacted_text=text,
            sent_at=now,
            author=author,
            is_automatic=automatic,
            auto_purpose=auto_purpose,
        )
        outbox = OutboxItem.objects.create(
            agency_id=conversation.agency_id,
            message=message,
            channel_id=conversation.channel_id,
            recipient_id=conversation.thread_key,
            tag=window.tag,
        )
        updates = {"last_message_at": now}
        if not automatic:
            updates["waiting_since"] = None
            if conversation.first_response_at is None:
                updates["first_response_at"] = now
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        if not automatic:
            audit_log(
                action="conversation.reply",
                actor=author,
                obj=conversation,
                ip=ip,
                detail={"message": str(message.pk), "tag": window.tag},
            )
        _enqueue_send(outbox.pk)
    return message


def _enqueue_send(outbox_id) -> None:
    from nettpatrulje.inbox.tasks import send_outbox_item

    enqueue(send_outbox_item, str(outbox_id))


MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=5)


def backoff_delay(attempts: int) -> timedelta:
    # 5 s, 10 s, 20 s, ... capped at 10 min. The wait also gives a lost
    # acknowledgement's echo time to arrive before we would retry.
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), timedelta(minutes=10))


def outbox_send(outbox_id, *, client_factory=None) -> str:
    """Send one queued reply. Returns the item's state afterwards."""
    from nettpatrulje.channels.base import SendError
    from nettpatrulje.channels.registry import sender_for

    now = timezone.now()
    with transaction.atomic():
        claimed = OutboxItem.objects.filter(
            pk=outbox_id, state=OutboxItem.State.QUEUED, next_attempt_at__lte=now
        ).update(state=OutboxItem.State.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    item = OutboxItem.objects.select_related("message", "channel").get(pk=outbox_id)
    if not claimed:
        return item.state
    if item.channel.needs_reconnect:
        return _outbox_failed(
            item, _("The channel needs reconnecting: its access token was rejected.")
        )
    client = (client_factory or sender_for)(item.channel)
    try:
        result = client.send_text(
            recipient_id=item.recipient_id,
            text=item.message.text,
            metadata=item.metadata,
            tag=item.tag or None,
        )
    except SendError as exc:
        if exc.needs_reconnect:
            from nettpatrulje.channels.services import channel_mark_needs_reconnect

            channel_mark_needs_reconnect(channel_id=item.channel_id, reason=exc.reason)
            return _outbox_failed(item, exc.reason)
        if exc.transient and item.attempts < MAX_ATTEMPTS:
            return _outbox_retry_later(item, exc.reason, at_least=exc.retry_after)
        return _outbox_failed(item, exc.reason)
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk).exclude(state=OutboxItem.State.SENT).update(
            state=OutboxItem.State.SENT, sent_at=timezone.now(), last_error=""
        )
        Message.objects.filter(pk=item.message_id, platform_message_id__isnull=True).update(
            platform_message_id=result.platform_message_id
        )
        Channel.objects.filter(pk=item.channel_id).update(last_send_at=timezone.now())
    return OutboxItem.State.SENT


def _outbox_retry_later(item: OutboxItem, reason: str, *, at_least: float | None = None) -> str:
    delay = max(backoff_delay(item.attempts), timedelta(seconds=at_least or 0))
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk, state=OutboxItem.State.SENDING).update(
            state=OutboxItem.State.QUEUED,
            next_attempt_at=timezone.now() + delay,
            last_error=reason[:2000],
        )
    return OutboxItem.State.QUEUED


def _outbox_failed(item: OutboxItem, reason: str) -> str:
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk, state=OutboxItem.State.SENDING).update(
            state=OutboxItem.State.FAILED, last_error=reason[:2000]
        )
    return OutboxItem.State.FAILED


def outbox_dispatch_due(*, limit: int = 200) -> int:
    """Enqueue sends for queued items whose retry time has come, unless a send
    task for the item is already waiting: behind a backlog, every housekeeping
    round would otherwise add another copy of the same task."""
    waiting = _send_tasks_waiting()
    ids = [
        pk
        for pk in OutboxItem.objects.filter(
            state=OutboxItem.State.QUEUED, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: limit + len(waiting)]
        if str(pk) not in waiting
    ][:limit]
    for outbox_id in ids:
        with transaction.atomic():
            _enqueue_send(outbox_id)
    return len(ids)


def _send_tasks_waiting() -> set[str]:
    """Outbox ids with a send task queued or being run (database task backend)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends["default"], DatabaseBackend):
        return set()

    from nettpatrulje.inbox.tasks import send_outbox_item

    rows = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        task_path=send_outbox_item.module_path,
    ).values_list("args_kwargs", flat=True)
    return {str(args["args"][0]) for args in rows if args.get("args")}


def outbox_flag_stuck(*, older_than: timedelta | None = None) -> int:
    """An item still `sending` long after its claim means the worker died between
    the platform call and recording its result. Sending again could deliver it
    twice, so unless the echo settled it, an officer must check it."""
    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    cutoff = timezone.now() - older_than
    return OutboxItem.objects.filter(state=OutboxItem.State.SENDING, claimed_at__lt=cutoff).update(
        state=OutboxItem.State.CHECK,
        last_error=_("The worker stopped while sending. Check on the platform whether it arrived."),
    )


def outbox_resolve(
    *, item: OutboxItem, actor: User, delivered: bool, ip: str | None = None
) -> None:
    """The officer's answer to a reply in state `check` or `failed`: it did arrive,
    or send it again."""
    with transaction.atomic():
        if delivered:
            OutboxItem.objects.filter(pk=item.pk).update(
                state=OutboxItem.State.SENT, sent_at=timezone.now()
            )
        else:
            OutboxItem.objects.filter(pk=item.pk).update(
                state=OutboxItem.State.QUEUED, next_attempt_at=timezone.now(), attempts=0
            )
            _enqueue_send(item.pk)
        audit_log(
            action="outbox.resolve",
            actor=actor,
            obj=item.message.conversation,
            ip=ip,
            detail={"outbox": str(item.pk), "delivered": delivered},
        )


# --- Officer actions ------------------------------------------------------------


def conversation_set_status(
    *,
    conversation: Conversation,
    status: str,
    actor: User,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    if status not in Conversation.Status.values:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        updates = {"status": status}
        closed = status == Conversation.Status.CLOSED
        updates["closed_at"] = (now or timezone.now()) if closed else None
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        audit_log(
            action="conversation.status",
            actor=actor,
            obj=conversation,
            ip=ip,
            detail={"from": conversation.status, "to": status},
        )
    conversation.status = status


def conversation_assign(
    *, conversation: Conversation, assignee: User | None, actor: User, ip: str | None = None
) -> None:
    if assignee is not None and assignee.agency_id != conversation.agency_id:
        raise PermissionError("assignee belongs to another agency")
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(assignee=assignee)
        audit_log(
            action="conversation.assign",
            actor=actor,
            obj=conversation,
            ip=ip,
            detail={"assignee": assignee.username if assignee else None},
        )
    conversation.assignee = assignee


def conversation_set_priority(
    *, conversation: Conversation, priority: int, actor: User, ip: str | None = None
) -> None:
    if priority not in Priority.values:
        raise ValueError("unknown priority")
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(priority=priority)
        audit_log(
            action="conversation.priority",
            actor=actor,
            obj=conversation,
            ip=ip,
            detail={"from": conversation.priority, "to": priority},
        )
    conversation.priority = priority


def conversation_set_labels(
    *, conversation: Conversation, label_ids: list[int], actor: User, ip: str | None = None
) -> None:
    labels = list(Label.objects.visible_to(actor).filter(pk__in=label_ids))
    with transaction.atomic():
        conversation.labels.set(labels)
        audit_log(
            action="conversation.labels",
            actor=actor,
            obj=conversation,
            ip=ip,
            detail={"labels": sorted(label.name for label in labels)},
        )


def note_create(
    *, conversation: Conversation, author: User, text: str, ip: str | None = None
) -> Note:
    text = text.strip()
    if not text:
        raise ValueError(_("The note is empty."))
    with transaction.atomic():
        note = Note.objects.create(
            agency_id=conversation.agency_id, conversation=conversation, author=author, text=text
        )
        audit_log(
            action="conversation.note",
            actor=author,
            obj=conversation,
            ip=ip,
            detail={"note": note.pk},
        )
    return note
