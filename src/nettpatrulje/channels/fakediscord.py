"""A local stand-in for Discord's REST API (the parts we use), over real HTTP.

Used by the tests and by `nettpatrulje discord fake`. Point `DISCORD_API_URL`
at `<url>/api/v10`. Like Discord it:
- answers 401 for a missing or unknown bot token (`Authorization: Bot <token>`);
- creates messages, and with `enforce_nonce` returns the earlier message for a
  nonce it has seen from the same bot instead of creating a second one;
- opens one DM channel per recipient (the same id every time);
- replaces an application's global commands on PUT.

Control endpoints (not Discord's):
  POST /_fake/fail   {"status": 500, "count": 1, "retry_after": 0.0, "after_create": false}
                     the next N message creates fail; `after_create` creates the
                     message first (a lost acknowledgement)
  POST /_fake/reset
  GET  /_fake/sent   messages created, in order
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from nacl.signing import SigningKey

from nettpatrulje.channels.fakeserver import FakeServer, JsonHandler

# Gateway frames and interactions in Discord's documented format, for tests and the demo.
RECORDED_DIR = Path(__file__).parent / "tests" / "data" / "discord"


def recorded(name: str) -> dict:
    """A recorded payload from tests/data/discord (without the .json suffix)."""
    return json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))


def snowflake(when: datetime | None = None, increment: int = 0) -> str:
    """A Discord id created at `when` (default now): ids carry their creation time."""
    ms = int((when or datetime.now(UTC)).timestamp() * 1000) - 1420070400000
    return str((ms << 22) + increment)


def sign_interaction(key: SigningKey, body: bytes, timestamp: str | None = None) -> dict[str, str]:
    """The headers Discord sends with an interaction: Ed25519 over timestamp + body."""
    timestamp = timestamp or str(int(time.time()))
    signature = key.sign(timestamp.encode() + body).signature.hex()
    return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp}


MESSAGE_PATH = re.compile(r"/channels/(\d+)/messages$")
DM_PATH = re.compile(r"/users/@me/channels$")
COMMANDS_PATH = re.compile(r"/applications/(\d+)/commands$")


@dataclass
class Failure:
    status: int
    retry_after: float = 0.0
    after_create: bool = False


@dataclass
class FakeDiscordState:
    sent: list[dict] = field(default_factory=list)
    nonces: dict[tuple[str, str], dict] = field(default_factory=dict)
    dm_channels: dict[str, str] = field(default_factory=dict)
    commands: dict[str, list[dict]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Snowflake-like ids, increasing.
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))


class FakeDiscordServer(FakeServer):
    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, tokens: set[str] | None = None
    ) -> None:
        """`tokens`: the bot tokens accepted; None accepts any token not starting with "BAD"."""
        self.state = FakeDiscordState()
        self.tokens = tokens
        super().__init__(host=host, port=port)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v10"

    def fail_next(
        self, status: int, count: int = 1, *, retry_after: float = 0.0, after_create: bool = False
    ) -> None:
        with self.state.lock:
            self.state.failures.extend([Failure(status, retry_after, after_create)] * count)

    def token_ok(self, token: str) -> bool:
        if not token:
            return False
        if self.tokens is not None:
            return token in self.tokens
        return not token.startswith("BAD")

    def next_id(self) -> str:
        return str((1 << 60) + next(self.state.counter))


class _Handler(JsonHandler):
    fake: FakeDiscordServer

    def _token(self) -> str:
        header = self.headers.get("Authorization", "")
        return header.removeprefix("Bot ").strip() if header.startswith("Bot ") else ""

    def do_GET(self) -> None:
        if urlparse(self.path).path == "/_fake/sent":
            with self.fake.state.lock:
                return self._json(200, list(self.fake.state.sent))
        return self._json(404, {"message": "404: Not Found", "code": 0})

    def do_PUT(self) -> None:
        path = urlparse(self.path).path
        body = self._json_body()
        if not self.fake.token_ok(self._token()):
            return self._json(401, {"message": "401: Unauthorized", "code": 0})
        match = COMMANDS_PATH.search(path)
        if not match or not isinstance(body, list):
            return self._json(404, {"message": "404: Not Found", "code": 0})
        app_id = match.group(1)
        stored = [
            {**command, "id": self.fake.next_id(), "application_id": app_id, "version": "1"}
            for command in body
            if isinstance(command, dict)
        ]
        with self.fake.state.lock:
            self.fake.state.commands[app_id] = stored
        self._json(200, stored)

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        body = self._json_body()
        state = self.fake.state
        with state.lock:
            state.requests.append(("POST", path))
        if path == "/_fake/fail":
            body = body if isinstance(body, dict) else {}
            self.fake.fail_next(
                int(body.get("status", 500)),
                int(body.get("count", 1)),
                retry_after=float(body.get("retry_after", 0.0)),
                after_create=bool(body.get("after_create")),
            )
            return self._json(200, {"ok": True})
        if path == "/_fake/reset":
            with state.lock:
                state.sent.clear()
                state.nonces.clear()
                state.failures.clear()
                state.requests.clear()
            return self._json(200, {"ok": True})
        token = self._token()
        if not self.fake.token_ok(token):
            return self._json(401, {"message": "401: Unauthorized", "code": 0})
        if not isinstance(body, dict):
            return self._json(400, {"message": "400: Bad Request", "code": 50109})
        if DM_PATH.search(path):
            recipient = str(body.get("recipient_id", ""))
            if not recipient.isdigit():
                return self._invalid("recipient_id", "Value is not snowflake.")
            with state.lock:
                channel_id = state.dm_channels.setdefault(recipient, self.fake.next_id())
            return self._json(
                200,
                {
                    "id": channel_id,
                    "type": 1,
                    "last_message_id": None,
                    "flags": 0,
                    "recipients": [{"id": recipient, "username": f"user{recipient[-4:]}"}],
                },
            )
        match = MESSAGE_PATH.search(path)
        if match:
            return self._create_message(match.group(1), token, body)
        return self._json(404, {"message": "404: Not Found", "code": 0})

    def _invalid(self, field_name: str, message: str) -> None:
        self._json(
            400,
            {
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": {field_name: {"_errors": [{"code": "INVALID", "message": message}]}},
            },
        )

    def _create_message(self, channel_id: str, token: str, body: dict) -> None:
        state = self.fake.state
        content = body.get("content")
        if not isinstance(content, str) or not content.strip():
            return self._json(400, {"message": "Cannot send an empty message", "code": 50006})
        if len(content) > 2000:
            return self._invalid("content", "Must be 2000 or fewer in length.")
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            return self._invalid("nonce", "Must be 25 or fewer in length.")
        with state.lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure is not None and failure.status == 429:
            return self._json(
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": failure.retry_after,
                    "global": False,
                },
                headers={"Retry-After": str(max(int(failure.retry_after), 0))},
            )
        if failure is not None and not failure.after_create:
            return self._json(failure.status, {"message": "Internal Server Error", "code": 0})
        key = (token, str(nonce))
        with state.lock:
            existing = (
                state.nonces.get(key) if nonce is not None and body.get("enforce_nonce") else None
            )
            if existing is None:
                message = {
                    "id": self.fake.next_id(),
                    "type": 0,
                    "channel_id": channel_id,
                    "content": content,
                    "nonce": nonce,
                    "timestamp": datetime.now(UTC).isoformat(),
                    "author": {"id": "bot", "username": "nettpatrulje", "bot": True},
                    "allowed_mentions": body.get("allowed_mentions"),
                    "token": token,
                }
                state.sent.append(message)
                if nonce is not None:
                    state.nonces[key] = message
            else:
                message = existing
        if failure is not None:
            # The message exists, but the answer is lost.
            return self._json(failure.status, {"message": "Internal Server Error", "code": 0})
        self._json(
            200, {k: v for k, v in message.items() if k not in {"token", "allowed_mentions"}}
        )


FakeDiscordServer.handler_class = _Handler
