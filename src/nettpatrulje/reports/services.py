"""Writes of the reports app: notable examples, and the audit record of every export."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from nettpatrulje.audit.services import audit_log
from nettpatrulje.reports.models import NotableExample


@transaction.atomic
def example_create(
    *,
    actor: Any,
    text: str,
    message=None,
    operation=None,
    platform: str = "",
    category: str = "",
    occurred_on=None,
    ip: str | None = None,
) -> NotableExample:
    if not actor.has_perm("reports.add_notableexample"):
        raise PermissionDenied
    if message is not None and message.agency_id != actor.agency_id:
        raise PermissionDenied
    example = NotableExample(
        agency_id=actor.agency_id,
        message=message,
        operation=operation,
        text=text.strip(),
        platform=platform or (message.channel.platform if message is not None else ""),
        category=category or (message.category if message is not None else ""),
        chosen_by=actor,
    )
    if occurred_on is not None:
        example.occurred_on = occurred_on
    elif message is not None:
        example.occurred_on = message.sent_at.date()
    example.save()
    audit_log(action="report.example", actor=actor, obj=example, ip=ip, detail={"id": example.pk})
    return example


@transaction.atomic
def example_delete(*, actor: Any, example: NotableExample, ip: str | None = None) -> None:
    if not actor.has_perm("reports.add_notableexample") or example.agency_id != actor.agency_id:
        raise PermissionDenied
    audit_log(action="report.example_delete", actor=actor, obj=example, ip=ip)
    example.delete()


def export_recorded(*, actor: Any, kind: str, fmt: str, full_text: bool, filters: dict, ip=None):
    """Exports leave the system: who took what, with which filters, is on the trail."""
    audit_log(
        action="report.export",
        actor=actor,
        agency_id=getattr(actor, "agency_id", None),
        ip=ip,
        detail={"kind": kind, "format": fmt, "full_text": full_text, "filters": filters},
    )
