"""Retention: what the law says must go, goes; what is under legal hold stays.

A closed conversation expires when it has been closed longer than its agency's
policy for its category (a category-specific policy wins over the agency's
catch-all). Expired conversations are deleted or anonymised; audit records are
never touched, and anonymising keeps the rows the figures are computed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from nettpatrulje.audit.models import LegalHold, RetentionPolicy, RetentionRun
from nettpatrulje.audit.services import audit_log
from nettpatrulje.inbox.models import Contact, Conversation, Message

RUN_EVERY = timedelta(days=1)


@dataclass
class RetentionPlan:
    delete: list[Conversation] = field(default_factory=list)
    anonymise: list[Conversation] = field(default_factory=list)
    held: list[Conversation] = field(default_factory=list)


def retention_plan(*, now=None, agency_id: int | None = None) -> RetentionPlan:
    """What the next run would remove. Read-only: also the dry run."""
    now = now or timezone.now()
    plan = RetentionPlan()
    policies = RetentionPolicy.objects.select_related("agency")
    if agency_id is not None:
        policies = policies.filter(agency_id=agency_id)
    by_agency: dict[int, dict[str, RetentionPolicy]] = {}
    for policy in policies:
        by_agency.setdefault(policy.agency_id, {})[policy.category] = policy
    active_hold = LegalHold.objects.filter(conversation=OuterRef("pk"), released_at__isnull=True)
    for agency, rules in by_agency.items():
        candidates = (
            Conversation.objects.filter(
                agency_id=agency, status=Conversation.Status.CLOSED, closed_at__isnull=False
            )
            .exclude(anonymised_q())
            .annotate(on_hold=Exists(active_hold))
        )
        for conversation in candidates:
            policy = rules.get(conversation.category) or rules.get("")
            if policy is None or conversation.closed_at > now - timedelta(days=policy.keep_days):
                continue
            if conversation.on_hold:
                plan.held.append(conversation)
            elif policy.action == RetentionPolicy.Action.DELETE:
                plan.delete.append(conversation)
            else:
                plan.anonymise.append(conversation)
    return plan


ANONYMISED = "anonymised:"


def anonymised_q() -> Q:
    return Q(thread_key__startswith=ANONYMISED)


def retention_run(*, now=None) -> RetentionRun:
    plan = retention_plan(now=now)
    run = RetentionRun.objects.create(held=len(plan.held))
    for conversation in plan.delete:
        _delete(conversation)
        run.deleted += 1
    for conversation in plan.anonymise:
        _anonymise(conversation)
        run.anonymised += 1
    run.save(update_fields=["deleted", "anonymised"])
    return run


def retention_due(*, now=None) -> bool:
    now = now or timezone.now()
    last = RetentionRun.objects.order_by("-started_at").first()
    return last is None or last.started_at <= now - RUN_EVERY


@transaction.atomic
def _delete(conversation: Conversation) -> None:
    contact = conversation.contact
    detail = {
        "category": conversation.category,
        "closed_at": conversation.closed_at.isoformat(),
        "messages": conversation.messages.count(),
    }
    audit_log(action="retention.delete", actor="retention", obj=conversation, detail=detail)
    conversation.delete()
    if not Conversation.objects.filter(contact=contact).exists():
        contact.delete()


@transaction.atomic
def _anonymise(conversation: Conversation) -> None:
    audit_log(
        action="retention.anonymise",
        actor="retention",
        obj=conversation,
        detail={"category": conversation.category, "messages": conversation.messages.count()},
    )
    Message.objects.filter(conversation=conversation).update(
        text="",
        redacted_text="",
        attachments=[],
        pii=[],
        reply_to=None,
        payload="",
        triage_explanation="",
    )
    conversation.notes.all().delete()
    # Platform ids are personal data: the thread key and the contact become
    # conversation-specific placeholders that link to no one.
    placeholder = f"{ANONYMISED}{conversation.pk}"
    contact = conversation.contact
    if Conversation.objects.filter(contact=contact).exclude(pk=conversation.pk).exists():
        contact = Contact.objects.create(
            agency_id=conversation.agency_id,
            channel_id=conversation.channel_id,
            platform_id=placeholder,
        )
    else:
        Contact.objects.filter(pk=contact.pk).update(platform_id=placeholder, display_name="")
    Conversation.objects.filter(pk=conversation.pk).update(
        risk_signals=[], thread_key=placeholder, contact=contact
    )


@transaction.atomic
def legal_hold_place(
    *, conversation: Conversation, user, reason: str, ip: str | None = None
) -> LegalHold:
    if not reason.strip():
        raise ValueError("a legal hold needs a reason")
    hold = LegalHold.objects.create(
        agency_id=conversation.agency_id,
        conversation=conversation,
        reason=reason.strip(),
        placed_by=user,
    )
    audit_log(action="legal_hold.place", actor=user, obj=conversation, ip=ip, reason=reason.strip())
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, user, reason: str, ip: str | None = None) -> None:
    LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    audit_log(
        action="legal_hold.release", actor=user, obj=hold.conversation, ip=ip, reason=reason.strip()
    )
