"""A local stand-in for Meta's Graph Send API, speaking its protocol over real HTTP.

Used by the demo (`nettpatrulje fakegraph`) and the tests. Like Meta, it can
post the echo of every sent message back to the app's webhook, signed with
the app secret, carrying the `metadata` the sender set.

Control endpoints (not part of Meta's API):
  POST /_fake/fail   {"status": 500, "count": 2, "code": null}  next N sends fail
  POST /_fake/reset
  GET  /_fake/sent   what was sent, in order
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import httpx

from nettpatrulje.channels.fakeserver import FakeServer, JsonHandler
from nettpatrulje.channels.meta import sign

# token -> ("page" | "instagram", account id) for echoes; None: no echo.
AccountResolver = Callable[[str], tuple[str, str] | None]


@dataclass
class FakeGraphState:
    sent: list[dict] = field(default_factory=list)
    failures: list[tuple[int, int | None]] = field(default_factory=list)
    expired_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))


class FakeGraphServer(FakeServer):
    poll_interval = 0.5

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        echo_url: str = "",
        app_secret: str = "",
        resolve_account: AccountResolver | None = None,
        echo_delay: float = 0.0,
    ) -> None:
        self.state = FakeGraphState()
        self.echo_url = echo_url
        self.app_secret = app_secret
        self.resolve_account = resolve_account
        self.echo_delay = echo_delay
        super().__init__(host=host, port=port)

    def fail_next(self, status: int, count: int = 1, code: int | None = None) -> None:
        with self.state.lock:
            self.state.failures.extend([(status, code)] * count)

    def send_echo(self, token: str, recipient: str, mid: str, message: dict) -> None:
        if not (self.echo_url and self.resolve_account):
            return
        account = self.resolve_account(token)
        if account is None:
            return
        obj, account_id = account
        now_ms = int(time.time() * 1000)
        body = {
            "object": obj,
            "entry": [
                {
                    "id": account_id,
                    "time": now_ms,
                    "messaging": [
                        {
                            "sender": {"id": account_id},
                            "recipient": {"id": recipient},
                            "timestamp": now_ms,
                            "message": {
                                "mid": mid,
                                "is_echo": True,
                                "app_id": 1000000000,
                                "text": message.get("text", ""),
                                "metadata": message.get("metadata", ""),
                            },
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(body).encode()
        try:
            if self.echo_delay:
                time.sleep(self.echo_delay)
            httpx.post(
                self.echo_url,
                content=raw,
                timeout=10,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, self.app_secret),
                },
            )
        except httpx.HTTPError:
            pass  # Meta would retry; the outbox does not depend on the echo.


class _Handler(JsonHandler):
    fake: FakeGraphServer

    def do_GET(self) -> None:
        if urlparse(self.path).path == "/_fake/sent":
            with self.fake.state.lock:
                return self._json(200, list(self.fake.state.sent))
        return self._json(404, {"error": {"message": "Unknown path", "code": 803}})

    def do_POST(self) -> None:
        parsed = urlparse(self.path)
        body = self._body()
        state = self.fake.state
        if parsed.path == "/_fake/fail":
            self.fake.fail_next(
                int(body.get("status", 500)), int(body.get("count", 1)), body.get("code")
            )
            return self._json(200, {"ok": True})
        if parsed.path == "/_fake/reset":
            with state.lock:
                state.sent.clear()
                state.failures.clear()
            return self._json(200, {"ok": True})
        if not parsed.path.endswith("/me/messages"):
            return self._json(404, {"error": {"message": "Unknown path", "code": 803}})
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        token = token or parse_qs(parsed.query).get("access_token", [""])[0]
        if not token or token in state.expired_tokens or token.startswith("EXPIRED"):
            return self._json(
                400,
                {
                    "error": {
                        "message": "Error validating access token: Session has expired.",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                        "fbtrace_id": "Fake",
                    }
                },
            )
        with state.lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure is not None:
            status, code = failure
            return self._json(
                status,
                {
                    "error": {
                        "message": "An unexpected error has occurred.",
                        "type": "OAuthException",
                        "code": code or 2,
                        "is_transient": True,
                        "fbtrace_id": "Fake",
                    }
                },
            )
        recipient = str((body.get("recipient") or {}).get("id", ""))
        message = body.get("message") or {}
        if not recipient or not isinstance(message, dict) or not message.get("text"):
            return self._json(
                400,
                {
                    "error": {
                        "message": "(#100) Invalid parameter",
                        "type": "OAuthException",
                        "code": 100,
                    }
                },
            )
        mid = f"m_fake_{next(state.counter)}"
        with state.lock:
            state.sent.append(
                {
                    "recipient": recipient,
                    "message": message,
                    "mid": mid,
                    "messaging_type": body.get("messaging_type"),
                    "tag": body.get("tag"),
                    "token": token,
                }
            )
        self._json(200, {"recipient_id": recipient, "message_id": mid})
        if self.fake.echo_url:
            threading.Thread(
                target=self.fake.send_echo, args=(token, recipient, mid, message), daemon=True
            ).start()


FakeGraphServer.handler_class = _Handler
