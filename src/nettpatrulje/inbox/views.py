"""Inbox pages. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.audit.services import audit_log
from nettpatrulje.channels.models import Channel
from nettpatrulje.inbox import selectors, services
from nettpatrulje.inbox.forms import ConversationUpdateForm, FilterForm, NoteForm, ReplyForm
from nettpatrulje.inbox.models import Conversation, OutboxItem
from nettpatrulje.inbox.rows import conversation_rows
from nettpatrulje.lib.http import client_ip


def _filter_form(request: HttpRequest) -> FilterForm:
    return FilterForm(
        request.GET or None,
        initial={"status": Conversation.Status.OPEN},
        channels=Channel.objects.visible_to(request.user),
        labels=selectors.labels_for(user=request.user),
        colleagues=selectors.colleagues_for(user=request.user),
    )


@agency_member_required
@permission("inbox.view_conversation")
def inbox_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    limit = _list_limit(request)
    filters = form.to_filters()
    qs = selectors.conversation_list(user=request.user, filters=filters, limit=limit + 1)
    conversations = conversation_rows(qs, limit + 1)
    more_url = None
    if len(conversations) > limit and limit < selectors.LIST_LIMIT:
        params = request.GET.copy()
        # Spelled out, so the filter form on the next page shows what it filters.
        params.setdefault("status", filters.status)
        params["limit"] = str(limit + selectors.LIST_PAGE)
        more_url = f"?{params.urlencode()}"
    template = "inbox/_rows.html" if request.headers.get("HX-Request") else "inbox/list.html"
    return render(
        request,
        template,
        {"form": form, "conversations": conversations[:limit], "more_url": more_url},
    )


def _list_limit(request: HttpRequest) -> int:
    """Rows shown: a page at first, more on request. The list is re-drawn every
    two seconds for every officer watching it, so it stays short by default."""
    raw = request.GET.get("limit", "")
    limit = int(raw) if raw.isdigit() and len(raw) < 6 else selectors.LIST_PAGE
    return max(selectors.LIST_PAGE, min(limit, selectors.LIST_LIMIT))


@agency_member_required
@permission("inbox.view_conversation")
def conversation_detail(request: HttpRequest, conversation_id) -> HttpResponse:
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    audit_log(
        action="conversation.view", actor=request.user, obj=conversation, ip=client_ip(request)
    )
    return render(request, "inbox/conversation.html", _conversation_context(request, conversation))


def _correct_choices(request: HttpRequest) -> dict | None:
    if not request.user.has_perm("inbox.change_conversation"):
        return None
    from nettpatrulje.triage import CATEGORIES, FLAGS, LANGUAGES, URGENCIES

    return {
        "languages": (*LANGUAGES, "und"),
        "categories": CATEGORIES,
        "urgencies": URGENCIES,
        "flags": FLAGS,
    }


def _access_log(request: HttpRequest, conversation) -> list | None:
    if not request.user.has_perm("audit.view_access_log"):
        return None
    from nettpatrulje.audit.selectors import conversation_access_log

    return list(conversation_access_log(user=request.user, conversation=conversation)[:50])


def _conversation_context(request: HttpRequest, conversation, **extra) -> dict:
    return {
        "correct_choices": _correct_choices(request),
        "thread_version": selectors.conversation_thread_version(conversation=conversation),
        "alerts": conversation.alerts.select_related("acknowledged_by"),
        "access_log": _access_log(request, conversation),
        "holds": conversation.legal_holds.filter(released_at__isnull=True).select_related(
            "placed_by"
        ),
        "conversation": conversation,
        "thread": selectors.conversation_thread(conversation=conversation),
        "notes": selectors.conversation_notes(conversation=conversation),
        "window": services.reply_window(conversation),
        "canned": selectors.canned_responses_for(user=request.user, language=conversation.language),
        "labels": selectors.labels_for(user=request.user),
        "selected_labels": {lb.pk for lb in conversation.labels.all()},
        "colleagues": selectors.colleagues_for(user=request.user),
        "reply_form": extra.pop("reply_form", None) or ReplyForm(),
        "note_form": NoteForm(),
        "statuses": conversation.Status.choices,
        "priorities": conversation._meta.get_field("priority").choices,
        **extra,
    }


@agency_member_required
@permission("inbox.view_conversation")
def conversation_thread(request: HttpRequest, conversation_id) -> HttpResponse:
    """The live part of a conversation, polled by the page. Answers 204 when
    nothing changed, so htmx leaves the page (and an open correction form) alone."""
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    version = selectors.conversation_thread_version(conversation=conversation)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(
        request,
        "inbox/_thread_live.html",
        {
            "conversation": conversation,
            "thread": selectors.conversation_thread(conversation=conversation),
            "thread_version": version,
            "correct_choices": _correct_choices(request),
        },
    )


@require_POST
@agency_member_required
@permission("inbox.reply_conversation")
def conversation_reply(request: HttpRequest, conversation_id) -> HttpResponse:
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_reply(
                conversation=conversation,
                author=request.user,
                text=form.cleaned_data["text"],
                ip=client_ip(request),
            )
        except services.ReplyBlocked as exc:
            messages.error(request, str(exc))
        else:
            return redirect("inbox:conversation", conversation_id=conversation.pk)
    else:
        messages.error(
            request, _("The reply could not be sent: write some text (at most 2000 characters).")
        )
    return redirect("inbox:conversation", conversation_id=conversation.pk)


@require_POST
@agency_member_required
@permission("inbox.add_note")
def conversation_note(request: HttpRequest, conversation_id) -> HttpResponse:
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_create(
            conversation=conversation,
            author=request.user,
            text=form.cleaned_data["text"],
            ip=client_ip(request),
        )
    else:
        messages.error(request, _("The note is empty."))
    return redirect("inbox:conversation", conversation_id=conversation.pk)


@require_POST
@agency_member_required
@permission("inbox.change_conversation")
def conversation_update(request: HttpRequest, conversation_id) -> HttpResponse:
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    form = ConversationUpdateForm(request.POST)
    ip = client_ip(request)
    if not form.is_valid():
        messages.error(request, _("That change is not valid."))
        return redirect("inbox:conversation", conversation_id=conversation.pk)
    data = form.cleaned_data
    if data.get("status") and data["status"] != conversation.status:
        services.conversation_set_status(
            conversation=conversation, status=data["status"], actor=request.user, ip=ip
        )
    if data.get("priority") is not None and data["priority"] != conversation.priority:
        services.conversation_set_priority(
            conversation=conversation, priority=data["priority"], actor=request.user, ip=ip
        )
    if "assignee" in request.POST:
        _assign(request, conversation, data.get("assignee") or "", ip)
    if "labels_present" in request.POST:
        label_ids = [int(x) for x in request.POST.getlist("labels") if x.isdigit()]
        services.conversation_set_labels(
            conversation=conversation, label_ids=label_ids, actor=request.user, ip=ip
        )
    return redirect("inbox:conversation", conversation_id=conversation.pk)


def _assign(request: HttpRequest, conversation, value: str, ip) -> None:
    if value == "me":
        assignee = request.user
    elif value.isdigit():
        assignee = selectors.colleagues_for(user=request.user).filter(pk=int(value)).first()
        if assignee is None:
            messages.error(request, _("That colleague was not found."))
            return
        if assignee != request.user and not request.user.has_perm("inbox.assign_others"):
            messages.error(request, _("Only supervisors can assign conversations to others."))
            return
    else:
        assignee = None
    if assignee != conversation.assignee:
        services.conversation_assign(
            conversation=conversation, assignee=assignee, actor=request.user, ip=ip
        )


@require_POST
@agency_member_required
@permission("inbox.reply_conversation")
def outbox_resolve(request: HttpRequest, outbox_id) -> HttpResponse:
    item = get_visible_or_404(
        OutboxItem.objects.select_related("message__conversation"), request.user, pk=outbox_id
    )
    services.outbox_resolve(
        item=item,
        actor=request.user,
        delivered=request.POST.get("delivered") == "1",
        ip=client_ip(request),
    )
    return redirect("inbox:conversation", conversation_id=item.message.conversation_id)
