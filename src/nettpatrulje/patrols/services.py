"""Writes for patrols: operations and slots, sessions and what is logged in them,
incidents (which open a case in the inbox), guidance, referrals, notifications.

Every function runs in a transaction and records its audit entry itself. Checks of
who may do what live here, so no view can skip them.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from nettpatrulje.accounts.models import Agency, Role, User
from nettpatrulje.audit.services import audit_log
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import Contact, Conversation, Message, Priority
from nettpatrulje.library.models import Article
from nettpatrulje.patrols.models import (
    Concern,
    GuidanceRequest,
    Incident,
    Interaction,
    Notification,
    Operation,
    PatrolSession,
    Referral,
    SessionComment,
    Slot,
)
from nettpatrulje.patrols.quickadd import QuickLine


class ReferralStateError(ValidationError):
    """A referral transition that its state machine does not allow."""


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(perm)


# --- Time zones ----------------------------------------------------------------------------


def local_to_utc(day: date, at: time, tz_name: str) -> datetime:
    """A wall-clock time in a time zone → an aware UTC datetime."""
    local = datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(tz_name))
    return local.astimezone(zoneinfo.ZoneInfo("UTC"))


def viewer_timezone(user: Any) -> zoneinfo.ZoneInfo:
    """The user's own time zone, else their agency's, else the server's."""
    name = getattr(user, "timezone", "") or (
        user.agency.timezone if getattr(user, "agency_id", None) else ""
    )
    return zoneinfo.ZoneInfo(name or timezone.get_default_timezone_name())


# --- Operations and slots -----------------------------------------------------------------


@transaction.atomic
def operation_create(
    *,
    actor: User,
    name: str,
    starts_on: date,
    ends_on: date,
    participants: Iterable[Agency],
    platforms: Iterable[str] = (),
    objectives: str = "",
    slug: str = "",
) -> Operation:
    """A coordinator plans an operation led by their own agency."""
    _require(actor, "patrols.manage_operation")
    if ends_on < starts_on:
        raise ValidationError(_("The operation ends before it starts."))
    base = slugify(slug or name)[:70] or "operation"
    candidate, n = base, 1
    while Operation.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    operation = Operation.objects.create(
        name=name,
        slug=candidate,
        lead_id=actor.agency_id,
        starts_on=starts_on,
        ends_on=ends_on,
        platforms=list(platforms),
        objectives=objectives,
        created_by=actor,
    )
    # The lead always takes part.
    operation.participants.set({*participants, actor.agency})
    audit_log(
        action="operation.create",
        actor=actor,
        obj=operation,
        detail={"participants": sorted(a.slug for a in operation.participants.all())},
    )
    return operation


def _check_lead_coordinator(actor: User, operation: Operation) -> None:
    _require(actor, "patrols.manage_operation")
    if operation.lead_id != actor.agency_id:
        raise PermissionDenied("only the lead agency edits an operation")


@transaction.atomic
def operation_update(
    *,
    actor: User,
    operation: Operation,
    name: str,
    starts_on: date,
    ends_on: date,
    participants: Iterable[Agency],
    platforms: Iterable[str],
    objectives: str,
) -> Operation:
    _check_lead_coordinator(actor, operation)
    if ends_on < starts_on:
        raise ValidationError(_("The operation ends before it starts."))
    operation.name, operation.starts_on, operation.ends_on = name, starts_on, ends_on
    operation.platforms, operation.objectives = list(platforms), objectives
    operation.save()
    operation.participants.set({*participants, operation.lead})
    audit_log(action="operation.update", actor=actor, obj=operation)
    return operation


