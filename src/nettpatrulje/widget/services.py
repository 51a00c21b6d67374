"""The web chat's server side: visitor tokens, origins, rate limits, and the
two things a visitor can do (write a message, read the conversation).

A visitor has no account. `POST /widget/api/session` gives the script a signed
token naming a random visitor id and the channel; the script keeps it in the
host page's own localStorage and sends it as `Authorization: Bearer <token>`.
Nothing depends on cookies, so third-party cookie blocking does not matter.

A visitor's message takes the same road as every platform's: the request
stores a `WebhookEvent(source="widget")` (with its task, one transaction) and
answers 202; the worker parses it (`parse.parse_payload`) and applies it with
`inbound_apply` — triage, alerts and automatic replies included.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.opening_hours import is_open
from nettpatrulje.channels.models import Channel, Platform, WebhookEvent
from nettpatrulje.channels.services import webhook_event_store
from nettpatrulje.inbox.models import Conversation, Message, OutboxItem
from nettpatrulje.lib.ratelimit import hit
from nettpatrulje.widget.parse import PLATFORM, client_id_from_mid, message_mid

TOKEN_SALT = "nettpatrulje.widget.visitor-token"
EMERGENCY_NUMBER = "112"
MAX_TEXT = 2000
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Messages a visitor's poll returns again although it saw them (the script
# drops what it already has). Covers a message committed after a later one
# was already returned: a slow transaction, a worker that ran late.
CURSOR_OVERLAP = timedelta(minutes=2)
HISTORY_LIMIT = 200
KEPT_HEADERS = ("Content-Type", "User-Agent", "Origin")


def _setting(name: str, default):
    return getattr(settings, name, default)


def token_max_age() -> int:
    # A visitor's conversation survives page loads and visits for this long
    # after their last visit (each visit renews the token).
    return int(_setting("WIDGET_TOKEN_MAX_AGE", 30 * 24 * 3600))


# --- Channels and origins ----------------------------------------------------


def widget_channel(key: str) -> Channel | None:
    if not key or len(key) > 64:
        return None
    return (
        Channel.objects.select_related("agency")
        .filter(platform=Platform.WIDGET, account_id=key)
        .first()
    )


def demo_channel() -> Channel | None:
    return (
        Channel.objects.select_related("agency")
        .filter(platform=Platform.WIDGET, status=Channel.Status.ACTIVE)
        .order_by("pk")
        .first()
    )


def normalise_origin(value: str) -> str:
    """`scheme://host[:port]`, lower case, default ports dropped; "" if not an origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def allowed_origins(channel: Channel, own_origin: str) -> set[str]:
    """The channel's configured origins plus the app's own (the demo page).
    `config["origins"]` is a list, or one string separated by commas or spaces
    (what `channels add --config origins=...` gives)."""
    raw = channel.config.get("origins", [])
    if isinstance(raw, str):
        raw = re.split(r"[,\s]+", raw)
    origins = {normalise_origin(o) for o in raw if isinstance(o, str)}
    origins.add(normalise_origin(own_origin))
    origins.discard("")
    return origins


def origin_allowed(channel: Channel, origin: str, own_origin: str) -> bool:
    return normalise_origin(origin) in allowed_origins(channel, own_origin)


# --- Visitor tokens ----------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    visitor_id: str
    channel_id: int


class TokenInvalid(Exception):
    pass


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def new_visitor_id() -> str:
    return "v_" + secrets.token_urlsafe(16)


def token_issue(*, channel: Channel, visitor_id: str | None = None) -> tuple[str, str]:
    """A signed token for a (new or returning) visitor: (token, visitor id)."""
    visitor_id = visitor_id or new_visitor_id()
    return _signer().sign_object({"v": visitor_id, "c": channel.pk}, compress=True), visitor_id


def token_verify(token: str, *, channel: Channel) -> Visitor:
    """Raises TokenInvalid for a forged, expired, malformed or other channel's token."""
    if not token or len(token) > 500:
        raise TokenInvalid("missing token")
    try:
        data = _signer().unsign_object(token, max_age=token_max_age())
    except signing.SignatureExpired:
        raise TokenInvalid("token expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid("token invalid") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("v"), str)
        or data.get("c") != channel.pk
    ):
        raise TokenInvalid("token is not for this channel")
    return Visitor(visitor_id=data["v"], channel_id=channel.pk)


# --- Rate limits ---------------------------------------------------------------


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited, retry after {retry_after} s")
        self.retry_after = retry_after


