"""The registry of figure sources. Adding a source: write a module with a
`SOURCE = Source(...)` and list it here."""

from __future__ import annotations

from nettpatrulje.reports.sources import conversations, guidance, messages, patrols, referrals
from nettpatrulje.reports.sources.base import Source

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        messages.SOURCE,
        conversations.SOURCE,
        patrols.SOURCE,
        guidance.SOURCE,
        referrals.SOURCE,
    )
}
