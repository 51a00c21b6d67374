from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import webhook_event_retry
from nettpatrulje.web.models import WorkerHeartbeat

HEARTBEAT_STALE_SECONDS = 60


# Who to try in the demo, and why: one of each kind of user from PRODUCT.md.
DEMO_PERSONAS = [
    (
        "ola",
        "kripos",
        gettext_lazy("An officer in Norway: the inbox, triage, replies, patrol sessions."),
    ),
    ("kari", "kripos", gettext_lazy("A supervisor: emergency alerts, the queue, who opened what.")),
    (
        "aino",
        "poliisi",
        gettext_lazy("A Finnish partner officer in the action week: only Finland's cases."),
    ),
    ("mentor", "kripos", gettext_lazy("A Kripos mentor: guidance requests from every country.")),
    (
        "coordinator",
        "kripos",
        gettext_lazy("The coordinator: plan the action week and follow it live."),
    ),
    ("analyst", "kripos", gettext_lazy("An analyst: dashboards, exports, reports.")),
    ("admin", "kripos", gettext_lazy("An administrator: channels, audit trail, retention.")),
]


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("inbox:list")
    if settings.DEMO_MODE:
        return render(request, "web/demo_home.html", {"personas": DEMO_PERSONAS})
    return redirect("login")


@require_POST
def demo_login(request: HttpRequest, username: str) -> HttpResponse:
    """One-click login for the demo's own users; does not exist outside demo mode."""
    from django.contrib.auth import login

    from nettpatrulje.accounts.models import User

    if not settings.DEMO_MODE or username not in {p[0] for p in DEMO_PERSONAS}:
        raise Http404
    user = User.objects.filter(username=username, email__endswith="@demo.invalid").first()
    if user is None:
        raise Http404
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("inbox:list")


def healthz(request: HttpRequest) -> JsonResponse:
    status = 200
    body: dict = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return JsonResponse({"database": f"error: {type(exc).__name__}"}, status=503)
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if beat is None:
        body["worker"] = "never seen"
        body["worker_heartbeat_age_seconds"] = None
    else:
        age = (timezone.now() - beat.seen_at).total_seconds()
        body["worker_heartbeat_age_seconds"] = round(age, 1)
        body["worker"] = "ok" if age < HEARTBEAT_STALE_SECONDS else "stale"
    body["pending_events"] = WebhookEvent.objects.filter(status=WebhookEvent.Status.PENDING).count()
    body["status"] = "ok" if body["worker"] == "ok" else "degraded"
    return JsonResponse(body, status=status)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition, for the monitoring system only."""
    from prometheus_client.exposition import generate_latest

    from nettpatrulje.web.metrics import metrics_allowed, metrics_registry

    if not metrics_allowed(request):
        raise Http404
    # The classic text format: every Prometheus version reads it, and the names
    # here need nothing newer.
    return HttpResponse(
        generate_latest(metrics_registry()),
        content_type="text/plain; version=0.0.4; charset=utf-8",
    )


@agency_member_required
@permission("channels.view_webhookevent")
def events_list(request: HttpRequest) -> HttpResponse:
    """Events that need an admin: unrouted (no channel configured) and failed.
    Unrouted events name no agency, so admins of every agency see their account ids
    only, never the message contents."""
    unrouted = WebhookEvent.objects.filter(status=WebhookEvent.Status.UNROUTED).order_by(
        "-received_at"
    )[:100]
    failed = WebhookEvent.objects.filter(
        status=WebhookEvent.Status.FAILED, channel__agency_id=request.user.agency_id
    ).order_by("-received_at")[:100]
    return render(request, "web/events.html", {"unrouted": unrouted, "failed": failed})


@require_POST
@agency_member_required
@permission("channels.change_channel")
def event_retry(request: HttpRequest, event_id: int) -> HttpResponse:
    event = WebhookEvent.objects.filter(
        pk=event_id, status__in=[WebhookEvent.Status.UNROUTED, WebhookEvent.Status.FAILED]
    ).first()
    if event is not None:
        webhook_event_retry(event=event)
    return redirect("events")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme
    from django.views.i18n import set_language as django_set_language

    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    nxt = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        request.POST = request.POST.copy()
        request.POST["next"] = "/"
    return django_set_language(request)
