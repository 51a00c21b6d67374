"""Reads for patrols. Every query starts from a model's `visible_to` (or, for the
lead agency's counts and live board, `PatrolSession.objects.aggregable_by`)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from nettpatrulje.accounts.models import Agency, User
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.patrols.models import (
    GuidanceRequest,
    Incident,
    Interaction,
    Notification,
    Operation,
    PatrolSession,
    Referral,
    Slot,
)
from nettpatrulje.patrols.services import viewer_timezone


def operation_list(*, user: Any) -> QuerySet[Operation]:
    return (
        Operation.objects.visible_to(user).select_related("lead").prefetch_related("participants")
    )


def operation_get(*, user: Any, operation_id: int) -> Operation:
    return get_visible_or_404(
        Operation.objects.select_related("lead").prefetch_related("participants"),
        user,
        pk=operation_id,
    )


def operation_current(*, user: Any, today=None) -> list[Operation]:
    today = today or timezone.localdate()
    return list(operation_list(user=user).filter(starts_on__lte=today, ends_on__gte=today))


@dataclass
class SlotRow:
    slot: Slot
    start: datetime  # in the viewer's time zone
    end: datetime
    agency_start: datetime  # in the slot agency's own time zone
    agency_end: datetime

    @property
    def same_zone(self) -> bool:
        return self.start.utcoffset() == self.agency_start.utcoffset()


def slot_rows(*, user: Any, operation: Operation) -> list[SlotRow]:
    """Each slot shown in the viewer's time zone, and in its agency's own."""
    tz = viewer_timezone(user)
    rows = []
    qs = (
        Slot.objects.visible_to(user)
        .filter(operation=operation)
        .select_related("agency")
        .prefetch_related("officers")
    )
    for slot in qs:
        own = viewer_timezone(slot.agency)  # an agency has no own user tz: its zone
        rows.append(
            SlotRow(
                slot=slot,
                start=slot.starts_at.astimezone(tz),
                end=slot.ends_at.astimezone(tz),
                agency_start=slot.starts_at.astimezone(own),
                agency_end=slot.ends_at.astimezone(own),
            )
        )
    return rows


def slots_for_officer(*, user: Any, now: datetime | None = None) -> QuerySet[Slot]:
    """The user's agency's slots that have not ended (to start a session in)."""
    now = now or timezone.now()
    return (
        Slot.objects.visible_to(user)
        .filter(agency_id=user.agency_id, ends_at__gte=now - timedelta(hours=2))
        .select_related("operation")
        .order_by("starts_at")
    )


def session_list(*, user: Any) -> QuerySet[PatrolSession]:
    return (
        PatrolSession.objects.visible_to(user)
        .select_related("officer", "operation")
        .annotate(n_interactions=Count("interactions", distinct=True))
    )


def session_get(*, user: Any, session_id: int) -> PatrolSession:
    return get_visible_or_404(
        PatrolSession.objects.select_related("officer", "operation", "slot", "agency"),
        user,
        pk=session_id,
    )


def session_interactions(*, session: PatrolSession) -> QuerySet[Interaction]:
    return session.interactions.order_by("-at")


def session_incidents(*, session: PatrolSession) -> QuerySet[Incident]:
    return session.incidents.select_related("interaction", "conversation")


def interaction_get(*, user: Any, interaction_id: int) -> Interaction:
    return get_visible_or_404(Interaction, user, pk=interaction_id)


def incident_get(*, user: Any, incident_id: int) -> Incident:
    return get_visible_or_404(Incident.objects.select_related("session"), user, pk=incident_id)


# --- Live board and figures -------------------------------------------------------------


@dataclass
class CountryDay:
    agency: Agency
    sessions: int
    running: int
    interactions: int


def board(*, user: Any, operation: Operation, now: datetime | None = None) -> dict:
    """Who is patrolling where now, sessions today per country, open guidance.

    The lead agency sees every participant's running sessions (officer, platform,
    game) and counts; a participant sees its own."""
    now = now or timezone.now()
    tz = viewer_timezone(user)
    day_start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = PatrolSession.objects.aggregable_by(user).filter(operation=operation)
    running = (
        sessions.filter(ended_at=None)
        .select_related("officer", "agency")
        .order_by("agency__name", "started_at")
    )
    today = sessions.filter(Q(started_at__gte=day_start) | Q(ended_at=None))
    per_agency = {
        row["agency"]: row
        for row in today.values("agency").annotate(
            n=Count("pk", distinct=True),
            running=Count("pk", filter=Q(ended_at=None), distinct=True),
            interactions=Count("interactions", distinct=True),
        )
    }
    countries = [
        CountryDay(
            agency=a,
            sessions=per_agency.get(a.pk, {}).get("n", 0),
            running=per_agency.get(a.pk, {}).get("running", 0),
            interactions=per_agency.get(a.pk, {}).get("interactions", 0),
        )
        for a in operation.participants.all().order_by("country")
        if a.pk in per_agency or operation.lead_id == getattr(user, "agency_id", None)
    ]
    slots_now = (
        Slot.objects.visible_to(user)
        .filter(operation=operation, starts_at__lte=now, ends_at__gt=now)
        .select_related("agency")
    )
    guidance = (
        GuidanceRequest.objects.visible_to(user)
        .filter(operation=operation, status=GuidanceRequest.Status.OPEN)
        .select_related("asker", "agency")
        .order_by("asked_at")
    )
    return {
        "running": list(running),
        "countries": countries,
        "slots_now": list(slots_now),
        "guidance": list(guidance),
        "now": now,
    }


def operation_figures(*, user: Any, operation: Operation) -> list[dict]:
    """Aggregated figures per country, no personal data: the lead sees every country."""
    sessions = PatrolSession.objects.aggregable_by(user).filter(operation=operation)
    out = []
    for row in (
        sessions.values("agency__name", "agency__country")
        .annotate(
            sessions=Count("pk", distinct=True),
            interactions=Count("interactions", distinct=True),
            incidents=Count("incidents", distinct=True),
        )
        .order_by("agency__country")
    ):
        hours = sum(
            ((s.ended_at or timezone.now()) - s.started_at).total_seconds()
            for s in sessions.filter(agency__country=row["agency__country"]).only(
                "started_at", "ended_at"
            )
        )
        out.append({**row, "hours": round(hours / 3600, 1)})
    return out


# --- Guidance ------------------------------------------------------------------------------


def guidance_queue(*, user: Any) -> QuerySet[GuidanceRequest]:
    """Requests addressed to the user's agency, from every participating agency."""
    return (
        GuidanceRequest.objects.visible_to(user)
        .filter(addressed_to_id=user.agency_id)
        .select_related("asker", "agency", "operation")
        .order_by("status", "asked_at")
    )


