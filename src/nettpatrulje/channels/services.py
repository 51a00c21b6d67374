"""Durable ingestion of platform webhooks.

`webhook_event_store` is all the request path does: one insert before
answering 200. The event row is itself the queue: workers claim pending
events (`webhook_events_claim`) and apply them with `webhook_event_process`,
which may run more than once for the same event (a worker killed mid-way, two
workers, an admin's retry) and is idempotent.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from nettpatrulje.channels.base import Kind, ParseError
from nettpatrulje.channels.models import Channel, WebhookEvent
from nettpatrulje.channels.registry import PARSERS
from nettpatrulje.lib.compiled import CompiledRead, CompiledUpdate
from nettpatrulje.lib.tasks import enqueue, queue_in_database
from nettpatrulje.lib.text import storable
from nettpatrulje.reports.rollups import marks_deferred

logger = logging.getLogger(__name__)

# Headers worth keeping for inspection; never cookies or authorisation.
KEPT_HEADERS = ("Content-Type", "User-Agent", "X-Hub-Signature-256", "X-Forwarded-For")


def webhook_event_store(
    *,
    source: str,
    body: bytes,
    headers: dict[str, str],
    delivery_id: str | None = None,
    kept_headers: tuple[str, ...] = KEPT_HEADERS,
) -> WebhookEvent | None:
    """Store one delivery, durably, before it is acknowledged.

    With the database queue (production) that is the whole of it: the row is
    what a worker claims, so there is no second row that could be lost or
    written without it. Without one (the tests' immediate backend) the event
    is processed here, in the same transaction.

    With a platform `delivery_id` a redelivery returns None: the unique
    constraint decides, so two concurrent redeliveries cannot both get in."""
    # Cleaned (lib.text.storable): a header is whatever the sender put there.
    fields = {
        "source": source,
        "body": body,
        "headers": {k: storable(v) for k, v in headers.items() if k in kept_headers},
        "delivery_id": storable(delivery_id[:128]) if delivery_id else None,
    }
    queued = queue_in_database()
    if queued and delivery_id is None:
        # One autocommitted INSERT: nothing can conflict, so no transaction to open.
        return WebhookEvent.objects.create(**fields)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(**fields)
            if not queued:
                _process_now(event.pk)
    except IntegrityError:
        if delivery_id is None:
            raise
        return None
    return event


def _process_now(event_id: int) -> None:
    from nettpatrulje.channels.tasks import process_webhook_event

    enqueue(process_webhook_event, event_id)


def webhook_events_claim(*, worker_id: str, limit: int = 4) -> list[int]:
    """Claim up to `limit` pending events, oldest first, for this worker.

    Claimed means leased for EVENT_LEASE_SECONDS, with the attempt counted: a
    worker that dies (SIGKILL, out of memory) leaves its events to be claimed
    again when the lease runs out, and an event that keeps killing workers
    stops at MAX_ATTEMPTS (`webhook_events_give_up`).

    One statement, UPDATE ... WHERE id IN (oldest claimable ... LIMIT n)
    RETURNING id, so a claim is atomic by itself. On PostgreSQL the subquery
    locks its rows with SKIP LOCKED: parallel workers take different events,
    and a row claimed meanwhile is re-checked before it is updated. SQLite runs
    one writing statement at a time. Built with the ORM (a locked read, then
    an update, in a transaction) a claim cost the worker more CPU than the
    database spent on it, every round."""
    now = timezone.now()
    ops = connection.ops
    params = [
        worker_id[:64],
        ops.adapt_datetimefield_value(now + timedelta(seconds=settings.EVENT_LEASE_SECONDS)),
        WebhookEvent.Status.PENDING,
        MAX_ATTEMPTS,
        ops.adapt_datetimefield_value(now),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), params)
        # RETURNING gives no order; received_at is compared as the database gives it
        # (SQLite: text in one format, which sorts as the times do).
        return [pk for _, pk in sorted((received, pk) for pk, received in cursor.fetchall())]


def _claim_sql() -> str:
    qn = connection.ops.quote_name
    meta = WebhookEvent._meta
    table = qn(meta.db_table)
    pk, attempts, claimed_by, claimed_until, status, received_at = (
        qn(meta.get_field(name).column)
        for name in ("id", "attempts", "claimed_by", "claimed_until", "status", "received_at")
    )
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    # Identifiers from the model's meta, quoted; every value is a parameter.
    return (
        f"UPDATE {table} SET {attempts} = {attempts} + 1, {claimed_by} = %s, "  # noqa: S608
        f"{claimed_until} = %s WHERE {pk} IN (SELECT {pk} FROM {table} "
        f"WHERE {status} = %s AND {attempts} < %s "
        f"AND ({claimed_until} IS NULL OR {claimed_until} < %s) "
        f"ORDER BY {received_at}, {pk} LIMIT %s{lock}) RETURNING {pk}, {received_at}"
    )


# A deadlock or serialisation failure (PostgreSQL) or a busy database (SQLite) is
# no fault of the event: the transaction is tried again, and if it keeps failing
# the event stays pending, to be claimed again when its lease runs out, never `failed`.
TRANSIENT_RETRIES = 3
MAX_ATTEMPTS = 5


def webhook_event_process(event_id: int, *, claimed: bool = False) -> str | None:
    """Apply one stored event to the inbox. Returns the event's final status.

    `claimed`: the attempt was already counted by `webhook_events_claim`."""
    event = _event(event_id)
    if event is None or event.status != WebhookEvent.Status.PENDING:
        return None
    if not claimed:
        # Counted on its own, before the work: a transaction killed with its
        # worker leaves no trace, and an event that kills every worker must stop.
        _event_update(event.pk, attempts=event.attempts + 1)
    work = _prepare(event, _channels)
    if isinstance(work, str):
        return work
    return _apply_alone(work)


def webhook_events_process(event_ids: list[int]) -> dict[int, str | None]:
    """Apply events claimed with `webhook_events_claim`, in one transaction.

    One transaction for the batch is one commit, one write of the roll-up marks
    and one update of the channels' activity instead of one each per event: the
    worker's own work, not the database's, was most of an event's cost. If
    anything fails in it (a bad event, a deadlock, a busy database) it is
    rolled back whole and the events are applied one at a time, each as
    `webhook_event_process` would, so one bad event never holds the others back
    and never takes them down with it. Returns each event's final status (None:
    not pending, or left pending after transient errors)."""
    statuses: dict[int, str | None] = dict.fromkeys(event_ids)
    channels = _batch_channels()
    batch: list[_Work] = []
    for event in _events(event_ids):
        work = _prepare(event, channels)
        if isinstance(work, str):
            statuses[event.pk] = work
        else:
            batch.append(work)
    if not batch:
        return statuses
    # Conversations locked in one order by every worker (PostgreSQL): two batches
    # taking the same two conversations in opposite orders would deadlock. A stable
    # sort: events of one conversation keep their order.
    batch.sort(key=_Work.lock_order)
    try:
        with transaction.atomic(), marks_deferred():
            applied = {work.event.pk: _apply(work) for work in batch}
            _channels_active(batch)
    except Exception as exc:
        logger.warning(
            "batch of %s events rolled back (%s: %s); applying them one at a time",
            len(batch),
            type(exc).__name__,
            exc,
        )
        applied = {work.event.pk: _apply_alone(work) for work in batch}
    statuses.update(applied)
    return statuses


@dataclass
class _Work:
    """An event parsed, routed and triaged: what its transaction applies."""

    event: WebhookEvent
    items: list
    channels: dict[str, Channel]
    unrouted: list[str]
    triaged: dict[int, object]

    def lock_order(self) -> tuple[str, str]:
        return min(((i.account_id, i.thread_key) for i in self.items), default=("", ""))


def _prepare(event: WebhookEvent, channels_of) -> _Work | str:
    """Parse, route and triage an event, outside any transaction; or, if it cannot
    be parsed, its final status (failed, with the reason kept for inspection)."""
    try:
        data = json.loads(bytes(event.body))
        platform, items = PARSERS[event.source](data)
        items = [item.storable() for item in items]
    except (ParseError, ValueError, RecursionError, KeyError) as exc:
        return _finish(event, WebhookEvent.Status.FAILED, error=str(exc))
    except Exception as exc:
        # A parser bug: the event is kept as failed, with the reason, for a retry
        # once fixed; raising would leave it pending for the sweeper to try again.
        logger.exception("event %s: parser failed", event.pk)
        return _finish(event, WebhookEvent.Status.FAILED, error=f"{type(exc).__name__}: {exc}")

    accounts = {item.account_id for item in items}
    channels = channels_of(platform, accounts)
    unrouted = sorted(a for a in accounts if a not in channels)
    try:
        triaged = _triage_ahead(items, channels)
    except Exception:
        logger.exception("event %s: triage ahead failed; triaged in the transaction", event.pk)
        triaged = {}
    return _Work(event, items, channels, unrouted, triaged)


def _apply_alone(work: _Work) -> str | None:
    """The event in its own transaction, tried again after a transient error."""
    for attempt in range(TRANSIENT_RETRIES):
        try:
            with transaction.atomic(), marks_deferred():
                status = _apply(work)
                _channels_active([work])
            return status
        except OperationalError as exc:
            logger.warning("event %s: %s (try %s)", work.event.pk, exc, attempt + 1)
            if attempt + 1 < TRANSIENT_RETRIES:
                time.sleep(0.05 * 2**attempt)
        except Exception as exc:
            logger.exception("event %s failed", work.event.pk)
            return _finish(
                work.event, WebhookEvent.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
            )
    return None


# The reads of every event, compiled once (lib/compiled.py): Django building
# their SQL again for each event was a large part of the worker's CPU.
_event_rows = CompiledRead(
    lambda pk: WebhookEvent.objects.filter(pk=pk).order_by("pk")[:1],  # as first()
    int,
)
# Without the tokens: applying an event never uses them, and decrypting them
# (lib.crypto) was most of this read's CPU. Sending reads its channel itself.
_channel_rows = CompiledRead(
    lambda platform, account_id: (
        Channel.objects.filter(platform=platform, account_id=account_id)
        .select_related("agency")
        .defer("secrets")
        .order_by()
    ),
    str,
    str,
)


_event_update = CompiledUpdate(lambda pk: WebhookEvent.objects.filter(pk=pk), int)
_pending_event_update = CompiledUpdate(
    lambda pk: WebhookEvent.objects.filter(pk=pk, status=WebhookEvent.Status.PENDING), int
)


def _event(event_id) -> WebhookEvent | None:
    return next(iter(_event_rows(int(event_id))), None)


def _channels(platform: str, accounts: set) -> dict[str, Channel]:
    """The channels of these accounts by account id, with their agency."""
    if len(accounts) == 1 and all(isinstance(a, str) for a in (platform, *accounts)):
        # An event is for one page or account, almost always.
        return {c.account_id: c for c in _channel_rows(platform, next(iter(accounts)))}
    # Unordered: a dict is built, and the model's ordering (by agency name, a
    # join) would be a third of this read's CPU.
    return {
        c.account_id: c
        for c in Channel.objects.filter(platform=platform, account_id__in=accounts)
        .select_related("agency")
        .defer("secrets")
        .order_by()
    }


def _events(event_ids: list[int]) -> list[WebhookEvent]:
    """The pending ones of these events, in the order given (oldest first, as claimed)."""
    found = {event.pk: event for event in _pending_events(len(event_ids))(*event_ids)}
    return [found[pk] for pk in event_ids if pk in found]


_PENDING_EVENTS: dict[int, CompiledRead] = {}


def _pending_events(count: int) -> CompiledRead:
    """The compiled read of `count` pending events by id (one per batch size)."""
    if count not in _PENDING_EVENTS:
        _PENDING_EVENTS[count] = CompiledRead(
            lambda *ids: WebhookEvent.objects.filter(
                pk__in=ids, status=WebhookEvent.Status.PENDING
            ).order_by(),
            *[int] * count,
        )
    return _PENDING_EVENTS[count]


def _batch_channels():
    """`_channels`, each platform and set of accounts read once per batch: a
    batch's events are mostly for the same one or two pages."""
    seen: dict[tuple, dict[str, Channel]] = {}

    def channels_of(platform: str, accounts: set) -> dict[str, Channel]:
        key = (platform, frozenset(accounts))
        if key not in seen:
            seen[key] = _channels(platform, accounts)
        return seen[key]

    return channels_of


