from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.audit.evidence import conversation_evidence, session_evidence
from nettpatrulje.audit.models import LegalHold, RetentionPolicy
from nettpatrulje.audit.retention import legal_hold_place, legal_hold_release, retention_plan
from nettpatrulje.audit.selectors import TrailFilters, trail_search
from nettpatrulje.audit.services import audit_log, policy_save
from nettpatrulje.inbox.models import Conversation
from nettpatrulje.lib.http import client_ip


class TrailForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> TrailFilters:
        return TrailFilters(**self.cleaned_data) if self.is_valid() else TrailFilters()


class _Echo:
    def write(self, value: str) -> str:
        return value


@agency_member_required
@permission("audit.view_trail")
def trail(request: HttpRequest) -> HttpResponse:
    form = TrailForm(request.GET or None)
    records = trail_search(user=request.user, filters=form.filters())
    if request.GET.get("format") == "csv":
        audit_log(
            action="audit.export",
            actor=request.user,
            agency_id=request.user.agency_id,
            ip=client_ip(request),
            detail={"filters": request.GET.dict()},
        )
        writer = csv.writer(_Echo())
        header = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "ip",
            "reason",
            "detail",
            "hash",
        ]
        rows = (
            [
                r.pk,
                r.at.isoformat(),
                r.actor_label,
                r.action,
                r.object_type,
                r.object_id,
                r.ip or "",
                r.reason,
                r.detail,
                r.hash,
            ]
            for r in records.iterator()
        )
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in _with_header(header, rows)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
    return render(request, "audit/trail.html", {"form": form, "records": records[:200]})


def _with_header(header, rows):
    yield header
    yield from rows


@require_POST
@agency_member_required
@permission("audit.export_evidence")
def evidence_export(request: HttpRequest, conversation_id) -> HttpResponse:
    conversation = get_visible_or_404(Conversation, request.user, pk=conversation_id)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why the evidence is exported: the reason is recorded."))
        return redirect("inbox:conversation", conversation_id=conversation.pk)
    data = conversation_evidence(
        conversation=conversation, user=request.user, ip=client_ip(request), reason=reason
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="evidence-{conversation.pk}.zip"'
    return response


@require_POST
@agency_member_required
@permission("audit.export_evidence")
def session_evidence_export(request: HttpRequest, session_id: int) -> HttpResponse:
    from nettpatrulje.patrols.models import PatrolSession

    session = get_visible_or_404(PatrolSession, request.user, pk=session_id)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why the evidence is exported: the reason is recorded."))
        return redirect("patrols:session", session_id=session.pk)
    data = session_evidence(
        session=session, user=request.user, ip=client_ip(request), reason=reason
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="evidence-session-{session.pk}.zip"'
    return response


@require_POST
@agency_member_required
@permission("audit.manage_retention")
def hold_place(request: HttpRequest, conversation_id) -> HttpResponse:
    conversation = get_visible_or_404(Conversation, request.user, pk=conversation_id)
    try:
        legal_hold_place(
            conversation=conversation,
            user=request.user,
            reason=request.POST.get("reason", ""),
            ip=client_ip(request),
        )
    except ValueError:
        messages.error(request, _("A legal hold needs a reason."))
    return redirect("inbox:conversation", conversation_id=conversation.pk)


@require_POST
@agency_member_required
@permission("audit.manage_retention")
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_visible_or_404(
        LegalHold.objects.select_related("conversation"), request.user, pk=hold_id
    )
    legal_hold_release(
        hold=hold, user=request.user, reason=request.POST.get("reason", ""), ip=client_ip(request)
    )
    return redirect("inbox:conversation", conversation_id=hold.conversation_id)


class PolicyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    keep_days = forms.IntegerField(
        label=_("Keep closed conversations for (days)"), min_value=1, max_value=36500
    )
    action = forms.ChoiceField(label=_("Then"), choices=RetentionPolicy.Action.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from nettpatrulje.triage.labels import CATEGORY_LABELS

        self.fields["category"].choices = [("", _("Every other category"))] + list(
            CATEGORY_LABELS.items()
        )


@agency_member_required
@permission("audit.manage_retention")
def retention(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policy_save(
            agency=request.user.agency,
            user=request.user,
            ip=client_ip(request),
            **form.cleaned_data,
        )
        return redirect("audit:retention")
    return render(
        request,
        "audit/retention.html",
        {
            "form": form,
            "policies": RetentionPolicy.objects.visible_to(request.user).order_by("category"),
            "plan": retention_plan(agency_id=request.user.agency_id),
            "holds": LegalHold.objects.visible_to(request.user)
            .filter(released_at__isnull=True)
            .select_related("placed_by"),
        },
    )
