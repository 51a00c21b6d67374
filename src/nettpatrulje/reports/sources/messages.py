"""Messages per local day: inbound by channel, category and urgency; replies by
officer; automatic replies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Min
from django.db.models.functions import TruncDate

from nettpatrulje.accounts.models import Agency
from nettpatrulje.inbox.models import Message
from nettpatrulje.reports.sources.base import Accumulator, Marks, Source
from nettpatrulje.reports.working import zone


def compute(agency: Agency, start: datetime, end: datetime) -> Iterable[dict]:
    rows = (
        Message.objects.filter(agency=agency, sent_at__gte=start, sent_at__lt=end)
        .annotate(d=TruncDate("sent_at", tzinfo=zone(agency.timezone)))
        .values(
            "d",
            "channel_id",
            "channel__platform",
            "direction",
            "is_automatic",
            "category",
            "urgency",
            "author_id",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    acc = Accumulator()
    for r in rows:
        dims = {"channel_id": r["channel_id"], "platform": r["channel__platform"]}
        if r["direction"] == Message.Direction.INBOUND:
            acc.add(
                r["d"],
                "msg_in",
                count=r["n"],
                category=r["category"],
                level=r["urgency"],
                country=agency.country,
                **dims,
            )
        elif r["is_automatic"]:
            acc.add(r["d"], "msg_auto", count=r["n"], **dims)
        else:
            acc.add(r["d"], "msg_out", count=r["n"], officer_id=r["author_id"], **dims)
    return acc.figures()


def first_at(agency: Agency) -> datetime | None:
    return Message.objects.filter(agency=agency).aggregate(m=Min("sent_at"))["m"]


def _message_marks(message: Message) -> Marks:
    return [(message.agency_id, message.sent_at)]


SOURCE = Source(
    name="messages",
    compute=compute,
    first_at=first_at,
    watch=(("inbox.Message", _message_marks),),
)
