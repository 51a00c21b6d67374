"""Recording to the audit trail. Called by the services that change or reveal
data, inside their transaction, so no caller can forget it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models, transaction

from nettpatrulje.audit.models import AuditRecord

GENESIS = "0" * 64


def record_digest(record: AuditRecord) -> str:
    canonical = json.dumps(
        {
            "agency": record.agency_id,
            "actor": record.actor_id,
            "actor_label": record.actor_label,
            "action": record.action,
            "object_type": record.object_type,
            "object_id": record.object_id,
            "detail": record.detail,
            "ip": record.ip,
            "reason": record.reason,
            "at": record.at.isoformat(),
            "prev": record.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_log(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    agency_id: int | None = None,
    detail: dict | None = None,
    ip: str | None = None,
    reason: str = "",
) -> AuditRecord:
    with transaction.atomic():
        # Serialise appends: the chain has one head. select_for_update is a
        # no-op on SQLite, where IMMEDIATE transactions already serialise writers.
        last = AuditRecord.objects.select_for_update().order_by("-id").only("hash").first()
        if agency_id is None and obj is not None:
            agency_id = getattr(obj, "agency_id", None)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        record = AuditRecord(
            agency_id=agency_id,
            actor=actor_obj,
            actor_label=actor_obj.get_username() if actor_obj else (actor or "system"),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            detail=detail or {},
            ip=ip,
            reason=reason,
            prev_hash=last.hash if last else GENESIS,
        )
        record.hash = record_digest(record)
        record.save()
        return record


@transaction.atomic
def policy_save(*, agency, user, category: str, keep_days: int, action: str, ip: str | None = None):
    from nettpatrulje.audit.models import RetentionPolicy

    policy, _ = RetentionPolicy.objects.update_or_create(
        agency=agency, category=category, defaults={"keep_days": keep_days, "action": action}
    )
    audit_log(
        action="retention.policy",
        actor=user,
        agency_id=agency.pk,
        ip=ip,
        detail={"category": category or "*", "keep_days": keep_days, "action": action},
    )
    return policy
