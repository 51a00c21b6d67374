"""The shape every platform integration has: verify, parse, send.

Parsers turn a platform's payload into `Inbound` items; the inbox knows only
these items, never a platform's JSON. Senders raise `SendError` saying whether
a retry can help, so the outbox needs no platform knowledge either.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Kind(enum.StrEnum):
    MESSAGE = "message"  # from a contact
    ECHO = "echo"  # our own account's message, as the platform saw it
    DELIVERY = "delivery"
    READ = "read"
    UNSEND = "unsend"
    EDIT = "edit"  # the contact changed an earlier message
    POSTBACK = "postback"
    CHAT_LINE = "chat_line"  # public stream chat: kept as a line, raised only when needed
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Attachment:
    type: str
    url: str = ""
    title: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = {"type": self.type}
        if self.url:
            data["url"] = self.url
        if self.title:
            data["title"] = self.title
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Inbound:
    kind: Kind
    account_id: str
    contact_id: str
    sent_at: datetime
    mid: str = ""
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    reply_to: dict | None = None
    payload: str = ""  # postback or quick-reply payload
    metadata: str = ""  # echoes carry what we set when sending
    watermark: datetime | None = None
    mids: tuple[str, ...] = ()
    raw_type: str = ""
    # The conversation on the platform, when it is not simply the contact
    # (a Discord thread, a Twitch chat): defaults to the contact.
    thread_id: str = ""
    display_name: str = ""

    @property
    def thread_key(self) -> str:
        return self.thread_id or self.contact_id


class ParseError(ValueError):
    """The payload is not in the platform's format. The event is kept as failed."""


@dataclass(frozen=True)
class SendResult:
    platform_message_id: str


class SendError(Exception):
    def __init__(
        self,
        reason: str,
        *,
        transient: bool,
        code: int | None = None,
        needs_reconnect: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.code = code
        self.needs_reconnect = needs_reconnect
        # Seconds the platform asked us to wait (rate limits); the outbox honours it.
        self.retry_after = retry_after