@transaction.atomic
def slot_create(
    *,
    actor: User,
    operation: Operation,
    agency: Agency,
    platform: str,
    day: date,
    start: time,
    end: time,
    officers: Iterable[User] = (),
    note: str = "",
) -> Slot:
    """Times are entered in the slot agency's own time zone and stored in UTC; an end
    before the start means the slot runs past midnight."""
    _check_lead_coordinator(actor, operation)
    if not operation.participants.filter(pk=agency.pk).exists():
        raise ValidationError(_("That agency does not take part in the operation."))
    starts_at = local_to_utc(day, start, agency.timezone)
    ends_at = local_to_utc(day + timedelta(days=1) if end <= start else day, end, agency.timezone)
    slot, _created = Slot.objects.get_or_create(
        operation=operation,
        agency=agency,
        platform=platform,
        starts_at=starts_at,
        defaults={"ends_at": ends_at, "note": note},
    )
    officers = [o for o in officers if o.agency_id == agency.pk]
    if officers:
        slot.officers.add(*officers)
    audit_log(
        action="slot.create",
        actor=actor,
        obj=slot,
        agency_id=operation.lead_id,
        detail={"agency": agency.slug, "platform": platform, "starts_at": starts_at.isoformat()},
    )
    return slot


# --- Sessions ------------------------------------------------------------------------------


@transaction.atomic
def session_start(
    *,
    actor: User,
    platform: str,
    game: str = "",
    location: str = "",
    operation: Operation | None = None,
    slot: Slot | None = None,
    chat_channel: Channel | None = None,
    now: datetime | None = None,
    key: str = "",
) -> PatrolSession:
    _require(actor, "patrols.add_patrolsession")
    if slot is not None:
        if slot.agency_id != actor.agency_id:
            raise PermissionDenied("another agency's slot")
        operation = slot.operation
    if (
        operation is not None
        and not Operation.objects.visible_to(actor).filter(pk=operation.pk).exists()
    ):
        raise PermissionDenied("not a participant")
    if chat_channel is not None and chat_channel.agency_id != actor.agency_id:
        raise PermissionDenied("another agency's channel")
    session = PatrolSession.objects.create(
        agency_id=actor.agency_id,
        officer=actor,
        operation=operation,
        slot=slot,
        platform=platform,
        game=game,
        location=location,
        chat_channel=chat_channel,
        started_at=now or timezone.now(),
        key=key,
    )
    audit_log(action="session.start", actor=actor, obj=session, detail={"platform": platform})
    return session


@transaction.atomic
def session_end(
    *,
    actor: User,
    session: PatrolSession,
    summary: str,
    articles: Iterable[Article] = (),
    now: datetime | None = None,
) -> PatrolSession:
    _check_own(actor, session)
    if session.ended_at is None:
        session.ended_at = now or timezone.now()
    session.summary = summary
    session.save(update_fields=["ended_at", "summary"])
    _link_articles(actor, session.articles, articles)
    audit_log(action="session.end", actor=actor, obj=session)
    return session


def _link_articles(actor: User, manager: Any, articles: Iterable[Article]) -> None:
    wanted = [a.pk for a in articles]
    visible = Article.objects.visible_to(actor).filter(pk__in=wanted)
    if len(set(wanted)) != visible.count():
        raise PermissionDenied("article not visible")
    manager.add(*visible)


def _check_own(actor: User, obj: Any) -> None:
    if actor.agency_id is None or obj.agency_id != actor.agency_id:
        raise PermissionDenied("another agency's record")


@transaction.atomic
def interaction_add(
    *,
    actor: User,
    session: PatrolSession,
    line: QuickLine,
    at: datetime | None = None,
) -> Interaction:
    _check_own(actor, session)
    interaction = Interaction.objects.create(
        agency_id=session.agency_id,
        session=session,
        handle=line.handle[:80],
        age_band=line.age_band,
        topics=list(line.topics),
        concern=line.concern,
        note=line.note,
        at=at or timezone.now(),
        created_by=actor,
    )
    audit_log(action="interaction.add", actor=actor, obj=interaction)
    return interaction


@transaction.atomic
def session_comment(*, actor: User, session: PatrolSession, text: str) -> SessionComment:
    _require(actor, "patrols.answer_guidance")
    _check_own(actor, session)
    comment = SessionComment.objects.create(
        agency_id=session.agency_id, session=session, author=actor, text=text
    )
    if session.officer_id != actor.pk:
        notify(
            user=session.officer,
            text=gettext_lazy("%(name)s commented on your patrol session."),
            params={"name": actor.display_name},
            url=reverse("patrols:session", args=[session.pk]),
        )
    audit_log(action="session.comment", actor=actor, obj=session)
    return comment


# --- Incidents and internal cases --------------------------------------------------------