def rate_limit(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Raises RateLimited over the limit (lib.ratelimit: a sliding window in
    Django's cache, which must be shared, Redis, for the limit to hold across
    several application servers)."""
    wait = hit(f"widget-{scope}", ident, limit=limit, window=window)
    if wait is not None:
        raise RateLimited(wait)


def rate_limit_message(visitor: Visitor) -> None:
    limit, window = _setting("WIDGET_MESSAGE_RATE", (10, 60))
    rate_limit("msg", visitor.visitor_id, limit=limit, window=window)


def rate_limit_poll(visitor: Visitor) -> None:
    # Polling every 2 s is 30 a minute; the limit only stops runaway clients.
    limit, window = _setting("WIDGET_POLL_RATE", (120, 60))
    rate_limit("poll", visitor.visitor_id, limit=limit, window=window)


def rate_limit_session(ip: str) -> None:
    # New visitors per address: a school behind one NAT address must still fit.
    limit, window = _setting("WIDGET_SESSION_RATE", (30, 600))
    rate_limit("session", ip or "unknown", limit=limit, window=window)


# --- What the widget shows ----------------------------------------------------


def agency_public_info(agency: Agency, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "name": agency.name,
        "country": agency.country,
        "timezone": agency.timezone,
        "opening_hours": agency.opening_hours or {},
        "open_now": is_open(agency.opening_hours, agency.timezone, now),
    }


def session_payload(*, channel: Channel, token: str) -> dict:
    config = channel.config or {}
    return {
        "token": token,
        "expires_in": token_max_age(),
        "channel": {"name": channel.name, "title": config.get("title", "")},
        "agency": agency_public_info(channel.agency),
        "emergency_number": EMERGENCY_NUMBER,
        "non_emergency_number": config.get("non_emergency_number", ""),
        "max_length": MAX_TEXT,
        "poll_ms": 2000,
    }


# --- Writing ---------------------------------------------------------------------


def visitor_message_store(
    *, channel: Channel, visitor: Visitor, client_id: str, text: str, headers: dict[str, str]
) -> WebhookEvent | None:
    """Store the visitor's message durably; the worker applies it. A retry with
    the same client id is recognised at the door (delivery id = the message's
    platform id, unique per source) and stores nothing; should it get past,
    the worker still finds the message a duplicate. Returns None for a retry.
    Kept headers: which website (Origin) and browser; not the IP address."""
    body = json.dumps(
        {
            "widget_key": channel.account_id,
            "visitor": visitor.visitor_id,
            "client_id": client_id,
            "text": text,
            "sent_at": datetime.now(UTC).isoformat(),
        },
        ensure_ascii=False,
    ).encode()
    return webhook_event_store(
        source=PLATFORM,
        body=body,
        headers=headers,
        delivery_id=message_mid(visitor.visitor_id, client_id),
        kept_headers=KEPT_HEADERS,
    )


# --- Reading ---------------------------------------------------------------------


def encode_cursor(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1_000_000))


def decode_cursor(value: str) -> datetime:
    """Raises ValueError for anything that is not a cursor we issued."""
    if not value.isdigit() or len(value) > 20:
        raise ValueError("bad cursor")
    return datetime.fromtimestamp(int(value) / 1_000_000, tz=UTC)


def visitor_messages(
    *, channel: Channel, visitor: Visitor, after: datetime | None = None
) -> tuple[list[dict], str | None]:
    """The visitor's conversation: their own messages and the replies that were
    sent (an outbox item in `sent`). Never internal notes (another model),
    never another visitor's conversation (the thread key is the visitor id from
    the signed token). A reply counts from the moment it was sent, not written,
    so a reply queued behind a slow worker is still picked up by the cursor.

    Returns (messages, cursor). Fetching a reply marks it delivered."""
    conversation = Conversation.objects.filter(
        channel=channel, thread_key=visitor.visitor_id
    ).first()
    if conversation is None:
        return [], None
    visible = Q(direction=Message.Direction.INBOUND) | Q(
        direction=Message.Direction.OUTBOUND, outbox__state=OutboxItem.State.SENT
    )
    qs = (
        Message.objects.filter(conversation=conversation, deleted_at__isnull=True)
        .filter(visible)
        .select_related("outbox")
    )
    if after is not None:
        since = after - CURSOR_OVERLAP
        qs = qs.filter(
            Q(direction=Message.Direction.INBOUND, created_at__gt=since)
            | Q(direction=Message.Direction.OUTBOUND, outbox__sent_at__gt=since)
        )
    messages = list(qs.order_by("-sent_at", "-created_at")[:HISTORY_LIMIT])
    messages.reverse()
    if not messages:
        return [], encode_cursor(after) if after else None
    newest = max(_visible_at(m) for m in messages)
    if after is not None:
        newest = max(newest, after)
    undelivered = [
        m.pk for m in messages if m.direction == Message.Direction.OUTBOUND and not m.delivered_at
    ]
    if undelivered:
        with transaction.atomic():
            Message.objects.filter(pk__in=undelivered, delivered_at__isnull=True).update(
                delivered_at=timezone.now()
            )
    return [_message_json(m, visitor) for m in messages], encode_cursor(newest)


def _visible_at(message: Message) -> datetime:
    if message.direction == Message.Direction.OUTBOUND:
        return message.outbox.sent_at or message.created_at
    return message.created_at


def _message_json(message: Message, visitor: Visitor) -> dict:
    inbound = message.direction == Message.Direction.INBOUND
    return {
        "id": str(message.pk),
        "direction": "in" if inbound else "out",
        "text": message.text,
        "sent_at": message.sent_at.isoformat(),
        "client_id": client_id_from_mid(visitor.visitor_id, message.platform_message_id)
        if inbound
        else "",
        "automatic": message.is_automatic,
    }
