"""What a source of figures is. A source is one small module that says which
models mark which days dirty and how to compute a range of days' figures; the
roll-up machinery (`reports.rollups`) does the rest, the same way for the
incremental path and for a rebuild."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nettpatrulje.accounts.models import Agency

DIMENSIONS = (
    "channel_id",
    "platform",
    "country",
    "category",
    "level",
    "officer_id",
    "operation_id",
    "peer_id",
    "bucket",
)
_DEFAULTS: dict[str, Any] = {
    "channel_id": None,
    "platform": "",
    "country": "",
    "category": "",
    "level": "",
    "officer_id": None,
    "operation_id": None,
    "peer_id": None,
    "bucket": -1,
}

# A mark: (agency id, moment whose local day is dirty).
Marks = Iterable[tuple[int, datetime]]


@dataclass(frozen=True)
class Source:
    name: str
    # compute(agency, start, end): figures of the local days in [start, end).
    compute: Callable[[Agency, datetime, datetime], Iterable[dict]]
    # Earliest moment the source holds for an agency (where a rebuild starts).
    first_at: Callable[[Agency], datetime | None]
    # (model label, instance -> marks): saving such an instance marks those days.
    watch: tuple[tuple[str, Callable[[Any], Marks]], ...] = field(default=())


class Accumulator:
    """Sums figures by (day, metric, dimensions) so each roll-up row is one row."""

    def __init__(self) -> None:
        self._rows: dict[tuple, list] = {}

    def add(
        self, day: date, metric: str, *, count: int = 1, total: float = 0.0, within: int = 0, **dims
    ) -> None:
        values = {**_DEFAULTS, **dims}
        key = (day, metric, *(values[d] for d in DIMENSIONS))
        row = self._rows.get(key)
        if row is None:
            self._rows[key] = [count, total, within]
        else:
            row[0] += count
            row[1] += total
            row[2] += within

    def figures(self) -> list[dict]:
        out = []
        for key, (count, total, within) in self._rows.items():
            row = {"day": key[0], "metric": key[1], **dict(zip(DIMENSIONS, key[2:], strict=True))}
            row.update(count=count, total=total, within=within)
            out.append(row)
        return out


def minute_bucket(seconds: float) -> int:
    """Histogram bucket (lower bound, minutes) of a duration. Exact to the minute
    under two hours, then 5 minutes to eight hours, 30 minutes to two days, and
    4 hours beyond: enough for medians and 90th percentiles of response times."""
    minutes = int(seconds // 60)
    if minutes < 120:
        return minutes
    if minutes < 480:
        return minutes - minutes % 5
    if minutes < 2880:
        return minutes - minutes % 30
    return minutes - minutes % 240
