"""Which code handles which platform. Adding a platform means adding its module
(verify, parse, send) and one line in each table here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings

from nettpatrulje.channels import discord, meta, twitch
from nettpatrulje.channels.base import Inbound, SendResult
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.widget import parse as widget_parse
from nettpatrulje.widget.sender import widget_sender


class Sender(Protocol):
    def send_text(
        self, *, recipient_id: str, text: str, metadata: str, tag: str | None = None
    ) -> SendResult: ...


# WebhookEvent.source → parser of the stored JSON: returns (platform, items).
PARSERS: dict[str, Callable[[Any], tuple[str, list[Inbound]]]] = {
    "widget": widget_parse.parse_payload,
    "meta": meta.parse_payload,
    "discord": discord.parse_payload,
    twitch.SOURCE: twitch.parse_payload,
}


def _meta_sender(channel: Channel) -> Sender:
    return meta.GraphClient(
        base_url=settings.META_GRAPH_URL,
        version=settings.META_GRAPH_VERSION,
        token=channel.access_token,
        timeout=settings.META_SEND_TIMEOUT,
    )


def _twitch_sender(channel: Channel) -> Sender:
    config = channel.config or {}
    return twitch.HelixClient(
        base_url=settings.TWITCH_HELIX_URL,
        client_id=str(config.get("client_id", "")),
        token=channel.access_token,
        # The user the token belongs to (a police bot account); by default the broadcaster.
        sender_id=str(config.get("user_id") or channel.account_id),
    )


SENDERS: dict[str, Callable[[Channel], Sender]] = {
    Platform.WIDGET: widget_sender,
    Platform.MESSENGER: _meta_sender,
    Platform.INSTAGRAM: _meta_sender,
    Platform.DISCORD: discord.sender,
    Platform.TWITCH: _twitch_sender,
}


def sender_for(channel: Channel) -> Sender:
    try:
        return SENDERS[channel.platform](channel)
    except KeyError:
        raise ValueError(f"no sender for platform {channel.platform}") from None
