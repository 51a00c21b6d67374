"""A local stand-in for Twitch: the Helix endpoints we send with, over real HTTP,
and builders of signed EventSub webhook messages as Twitch sends them.

Used by the tests and the benchmark (`bench/twitch_ingest.py`).

Helix endpoints (as Twitch documents them):
  POST /helix/whispers?from_user_id=&to_user_id=   {"message"}  → 204
  POST /helix/chat/messages  {"broadcaster_id","sender_id","message"}
       → 200 {"data": [{"message_id", "is_sent", "drop_reason"}]}
Both need `Authorization: Bearer <user token>` and `Client-Id`; a token in
`expired_tokens` or starting with "EXPIRED" answers 401 like an expired one.

Control endpoints (not part of Twitch's API):
  POST /_fake/fail   {"status": 500, "count": 2}   next N sends fail
  POST /_fake/reset
  GET  /_fake/sent   what was sent, in order
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from nettpatrulje.channels import twitch
from nettpatrulje.channels.fakeserver import FakeServer, JsonHandler


@dataclass
class FakeHelixState:
    sent: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    expired_tokens: set[str] = field(default_factory=set)
    drop_next: int = 0  # chat messages dropped (as by AutoMod) before the next one is sent
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))


class FakeHelixServer(FakeServer):
    poll_interval = 0.02

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = FakeHelixState()
        super().__init__(host=host, port=port)

    @property
    def helix_url(self) -> str:
        return self.url + "/helix"

    def fail_next(self, status: int, count: int = 1) -> None:
        with self.state.lock:
            self.state.failures.extend([status] * count)

    def expire(self, token: str) -> None:
        with self.state.lock:
            self.state.expired_tokens.add(token)

    @property
    def sent(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.sent)


_ERROR_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class _Handler(JsonHandler):
    fake: FakeHelixServer

    def _error(self, status: int, message: str) -> None:
        # Helix's error shape.
        self._json(
            status,
            {"error": _ERROR_TEXT.get(status, "Error"), "status": status, "message": message},
        )

    def _no_content(self) -> None:
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        if urlparse(self.path).path == "/_fake/sent":
            return self._json(200, self.fake.sent)
        return self._error(404, "Not Found")

    def do_POST(self) -> None:
        parsed = urlparse(self.path)
        body = self._body()
        state = self.fake.state
        if parsed.path == "/_fake/fail":
            self.fake.fail_next(int(body.get("status", 500)), int(body.get("count", 1)))
            return self._json(200, {"ok": True})
        if parsed.path == "/_fake/reset":
            with state.lock:
                state.sent.clear()
                state.failures.clear()
                state.expired_tokens.clear()
                state.drop_next = 0
            return self._json(200, {"ok": True})
        endpoint = (
            "whisper"
            if parsed.path.endswith("/whispers")
            else "chat"
            if parsed.path.endswith("/chat/messages")
            else None
        )
        if endpoint is None:
            return self._error(404, "Not Found")
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        client_id = self.headers.get("Client-Id", "").strip()
        if not token or token in state.expired_tokens or token.startswith("EXPIRED"):
            return self._error(401, "Invalid OAuth token")
        if not client_id:
            return self._error(401, "Client ID is missing")
        with state.lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure is not None:
            return self._error(failure, _ERROR_TEXT.get(failure, "Error"))
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            return self._error(400, "The message field is required")
        if endpoint == "whisper":
            return self._whisper(parse_qs(parsed.query), message, token, client_id)
        return self._chat(body, message, token, client_id)

    def _whisper(self, query: dict, message: str, token: str, client_id: str) -> None:
        sender = query.get("from_user_id", [""])[0]
        recipient = query.get("to_user_id", [""])[0]
        if not sender or not recipient:
            return self._error(400, "Missing required parameter")
        if len(message) > 10000:
            return self._error(400, "The message is too long")
        with self.fake.state.lock:
            self.fake.state.sent.append(
                {
                    "kind": "whisper",
                    "from_user_id": sender,
                    "to_user_id": recipient,
                    "message": message,
                    "token": token,
                    "client_id": client_id,
                }
            )
        self._no_content()

    def _chat(self, body: dict, message: str, token: str, client_id: str) -> None:
        broadcaster = str(body.get("broadcaster_id") or "")
        sender = str(body.get("sender_id") or "")
        if not broadcaster or not sender:
            return self._error(400, "Missing required parameter")
        state = self.fake.state
        with state.lock:
            if state.drop_next:
                state.drop_next -= 1
                dropped = {
                    "code": "msg_rejected",
                    "message": "Your message is being checked by mods and has not been sent.",
                }
                return self._json(
                    200, {"data": [{"message_id": "", "is_sent": False, "drop_reason": dropped}]}
                )
            message_id = str(uuid.UUID(int=next(state.counter)))
            state.sent.append(
                {
                    "kind": "chat",
                    "broadcaster_id": broadcaster,
                    "sender_id": sender,
                    "message": message,
                    "message_id": message_id,
                    "token": token,
                    "client_id": client_id,
                }
            )
        self._json(
            200, {"data": [{"message_id": message_id, "is_sent": True, "drop_reason": None}]}
        )


# --- EventSub messages, as Twitch would post them -------------------------------


def rfc3339(moment: datetime | None = None) -> str:
    """Twitch's timestamp style: UTC, nanosecond digits, Z."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}123Z"


