from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.inbox.models import Message
from nettpatrulje.lib.http import client_ip
from nettpatrulje.triage import selectors, services
from nettpatrulje.triage.models import EmergencyAlert


@agency_member_required
@permission("triage.acknowledge_alert")
def alerts_banner(request: HttpRequest) -> HttpResponse:
    """The emergency banner, polled by every page. Answers 204 while the open alerts are
    the ones the page shows: re-rendering them every 2 s made screen readers announce
    them again and again, and took the focus off a button the officer had tabbed to."""
    alerts = list(selectors.open_alerts(user=request.user)[:20])
    version = "-".join(str(a.pk) for a in alerts) or "none"
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, "triage/_alerts.html", {"alerts": alerts, "version": version})


@require_POST
@agency_member_required
@permission("triage.acknowledge_alert")
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_visible_or_404(
        EmergencyAlert.objects.select_related("conversation"), request.user, pk=alert_id
    )
    services.alert_acknowledge(alert=alert, user=request.user, ip=client_ip(request))
    if request.headers.get("HX-Request"):
        return alerts_banner(request)
    return redirect("inbox:conversation", conversation_id=alert.conversation_id)


@require_POST
@agency_member_required
@permission("inbox.change_conversation")
def message_correct(request: HttpRequest, message_id) -> HttpResponse:
    message = get_visible_or_404(
        Message.objects.select_related("conversation"), request.user, pk=message_id
    )
    try:
        services.triage_correct(
            message=message,
            user=request.user,
            language=request.POST.get("language", ""),
            category=request.POST.get("category", ""),
            urgency=request.POST.get("urgency", ""),
            flags=request.POST.getlist("flags"),
            ip=client_ip(request),
        )
    except ValueError:
        messages.error(request, _("That correction is not valid."))
    else:
        messages.success(
            request, _("Triage corrected. Thank you: corrections measure and improve the triage.")
        )
    return redirect("inbox:conversation", conversation_id=message.conversation_id)


@agency_member_required
@permission("inbox.view_conversation")
def quality(request: HttpRequest) -> HttpResponse:
    return render(
        request, "triage/quality.html", {"months": selectors.triage_quality(user=request.user)}
    )
