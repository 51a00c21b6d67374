"""Patrol pages. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.inbox.selectors import conversation_get
from nettpatrulje.library.selectors import article_choices
from nettpatrulje.patrols import selectors, services
from nettpatrulje.patrols.forms import (
    CommentForm,
    DeclineForm,
    EndSessionForm,
    GuidanceAnswerForm,
    GuidanceAskForm,
    IncidentForm,
    OperationForm,
    QuickAddForm,
    ReferralForm,
    SessionStartForm,
    SlotForm,
)

VIEW = "patrols.view_operation"


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@agency_member_required
@permission(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    sessions = selectors.session_list(user=user)
    return render(
        request,
        "patrols/home.html",
        {
            "current": selectors.operation_current(user=user),
            "running": sessions.filter(ended_at=None, officer=user),
            "recent": sessions[:20],
            "start_form": SessionStartForm(
                slots=selectors.slots_for_officer(user=user),
                chat_channels=selectors.chat_channels_for(user=user),
            ),
            "can_patrol": user.has_perm("patrols.add_patrolsession"),
        },
    )


# --- Operations ----------------------------------------------------------------------------


@agency_member_required
@permission(VIEW)
def operation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "patrols/operations.html",
        {
            "operations": selectors.operation_list(user=request.user),
            "can_manage": request.user.has_perm("patrols.manage_operation"),
        },
    )


@agency_member_required
@permission("patrols.manage_operation")
def operation_new(request: HttpRequest) -> HttpResponse:
    form = OperationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.operation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Operation created. Now plan its slots."))
            return redirect("patrols:operation", operation_id=operation.pk)
    return render(request, "patrols/operation_form.html", {"form": form, "operation": None})


@agency_member_required
@permission("patrols.manage_operation")
def operation_edit(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, operation_id=operation_id)
    if operation.lead_id != request.user.agency_id:
        raise PermissionDenied("not the lead agency")
    initial = {
        "name": operation.name,
        "starts_on": operation.starts_on,
        "ends_on": operation.ends_on,
        "participants": list(operation.participants.all()),
        "platforms": operation.platforms,
        "objectives": operation.objectives,
    }
    form = OperationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.operation_update(actor=request.user, operation=operation, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Operation saved."))
            return redirect("patrols:operation", operation_id=operation.pk)
    return render(request, "patrols/operation_form.html", {"form": form, "operation": operation})


def _is_lead_coordinator(request: HttpRequest, operation) -> bool:
    return (
        request.user.has_perm("patrols.manage_operation")
        and operation.lead_id == request.user.agency_id
    )


@agency_member_required
@permission(VIEW)
def operation_detail(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, operation_id=operation_id)
    is_lead = operation.lead_id == request.user.agency_id
    return render(
        request,
        "patrols/operation.html",
        {
            "operation": operation,
            "slots": selectors.slot_rows(user=request.user, operation=operation),
            "figures": selectors.operation_figures(user=request.user, operation=operation),
            "times": selectors.guidance_response_times(user=request.user, operation=operation)
            if is_lead
            else None,
            "slot_form": SlotForm(operation=operation, initial={"day": operation.starts_on})
            if _is_lead_coordinator(request, operation)
            else None,
            "viewer_tz": services.viewer_timezone(request.user),
        },
    )


@require_POST
@agency_member_required
@permission("patrols.manage_operation")
def slot_add(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, operation_id=operation_id)
    form = SlotForm(request.POST, operation=operation)
    if form.is_valid():
        try:
            services.slot_create(actor=request.user, operation=operation, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Slot added."))
    else:
        messages.error(request, _("The slot was not added: check the fields."))
    return redirect("patrols:operation", operation_id=operation.pk)


@agency_member_required
@permission(VIEW)
def board(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, operation_id=operation_id)
    context = selectors.board(user=request.user, operation=operation)
    return render(request, "patrols/board.html", {"operation": operation, **context})


@agency_member_required
@permission(VIEW)
def board_live(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, operation_id=operation_id)
    context = selectors.board(user=request.user, operation=operation)
    return render(request, "patrols/_board.html", {"operation": operation, **context})


# --- Sessions ------------------------------------------------------------------------------


@require_POST
@agency_member_required
@permission("patrols.add_patrolsession")
def session_start(request: HttpRequest) -> HttpResponse:
    form = SessionStartForm(
        request.POST,
        slots=selectors.slots_for_officer(user=request.user),
        chat_channels=selectors.chat_channels_for(user=request.user),
    )
    if not form.is_valid():
        messages.error(request, _("The session was not started: check the fields."))
        return redirect("patrols:home")
    d = form.cleaned_data
    session = services.session_start(
        actor=request.user,
        platform=d["platform"],
        game=d["game"],
        location=d["location"],
        slot=d["slot"],
        chat_channel=d["chat_channel"],
    )
    return redirect("patrols:session", session_id=session.pk)


def _session_context(request: HttpRequest, session, **extra) -> dict:
    articles = article_choices(user=request.user)
    return {
        "session": session,
        "interactions": selectors.session_interactions(session=session),
        "incidents": selectors.session_incidents(session=session),
        "guidance": session.guidance.select_related("answered_by").prefetch_related(
            "articles__translations"
        ),
        "comments": session.comments.select_related("author"),
        "chat_lines": selectors.session_chat_lines(session=session),
        "quick_form": extra.pop("quick_form", None) or QuickAddForm(),
        "incident_form": IncidentForm(session=session),
        "ask_form": GuidanceAskForm(),
        "end_form": EndSessionForm(articles=articles, initial={"summary": session.summary}),
        "comment_form": CommentForm(),
        "can_comment": request.user.has_perm("patrols.answer_guidance") and not session.is_running,
        "is_mine": session.officer_id == request.user.pk,
        **extra,
    }


@agency_member_required
@permission(VIEW)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, session_id=session_id)
    return render(request, "patrols/session.html", _session_context(request, session))


@require_POST
@agency_member_required
@permission("patrols.add_patrolsession")
def interaction_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, session_id=session_id)
    form = QuickAddForm(request.POST)
    if form.is_valid():
        services.interaction_add(
            actor=request.user, session=session, line=form.cleaned_data["parsed"]
        )
        if request.headers.get("HX-Request"):
            return render(
                request,
                "patrols/_interactions.html",
                {
                    "session": session,
                    "interactions": selectors.session_interactions(session=session),
                    "interactions_oldest": session.interactions.order_by("at"),
                    "quick_form": QuickAddForm(),
                    "added": True,
                    "oob": True,
                },
            )
        return redirect("patrols:session", session_id=session.pk)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "patrols/_interactions.html",
            {
                "session": session,
                "interactions": selectors.session_interactions(session=session),
                "quick_form": form,
            },
        )
    return render(
        request, "patrols/session.html", _session_context(request, session, quick_form=form)
    )


@require_POST
@agency_member_required
@permission("patrols.add_patrolsession")
def incident_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, session_id=session_id)
    form = IncidentForm(request.POST, session=session)
    if form.is_valid():
        d = form.cleaned_data
        incident = services.incident_create(
            actor=request.user,
            session=session,
            description=d["description"],
            interaction=d["interaction"],
            concern=d["concern"],
            open_case=d["open_case"],
        )
        if incident.conversation_id:
            messages.success(request, _("Incident recorded and a case opened in the inbox."))
        else:
            messages.success(request, _("Incident recorded."))
    else:
        messages.error(request, _("Describe what happened."))
    return redirect("patrols:session", session_id=session.pk)


@require_POST
@agency_member_required
@permission("patrols.add_patrolsession")
def incident_case(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    conversation = services.incident_open_case(actor=request.user, incident=incident)
    return redirect("inbox:conversation", conversation_id=conversation.pk)


@require_POST
@agency_member_required
@permission("patrols.add_patrolsession")
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, session_id=session_id)
    form = EndSessionForm(request.POST, articles=article_choices(user=request.user))
    if form.is_valid():
        services.session_end(
            actor=request.user,
            session=session,
            summary=form.cleaned_data["summary"],
            articles=form.cleaned_data["articles"],
        )
        messages.success(request, _("Session ended."))
    else:
        messages.error(request, _("Write a short summary to end the session."))
    return redirect("patrols:session", session_id=session.pk)


@require_POST
@agency_member_required
@permission("patrols.answer_guidance")
def session_comment(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, session_id=session_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.session_comment(
            actor=request.user, session=session, text=form.cleaned_data["text"]
        )
    return redirect("patrols:session", session_id=session.pk)


# --- Guidance ------------------------------------------------------------------------------


@require_POST
@agency_member_required
@permission(VIEW)
def guidance_ask(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, session_id=session_id)
    form = GuidanceAskForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        interaction = (
            selectors.interaction_get(user=request.user, interaction_id=d["interaction"])
            if d.get("interaction")
            else None
        )
        services.guidance_ask(
            actor=request.user,
            question=d["question"],
            context=d["context"],
            session=session,
            interaction=interaction,
        )
        messages.success(request, _("Your question was sent to the mentors."))
    else:
        messages.error(request, _("Write your question."))
    return redirect("patrols:session", session_id=session.pk)


@agency_member_required
@permission(VIEW)
def guidance_ask_conversation(request: HttpRequest) -> HttpResponse:
    """Ask for guidance on an inbox conversation (opened with ?conversation=<id>)."""
    conversation = conversation_get(
        user=request.user, conversation_id=request.GET.get("conversation") or "-"
    )
    operations = selectors.operation_current(user=request.user)
    form = GuidanceAskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        gr = services.guidance_ask(
            actor=request.user,
            question=form.cleaned_data["question"],
            context=form.cleaned_data["context"],
            conversation=conversation,
            operation=operations[0] if operations else None,
        )
        messages.success(request, _("Your question was sent to the mentors."))
        return redirect("patrols:guidance", request_id=gr.pk)
    return render(
        request, "patrols/guidance_ask.html", {"form": form, "conversation": conversation}
    )


@agency_member_required
@permission(VIEW)
def guidance_list(request: HttpRequest) -> HttpResponse:
    is_mentor = request.user.has_perm("patrols.answer_guidance")
    return render(
        request,
        "patrols/guidance_list.html",
        {
            "queue": selectors.guidance_queue(user=request.user)[:200] if is_mentor else None,
            "mine": selectors.guidance_mine(user=request.user)[:100],
            "times": selectors.guidance_response_times(user=request.user) if is_mentor else None,
        },
    )


@agency_member_required
@permission(VIEW)
def guidance_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    gr = selectors.guidance_get(user=request.user, request_id=request_id)
    can_answer = (
        request.user.has_perm("patrols.answer_guidance")
        and gr.addressed_to_id == request.user.agency_id
    )
    articles = article_choices(user=request.user)
    form = None
    if can_answer:
        form = GuidanceAnswerForm(
            request.POST or None,
            articles=articles,
            initial={"answer": gr.answer, "articles": list(gr.articles.all())},
        )
        if request.method == "POST" and form.is_valid():
            services.guidance_answer(
                actor=request.user,
                request=gr,
                answer=form.cleaned_data["answer"],
                articles=form.cleaned_data["articles"],
            )
            messages.success(request, _("Answer sent."))
            return redirect("patrols:guidance", request_id=gr.pk)
    elif request.method == "POST":
        raise PermissionDenied("not a mentor of the addressed agency")
    # The linked session/interaction is shown only to its own agency.
    own = gr.agency_id == request.user.agency_id
    return render(
        request,
        "patrols/guidance.html",
        {"gr": gr, "form": form, "own": own, "can_answer": can_answer},
    )


# --- Referrals ------------------------------------------------------------------------------


@agency_member_required
@permission(VIEW)
def referral_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "patrols/referrals.html",
        {
            "sent": selectors.referrals_sent(user=request.user)[:200],
            "received": selectors.referrals_received(user=request.user)[:200],
        },
    )


@agency_member_required
@permission("patrols.refer_case")
def referral_new(request: HttpRequest) -> HttpResponse:
    conversation = None
    if request.GET.get("conversation"):
        conversation = conversation_get(
            user=request.user, conversation_id=request.GET["conversation"]
        )
    incident = None
    if request.GET.get("incident"):
        incident = selectors.incident_get(user=request.user, incident_id=request.GET["incident"])
    if conversation is None and incident is None:
        raise Http404("nothing to refer")
    draft = (
        services.referral_draft(conversation=conversation)
        if conversation
        else services.redact_for_referral(incident.description, request.user.agency.country)
    )
    targets = selectors.referral_targets(user=request.user)
    form = ReferralForm(request.POST or None, targets=targets, initial={"shared_text": draft})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            referral = services.referral_send(
                actor=request.user,
                to_agency=d["to_agency"],
                reason=d["reason"],
                shared_text=d["shared_text"],
                redact=d["redact"],
                conversation=conversation,
                incident=incident,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Referral sent."))
            return redirect("patrols:referral", referral_id=referral.pk)
    return render(
        request,
        "patrols/referral_new.html",
        {"form": form, "conversation": conversation, "incident": incident},
    )


@agency_member_required
@permission(VIEW)
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id)
    is_sender = referral.agency_id == request.user.agency_id
    return render(
        request,
        "patrols/referral.html",
        {
            "referral": referral,
            "is_sender": is_sender,
            "can_decide": not is_sender
            and referral.state == referral.State.SENT
            and request.user.has_perm("patrols.refer_case"),
            "decline_form": DeclineForm(),
        },
    )


@require_POST
@agency_member_required
@permission("patrols.refer_case")
def referral_accept(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id)
    try:
        referral = services.referral_accept(actor=request.user, referral=referral)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("patrols:referral", referral_id=referral.pk)
    messages.success(request, _("Referral accepted: a case was opened in your inbox."))
    return redirect("inbox:conversation", conversation_id=referral.received_conversation_id)


@require_POST
@agency_member_required
@permission("patrols.refer_case")
def referral_decline(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decline(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Referral declined."))
    else:
        messages.error(request, _("Say why the referral is declined."))
    return redirect("patrols:referral", referral_id=referral.pk)


# --- Notifications -------------------------------------------------------------------------


@agency_member_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = list(selectors.notifications(user=request.user))
    services.notifications_mark_read(user=request.user)
    return render(request, "patrols/notifications.html", {"items": items})


@agency_member_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The header's notification link, polled by every page: 204 while the count is
    unchanged, as redrawing it took the focus off the link."""
    unread = selectors.unread_count(user=request.user)
    if request.GET.get("v") == str(unread):
        return HttpResponse(status=204)
    return render(request, "patrols/_badge.html", {"unread": unread, "now": timezone.now()})
