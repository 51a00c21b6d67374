"""The Gateway process (`nettpatrulje discord`): one discord.py client per active
Discord channel, relaying message dispatches into durable `WebhookEvent`s.

Why `on_socket_raw_receive` (with `enable_debug_events=True`) and not
`on_message` & co.: it hands over each Gateway frame exactly as Discord sent
it, so what is stored is Discord's documented dispatch (`t`, `d`) for every
event type alike. `on_message` gives discord.py objects (we would rebuild the
JSON and lose fields discord.py does not model), `on_raw_message_delete` gives
no raw data at all, and events discord.py does not know are never delivered
as objects. The frame is dispatched after discord.py has updated its cache
from it, so the cache can still tell us whether a channel is a thread and of
which parent.

Order and durability: frames are handled one at a time, in arrival order
(an asyncio lock, acquired in FIFO order), and stored by a single thread, so a
`MESSAGE_UPDATE` is never stored before the `MESSAGE_CREATE` it edits.
A store that fails for a database error is retried until it succeeds: the
Gateway will not send the message again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import discord
from django.db import DatabaseError, close_old_connections, connection

from nettpatrulje.channels.models import Channel, WebhookEvent

logger = logging.getLogger(__name__)

DISPATCH = 0
RELAYED_PREFIX = "MESSAGE_"


def decode_frame(raw: Any) -> dict | None:
    """A Gateway dispatch frame worth relaying (`MESSAGE_*`), or None."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        # Cheap test before parsing: most frames (presence, guild data, heartbeat
        # acks) are not messages, and GUILD_CREATE can be large.
        if '"MESSAGE_' not in raw:
            return None
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return None
    if not isinstance(raw, dict) or raw.get("op") != DISPATCH:
        return None
    event_type = raw.get("t")
    if not isinstance(event_type, str) or not event_type.startswith(RELAYED_PREFIX):
        return None
    return raw if isinstance(raw.get("d"), dict) else None