def guidance_mine(*, user: Any) -> QuerySet[GuidanceRequest]:
    return (
        GuidanceRequest.objects.visible_to(user)
        .filter(asker=user)
        .select_related("answered_by", "addressed_to")
        .prefetch_related("articles__translations")
    )


def guidance_get(*, user: Any, request_id: int) -> GuidanceRequest:
    return get_visible_or_404(
        GuidanceRequest.objects.select_related(
            "asker", "agency", "addressed_to", "answered_by", "operation"
        ).prefetch_related("articles__translations"),
        user,
        pk=request_id,
    )


@dataclass
class ResponseTimes:
    count: int
    median_seconds: float | None
    p90_seconds: float | None
    open: int


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of sorted values."""
    rank = max(1, -(-len(values) * q // 1))  # ceil
    return values[int(rank) - 1]


def guidance_response_times(
    *, user: Any, operation: Operation | None = None, since: datetime | None = None
) -> ResponseTimes:
    """Time from question to first answer for requests addressed to the user's agency."""
    qs = GuidanceRequest.objects.visible_to(user).filter(addressed_to_id=user.agency_id)
    if operation is not None:
        qs = qs.filter(operation=operation)
    if since is not None:
        qs = qs.filter(asked_at__gte=since)
    seconds = sorted(
        (answered - asked).total_seconds()
        for asked, answered in qs.exclude(answered_at=None).values_list("asked_at", "answered_at")
    )
    open_count = qs.filter(answered_at=None).count()
    if not seconds:
        return ResponseTimes(0, None, None, open_count)
    return ResponseTimes(
        count=len(seconds),
        median_seconds=statistics.median(seconds),
        p90_seconds=_percentile(seconds, 0.9),
        open=open_count,
    )


# --- Referrals ------------------------------------------------------------------------------


def referrals_sent(*, user: Any) -> QuerySet[Referral]:
    return (
        Referral.objects.visible_to(user)
        .filter(agency_id=user.agency_id)
        .select_related("to_agency", "created_by")
    )


def referrals_received(*, user: Any) -> QuerySet[Referral]:
    return (
        Referral.objects.visible_to(user)
        .filter(to_agency_id=user.agency_id)
        .select_related("agency")
        .order_by("state", "-created_at")
    )


def referral_get(*, user: Any, referral_id: int) -> Referral:
    return get_visible_or_404(
        Referral.objects.select_related("agency", "to_agency", "created_by", "decided_by"),
        user,
        pk=referral_id,
    )


def referral_targets(*, user: Any) -> QuerySet[Agency]:
    return Agency.objects.exclude(pk=user.agency_id).order_by("name")


# --- Notifications -------------------------------------------------------------------------


def notifications(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.visible_to(user)[:50]


def unread_count(*, user: Any) -> int:
    return Notification.objects.visible_to(user).filter(read_at=None).count()


def mentors_of(agency: Agency) -> QuerySet[User]:
    return User.objects.filter(agency=agency, groups__name="mentor").distinct()


def chat_channels_for(*, user) -> QuerySet:
    """The agency's own stream and server channels a session can collect chat from."""
    from nettpatrulje.channels.models import Channel, Platform

    return Channel.objects.visible_to(user).filter(
        platform__in=[Platform.TWITCH, Platform.DISCORD], status=Channel.Status.ACTIVE
    )


def session_chat_lines(*, session, limit: int = 200) -> dict:
    """Chat collected while the session ran: how many lines, the raised ones first."""
    from nettpatrulje.channels.models import StreamChatLine

    lines = StreamChatLine.objects.filter(agency_id=session.agency_id, session_ref=str(session.pk))
    return {
        "count": lines.count(),
        "raised": list(lines.filter(conversation__isnull=False).order_by("-sent_at")[:50]),
        "recent": list(lines.order_by("-sent_at")[:limit]),
    }
