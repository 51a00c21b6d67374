"""Conversations per local day of their creation: how many, by channel,
category and urgency and assignee; and their first-response times in the
agency's working time, as a histogram with the count within target."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min

from nettpatrulje.accounts.models import Agency
from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.reports.sources.base import Accumulator, Marks, Source, minute_bucket
from nettpatrulje.reports.working import local_day, working_day_seconds, working_seconds

# Targets (working time): emergencies and high urgency within one working hour,
# everything else within one working day.
URGENT_TARGET_SECONDS = 3600.0
URGENT_LEVELS = frozenset({"emergency", "high"})


def target_seconds(urgency: str, opening_hours: dict) -> float:
    if urgency in URGENT_LEVELS:
        return URGENT_TARGET_SECONDS
    return working_day_seconds(opening_hours)


def compute(agency: Agency, start: datetime, end: datetime) -> Iterable[dict]:
    hours, tz = agency.opening_hours or {}, agency.timezone
    acc = Accumulator()
    rows = (
        Conversation.objects.filter(agency=agency, created_at__gte=start, created_at__lt=end)
        .values_list(
            "created_at",
            "first_response_at",
            "last_inbound_at",
            "channel_id",
            "channel__platform",
            "category",
            "urgency",
            "assignee_id",
        )
        .order_by()
        .iterator(chunk_size=5000)
    )
    for created, first, inbound, channel_id, platform, category, urgency, assignee in rows:
        day = local_day(created, tz)
        dims = {
            "channel_id": channel_id,
            "platform": platform,
            "category": category,
            "level": urgency,
            "country": agency.country,
        }
        acc.add(day, "conv", **dims)
        if assignee is not None:
            # Workload on its own metric: an officer dimension on "conv" would make
            # nearly one row per conversation.
            acc.add(day, "conv_officer", officer_id=assignee, country=agency.country)
        # Cases we opened ourselves (no inbound message) wait for nobody.
        if first is None or inbound is None:
            continue
        seconds = working_seconds(created, first, hours, tz)
        within = int(seconds <= target_seconds(urgency, hours))
        acc.add(day, "frt", total=seconds, within=within, bucket=minute_bucket(seconds), **dims)
    return acc.figures()


def first_at(agency: Agency) -> datetime | None:
    return Conversation.objects.filter(agency=agency).aggregate(m=Min("created_at"))["m"]


def _created_at(conversation_id) -> datetime | None:
    return (
        Conversation.objects.filter(pk=conversation_id).values_list("created_at", flat=True).first()
    )


def _conversation_marks(conversation: Conversation) -> Marks:
    return [(conversation.agency_id, conversation.created_at)]


def _message_marks(message: Message) -> Marks:
    # A reply sets the conversation's first response (with an update, no signal);
    # a corrected triage changes its category: both count on its creation day.
    cached = message._state.fields_cache.get("conversation")
    created = cached.created_at if cached is not None else _created_at(message.conversation_id)
    return [(message.agency_id, created)] if created else []


def _audit_marks(record) -> Marks:
    # Assignments and status changes are updates without signals; the audit
    # record each of them writes names the conversation.
    if record.object_type != "inbox.conversation" or not record.object_id:
        return []
    row = (
        Conversation.objects.filter(pk=record.object_id)
        .values_list("agency_id", "created_at")
        .first()
    )
    return [row] if row else []


SOURCE = Source(
    name="conversations",
    compute=compute,
    first_at=first_at,
    watch=(
        ("inbox.Conversation", _conversation_marks),
        ("inbox.Message", _message_marks),
        ("audit.AuditRecord", _audit_marks),
    ),
)
