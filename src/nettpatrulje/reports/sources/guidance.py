"""Guidance requests per local day of asking: how many, and how long the
mentors took to answer (wall-clock time: mentors answer around the clock
during an operation), by the asking and the answering agency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min

from nettpatrulje.accounts.models import Agency
from nettpatrulje.patrols.models import GuidanceRequest
from nettpatrulje.reports.sources.base import Accumulator, Source, minute_bucket
from nettpatrulje.reports.working import local_day

# An answer within the hour is what an officer on patrol can still use.
TARGET_SECONDS = 3600.0


def compute(agency: Agency, start: datetime, end: datetime) -> Iterable[dict]:
    acc = Accumulator()
    rows = GuidanceRequest.objects.filter(
        agency=agency, asked_at__gte=start, asked_at__lt=end
    ).values_list("asked_at", "answered_at", "addressed_to_id", "operation_id")
    for asked, answered, peer, operation in rows.order_by():
        day = local_day(asked, agency.timezone)
        dims = {"country": agency.country, "peer_id": peer, "operation_id": operation}
        acc.add(day, "guidance", level="answered" if answered else "open", **dims)
        if answered:
            seconds = max(0.0, (answered - asked).total_seconds())
            acc.add(
                day,
                "guidance_rt",
                total=seconds,
                within=int(seconds <= TARGET_SECONDS),
                bucket=minute_bucket(seconds),
                **dims,
            )
    return acc.figures()


def first_at(agency: Agency) -> datetime | None:
    return GuidanceRequest.objects.filter(agency=agency).aggregate(m=Min("asked_at"))["m"]


SOURCE = Source(
    name="guidance",
    compute=compute,
    first_at=first_at,
    watch=(("patrols.GuidanceRequest", lambda g: [(g.agency_id, g.asked_at)]),),
)
