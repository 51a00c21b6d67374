"""Patrol sessions (count and hours), interactions (by concern) and incidents,
per local day, platform, country and operation. Only counts and durations
leave the patrols app: no handles, notes or summaries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min

from nettpatrulje.accounts.models import Agency
from nettpatrulje.patrols.models import Incident, Interaction, PatrolSession
from nettpatrulje.reports.sources.base import Accumulator, Source
from nettpatrulje.reports.working import local_day


def compute(agency: Agency, start: datetime, end: datetime) -> Iterable[dict]:
    tz, country = agency.timezone, agency.country
    acc = Accumulator()
    sessions = PatrolSession.objects.filter(
        agency=agency, started_at__gte=start, started_at__lt=end
    ).values_list("started_at", "ended_at", "platform", "officer_id", "operation_id")
    for started, ended, platform, officer, operation in sessions.order_by():
        # A running session counts once it has ended (ending it marks the day again).
        seconds = (ended - started).total_seconds() if ended else 0.0
        acc.add(
            local_day(started, tz),
            "patrol_session",
            total=seconds,
            platform=platform,
            country=country,
            officer_id=officer,
            operation_id=operation,
            level="" if ended else "running",
        )
    interactions = Interaction.objects.filter(agency=agency, at__gte=start, at__lt=end).values_list(
        "at", "session__platform", "session__operation_id", "concern"
    )
    for at, platform, operation, concern in interactions.order_by():
        acc.add(
            local_day(at, tz),
            "interaction",
            platform=platform,
            country=country,
            operation_id=operation,
            level=concern,
        )
    incidents = Incident.objects.filter(
        agency=agency, created_at__gte=start, created_at__lt=end
    ).values_list("created_at", "session__platform", "session__operation_id", "concern")
    for at, platform, operation, concern in incidents.order_by():
        acc.add(
            local_day(at, tz),
            "incident",
            platform=platform,
            country=country,
            operation_id=operation,
            level=concern,
        )
    return acc.figures()


def first_at(agency: Agency) -> datetime | None:
    firsts = [
        PatrolSession.objects.filter(agency=agency).aggregate(m=Min("started_at"))["m"],
        Interaction.objects.filter(agency=agency).aggregate(m=Min("at"))["m"],
        Incident.objects.filter(agency=agency).aggregate(m=Min("created_at"))["m"],
    ]
    return min((f for f in firsts if f), default=None)


SOURCE = Source(
    name="patrols",
    compute=compute,
    first_at=first_at,
    watch=(
        ("patrols.PatrolSession", lambda s: [(s.agency_id, s.started_at)]),
        ("patrols.Interaction", lambda i: [(i.agency_id, i.at)]),
        ("patrols.Incident", lambda i: [(i.agency_id, i.created_at)]),
    ),
)
