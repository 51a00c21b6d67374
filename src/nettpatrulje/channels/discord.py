"""Discord: a bot per agency application.

Inbound arrives two ways, both stored as `WebhookEvent(source="discord")`
with one envelope format, `{"application_id", "t", "d", ...}`, where `t` and
`d` are Discord's own dispatch name and data, unchanged:

- Gateway dispatches (`MESSAGE_CREATE`, `MESSAGE_UPDATE`, `MESSAGE_DELETE`,
  ...) relayed by the bot process (`discord_bot.py`), which adds `scope`
  ("dm", "thread", "channel"): what the gateway's cache knew about the
  channel when the message arrived. A guild message without a scope is not
  taken in: only the relay knows the agency's watched channels.
- Interactions (slash commands) posted by Discord to `/webhooks/discord`,
  signed with Ed25519; `/tip` is stored as `t = "INTERACTION_CREATE"` with
  the DM channel the reply will go to (`dm_channel_id`).

Thread keys (one conversation each):
- DM with the bot: the DM channel id.
- A thread under a watched channel: the thread's channel id.
- A plain watched text channel: `<channel_id>:<author_id>`, so each person
  who writes there is their own case rather than the whole channel one case.
- `/tip` from a server when the DM could not be opened at once:
  `user:<user_id>`; the sender opens the DM when it replies.

Replies use the REST API with a nonce derived from the outbox id and
`enforce_nonce`, so Discord itself drops a second copy of a retried send.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from django.utils import translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from nettpatrulje.channels.base import (
    Attachment,
    Inbound,
    Kind,
    ParseError,
    SendError,
    SendResult,
)
from nettpatrulje.lib.http import platform_client

logger = logging.getLogger(__name__)

PLATFORM = "discord"
DISCORD_EPOCH_MS = 1420070400000
MAX_CONTENT = 2000  # Discord's limit for `content`
MAX_PARTS = 5  # a longer reply is refused rather than sent as a flood
SEND_TIMEOUT = 10.0
# A 429 asking to wait at most this long is waited out inside the send; a longer
# one goes back to the outbox, whose backoff starts at 5 s.
MAX_INLINE_RETRY_AFTER = 2.0
USER_AGENT = "DiscordBot (https://github.com/nettpatrulje/nettpatrulje, 1.0)"

# Message types that are people writing (DEFAULT, REPLY); the rest (joins, pins,
# thread-created notices, ...) are system messages.
PERSON_MESSAGE_TYPES = {0, 19}
EPHEMERAL = 64

INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
RESPONSE_PONG = 1
RESPONSE_CHANNEL_MESSAGE = 4


# --- helpers ------------------------------------------------------------------


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def snowflake_time(snowflake: Any) -> datetime:
    """Every Discord id carries its creation time (ms since 2015 in the top 42 bits)."""
    try:
        ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _timestamp(value: Any, fallback_id: Any) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return snowflake_time(fallback_id)


def _display_name(user: dict) -> str:
    return _str(user.get("global_name") or user.get("username"))


# --- Signature ------------------------------------------------------------------


def verify_interaction(
    *, public_key: str, signature: str | None, timestamp: str | None, body: bytes
) -> bool:
    """Discord signs `timestamp + raw body` with the application's Ed25519 key."""
    if not public_key or not signature or not timestamp:
        return False
    try:
        key = VerifyKey(bytes.fromhex(public_key))
        key.verify(timestamp.encode() + body, bytes.fromhex(signature))
    except (BadSignatureError, ValueError, TypeError):
        # ValueError covers malformed hex and keys or signatures of the wrong length.
        return False
    return True


# --- Parsing --------------------------------------------------------------------


def parse_payload(data: Any) -> tuple[str, list[Inbound]]:
    """Parse one stored envelope. Always returns at least one item naming the
    application, so that even an ignored event is recorded against its channel."""
    if not isinstance(data, dict):
        raise ParseError("payload is not a JSON object")
    application_id = _str(data.get("application_id"))
    event_type = _str(data.get("t"))
    if not application_id or not event_type or not isinstance(data.get("d"), dict):
        raise ParseError("not a Discord envelope (application_id, t, d)")
    d = data["d"]
    if event_type == "MESSAGE_CREATE":
        items = [_message_create(application_id, data, d)]
    elif event_type == "MESSAGE_UPDATE":
        items = [_message_update(application_id, d)]
    elif event_type == "MESSAGE_DELETE":
        items = [_deleted(application_id, d, _str(d.get("id")))]
    elif event_type == "MESSAGE_DELETE_BULK":
        items = [_deleted(application_id, d, _str(mid)) for mid in _list(d.get("ids"))]
    elif event_type == "INTERACTION_CREATE":
        items = [_interaction(application_id, data, d)]
    else:
        items = []
    return PLATFORM, items or [_unknown(application_id, d, event_type)]


