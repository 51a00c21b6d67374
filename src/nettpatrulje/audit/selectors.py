"""Reads of the audit trail, scoped to the viewer's agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from nettpatrulje.audit.models import AuditRecord


@dataclass(frozen=True)
class TrailFilters:
    username: str = ""
    object_id: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


def trail_search(*, user, filters: TrailFilters) -> QuerySet[AuditRecord]:
    qs = AuditRecord.objects.visible_to(user).select_related("actor")
    if filters.username:
        qs = qs.filter(actor_label__iexact=filters.username)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    tz = timezone.get_current_timezone()
    if filters.since:
        qs = qs.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=tz))
    if filters.until:
        qs = qs.filter(at__lte=datetime.combine(filters.until, time.max, tzinfo=tz))
    return qs.order_by("-id")


def conversation_access_log(*, user, conversation) -> QuerySet[AuditRecord]:
    """Who opened this conversation, newest first."""
    return (
        AuditRecord.objects.visible_to(user)
        .filter(
            action="conversation.view",
            object_type="inbox.conversation",
            object_id=str(conversation.pk),
        )
        .order_by("-id")
    )
