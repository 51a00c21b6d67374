"""Working time: how much of an interval fell inside an agency's opening hours.

First-response targets are measured in the agency's working time, in its own
time zone: a message that arrives Friday 16:00 and is answered Monday 09:30 in
an agency open 09:00–15:00 on weekdays waited 30 working minutes. Opening
hours are wall-clock times, so a day on which clocks change keeps its local
hours (09:00–15:00 stays six hours) and the UTC instants move instead.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from nettpatrulje.accounts.opening_hours import DAYS


@lru_cache(maxsize=256)
def _spans(hours_key: tuple) -> dict[int, tuple[tuple[time, time], ...]]:
    hours = dict(hours_key)
    return {
        i: tuple(
            (time.fromisoformat(a), time.fromisoformat(b)) for a, b in hours.get(day, ()) if a < b
        )
        for i, day in enumerate(DAYS)
    }


def _key(opening_hours: dict) -> tuple:
    return tuple(sorted((d, tuple(tuple(s) for s in spans)) for d, spans in opening_hours.items()))


def working_day_seconds(opening_hours: dict) -> float:
    """Length of the agency's longest working day: the "one working day" target.
    An agency without opening hours is always open: 24 hours."""
    if not opening_hours:
        return 86400.0
    spans = _spans(_key(opening_hours))
    longest = 0.0
    for day_spans in spans.values():
        total = sum(
            (datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()
            for a, b in day_spans
        )
        longest = max(longest, total)
    return longest or 86400.0


def working_seconds(start: datetime, end: datetime, opening_hours: dict, tz_name: str) -> float:
    """Seconds between `start` and `end` (aware datetimes) during opening hours.
    No opening hours at all means always open (wall-clock seconds)."""
    if end <= start:
        return 0.0
    if not opening_hours:
        return (end - start).total_seconds()
    tz = zoneinfo.ZoneInfo(tz_name)
    spans = _spans(_key(opening_hours))
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        for a, b in spans[day.weekday()]:
            # Wall-clock bounds of the span on this local date; zoneinfo resolves
            # the UTC offset of that date, which is what makes DST days right.
            lo = datetime.combine(day, a, tzinfo=tz)
            hi = datetime.combine(day, b, tzinfo=tz)
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def local_day(when: datetime, tz_name: str) -> date:
    return when.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day starts and the next one starts
    (23 or 25 hours apart on DST days)."""
    tz = zoneinfo.ZoneInfo(tz_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def zone(tz_name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(tz_name)