def _unknown(application_id: str, d: dict, raw_type: str) -> Inbound:
    return Inbound(
        kind=Kind.UNKNOWN,
        account_id=application_id,
        contact_id="",
        sent_at=snowflake_time(d.get("id")),
        mid=_str(d.get("id")),
        raw_type=raw_type.lower()[:100] or "empty",
    )


def _from_person(d: dict) -> bool:
    author = _dict(d.get("author"))
    return bool(author.get("id")) and not author.get("bot") and not author.get("system")


def _thread_id(envelope: dict, d: dict) -> str | None:
    """The conversation this message belongs to, or None when it is not ours to take."""
    channel_id = _str(d.get("channel_id"))
    author_id = _str(_dict(d.get("author")).get("id"))
    if not channel_id:
        return None
    if not d.get("guild_id"):
        return channel_id  # a DM: bots are never in group DMs
    scope = envelope.get("scope")
    if scope == "thread":
        return channel_id
    if scope == "channel":
        return f"{channel_id}:{author_id}"
    return None


def _attachments(d: dict) -> tuple[Attachment, ...]:
    """Metadata only: Discord's CDN links expire and the files are never downloaded."""
    result = []
    for att in _list(d.get("attachments")):
        att = _dict(att)
        content_type = _str(att.get("content_type"))
        major = content_type.split("/", 1)[0]
        extra: dict[str, Any] = {
            "id": _str(att.get("id")),
            "filename": _str(att.get("filename")),
            "content_type": content_type,
        }
        if isinstance(att.get("size"), int):
            extra["size"] = att["size"]
        result.append(
            Attachment(
                type=major if major in {"image", "video", "audio"} else "file",
                url=_str(att.get("url")),
                extra=extra,
            )
        )
    for sticker in _list(d.get("sticker_items")):
        sticker = _dict(sticker)
        result.append(
            Attachment(
                type="sticker",
                title=_str(sticker.get("name")),
                extra={"sticker_id": _str(sticker.get("id"))},
            )
        )
    return tuple(result)


def _message_create(application_id: str, envelope: dict, d: dict) -> Inbound:
    thread_id = _thread_id(envelope, d)
    if (
        not _from_person(d)
        or d.get("webhook_id")
        or not isinstance(d.get("type", 0), int)
        or d.get("type", 0) not in PERSON_MESSAGE_TYPES
        or thread_id is None
    ):
        return _unknown(application_id, d, "message_create.ignored")
    author = _dict(d.get("author"))
    reference = _dict(d.get("message_reference"))
    return Inbound(
        kind=Kind.MESSAGE,
        account_id=application_id,
        contact_id=_str(author.get("id")),
        sent_at=_timestamp(d.get("timestamp"), d.get("id")),
        mid=_str(d.get("id")),
        text=_str(d.get("content")),
        attachments=_attachments(d),
        reply_to={"mid": _str(reference["message_id"])} if reference.get("message_id") else None,
        raw_type="message_create",
        thread_id=thread_id,
        display_name=_display_name(author),
    )


def _message_update(application_id: str, d: dict) -> Inbound:
    # Updates without content (an embed unfurled, a partial update) change nothing
    # we keep; an edit of a message we never took in is ignored by the inbox.
    if not _from_person(d) or not isinstance(d.get("content"), str):
        return _unknown(application_id, d, "message_update.ignored")
    author = _dict(d.get("author"))
    return Inbound(
        kind=Kind.EDIT,
        account_id=application_id,
        contact_id=_str(author.get("id")),
        sent_at=_timestamp(d.get("edited_timestamp"), d.get("id")),
        mid=_str(d.get("id")),
        text=d["content"],
        attachments=_attachments(d),
        raw_type="message_update",
        display_name=_display_name(author),
    )