def internal_channel(agency: Agency) -> Channel:
    """The agency's channel for cases that did not come from a platform (incidents
    raised while patrolling, referrals from other countries). It never sends."""
    account_id = f"internal:{agency.slug}"
    found = Channel.objects.filter(platform=Platform.INTERNAL, account_id=account_id).first()
    return found or channel_create(
        agency=agency,
        platform=Platform.INTERNAL,
        account_id=account_id,
        name=_("Internal cases"),
    )


def _open_case(
    *, agency: Agency, thread_key: str, who: str, text: str, urgent: bool, now: datetime
) -> Conversation:
    channel = internal_channel(agency)
    contact, _c = Contact.objects.get_or_create(
        channel=channel,
        platform_id=thread_key,
        defaults={"agency": agency, "display_name": who[:200]},
    )
    conversation, created = Conversation.objects.get_or_create(
        channel=channel,
        thread_key=thread_key,
        defaults={
            "agency": agency,
            "contact": contact,
            "priority": Priority.HIGH if urgent else Priority.NORMAL,
            "created_at": now,
            "last_message_at": now,
            "last_inbound_at": now,
            "waiting_since": now,
        },
    )
    if created:
        Message.objects.create(
            agency=agency,
            conversation=conversation,
            channel=channel,
            direction=Message.Direction.INBOUND,
            text=text,
            platform_message_id=f"{thread_key}:0",
            sent_at=now,
            created_at=now,
        )
    return conversation


