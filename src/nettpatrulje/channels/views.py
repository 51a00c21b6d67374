"""Webhook endpoints: verify, store, acknowledge. Nothing else on the request path."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from nettpatrulje.channels import meta
from nettpatrulje.channels.services import webhook_event_store
from nettpatrulje.lib.http import json_body
from nettpatrulje.lib.ratelimit import rate_limited
from nettpatrulje.lib.text import storable

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
@rate_limited("webhook-meta", "WEBHOOK_RATE_LIMIT_PER_MINUTE")
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
        json_body(body)
    except ValueError:
        return _error(400, "body is not JSON in UTF-8")
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


@csrf_exempt
@require_http_methods(["POST"])
def twitch_webhook(request: HttpRequest) -> HttpResponse:
    """Twitch EventSub (webhook transport). Refusals are 403 as Twitch documents
    for a failed signature; whatever is verified is answered 2xx, or Twitch retries
    and eventually revokes the subscription."""
    from django.utils import timezone

    from nettpatrulje.channels import twitch
    from nettpatrulje.channels.models import Channel, Platform

    body = _read_limited_body(request)
    if body is None:
        return _error(413, "body larger than 1 MiB")
    message_id = request.headers.get(twitch.H_ID, "")
    timestamp = request.headers.get(twitch.H_TIMESTAMP, "")
    signature = request.headers.get(twitch.H_SIGNATURE)
    if not (message_id and timestamp and signature):
        return _error(403, "missing Twitch-Eventsub-Message-* headers")
    if not twitch.timestamp_fresh(timestamp, timezone.now()):
        return _error(403, "message timestamp too old or in the future")
    try:
        # Untrusted until verified: read only to find whose secret signs it.
        data = json_body(body)
    except ValueError:
        return _error(400, "body is not JSON in UTF-8")
    # Cleaned: a NUL or lone surrogate in a query fails in the database driver.
    account = storable(twitch.candidate_account(data))
    channel = (
        # order_by(): the model's default ordering joins agencies, on the hot path.
        Channel.objects.filter(platform=Platform.TWITCH, account_id=account).order_by().first()
        if account
        else None
    )
    if channel is None or not twitch.verify_signature(
        message_id=message_id,
        timestamp=timestamp,
        body=body,
        header=signature,
        secret=channel.secret(twitch.SECRET_NAME),
    ):
        return _error(403, "invalid signature")
    message_type = request.headers.get(twitch.H_TYPE, "")
    subscription = data.get("subscription") if isinstance(data, dict) else None
    subscription = subscription if isinstance(subscription, dict) else {}
    if message_type == twitch.MESSAGE_VERIFICATION:
        challenge = data.get("challenge") if isinstance(data, dict) else None
        if not isinstance(challenge, str) or not challenge:
            return _error(400, "verification without a challenge")
        twitch.subscription_status_set(
            channel_id=channel.pk, subscription=subscription, status="enabled"
        )
        return HttpResponse(challenge, content_type="text/plain")
    if message_type == twitch.MESSAGE_REVOCATION:
        # Marked before storing: a crash in between leaves Twitch without its 2xx,
        # so it redelivers, and marking again is harmless.
        status = str(subscription.get("status") or "revoked")
        twitch.subscription_status_set(
            channel_id=channel.pk,
            subscription=subscription,
            status=status,
            reason=f"Twitch revoked the {subscription.get('type', '')} subscription: {status}",
        )
    event = webhook_event_store(
        source=twitch.SOURCE,
        body=body,
        headers=dict(request.headers),
        delivery_id=message_id,
        kept_headers=twitch.KEPT_HEADERS,
    )
    if event is None:
        return JsonResponse({"status": "duplicate"})
    return JsonResponse({"status": "stored", "event": event.pk})


@csrf_exempt
@require_http_methods(["POST"])
def discord_interactions(request: HttpRequest) -> HttpResponse:
    """Discord's interactions endpoint. Discord probes it with forged signatures
    and requires 401 for them before it accepts the URL."""
    from nettpatrulje.channels import discord
    from nettpatrulje.channels.models import Channel, Platform

    body = _read_limited_body(request)
    if body is None:
        return _error(413, "body larger than 1 MiB")
    signature = request.headers.get("X-Signature-Ed25519")
    timestamp = request.headers.get("X-Signature-Timestamp")
    if not signature or not timestamp:
        return _error(401, "missing X-Signature-Ed25519 or X-Signature-Timestamp")
    try:
        interaction = json_body(body)
    except ValueError:
        return _error(400, "body is not JSON in UTF-8")
    if not isinstance(interaction, dict):
        return _error(400, "body is not a JSON object")
    # The application id only chooses which key must verify the signature (cleaned:
    # a NUL or lone surrogate in a query fails in the database driver).
    channel = (
        Channel.objects.filter(
            platform=Platform.DISCORD,
            account_id=storable(str(interaction.get("application_id", ""))),
        )
        .select_related("agency")
        .first()
    )
    public_key = str((channel.config or {}).get("public_key", "")) if channel else ""
    if not discord.verify_interaction(
        public_key=public_key, signature=signature, timestamp=timestamp, body=body
    ):
        return _error(401, "invalid request signature")
    try:
        response = discord.interaction_respond(
            channel=channel,
            interaction=interaction,
            rest_factory=lambda c: discord.rest_for(c, timeout=1.5, max_inline_wait=0.0),
        )
    except discord.InteractionError as exc:
        return _error(400, str(exc))
    return JsonResponse(response)
