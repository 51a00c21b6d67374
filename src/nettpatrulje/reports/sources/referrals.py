"""Referrals per local day of sending, by state, receiving agency and platform.
The operation comes from the incident's session where there is one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min

from nettpatrulje.accounts.models import Agency
from nettpatrulje.patrols.models import Referral
from nettpatrulje.reports.sources.base import Accumulator, Source
from nettpatrulje.reports.working import local_day


def compute(agency: Agency, start: datetime, end: datetime) -> Iterable[dict]:
    acc = Accumulator()
    rows = Referral.objects.filter(
        agency=agency, created_at__gte=start, created_at__lt=end
    ).values_list(
        "created_at",
        "decided_at",
        "state",
        "to_agency_id",
        "platform",
        "incident__session__operation_id",
    )
    for created, decided, state, peer, platform, operation in rows.order_by():
        seconds = (decided - created).total_seconds() if decided else 0.0
        acc.add(
            local_day(created, agency.timezone),
            "referral",
            total=seconds,
            level=state,
            country=agency.country,
            peer_id=peer,
            platform=platform,
            operation_id=operation,
        )
    return acc.figures()


def first_at(agency: Agency) -> datetime | None:
    return Referral.objects.filter(agency=agency).aggregate(m=Min("created_at"))["m"]


SOURCE = Source(
    name="referrals",
    compute=compute,
    first_at=first_at,
    watch=(("patrols.Referral", lambda r: [(r.agency_id, r.created_at)]),),
)
