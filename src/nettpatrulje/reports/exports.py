"""Row-per-conversation and row-per-message exports, streamed, scoped to the
viewer. Message text is the redacted text unless full text is asked for (and
allowed)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.reports.selectors import Filters, live_filtered
from nettpatrulje.reports.working import day_bounds

CONVERSATION_FIELDS = [
    "id",
    "channel",
    "platform",
    "created",
    "first_response",
    "closed",
    "status",
    "category",
    "urgency",
    "assignee",
    "labels",
    "country",
]
MESSAGE_FIELDS = [
    "id",
    "conversation",
    "channel",
    "platform",
    "direction",
    "sent_at",
    "automatic",
    "author",
    "language",
    "category",
    "urgency",
    "flags",
    "country",
    "text",
]


def _bounds(user: Any, filters: Filters):
    tz = user.agency.timezone
    return day_bounds(filters.start, tz)[0], day_bounds(filters.end, tz)[1]


def conversations(user: Any, filters: Filters) -> QuerySet[Conversation]:
    start, end = _bounds(user, filters)
    qs = live_filtered(
        Conversation.objects.visible_to(user).filter(created_at__gte=start, created_at__lt=end),
        filters,
    )
    return (
        qs.select_related("channel", "assignee", "agency")
        .prefetch_related("labels")
        .order_by("created_at")
    )


def messages(user: Any, filters: Filters) -> QuerySet[Message]:
    start, end = _bounds(user, filters)
    qs = live_filtered(
        Message.objects.visible_to(user).filter(sent_at__gte=start, sent_at__lt=end), filters
    )
    return qs.select_related("channel", "author", "agency").order_by("sent_at", "created_at")


def _iso(value) -> str:
    return value.isoformat() if value else ""


def conversation_rows(qs: QuerySet[Conversation]) -> Iterator[dict]:
    for c in qs.iterator(chunk_size=2000):
        yield {
            "id": str(c.pk),
            "channel": str(c.channel),
            "platform": c.channel.platform,
            "created": _iso(c.created_at),
            "first_response": _iso(c.first_response_at),
            "closed": _iso(c.closed_at),
            "status": c.status,
            "category": c.category,
            "urgency": c.urgency,
            "assignee": c.assignee.get_username() if c.assignee else "",
            "labels": ";".join(sorted(label.name for label in c.labels.all())),
            "country": c.agency.country,
        }


def message_rows(qs: QuerySet[Message], *, full_text: bool) -> Iterator[dict]:
    for m in qs.iterator(chunk_size=2000):
        if m.deleted_at:
            text = ""
        elif full_text:
            text = m.text
        else:
            # Outbound replies carry their own text as the redacted text; an
            # inbound message never triaged has none, and then nothing is shown.
            text = m.redacted_text
        yield {
            "id": str(m.pk),
            "conversation": str(m.conversation_id),
            "channel": str(m.channel),
            "platform": m.channel.platform,
            "direction": m.direction,
            "sent_at": _iso(m.sent_at),
            "automatic": m.is_automatic,
            "author": m.author.get_username() if m.author else "",
            "language": m.language,
            "category": m.category,
            "urgency": m.urgency,
            "flags": ";".join(m.flags or []),
            "country": m.agency.country,
            "text": text,
        }


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(fields: list[str], rows: Iterator[dict]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=fields)
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow(row)


def json_stream(rows: Iterator[dict]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]\n"


def as_csv_text(fields: list[str], rows: Iterator[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