def _deleted(application_id: str, d: dict, mid: str) -> Inbound:
    # A delete names no author; the inbox finds the message by its id, but wants a
    # non-empty contact, so the channel stands in for it.
    return Inbound(
        kind=Kind.UNSEND,
        account_id=application_id,
        contact_id=_str(d.get("channel_id")) or "unknown",
        sent_at=datetime.now(UTC),
        mid=mid,
        raw_type="message_delete",
    )


def interaction_user(d: dict) -> dict:
    # In a server the user is inside `member`; in a DM it is `user`.
    return _dict(_dict(d.get("member")).get("user")) or _dict(d.get("user"))


def is_dm_interaction(d: dict) -> bool:
    return not d.get("guild_id") and bool(d.get("channel_id"))


def tip_text(d: dict) -> str:
    parts = ["/tip"]
    for option in _list(_dict(d.get("data")).get("options")):
        value = _dict(option).get("value")
        if isinstance(value, str) and value.strip():
            parts.append(value.strip())
    return " ".join(parts)


def _interaction(application_id: str, envelope: dict, d: dict) -> Inbound:
    data = _dict(d.get("data"))
    user = interaction_user(d)
    user_id = _str(user.get("id"))
    if d.get("type") != INTERACTION_APPLICATION_COMMAND or data.get("name") != "tip" or not user_id:
        return _unknown(application_id, d, "interaction_create.ignored")
    if is_dm_interaction(d):
        thread_id = _str(d.get("channel_id"))
    else:
        thread_id = _str(envelope.get("dm_channel_id")) or f"user:{user_id}"
    return Inbound(
        kind=Kind.MESSAGE,
        account_id=application_id,
        contact_id=user_id,
        sent_at=snowflake_time(d.get("id")),
        mid=_str(d.get("id")),
        text=tip_text(d),
        raw_type="interaction.tip",
        thread_id=thread_id,
        display_name=_display_name(user),
    )


# --- REST client ----------------------------------------------------------------------