def _triage_ahead(items: list, channels: dict[str, Channel]) -> dict[int, object]:
    """Triage results by item index, computed outside the transaction (see
    inbox.services.inbound_triage_ahead)."""
    from nettpatrulje.inbox.services import inbound_triage_ahead

    out = {}
    for i, item in enumerate(items):
        channel = channels.get(item.account_id)
        if channel is not None:
            result = inbound_triage_ahead(channel, item)
            if result is not None:
                out[i] = result
    return out


def _apply(work: _Work) -> str:
    """The event's items and its final status, inside the caller's transaction (with
    the roll-up marks deferred to its end), so the event is settled exactly when
    its messages are stored."""
    from nettpatrulje.inbox.services import inbound_apply

    outcomes: list[str] = []
    for i, item in enumerate(work.items):
        channel = work.channels.get(item.account_id)
        if channel is None:
            continue
        if channel.status != Channel.Status.ACTIVE and item.kind == Kind.MESSAGE:
            # A disabled channel still keeps what arrives: nothing is dropped.
            logger.info("message for disabled channel %s kept", channel.pk)
        outcomes.append(inbound_apply(channel=channel, item=item, triaged=work.triaged.get(i)))
    channel = next(iter(work.channels.values()), None)
    if not outcomes:
        status = WebhookEvent.Status.UNROUTED if work.unrouted else WebhookEvent.Status.IGNORED
    elif all(o == "duplicate" for o in outcomes):
        status = WebhookEvent.Status.DUPLICATE
    elif all(o == "ignored" for o in outcomes):
        status = WebhookEvent.Status.IGNORED
    else:
        status = WebhookEvent.Status.PROCESSED
    return _finish(work.event, status, channel=channel, unrouted=work.unrouted)


