"""Replies to web chat visitors.

There is no platform to call: the visitor's widget fetches the conversation
itself (`GET /widget/api/messages`). "Sending" therefore only records that the
reply is ready for the visitor, and the outbox marks it `sent`. The reply is
*delivered* when the visitor's widget has fetched it: that GET sets
`Message.delivered_at`, which the officer sees in the thread.

The synthetic platform id `widget:<outbox id>` is unique per channel (the
outbox id is a UUID), so it satisfies the (channel, platform message id)
constraint and names the outbox item that produced the reply.
"""

from __future__ import annotations

import uuid

from nettpatrulje.channels.base import SendResult
from nettpatrulje.channels.models import Channel

OUTBOX_PREFIX = "nettpatrulje:outbox:"


class WidgetSender:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def send_text(
        self, *, recipient_id: str, text: str, metadata: str, tag: str | None = None
    ) -> SendResult:
        outbox_id = (
            metadata.removeprefix(OUTBOX_PREFIX) if metadata.startswith(OUTBOX_PREFIX) else ""
        )
        return SendResult(platform_message_id=f"widget:{outbox_id or uuid.uuid4()}")


def widget_sender(channel: Channel) -> WidgetSender:
    return WidgetSender(channel)
