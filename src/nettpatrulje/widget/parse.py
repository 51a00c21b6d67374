"""The web chat's stored events → `Inbound` items.

The request path (`views.messages`) has already checked the visitor's token and
the text, and stores one small JSON object per message:

    {"widget_key": "<channel account id>", "visitor": "<visitor id>",
     "client_id": "<id the script generated>", "text": "...", "sent_at": "<ISO 8601>"}

The platform message id is `<visitor>:<client_id>`: the script's id makes a retry
of the same message a duplicate, and the visitor prefix keeps one visitor from
ever colliding with (or pre-empting) another visitor's ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nettpatrulje.channels.base import Inbound, Kind, ParseError

PLATFORM = "widget"


def message_mid(visitor: str, client_id: str) -> str:
    return f"{visitor}:{client_id}"


def client_id_from_mid(visitor: str, mid: str | None) -> str:
    prefix = f"{visitor}:"
    return mid.removeprefix(prefix) if mid and mid.startswith(prefix) else ""


def _sent_at(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_payload(data: Any) -> tuple[str, list[Inbound]]:
    if not isinstance(data, dict):
        raise ParseError("widget event is not a JSON object")
    fields = {k: data.get(k) for k in ("widget_key", "visitor", "client_id", "text")}
    missing = [k for k, v in fields.items() if not isinstance(v, str) or not v]
    if missing:
        raise ParseError(f"widget event lacks {', '.join(missing)}")
    return PLATFORM, [
        Inbound(
            kind=Kind.MESSAGE,
            account_id=fields["widget_key"],
            contact_id=fields["visitor"],
            sent_at=_sent_at(data.get("sent_at")),
            mid=message_mid(fields["visitor"], fields["client_id"]),
            text=fields["text"],
        )
    ]
