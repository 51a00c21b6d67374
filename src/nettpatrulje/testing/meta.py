"""Builders of Meta webhook payloads in the documented format, for tests."""

from __future__ import annotations

import json
import time
from itertools import count

from nettpatrulje.channels.meta import sign

_mid = count(1)


def now_ms() -> int:
    return int(time.time() * 1000)


def envelope(account_id: str, *events: dict, obj: str = "page") -> dict:
    return {
        "object": obj,
        "entry": [{"id": account_id, "time": now_ms(), "messaging": list(events)}],
    }


def text_event(sender: str, account_id: str, text: str, mid: str | None = None, **extra) -> dict:
    message = {"mid": mid or f"m_test_{next(_mid)}", "text": text, **extra}
    return {
        "sender": {"id": sender},
        "recipient": {"id": account_id},
        "timestamp": now_ms(),
        "message": message,
    }


def encode(payload: dict) -> bytes:
    # As Meta sends it: non-ASCII escaped.
    return json.dumps(payload, ensure_ascii=True).encode()


def signed_post(client, payload: dict | bytes, secret: str = "test-app-secret", **extra):
    body = payload if isinstance(payload, bytes) else encode(payload)
    return client.post(
        "/webhooks/meta",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, secret)},
        **extra,
    )
