"""Which client sends for which channel. The only place the outbox meets platforms."""

from __future__ import annotations

from django.conf import settings

from nettpatrulje.channels.meta import GraphClient
from nettpatrulje.channels.models import Channel, Platform


def client_for(channel: Channel) -> GraphClient:
    if channel.platform in (Platform.MESSENGER, Platform.INSTAGRAM):
        return GraphClient(
            base_url=settings.META_GRAPH_URL,
            version=settings.META_GRAPH_VERSION,
            token=channel.access_token,
            timeout=settings.META_SEND_TIMEOUT,
        )
    raise ValueError(f"no sender for platform {channel.platform}")
