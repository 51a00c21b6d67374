"""Keeping the daily roll-ups current.

Incremental path: saving a watched model (see `sources`) marks its local day
dirty in the same transaction (`DirtyDay`, an upsert that bumps `marked_at`).
Every worker's housekeeping calls `rollups_refresh()`, which claims dirty days
with a conditional update (one worker per day), recomputes each day's figures
from the source rows, replaces that day's `DailyFigure` rows in one
transaction, and removes the mark only if nobody marked the day again in the
meantime; otherwise the day is simply computed again on a later round.

Rebuild: `rollups_rebuild()` recomputes every day from the first source row,
with the same `compute` functions, so the two paths cannot disagree.

Deletions do not mark days: retention deleting old messages leaves the
figures of those days as they were (statistics outlive the case data). A full
rebuild recomputes from what is still stored; `--since` limits it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, connections, router, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from nettpatrulje.accounts.models import Agency
from nettpatrulje.reports.models import DailyFigure, DirtyDay, MonthlyFigure
from nettpatrulje.reports.working import day_bounds, local_day

logger = logging.getLogger(__name__)

# A day is recomputed once nothing has marked it for this long (or, under
# constant traffic, once this long after it was first marked): figures lag by
# about this much, and a busy day costs one recomputation per interval.
DEBOUNCE = timedelta(seconds=30)
# A worker that dies holding a claim loses it after this long.
LEASE = timedelta(minutes=5)
# Rebuild in chunks of this many days: bounded memory, one transaction each.
REBUILD_CHUNK_DAYS = 31


def _sources() -> dict:
    from nettpatrulje.reports.sources import SOURCES

    return SOURCES


# --- Marking -------------------------------------------------------------------------------

# An agency's time zone, by id, for a short while: every saved message needs it to
# find its local day, and it almost never changes.
_TZ_TTL = 60.0
_tz_cache: dict[int, tuple[float, str | None]] = {}
_deferred = threading.local()


def _agency_timezone(instance: Any, agency_id: int) -> str | None:
    cached = instance._state.fields_cache.get("agency") if instance is not None else None
    if cached is not None and cached.pk == agency_id:
        return cached.timezone
    now = time.monotonic()
    hit = _tz_cache.get(agency_id)
    if hit is not None and now - hit[0] < _TZ_TTL:
        return hit[1]
    tz = Agency.objects.filter(pk=agency_id).values_list("timezone", flat=True).first()
    _tz_cache[agency_id] = (now, tz)
    return tz


def mark_dirty(source: str, marks: Iterable[tuple[int, datetime]], instance: Any = None) -> None:
    keys = set()
    for agency_id, when in marks:
        if agency_id is None or when is None:
            continue
        tz = _agency_timezone(instance, agency_id)
        if tz is None:
            continue
        keys.add((agency_id, source, local_day(when, tz)))
    if not keys:
        return
    pending = getattr(_deferred, "keys", None)
    if pending is not None:
        pending.update(keys)
    else:
        _write_marks(keys)


_MARK_FIELDS = ("agency", "source", "day", "first_marked_at", "marked_at")


def _write_marks(keys: Iterable[tuple[int, str, date]]) -> None:
    """Upsert the marks: a new day is inserted, a marked one gets a new `marked_at`.

    Written out rather than with bulk_create(update_conflicts=True), which sends
    the same statement (INSERT ... ON CONFLICT (agency, source, day) DO UPDATE
    SET marked_at) but spent more CPU building it than the database spends
    running it, and every inbound message marks. Values are prepared by their
    fields, as bulk_create prepares them."""
    rows = sorted(keys)
    if not rows:
        return
    now = timezone.now()
    connection = connections[router.db_for_write(DirtyDay)]
    qn = connection.ops.quote_name
    fields = [DirtyDay._meta.get_field(name) for name in _MARK_FIELDS]
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    unique = ", ".join(qn(f.column) for f in fields[:3])
    marked_at = qn(fields[4].column)
    # Identifiers from the model's meta, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(DirtyDay._meta.db_table)} ({columns}) VALUES {placeholders} "  # noqa: S608
        f"ON CONFLICT ({unique}) DO UPDATE SET {marked_at} = EXCLUDED.{marked_at}"
    )
    params = [
        field.get_db_prep_save(value, connection=connection)
        for agency_id, source, day in rows
        for field, value in zip(fields, (agency_id, source, day, now, now), strict=True)
    ]
    with (
        transaction.mark_for_rollback_on_error(using=connection.alias),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@contextmanager
def marks_deferred() -> Iterator[None]:
    """Collect the marks made inside and write them once, at the end, in a fixed order.

    Use it as the last thing inside a transaction that saves many watched rows (the
    worker applying an event). Each mark is an upsert that locks its DirtyDay row
    until commit: written as they come, two workers lock the rows of "messages" and
    "conversations" in different orders (a new conversation saves the conversation
    first, an existing one the message) and PostgreSQL kills one of them as a
    deadlock. Written at the end, sorted, they are locked in one order, for the
    shortest time, and once per transaction instead of once per save. A mark made
    inside a savepoint that rolls back is still written: one recomputation too many
    is harmless, a missing one is not."""
    if getattr(_deferred, "keys", None) is not None:
        yield  # an outer block writes them
        return
    _deferred.keys = set()
    try:
        yield
        keys = _deferred.keys
    finally:
        _deferred.keys = None
    _write_marks(keys)


def _handler(source: str, marks_of):
    def on_save(sender, instance, raw: bool = False, **kwargs) -> None:
        if raw:  # loading fixtures: a rebuild follows
            return
        mark_dirty(source, marks_of(instance), instance)

    return on_save


_connected: list = []


def connect_signals() -> None:
    if _connected:
        return
    for source in _sources().values():
        for label, marks_of in source.watch:
            model = apps.get_model(label)
            handler = _handler(source.name, marks_of)
            _connected.append(handler)  # keep a strong reference
            post_save.connect(handler, sender=model, weak=False)


# --- Computing -----------------------------------------------------------------------------


def _replace(agency: Agency, source: str, start_day: date, end_day: date, figures) -> int:
    """Replace the figures of [start_day, end_day] in one transaction. The agency row
    is locked so two writers of the same agency's figures take turns (PostgreSQL;
    SQLite's IMMEDIATE transactions already serialise writers)."""
    objs = [DailyFigure(agency=agency, source=source, **f) for f in figures]
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).values_list("pk").first()
        DailyFigure.objects.filter(
            agency=agency, source=source, day__gte=start_day, day__lte=end_day
        ).delete()
        DailyFigure.objects.bulk_create(objs, batch_size=2000)
        for month in months_of(start_day, end_day):
            _resum_month(agency.pk, source, month)
    return len(objs)