def subscription(
    sub_type: str, condition: dict[str, str], *, status: str = "enabled"
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, sub_type + json.dumps(condition))),
        "status": status,
        "type": sub_type,
        "version": "1",
        "cost": 0,
        "condition": condition,
        "transport": {"method": "webhook", "callback": "https://example.org/webhooks/twitch"},
        "created_at": rfc3339(),
    }


def chat_message_payload(
    broadcaster_id: str,
    chatter_id: str,
    text: str,
    *,
    message_id: str | None = None,
    chatter_login: str = "",
    reader_id: str | None = None,
) -> dict[str, Any]:
    login = chatter_login or f"user{chatter_id}"
    return {
        "subscription": subscription(
            twitch.CHAT_MESSAGE,
            {"broadcaster_user_id": broadcaster_id, "user_id": reader_id or broadcaster_id},
        ),
        "event": {
            "broadcaster_user_id": broadcaster_id,
            "broadcaster_user_login": f"user{broadcaster_id}",
            "broadcaster_user_name": f"User{broadcaster_id}",
            "chatter_user_id": chatter_id,
            "chatter_user_login": login,
            "chatter_user_name": login.capitalize(),
            "message_id": message_id or str(uuid.uuid4()),
            "message": {
                "text": text,
                "fragments": [{"type": "text", "text": text, "cheermote": None, "emote": None}],
            },
            "color": "#00FF7F",
            "badges": [],
            "message_type": "text",
            "cheer": None,
            "reply": None,
            "channel_points_custom_reward_id": None,
        },
    }


def whisper_payload(
    to_user_id: str,
    from_user_id: str,
    text: str,
    *,
    whisper_id: str | None = None,
    from_login: str = "",
) -> dict[str, Any]:
    login = from_login or f"user{from_user_id}"
    return {
        "subscription": subscription(twitch.WHISPER_MESSAGE, {"user_id": to_user_id}),
        "event": {
            "from_user_id": from_user_id,
            "from_user_login": login,
            "from_user_name": login.capitalize(),
            "to_user_id": to_user_id,
            "to_user_login": f"user{to_user_id}",
            "to_user_name": f"User{to_user_id}",
            "whisper_id": whisper_id or str(uuid.uuid4()),
            "whisper": {"text": text},
        },
    }


def challenge_payload(sub: dict[str, Any], challenge: str) -> dict[str, Any]:
    return {
        "challenge": challenge,
        "subscription": {**sub, "status": "webhook_callback_verification_pending"},
    }


def revocation_payload(sub: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"subscription": {**sub, "status": reason}}


def signed_request(
    payload: Any,
    secret: str,
    *,
    message_type: str = twitch.MESSAGE_NOTIFICATION,
    message_id: str | None = None,
    timestamp: str | None = None,
    body: bytes | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers Twitch sends with it, signed with `secret`."""
    raw = body if body is not None else json.dumps(payload).encode()
    message_id = message_id or str(uuid.uuid4())
    timestamp = timestamp or rfc3339()
    sub = payload.get("subscription") if isinstance(payload, dict) else None
    sub = sub if isinstance(sub, dict) else {}
    headers = {
        twitch.H_ID: message_id,
        twitch.H_TIMESTAMP: timestamp,
        twitch.H_SIGNATURE: twitch.sign(message_id, timestamp, raw, secret),
        twitch.H_TYPE: message_type,
        twitch.H_SUBSCRIPTION: str(sub.get("type", "")),
        twitch.H_VERSION: str(sub.get("version", "1")),
        "Content-Type": "application/json",
    }
    return raw, headers


def deliver(client: Any, payload: Any, secret: str, *, path: str = "/webhooks/twitch", **kwargs):
    """Post a signed EventSub message with a Django test client (tests)."""
    raw, headers = signed_request(payload, secret, **kwargs)
    headers.pop("Content-Type")
    return client.post(path, data=raw, content_type="application/json", headers=headers)


FakeHelixServer.handler_class = _Handler
