"""Webhook endpoints: verify, store, acknowledge. Nothing else on the request path."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from nettpatrulje.channels import meta
from nettpatrulje.channels.services import webhook_event_store

logger = logging.getLogger(__name__)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _read_limited_body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is over the limit. Reads at most limit + 1
    bytes, so a huge body is refused without being held in memory."""
    limit = settings.WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _meta_handshake(request)
    body = _read_limited_body(request)
    if body is None:
        return _error(413, "body larger than 1 MiB")
    if not meta.verify_signature(
        body, request.headers.get("X-Hub-Signature-256"), settings.META_APP_SECRET
    ):
        return _error(403, "missing or invalid X-Hub-Signature-256")
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return _error(400, "body is not valid JSON")
    event = webhook_event_store(source="meta", body=body, headers=dict(request.headers))
    return JsonResponse({"status": "stored", "event": event.pk})


def _meta_handshake(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    expected = settings.META_VERIFY_TOKEN
    if mode == "subscribe" and expected and hmac.compare_digest(token, expected):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("verification failed", status=403, content_type="text/plain")