def _channels_active(batch: list[_Work]) -> None:
    """The channels' last activity, to the nearest few seconds (not one more write
    per event under load), last in the transaction and in one order, as the marks."""
    now = timezone.now()
    stale = {
        c.pk
        for work in batch
        for c in work.channels.values()
        if c.last_event_at is None or now - c.last_event_at > CHANNEL_ACTIVITY_RESOLUTION
    }
    if stale:
        Channel.objects.filter(pk__in=sorted(stale)).update(last_event_at=now)


CHANNEL_ACTIVITY_RESOLUTION = timedelta(seconds=5)


def _finish(
    event: WebhookEvent,
    status: str,
    *,
    error: str = "",
    channel: Channel | None = None,
    unrouted: list[str] | None = None,
) -> str:
    _pending_event_update(
        event.pk,
        status=status,
        # An error message may quote the payload.
        error=storable(error[:2000]),
        channel=channel,
        unrouted_accounts=unrouted or [],
        processed_at=timezone.now(),
    )
    return status


def webhook_events_give_up() -> int:
    """Mark failed the events tried MAX_ATTEMPTS times without finishing, once
    their last lease has run out: something about them kills or stalls the
    worker. Shown to admins as failed, with a retry button; no longer claimed."""
    return WebhookEvent.objects.filter(
        status=WebhookEvent.Status.PENDING,
        attempts__gte=MAX_ATTEMPTS,
        claimed_until__lt=timezone.now(),
    ).update(
        status=WebhookEvent.Status.FAILED,
        error=f"gave up after {MAX_ATTEMPTS} attempts that did not finish",
        processed_at=timezone.now(),
    )


def webhook_event_retry(*, event: WebhookEvent) -> None:
    """Admin action: process a failed or unrouted event again (e.g. after adding its channel)."""
    with transaction.atomic():
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=WebhookEvent.Status.PENDING,
            error="",
            attempts=0,
            claimed_by="",
            claimed_until=None,
        )
        if not queue_in_database():
            _process_now(event.pk)


@transaction.atomic
def channel_create(
    *,
    agency,
    platform: str,
    account_id: str,
    token: str = "",
    name: str = "",
    config: dict | None = None,
    secrets: dict | None = None,
) -> Channel:
    channel = Channel.objects.filter(platform=platform, account_id=account_id).first() or Channel(
        platform=platform, account_id=account_id
    )
    channel.agency = agency
    channel.name = name or channel.name or account_id
    channel.config = {**channel.config, **(config or {})}
    channel.secrets = {
        **channel.secrets,
        **(secrets or {}),
        **({"access_token": token} if token else {}),
    }
    channel.save()
    return channel


@transaction.atomic
def channel_mark_needs_reconnect(*, channel_id: int, reason: str) -> None:
    Channel.objects.filter(pk=channel_id).update(
        needs_reconnect=True, last_error=reason[:2000], last_error_at=timezone.now()
    )