def months_of(first: date, last: date) -> list[date]:
    """First days of the months that [first, last] touches."""
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


# Every column of a figure row but the key, the day and the sums.
_DIMENSION_COLUMNS = [
    f.column
    for f in DailyFigure._meta.concrete_fields
    if f.attname not in {"id", "agency_id", "source", "day", "count", "total", "within"}
]


def _resum_month(agency_id: int, source: str, month: date) -> None:
    """Replace one month's monthly rows by the sum of its daily rows, in the
    database (one INSERT ... SELECT ... GROUP BY): the caller's transaction
    holds the daily rows it has just written."""
    qn = connection.ops.quote_name
    last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    MonthlyFigure.objects.filter(agency_id=agency_id, source=source, day=month).delete()
    dims = ", ".join(qn(c) for c in _DIMENSION_COLUMNS)
    sums = ", ".join(f"SUM({qn(c)})" for c in ("count", "total", "within"))
    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(MonthlyFigure._meta.db_table)} "  # noqa: S608
        f"({qn('agency_id')}, {qn('source')}, {qn('day')}, {dims}, "
        f"{qn('count')}, {qn('total')}, {qn('within')}) "
        f"SELECT {qn('agency_id')}, {qn('source')}, %s, {dims}, {sums} "
        f"FROM {qn(DailyFigure._meta.db_table)} "
        f"WHERE {qn('agency_id')} = %s AND {qn('source')} = %s "
        f"AND {qn('day')} >= %s AND {qn('day')} <= %s "
        f"GROUP BY {qn('agency_id')}, {qn('source')}, {dims}"
    )
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(month), agency_id, source, adapt(month), adapt(last)])


