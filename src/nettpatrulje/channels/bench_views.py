"""The baseline of the ingestion benchmark (bench/ingest.py): the cheapest
durable acknowledgement this server can give, one INSERT of the raw body, with
no verification and no task. Routed only when NETTPATRULJE_BENCH_ENDPOINTS is
on (channels/urls.py), never in production."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from nettpatrulje.channels.models import WebhookEvent


@csrf_exempt
@require_POST
def raw_insert(request: HttpRequest) -> JsonResponse:
    event = WebhookEvent.objects.create(
        source="bench", body=request.body, headers={}, status=WebhookEvent.Status.IGNORED
    )
    return JsonResponse({"status": "stored", "event": event.pk})
