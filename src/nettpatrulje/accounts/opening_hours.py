"""Is the agency staffed at a given moment? Opening hours are local to the agency."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(opening_hours: dict, tz_name: str, when: datetime) -> bool:
    """`opening_hours` maps day → [["HH:MM", "HH:MM"], ...]. An agency that set no
    hours at all is treated as always open, so no one gets an out-of-hours reply
    by accident."""
    if not opening_hours:
        return True
    local = when.astimezone(zoneinfo.ZoneInfo(tz_name))
    for start, end in opening_hours.get(DAYS[local.weekday()], []):
        if time.fromisoformat(start) <= local.time() < time.fromisoformat(end):
            return True
    return False
