"""Facebook Messenger and Instagram messaging, which share Meta's webhook
format and Send API.

Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.
Meta escapes non-ASCII as \\uXXXX in the body it signs, so the check runs on
the bytes exactly as received, never on a re-serialisation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from nettpatrulje.channels.base import (
    Attachment,
    Inbound,
    Kind,
    ParseError,
    SendError,
    SendResult,
)
from nettpatrulje.lib.http import platform_client

OBJECT_PLATFORMS = {"page": "messenger", "instagram": "instagram"}
TOKEN_ERROR_CODES = {190}
# Graph error codes that mean "try again later" although the HTTP status is 4xx.
TRANSIENT_ERROR_CODES = {1, 2, 4, 17, 32, 613}


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    if not secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())


def _ms_to_datetime(value: Any) -> datetime:
    try:
        ms = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
        return datetime.now(UTC)
    # Some event types carry seconds, most milliseconds.
    if ms < 10**11:
        ms *= 1000
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.now(UTC)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _attachments(message: dict) -> tuple[Attachment, ...]:
    result = []
    for att in _list(message.get("attachments")):
        att = _dict(att)
        payload = _dict(att.get("payload"))
        extra = {}
        for key in ("sticker_id", "title", "id"):
            if key in payload and key != "title":
                extra[key] = _str(payload[key])
        result.append(
            Attachment(
                type=_str(att.get("type")) or "unknown",
                url=_str(payload.get("url")),
                title=_str(att.get("title") or payload.get("title")),
                extra=extra,
            )
        )
    return tuple(result)


def parse_payload(data: Any) -> tuple[str, list[Inbound]]:
    """Return (platform, items). Raises ParseError when it is not a Meta payload."""
    if not isinstance(data, dict):
        raise ParseError("payload is not a JSON object")
    platform = OBJECT_PLATFORMS.get(_str(data.get("object")))
    if platform is None:
        raise ParseError(f"unsupported object type {data.get('object')!r}")
    items: list[Inbound] = []
    for entry in _list(data.get("entry")):
        entry = _dict(entry)
        account_id = _str(entry.get("id"))
        for event in _list(entry.get("messaging")) + _list(entry.get("standby")):
            if isinstance(event, dict):
                items.append(_parse_messaging(account_id, event))
    return platform, items


def _parse_messaging(account_id: str, event: dict) -> Inbound:
    sender = _str(_dict(event.get("sender")).get("id"))
    recipient = _str(_dict(event.get("recipient")).get("id"))
    sent_at = _ms_to_datetime(event.get("timestamp"))
    message = event.get("message")
    if isinstance(message, dict):
        mid = _str(message.get("mid"))
        if message.get("is_echo"):
            return Inbound(
                kind=Kind.ECHO,
                account_id=account_id,
                contact_id=recipient,
                sent_at=sent_at,
                mid=mid,
                text=_str(message.get("text")),
                attachments=_attachments(message),
                metadata=_str(message.get("metadata")),
                raw_type="message.echo",
            )
        if message.get("is_deleted"):
            return Inbound(
                kind=Kind.UNSEND,
                account_id=account_id,
                contact_id=sender,
                sent_at=sent_at,
                mid=mid,
                raw_type="message.deleted",
            )
        reply_to = _dict(message.get("reply_to")) or None
        quick = _dict(message.get("quick_reply"))
        return Inbound(
            kind=Kind.MESSAGE,
            account_id=account_id,
            contact_id=sender,
            sent_at=sent_at,
            mid=mid,
            text=_str(message.get("text")),
            attachments=_attachments(message),
            reply_to=reply_to,
            payload=_str(quick.get("payload")),
            raw_type="message",
        )
    if isinstance(event.get("postback"), dict):
        postback = event["postback"]
        return Inbound(
            kind=Kind.POSTBACK,
            account_id=account_id,
            contact_id=sender,
            sent_at=sent_at,
            mid=_str(postback.get("mid")),
            text=_str(postback.get("title")),
            payload=_str(postback.get("payload")),
            raw_type="postback",
        )
    if isinstance(event.get("delivery"), dict):
        delivery = event["delivery"]
        return Inbound(
            kind=Kind.DELIVERY,
            account_id=account_id,
            contact_id=sender,
            sent_at=sent_at,
            mids=tuple(_str(m) for m in _list(delivery.get("mids"))),
            watermark=_ms_to_datetime(delivery.get("watermark")),
            raw_type="delivery",
        )
    if isinstance(event.get("read"), dict):
        read = event["read"]
        watermark = read.get("watermark")
        return Inbound(
            kind=Kind.READ,
            account_id=account_id,
            contact_id=sender,
            sent_at=sent_at,
            mid=_str(read.get("mid")),
            watermark=_ms_to_datetime(watermark) if watermark is not None else sent_at,
            raw_type="read",
        )
    known = [k for k in event if k not in {"sender", "recipient", "timestamp"}]
    return Inbound(
        kind=Kind.UNKNOWN,
        account_id=account_id,
        contact_id=sender,
        sent_at=sent_at,
        raw_type=",".join(sorted(known))[:100] or "empty",
    )


class GraphClient:
    """Meta's Send API. One instance per channel token."""

    def __init__(
        self,
        *,
        base_url: str,
        version: str,
        token: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{version}/me/messages"
        self.token = token
        self.timeout = timeout
        self.transport = transport

    def send_text(
        self, *, recipient_id: str, text: str, metadata: str, tag: str | None = None
    ) -> SendResult:
        body: dict[str, Any] = {
            "recipient": {"id": recipient_id},
            "message": {"text": text, "metadata": metadata},
        }
        if tag:
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = tag
        else:
            body["messaging_type"] = "RESPONSE"
        try:
            with platform_client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}
                )
        except httpx.TimeoutException as exc:
            raise SendError(f"timeout: {exc}", transient=True) from exc
        except httpx.HTTPError as exc:
            raise SendError(f"network error: {exc}", transient=True) from exc
        return self._result(response)

    @staticmethod
    def _result(response: httpx.Response) -> SendResult:
        try:
            data = response.json()
        except (json.JSONDecodeError, ValueError):
            data = {}
        if response.status_code == 200 and isinstance(data, dict) and data.get("message_id"):
            return SendResult(platform_message_id=_str(data["message_id"]))
        error = _dict(_dict(data).get("error"))
        code = error.get("code") if isinstance(error.get("code"), int) else None
        message = _str(error.get("message")) or response.reason_phrase or "unknown error"
        reason = f"HTTP {response.status_code}" + (f", Graph error {code}" if code else "")
        reason += f": {message}"
        if code in TOKEN_ERROR_CODES:
            raise SendError(reason, transient=False, code=code, needs_reconnect=True)
        transient = (
            response.status_code >= 500
            or response.status_code == 429
            or (code in TRANSIENT_ERROR_CODES)
        )
        raise SendError(reason, transient=transient, code=code)
