"""The shape every platform integration has: verify, parse, send.

Parsers turn a platform's payload into `Inbound` items; the inbox knows only
these items, never a platform's JSON. Senders raise `SendError` saying whether
a retry can help, so the outbox needs no platform knowledge either.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from nettpatrulje.lib.text import storable


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

    def storable(self) -> Inbound:
        """This item with every string a database can keep (lib.text.storable), and
        times that convert to UTC and take date arithmetic: parsers copy values from
        the payload as they are, and a message with a NUL, half an emoji or a
        nonsense time is still a message."""
        return replace(
            self,
            sent_at=_usable_time(self.sent_at),
            watermark=_usable_time(self.watermark) if self.watermark else None,
            account_id=storable(self.account_id),
            contact_id=storable(self.contact_id),
            mid=storable(self.mid),
            text=storable(self.text),
            attachments=tuple(
                replace(
                    a,
                    type=storable(a.type),
                    url=storable(a.url),
                    title=storable(a.title),
                    extra=storable(a.extra),
                )
                for a in self.attachments
            ),
            reply_to=storable(self.reply_to),
            payload=storable(self.payload),
            metadata=storable(self.metadata),
            mids=tuple(storable(list(self.mids))),
            raw_type=storable(self.raw_type),
            thread_id=storable(self.thread_id),
            display_name=storable(self.display_name),
        )


# Far enough from datetime's limits that converting to UTC and adding a window
# (e.g. the 7-day reply window) cannot overflow.
_EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
_LATEST = datetime(9998, 1, 1, tzinfo=UTC)


def _usable_time(moment: datetime) -> datetime:
    try:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if _EARLIEST <= moment.astimezone(UTC) <= _LATEST:
            return moment
    except OverflowError:
        pass
    return datetime.now(UTC)


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