@transaction.atomic
def incident_create(
    *,
    actor: User,
    session: PatrolSession,
    description: str,
    interaction: Interaction | None = None,
    concern: str = Concern.HIGH,
    open_case: bool = True,
    now: datetime | None = None,
) -> Incident:
    _check_own(actor, session)
    if interaction is not None and interaction.session_id != session.pk:
        raise ValidationError("interaction of another session")
    incident = Incident.objects.create(
        agency_id=session.agency_id,
        session=session,
        interaction=interaction,
        description=description,
        concern=concern,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    audit_log(action="incident.create", actor=actor, obj=incident)
    if open_case:
        incident_open_case(actor=actor, incident=incident, now=now)
    return incident


@transaction.atomic
def incident_open_case(
    *, actor: User, incident: Incident, now: datetime | None = None
) -> Conversation:
    """Open a case in the inbox for an incident; the case's first message links back."""
    _check_own(actor, incident)
    if incident.conversation_id:
        return incident.conversation
    now = now or timezone.now()
    session = incident.session
    handle = incident.interaction.handle if incident.interaction else ""
    link = reverse("patrols:session", args=[session.pk]) + f"#incident-{incident.pk}"
    text = _(
        "Incident from a patrol session (%(platform)s %(game)s) by %(officer)s: "
        "%(description)s — %(link)s"
    ) % {
        "platform": session.get_platform_display(),
        "game": session.game,
        "officer": actor.display_name,
        "description": incident.description,
        "link": link,
    }
    conversation = _open_case(
        agency=incident.agency,
        thread_key=f"incident:{incident.pk}",
        who=f"@{handle}" if handle else _("Patrol incident"),
        text=text,
        urgent=incident.concern == Concern.HIGH,
        now=now,
    )
    incident.conversation = conversation
    incident.save(update_fields=["conversation"])
    audit_log(
        action="incident.open_case",
        actor=actor,
        obj=incident,
        detail={"conversation": str(conversation.pk)},
    )
    return conversation


# --- Guidance ------------------------------------------------------------------------------


def guidance_target(actor: User, operation: Operation | None) -> Agency:
    """Guidance goes to the lead agency of the operation, else to the asker's own."""
    return operation.lead if operation is not None else actor.agency


@transaction.atomic
def guidance_ask(
    *,
    actor: User,
    question: str,
    context: str = "",
    session: PatrolSession | None = None,
    interaction: Interaction | None = None,
    conversation: Conversation | None = None,
    operation: Operation | None = None,
    now: datetime | None = None,
    key: str = "",
) -> GuidanceRequest:
    for obj in (session, interaction, conversation):
        if obj is not None:
            _check_own(actor, obj)
    if interaction is not None:
        session = session or interaction.session
    if session is not None:
        operation = operation or session.operation
    if (
        operation is not None
        and not Operation.objects.visible_to(actor).filter(pk=operation.pk).exists()
    ):
        raise PermissionDenied("not a participant")
    target = guidance_target(actor, operation)
    request = GuidanceRequest.objects.create(
        agency_id=actor.agency_id,
        addressed_to=target,
        operation=operation,
        asker=actor,
        session=session,
        interaction=interaction,
        conversation=conversation,
        context=context,
        question=question,
        asked_at=now or timezone.now(),
        key=key,
    )
    url = reverse("patrols:guidance", args=[request.pk])
    for mentor in User.objects.filter(
        agency=target, groups__name=Role.MENTOR, is_active=True
    ).distinct():
        notify(
            user=mentor,
            text=gettext_lazy("%(name)s (%(agency)s) asks for guidance."),
            params={"name": actor.display_name, "agency": actor.agency.name},
            url=url,
            now=request.asked_at,
        )
    audit_log(action="guidance.ask", actor=actor, obj=request, detail={"to": target.slug})
    return request


@transaction.atomic
def guidance_answer(
    *,
    actor: User,
    request: GuidanceRequest,
    answer: str,
    articles: Iterable[Article] = (),
    now: datetime | None = None,
) -> GuidanceRequest:
    _require(actor, "patrols.answer_guidance")
    if request.addressed_to_id != actor.agency_id:
        raise PermissionDenied("not addressed to your agency")
    request = GuidanceRequest.objects.select_for_update().get(pk=request.pk)
    first = request.answered_at is None
    request.answer = answer
    request.answered_by = actor
    request.status = GuidanceRequest.Status.ANSWERED
    if first:
        # Response time counts to the first answer; later edits do not reset it.
        request.answered_at = now or timezone.now()
    request.save()
    _link_articles(actor, request.articles, articles)
    notify(
        user=request.asker,
        text=gettext_lazy("%(name)s answered your guidance request."),
        params={"name": actor.display_name},
        url=reverse("patrols:guidance", args=[request.pk]),
        now=request.answered_at,
    )
    audit_log(
        action="guidance.answer",
        actor=actor,
        obj=request,
        agency_id=actor.agency_id,
        detail={"articles": [a.pk for a in articles]},
    )
    return request


# --- Referrals ---------------------------------------------------------------------------

_HANDLE = re.compile(r"(?<!\w)@[\w.\-]{2,}")


def redact_for_referral(text: str, country: str | None = None) -> str:
    """Personal data out: e-mails, phone, account, card and identity numbers (the
    triage PII detector) and @handles."""
    from nettpatrulje.triage.pii import PiiDetector, redact

    text = redact(text, PiiDetector().find(text, country))
    return _HANDLE.sub("[HANDLE]", text)


def referral_draft(*, conversation: Conversation) -> str:
    """The default text shared with the receiving agency: the inbound messages, redacted."""
    lines = [
        m.redacted_text or m.text
        for m in conversation.messages.filter(direction=Message.Direction.INBOUND, deleted_at=None)
    ]
    return redact_for_referral("\n".join(lines), conversation.agency.country)


@transaction.atomic
def referral_send(
    *,
    actor: User,
    to_agency: Agency,
    reason: str,
    shared_text: str,
    redact: bool = True,
    conversation: Conversation | None = None,
    incident: Incident | None = None,
    now: datetime | None = None,
    key: str = "",
) -> Referral:
    _require(actor, "patrols.refer_case")
    if to_agency.pk == actor.agency_id:
        raise ValidationError(_("A referral goes to another agency."))
    for obj in (conversation, incident):
        if obj is not None:
            _check_own(actor, obj)
    if redact:
        shared_text = redact_for_referral(shared_text, actor.agency.country)
    platform = ""
    if conversation is not None:
        platform = conversation.channel.platform
    elif incident is not None:
        platform = incident.session.platform
    referral = Referral.objects.create(
        agency_id=actor.agency_id,
        to_agency=to_agency,
        conversation=conversation,
        incident=incident,
        created_by=actor,
        created_at=now or timezone.now(),
        reason=reason,
        shared_text=shared_text,
        redacted=redact,
        platform=platform,
        key=key,
    )
    url = reverse("patrols:referral", args=[referral.pk])
    for user in User.objects.filter(
        agency=to_agency, is_active=True, groups__name__in=[Role.SUPERVISOR, Role.OFFICER]
    ).distinct():
        notify(
            user=user,
            text=gettext_lazy("New referral from %(agency)s."),
            params={"agency": actor.agency.name},
            url=url,
            now=referral.created_at,
        )
    audit_log(
        action="referral.send",
        actor=actor,
        obj=referral,
        detail={"to": to_agency.slug, "redacted": redact},
    )
    # The receiver's trail shows it arrived, without the sender's details.
    audit_log(
        action="referral.receive",
        actor="system",
        obj=referral,
        agency_id=to_agency.pk,
        detail={"from": actor.agency.slug},
    )
    return referral


def _decide(actor: User, referral: Referral) -> Referral:
    _require(actor, "patrols.refer_case")
    if referral.to_agency_id != actor.agency_id:
        raise PermissionDenied("only the receiving agency decides")
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.state != Referral.State.SENT:
        raise ReferralStateError(
            _("This referral was already %(state)s.") % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def referral_accept(*, actor: User, referral: Referral, now: datetime | None = None) -> Referral:
    """sent → accepted: the receiving agency gets its own case, holding only the
    shared text."""
    referral = _decide(actor, referral)
    now = now or timezone.now()
    sender = referral.agency
    text = _("Referral from %(agency)s. Reason: %(reason)s\n\n%(text)s") % {
        "agency": sender.name,
        "reason": referral.reason,
        "text": referral.shared_text,
    }
    conversation = _open_case(
        agency=actor.agency,
        thread_key=f"referral:{referral.pk}",
        who=_("Referral from %(agency)s") % {"agency": sender.name},
        text=text,
        urgent=False,
        now=now,
    )
    referral.state = Referral.State.ACCEPTED
    referral.decided_by, referral.decided_at = actor, now
    referral.received_conversation = conversation
    referral.save()
    notify(
        user=referral.created_by,
        text=gettext_lazy("%(agency)s accepted your referral."),
        params={"agency": actor.agency.name},
        url=reverse("patrols:referral", args=[referral.pk]),
        now=now,
    )
    audit_log(action="referral.accept", actor=actor, obj=referral, agency_id=actor.agency_id)
    audit_log(
        action="referral.accepted", actor="system", obj=referral, agency_id=referral.agency_id
    )
    return referral


@transaction.atomic
def referral_decline(
    *, actor: User, referral: Referral, reason: str, now: datetime | None = None
) -> Referral:
    if not reason.strip():
        raise ValidationError(_("Say why the referral is declined."))
    referral = _decide(actor, referral)
    now = now or timezone.now()
    referral.state = Referral.State.DECLINED
    referral.decided_by, referral.decided_at = actor, now
    referral.decline_reason = reason.strip()
    referral.save()
    notify(
        user=referral.created_by,
        text=gettext_lazy("%(agency)s declined your referral."),
        params={"agency": actor.agency.name},
        url=reverse("patrols:referral", args=[referral.pk]),
        now=now,
    )
    audit_log(action="referral.decline", actor=actor, obj=referral, agency_id=actor.agency_id)
    audit_log(
        action="referral.declined", actor="system", obj=referral, agency_id=referral.agency_id
    )
    return referral


# --- Notifications -------------------------------------------------------------------------


def notify(
    *,
    user: User,
    text: str | Promise,
    params: dict[str, Any] | None = None,
    url: str = "",
    now: datetime | None = None,
) -> Notification:
    """Tell one user something in their own language, not in the language of whoever
    caused it (a Norwegian officer's request reaches a Finnish mentor in Finnish):
    `text` is a lazy translation, rendered here with `params`."""
    with override(user.interface_language):
        rendered = str(text) % params if params is not None else str(text)
    return Notification.objects.create(
        user=user, text=rendered[:300], url=url, created_at=now or timezone.now()
    )


@transaction.atomic
def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.visible_to(user).filter(read_at=None).update(read_at=timezone.now())