def id_list(value: Any) -> list[str]:
    """Channel ids from config: a JSON list, or "id1,id2" as `channels add --config` gives."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


@dataclass
class Relay:
    """What one bot keeps: DMs to it and messages in the agency's watched channels
    (and their threads). Everything else on the Gateway is dropped unstored:
    people in other servers never wrote to the police."""

    channel_pk: int
    application_id: str
    guild_id: str = ""
    watched_channel_ids: frozenset[str] = field(default_factory=frozenset)
    bot_user_id: str = ""

    @classmethod
    def for_channel(cls, channel: Channel) -> Relay:
        config = channel.config or {}
        return cls(
            channel_pk=channel.pk,
            application_id=channel.account_id,
            guild_id=str(config.get("guild_id") or ""),
            watched_channel_ids=frozenset(id_list(config.get("watched_channel_ids"))),
        )

    def _from_us_or_a_bot(self, d: dict) -> bool:
        author = d.get("author")
        if not isinstance(author, dict):
            return False  # deletes name no author
        return bool(
            author.get("bot")
            or author.get("system")
            or d.get("webhook_id")
            or (self.bot_user_id and str(author.get("id")) == self.bot_user_id)
            or str(author.get("id")) == self.application_id
        )

    def in_our_guild(self, d: dict) -> bool:
        return bool(self.guild_id) and str(d.get("guild_id")) == self.guild_id

    def channel_to_resolve(self, frame: dict) -> str | None:
        """The channel whose parent must be looked up (is it a thread, and of what?)."""
        d = frame["d"]
        if not d.get("guild_id") or not self.in_our_guild(d) or self._from_us_or_a_bot(d):
            return None
        return str(d.get("channel_id") or "") or None

    def envelope(self, frame: dict, *, parent_id: str | None = None) -> dict | None:
        """The event to store, or None when it is not ours."""
        d = frame["d"]
        if self._from_us_or_a_bot(d):
            return None
        channel_id = str(d.get("channel_id") or "")
        if not d.get("guild_id"):
            scope = "dm"
        elif not self.in_our_guild(d):
            return None
        elif parent_id and (
            parent_id in self.watched_channel_ids or channel_id in self.watched_channel_ids
        ):
            scope = "thread"
        elif channel_id in self.watched_channel_ids:
            scope = "channel"
        else:
            return None
        return {
            "application_id": self.application_id,
            "t": frame["t"],
            "d": d,
            "scope": scope,
        }

    def store(self, envelope: dict) -> WebhookEvent:
        from nettpatrulje.channels.services import webhook_event_store

        # A long-running process: drop connections the database has closed meanwhile
        # (never inside a transaction, where that would break the transaction).
        if not connection.in_atomic_block:
            close_old_connections()
        return webhook_event_store(source="discord", body=json.dumps(envelope).encode(), headers={})

    def store_until_stored(
        self, envelope: dict, *, sleep: Callable[[float], None] = time.sleep
    ) -> WebhookEvent:
        delay = 1.0
        while True:
            try:
                return self.store(envelope)
            except DatabaseError:
                if connection.in_atomic_block:
                    raise  # retrying cannot help inside a broken transaction
                logger.exception(
                    "discord: storing a %s for channel %s failed; retrying in %.0f s",
                    envelope.get("t"),
                    self.channel_pk,
                    delay,
                )
                sleep(delay)
                delay = min(delay * 2, 30.0)

    def relay(self, raw: Any, *, parent_id: str | None = None) -> WebhookEvent | None:
        """Synchronous path from a raw frame to a stored event (tests, tools)."""
        frame = decode_frame(raw)
        if frame is None:
            return None
        envelope = self.envelope(frame, parent_id=parent_id)
        return self.store_until_stored(envelope) if envelope else None


def gateway_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True  # channel and thread cache: which channel is a thread of what
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True  # privileged: switch it on in the Developer Portal
    return intents


class PatrolClient(discord.Client):
    """One bot. Uses discord.py for the connection only (identify, heartbeat,
    resume, reconnect, rate limits) and its cache for thread parents."""

    def __init__(self, relay: Relay, *, executor: Executor | None = None, **kwargs: Any) -> None:
        super().__init__(intents=gateway_intents(), enable_debug_events=True, **kwargs)
        self.relay = relay
        self._executor = executor or ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"discord-store-{relay.channel_pk}"
        )
        self._order = asyncio.Lock()

    async def on_ready(self) -> None:
        if self.user is not None:
            self.relay.bot_user_id = str(self.user.id)
        logger.info("discord: application %s connected as %s", self.relay.application_id, self.user)

    async def on_socket_raw_receive(self, msg: Any) -> None:
        frame = decode_frame(msg)
        if frame is None:
            return
        async with self._order:
            await self.handle_frame(frame)

    async def handle_frame(self, frame: dict) -> WebhookEvent | None:
        channel_id = self.relay.channel_to_resolve(frame)
        parent_id = await self.thread_parent(channel_id) if channel_id else None
        envelope = self.relay.envelope(frame, parent_id=parent_id)
        if envelope is None:
            return None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.relay.store_until_stored, envelope)

    async def thread_parent(self, channel_id: str) -> str | None:
        """The parent of a thread; None for any other channel."""
        try:
            channel: Any = self.get_channel(int(channel_id))
            if channel is None:
                # Not cached (e.g. an archived thread that came back): ask REST.
                channel = await self.fetch_channel(int(channel_id))
        except (ValueError, discord.HTTPException) as exc:
            logger.warning("discord: cannot resolve channel %s: %s", channel_id, exc)
            return None
        return str(channel.parent_id) if isinstance(channel, discord.Thread) else None


async def run_client(client: PatrolClient, token: str) -> None:
    """Run one bot until it stops; a bad token marks the channel, the others go on."""
    from nettpatrulje.channels.services import channel_mark_needs_reconnect

    pk = client.relay.channel_pk
    reason = ""
    try:
        await client.start(token)  # discord.py reconnects and resumes by itself
    except discord.LoginFailure as exc:
        reason = f"Discord rejected the bot token: {exc}"
    except discord.PrivilegedIntentsRequired:
        reason = "Enable the Message Content intent for the bot in Discord's Developer Portal."
    finally:
        if not client.is_closed():
            await client.close()
    if reason:
        logger.error("discord: channel %s: %s", pk, reason)
        # Through the store thread: all of this process's database work happens there.
        await asyncio.get_running_loop().run_in_executor(
            client._executor, partial(channel_mark_needs_reconnect, channel_id=pk, reason=reason)
        )


def active_channels() -> list[Channel]:
    return [
        c
        for c in Channel.objects.filter(platform="discord", status=Channel.Status.ACTIVE).order_by(
            "pk"
        )
        if c.secret("bot_token")
    ]


async def run_all(channels: list[Channel]) -> None:
    clients = [(PatrolClient(Relay.for_channel(c)), c.secret("bot_token")) for c in channels]
    await asyncio.gather(*(run_client(client, token) for client, token in clients))