def nonce_for(metadata: str) -> str:
    """A nonce of at most 25 characters, the same for every attempt of one outbox
    item: the outbox UUID in base64url (22 characters), or a hash of the metadata."""
    outbox_id = metadata.rsplit(":", 1)[-1]
    try:
        raw = uuid.UUID(outbox_id).bytes
    except ValueError:
        raw = hashlib.sha256(metadata.encode()).digest()[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def split_content(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Split at line breaks or spaces so that each part fits Discord's limit."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p]


class DiscordRateLimited(SendError):
    def __init__(self, reason: str, *, retry_after: float) -> None:
        super().__init__(reason, transient=True, code=429, retry_after=retry_after)


class DiscordRest:
    """Discord's REST API with one bot token."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = SEND_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_inline_wait: float = MAX_INLINE_RETRY_AFTER,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = transport
        self.sleep = sleep
        self.max_inline_wait = max_inline_wait

    def _request(self, method: str, path: str, body: Any) -> Any:
        headers = {"Authorization": f"Bot {self.token}", "User-Agent": USER_AGENT}
        for attempt in range(2):
            try:
                with platform_client(timeout=self.timeout, transport=self.transport) as client:
                    response = client.request(
                        method, self.base_url + path, json=body, headers=headers
                    )
            except httpx.TimeoutException as exc:
                raise SendError(f"timeout: {exc}", transient=True) from exc
            except httpx.HTTPError as exc:
                raise SendError(f"network error: {exc}", transient=True) from exc
            try:
                data = response.json()
            except ValueError:
                data = {}
            if 200 <= response.status_code < 300:
                return data
            message = _str(_dict(data).get("message")) or response.reason_phrase or "error"
            code = _dict(data).get("code")
            reason = f"HTTP {response.status_code}" + (f", Discord code {code}" if code else "")
            reason += f": {message}"
            if response.status_code == 401:
                raise SendError(reason, transient=False, code=401, needs_reconnect=True)
            if response.status_code == 429:
                retry_after = _retry_after(response, data)
                if attempt == 0 and retry_after <= self.max_inline_wait:
                    self.sleep(retry_after)
                    continue
                raise DiscordRateLimited(
                    f"{reason} (retry after {retry_after:.1f} s)", retry_after=retry_after
                )
            raise SendError(
                reason,
                transient=response.status_code >= 500,
                code=code if isinstance(code, int) else response.status_code,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def create_message(
        self, *, channel_id: str, content: str, nonce: str, allowed_mentions: dict | None = None
    ) -> dict:
        return self._request(
            "POST",
            f"/channels/{channel_id}/messages",
            {
                "content": content,
                "nonce": nonce,
                "enforce_nonce": True,
                "allowed_mentions": allowed_mentions or {"parse": []},
            },
        )

    def open_dm(self, *, user_id: str) -> str:
        data = self._request("POST", "/users/@me/channels", {"recipient_id": user_id})
        channel_id = _str(_dict(data).get("id"))
        if not channel_id:
            raise SendError("Discord returned no DM channel id", transient=True)
        return channel_id

    def put_commands(self, *, application_id: str, commands: list[dict]) -> list[dict]:
        return _list(self._request("PUT", f"/applications/{application_id}/commands", commands))

    def send_text(
        self, *, recipient_id: str, text: str, metadata: str, tag: str | None = None
    ) -> SendResult:
        """Send to a conversation's thread key. `tag` is Meta's and unused here."""
        allowed_mentions: dict[str, Any] = {"parse": []}
        if recipient_id.startswith("user:"):
            channel_id = self.open_dm(user_id=recipient_id.removeprefix("user:"))
        elif ":" in recipient_id:
            # A person's case in a plain watched channel: answer in the channel,
            # addressed to (and notifying) that person only.
            channel_id, author_id = recipient_id.split(":", 1)
            text = f"<@{author_id}> {text}"
            allowed_mentions = {"parse": [], "users": [author_id]}
        else:
            channel_id = recipient_id
        parts = split_content(text)
        if not parts:
            raise SendError("empty message", transient=False)
        if len(parts) > MAX_PARTS:
            raise SendError(f"reply too long for Discord ({len(text)} characters)", transient=False)
        nonce = nonce_for(metadata)
        first_id = ""
        for index, part in enumerate(parts):
            # Each part has its own nonce, so a retry after a partial send repeats none.
            part_nonce = nonce if index == 0 else f"{nonce}.{index}"
            data = self.create_message(
                channel_id=channel_id,
                content=part,
                nonce=part_nonce,
                allowed_mentions=allowed_mentions,
            )
            first_id = first_id or _str(_dict(data).get("id"))
        if not first_id:
            raise SendError("Discord returned no message id", transient=True)
        return SendResult(platform_message_id=first_id)


def _retry_after(response: httpx.Response, data: Any) -> float:
    value = _dict(data).get("retry_after", response.headers.get("Retry-After"))
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 5.0


# --- Interactions (slash commands) -------------------------------------------------------


def commands() -> list[dict]:
    """The application's slash commands, with Norwegian descriptions for Norwegian clients."""

    def localized(text_fn: Callable[[], str]) -> tuple[str, dict]:
        with translation.override("en"):
            english = text_fn()
        with translation.override("nb"):
            norwegian = text_fn()
        return english, {"no": norwegian}

    help_desc, help_loc = localized(lambda: _("What the online patrol is, and when we answer"))
    tip_desc, tip_loc = localized(lambda: _("Send the police a tip privately"))
    opt_desc, opt_loc = localized(lambda: _("What you want to tell us (optional)"))
    return [
        {
            "name": "help",
            "type": 1,
            "description": help_desc,
            "description_localizations": help_loc,
            "contexts": [0, 1],
        },
        {
            "name": "tip",
            "type": 1,
            "description": tip_desc,
            "description_localizations": tip_loc,
            "contexts": [0, 1],
            "options": [
                {
                    "type": 3,
                    "name": "message",
                    "description": opt_desc,
                    "description_localizations": opt_loc,
                    "required": False,
                    "max_length": 1500,
                }
            ],
        },
    ]


def language_for(locale: Any) -> str:
    """Discord names Norwegian `no`; everything else we cannot answer in gets English."""
    code = _str(locale).lower()
    if code in {"no", "nb", "nn"} or code.startswith("nb"):
        return "nb"
    return "en"


def opening_hours_text(opening_hours: dict) -> str:
    """E.g. "Mon–Fri 09:00–15:00": consecutive days with the same hours grouped."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    groups: list[tuple[int, int, str]] = []
    for index, day in enumerate(days):
        spans = opening_hours.get(day) or []
        hours = ", ".join(f"{start}–{end}" for start, end in spans)
        if not hours:
            continue
        if groups and groups[-1][1] == index - 1 and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], index, hours)
        else:
            groups.append((index, index, hours))
    result = []
    for first, last, hours in groups:
        label = str(WEEKDAYS_ABBR[first])
        if last > first:
            label += "–" + str(WEEKDAYS_ABBR[last])
        result.append(f"{label} {hours}")
    return "; ".join(result)


def help_text(agency: Any, locale: Any) -> str:
    with translation.override(language_for(locale)):
        lines = [
            _(
                "This is the online patrol of %(agency)s: police officers on Discord. "
                "Ask us for advice, or tell us about something you have seen online. "
                "Use /tip to write to us privately."
            )
            % {"agency": agency.name},
        ]
        hours = opening_hours_text(agency.opening_hours or {})
        if hours:
            lines.append(
                _("We answer during these hours (%(timezone)s time): %(hours)s.")
                % {"timezone": agency.timezone, "hours": hours}
            )
        lines.append(
            _(
                "This is not an emergency service and we do not take formal police reports here. "
                "In an emergency, call 112."
            )
        )
        if agency.country == "NO":
            lines.append(_("For other matters, the police in Norway answer on 02800."))
        return "\n\n".join(lines)


def tip_ack_text(locale: Any) -> str:
    with translation.override(language_for(locale)):
        return _(
            "Thank you. An officer from the online patrol will write to you in a direct "
            "message. If someone is in danger right now, call 112."
        )


def ephemeral(content: str) -> dict:
    return {
        "type": RESPONSE_CHANNEL_MESSAGE,
        "data": {"content": content, "flags": EPHEMERAL, "allowed_mentions": {"parse": []}},
    }


def tip_envelope(*, application_id: str, interaction: dict, dm_channel_id: str) -> bytes:
    envelope = {"application_id": application_id, "t": "INTERACTION_CREATE", "d": interaction}
    if dm_channel_id:
        envelope["dm_channel_id"] = dm_channel_id
    return json.dumps(envelope).encode()


class InteractionError(ValueError):
    """An interaction we cannot handle: answered 400 with this message."""


def interaction_respond(
    *, channel: Any, interaction: dict, rest_factory: Callable[[Any], DiscordRest]
) -> dict:
    """The response body for a verified interaction. `/tip` is stored as an event
    (the worker opens the conversation) before the answer goes back."""
    from nettpatrulje.channels.services import webhook_event_store

    kind = interaction.get("type")
    if kind == INTERACTION_PING:
        return {"type": RESPONSE_PONG}
    if kind != INTERACTION_APPLICATION_COMMAND:
        raise InteractionError(
            f"unsupported interaction type {kind!r}: only PING (1) and APPLICATION_COMMAND (2)"
        )
    name = _str(_dict(interaction.get("data")).get("name"))
    locale = interaction.get("locale")
    if name == "help":
        return ephemeral(help_text(channel.agency, locale))
    if name != "tip":
        with translation.override(language_for(locale)):
            return ephemeral(_("Unknown command. Try /help."))
    user_id = _str(interaction_user(interaction).get("id"))
    if not user_id:
        raise InteractionError("interaction names no user")
    dm_channel_id = ""
    if not is_dm_interaction(interaction):
        # Opening the DM now makes its channel id the conversation's key, so what
        # the person later writes in that DM joins the same conversation. Discord
        # wants an answer within 3 s: on any failure the key falls back to
        # `user:<id>` and the sender opens the DM when it replies.
        try:
            dm_channel_id = rest_factory(channel).open_dm(user_id=user_id)
        except SendError as exc:
            logger.warning("discord: could not open DM for /tip: %s", exc.reason)
    webhook_event_store(
        source="discord",
        body=tip_envelope(
            application_id=channel.account_id, interaction=interaction, dm_channel_id=dm_channel_id
        ),
        headers={},
    )
    return ephemeral(tip_ack_text(locale))


def rest_for(channel: Any, *, timeout: float = SEND_TIMEOUT, **kwargs: Any) -> DiscordRest:
    from django.conf import settings

    return DiscordRest(
        base_url=settings.DISCORD_API_URL,
        token=channel.secret("bot_token"),
        timeout=timeout,
        **kwargs,
    )


def sender(channel: Any) -> DiscordRest:
    """The outbox's sender for a Discord channel (registry.SENDERS)."""
    return rest_for(channel)