def recompute_days(agency: Agency, source: str, first: date, last: date) -> int:
    start, _ = day_bounds(first, agency.timezone)
    _, end = day_bounds(last, agency.timezone)
    figures = list(_sources()[source].compute(agency, start, end))
    return _replace(agency, source, first, last, figures)


def rollups_refresh(*, limit: int = 200, debounce: timedelta = DEBOUNCE) -> int:
    """Recompute the dirty days that have settled. Safe to run from several
    workers at once. Returns the number of days recomputed."""
    now = timezone.now()
    due = (
        DirtyDay.objects.filter(
            Q(marked_at__lte=now - debounce) | Q(first_marked_at__lte=now - debounce)
        )
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .select_related("agency")
        .order_by("first_marked_at")[:limit]
    )
    done = 0
    for dirty in list(due):
        claimed = (
            DirtyDay.objects.filter(pk=dirty.pk, marked_at=dirty.marked_at)
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .update(claimed_until=now + LEASE)
        )
        if not claimed:
            continue  # another worker has it, or it was marked again just now
        try:
            recompute_days(dirty.agency, dirty.source, dirty.day, dirty.day)
        except Exception:
            logger.exception("roll-up of %s %s %s failed", dirty.agency_id, dirty.source, dirty.day)
            DirtyDay.objects.filter(pk=dirty.pk).update(claimed_until=None)
            continue
        done += 1
        gone, _ = DirtyDay.objects.filter(pk=dirty.pk, marked_at=dirty.marked_at).delete()
        if not gone:
            # Marked again while we computed: compute once more after the next pause.
            DirtyDay.objects.filter(pk=dirty.pk).update(
                claimed_until=None, first_marked_at=timezone.now()
            )
    return done


def rollups_rebuild(
    *,
    agencies: Iterable[Agency] | None = None,
    sources: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> dict[str, int]:
    """Recompute figures from scratch, chunk by chunk. Days before `since` keep
    their figures (retention may have deleted their sources)."""
    counts: dict[str, int] = {}
    names = list(sources or _sources())
    started = timezone.now()
    for agency in agencies if agencies is not None else Agency.objects.all():
        today = local_day(timezone.now(), agency.timezone)
        for name in names:
            first_at = _sources()[name].first_at(agency)
            first = since or (local_day(first_at, agency.timezone) if first_at else today)
            last = until or today
            if first_at is None and since is None:
                # Nothing stored: clear whatever figures remain.
                DailyFigure.objects.filter(agency=agency, source=name).delete()
                MonthlyFigure.objects.filter(agency=agency, source=name).delete()
                continue
            if since is None:
                DailyFigure.objects.filter(agency=agency, source=name, day__lt=first).delete()
                MonthlyFigure.objects.filter(
                    agency=agency, source=name, day__lt=first.replace(day=1)
                ).delete()
            if until is None:
                DailyFigure.objects.filter(agency=agency, source=name, day__gt=last).delete()
                MonthlyFigure.objects.filter(agency=agency, source=name, day__gt=last).delete()
            day = first
            while day <= last:
                chunk_end = min(last, day + timedelta(days=REBUILD_CHUNK_DAYS - 1))
                counts[name] = counts.get(name, 0) + recompute_days(agency, name, day, chunk_end)
                day = chunk_end + timedelta(days=1)
            DirtyDay.objects.filter(
                agency=agency,
                source=name,
                day__gte=first,
                day__lte=last,
                marked_at__lte=started,
            ).delete()
    return counts
