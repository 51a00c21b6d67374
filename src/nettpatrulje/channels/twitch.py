"""Twitch: EventSub over the webhook transport in, Helix (whispers, chat) out.

Signature: `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256(secret,
message id + timestamp + raw body)>`, with the secret we chose when creating the
subscription. Each agency's channel has its own secret, so the body is parsed
once, untrusted, only to find which channel it claims to be for; nothing from it
is used before the signature over the raw bytes checks out with that channel's
secret.

Twitch redelivers a notification it thinks we did not receive with the same
`Twitch-Eventsub-Message-Id`: it is stored as `WebhookEvent.delivery_id`, whose
unique constraint recognises the redelivery at the door.

Thread keys (what a reply is addressed to):
  `<user id>`         a whisper conversation with that user: reply by whisper.
  `chat:<user id>`    a public chat line that needed an officer: the answer is
                      private, so it is a whisper to that user too, never a
                      public chat message naming a young person in front of a stream.
  `room:<broadcaster>` posting in a stream's public chat (Send Chat Message); the
                      product does not create such conversations yet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from nettpatrulje.channels.base import Inbound, Kind, ParseError, SendError, SendResult
from nettpatrulje.lib.http import platform_client
from nettpatrulje.lib.text import storable

PLATFORM = "twitch"
SOURCE = "twitch"

H_ID = "Twitch-Eventsub-Message-Id"
H_TIMESTAMP = "Twitch-Eventsub-Message-Timestamp"
H_SIGNATURE = "Twitch-Eventsub-Message-Signature"
H_TYPE = "Twitch-Eventsub-Message-Type"
H_SUBSCRIPTION = "Twitch-Eventsub-Subscription-Type"
H_VERSION = "Twitch-Eventsub-Subscription-Version"

MESSAGE_VERIFICATION = "webhook_callback_verification"
MESSAGE_NOTIFICATION = "notification"
MESSAGE_REVOCATION = "revocation"

CHAT_MESSAGE = "channel.chat.message"
WHISPER_MESSAGE = "user.whisper.message"

# Twitch: "make sure the value in the timestamp field isn't older than 10 minutes".
MAX_AGE = timedelta(minutes=10)
# A clock a little ahead of ours is normal; a message from far in the future is a
# replay prepared in advance or a broken clock, and is refused like an old one.
MAX_FUTURE_SKEW = timedelta(minutes=1)

SECRET_NAME = "eventsub_secret"
KEPT_HEADERS = (
    "Content-Type",
    "User-Agent",
    H_ID,
    H_TIMESTAMP,
    H_SIGNATURE,
    H_TYPE,
    H_SUBSCRIPTION,
    H_VERSION,
    "X-Forwarded-For",
)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


# --- Verification --------------------------------------------------------------


def sign(message_id: str, timestamp: str, body: bytes, secret: str) -> str:
    message = message_id.encode() + timestamp.encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    *, message_id: str, timestamp: str, body: bytes, header: str | None, secret: str
) -> bool:
    if not secret or not header or not message_id or not timestamp:
        return False
    expected = sign(message_id, timestamp, body, secret)
    # Constant time; compared as bytes so a non-ASCII header cannot raise.
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace"))


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(value: str) -> datetime | None:
    """RFC3339 as Twitch writes it, with nanoseconds (which Python's parser in 3.11
    does not take reliably). None when it is not a timestamp."""
    match = _RFC3339.match(value.strip()) if value else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC
        )
        if zone not in ("Z", "z"):
            sign_ = 1 if zone[0] == "+" else -1
            offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            moment -= sign_ * offset
    except (ValueError, OverflowError):
        return None
    return moment


def timestamp_fresh(value: str, now: datetime) -> bool:
    moment = parse_timestamp(value)
    if moment is None:
        return False
    return now - MAX_AGE <= moment <= now + MAX_FUTURE_SKEW


def candidate_account(data: Any) -> str:
    """The Twitch user id the (not yet trusted) body says it is for: the broadcaster
    for chat, the receiving user for whispers. Only used to pick the secret."""
    subscription = _dict(_dict(data).get("subscription"))
    condition = _dict(subscription.get("condition"))
    for key in ("broadcaster_user_id", "user_id", "to_user_id"):
        value = condition.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and _str(value):
            return _str(value)
    return _str(_dict(_dict(data).get("event")).get("to_user_id"))


# --- Parsing -------------------------------------------------------------------


def parse_payload(data: Any) -> tuple[str, list[Inbound]]:
    """A stored EventSub body (notification or revocation) → (platform, items)."""
    if not isinstance(data, dict):
        raise ParseError("payload is not a JSON object")
    subscription = data.get("subscription")
    if not isinstance(subscription, dict):
        raise ParseError("not an EventSub message: no subscription")
    sub_type = _str(subscription.get("type"))
    account = candidate_account(data)
    event = data.get("event")
    now = datetime.now(UTC)
    if isinstance(event, dict) and sub_type == CHAT_MESSAGE:
        return PLATFORM, [_chat_line(account, event, now)]
    if isinstance(event, dict) and sub_type == WHISPER_MESSAGE:
        return PLATFORM, [_whisper(account, event, now)]
    # Revocations and subscription types we do not handle: kept, linked to the
    # channel, ignored.
    raw = ("revocation:" if event is None else "") + sub_type
    return PLATFORM, [
        Inbound(kind=Kind.UNKNOWN, account_id=account, contact_id="", sent_at=now, raw_type=raw)
    ]


def _chat_line(account: str, event: dict, now: datetime) -> Inbound:
    message = _dict(event.get("message"))
    chatter = _str(event.get("chatter_user_id"))
    return Inbound(
        kind=Kind.CHAT_LINE,
        account_id=_str(event.get("broadcaster_user_id")) or account,
        contact_id=chatter,
        sent_at=now,  # chat notifications carry no send time; they arrive within seconds
        mid=_str(event.get("message_id"))[:128],
        text=_str(message.get("text")),
        raw_type=f"{CHAT_MESSAGE}:{_str(event.get('message_type')) or 'text'}"[:100],
        thread_id=f"chat:{chatter}" if chatter else "",
        display_name=_str(event.get("chatter_user_name") or event.get("chatter_user_login")),
    )


def _whisper(account: str, event: dict, now: datetime) -> Inbound:
    whisper = _dict(event.get("whisper"))
    return Inbound(
        kind=Kind.MESSAGE,
        account_id=_str(event.get("to_user_id")) or account,
        # The thread is the sender: a private conversation with that user.
        contact_id=_str(event.get("from_user_id")),
        sent_at=now,
        mid=_str(event.get("whisper_id"))[:128],
        text=_str(whisper.get("text")),
        raw_type=WHISPER_MESSAGE,
        display_name=_str(event.get("from_user_name") or event.get("from_user_login")),
    )


# --- Request-path writes ---------------------------------------------------------


def subscription_status_set(*, channel_id: int, subscription: Any, status: str, reason: str = ""):
    """Record a subscription's state in the channel's config where admins see it;
    a revoked one also marks the channel as needing reconnection."""
    from django.db import transaction
    from django.utils import timezone

    from nettpatrulje.channels.models import Channel

    # From the body: cleaned of what the database cannot hold.
    subscription = storable(_dict(subscription))
    status, reason = storable(status), storable(reason)
    sub_type = _str(subscription.get("type"))[:100] or "unknown"
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel_id)
        config = dict(channel.config or {})
        subscriptions = dict(_dict(config.get("subscriptions")))
        subscriptions[sub_type] = {
            "status": status[:100],
            "id": _str(subscription.get("id"))[:100],
            "version": _str(subscription.get("version"))[:20],
            "at": timezone.now().isoformat(),
        }
        config["subscriptions"] = subscriptions
        channel.config = config
        fields = ["config"]
        if reason:
            channel.needs_reconnect = True
            channel.last_error = reason[:2000]
            channel.last_error_at = timezone.now()
            fields += ["needs_reconnect", "last_error", "last_error_at"]
        channel.save(update_fields=fields)


# --- Sending (Helix) -------------------------------------------------------------

CHAT_PREFIX = "chat:"
ROOM_PREFIX = "room:"
SEND_TIMEOUT = 10.0


class HelixClient:
    """Twitch's Helix API for one channel's user token.

    Whispers answer 204 with no body, so there is no platform id for what we
    sent: the result carries a synthetic one (`whisper:<uuid>`)."""

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        token: str,
        sender_id: str,
        timeout: float = SEND_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.token = token
        self.sender_id = sender_id
        self.timeout = timeout
        self.transport = transport

    def send_text(
        self, *, recipient_id: str, text: str, metadata: str, tag: str | None = None
    ) -> SendResult:
        # `metadata` and `tag` are Meta concepts; Helix has neither.
        if recipient_id.startswith(ROOM_PREFIX):
            return self.send_chat_message(
                broadcaster_id=recipient_id.removeprefix(ROOM_PREFIX), text=text
            )
        return self.send_whisper(to_user_id=recipient_id.removeprefix(CHAT_PREFIX), text=text)

    def send_whisper(self, *, to_user_id: str, text: str) -> SendResult:
        if not to_user_id:
            raise SendError("no Twitch user to whisper to", transient=False)
        response = self._post(
            "/whispers",
            params={"from_user_id": self.sender_id, "to_user_id": to_user_id},
            body={"message": text},
        )
        if response.status_code == 204:
            return SendResult(platform_message_id=f"whisper:{uuid.uuid4()}")
        raise self._error(response)

    def send_chat_message(self, *, broadcaster_id: str, text: str) -> SendResult:
        response = self._post(
            "/chat/messages",
            params=None,
            body={"broadcaster_id": broadcaster_id, "sender_id": self.sender_id, "message": text},
        )
        if response.status_code != 200:
            raise self._error(response)
        data = _dict(_json(response)).get("data")
        first = _dict(data[0]) if isinstance(data, list) and data else {}
        if first.get("is_sent") and first.get("message_id"):
            return SendResult(platform_message_id=_str(first["message_id"]))
        drop = _dict(first.get("drop_reason"))
        # Dropped by AutoMod or the channel's settings: sending the same text again
        # would be dropped again.
        raise SendError(
            f"Twitch dropped the chat message: {_str(drop.get('code')) or 'unknown'}"
            f" {_str(drop.get('message'))}".strip(),
            transient=False,
        )

    def _post(self, path: str, *, params: dict | None, body: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Client-Id": self.client_id}
        try:
            with platform_client(timeout=self.timeout, transport=self.transport) as client:
                return client.post(self.base_url + path, params=params, json=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never reached Twitch: safe to try again.
            raise SendError(f"could not connect: {exc}", transient=True) from exc
        except (httpx.WriteTimeout, httpx.WriteError) as exc:
            # Twitch acts on a complete request only; a body cut short was not sent.
            raise SendError(f"request interrupted: {exc}", transient=True) from exc
        except httpx.HTTPError as exc:
            # Sent, but no answer (read timeout, connection dropped): the whisper may
            # well have arrived, and Twitch sends no echo to settle it later. A retry
            # could deliver it twice, so the officer decides (failed, "send again").
            raise SendError(
                f"no answer from Twitch, the message may have arrived: {exc}", transient=False
            ) from exc

    @staticmethod
    def _error(response: httpx.Response) -> SendError:
        data = _dict(_json(response))
        message = _str(data.get("message")) or response.reason_phrase or "unknown error"
        status = response.status_code
        reason = f"HTTP {status}: {message}"
        if status == 401:
            # Expired or revoked user token, or a client id that does not match it.
            return SendError(reason, transient=False, code=status, needs_reconnect=True)
        return SendError(reason, transient=status == 429 or status >= 500, code=status)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, ValueError):
        return {}
