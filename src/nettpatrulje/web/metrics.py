"""Prometheus metrics, computed from the database when scraped.

Every value is read from rows that all app servers and workers share, so any
process answers a scrape with the same figures: no per-process counters to
add up, no multiprocess directory to manage (see docs/operations.md,
Monitoring). Labels name sources, platforms, states and queues only: never a
contact, a message, an agency's case or a user.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message, OutboxItem
from nettpatrulje.lib.http import client_ip
from nettpatrulje.web.models import ServerErrorCount, WorkerHeartbeat

logger = logging.getLogger(__name__)

PREFIX = "nettpatrulje"
HEARTBEAT_STALE_SECONDS = 60
TRIAGE_WINDOW = timedelta(minutes=15)
TRIAGE_SAMPLE = 20_000  # newest messages in the window; bounds the scrape's cost
QUANTILES = (0.5, 0.95, 0.99)
# Event states that need someone; processed/duplicate/ignored only grow, and
# their total is the received counter.
EVENT_ATTENTION = (
    WebhookEvent.Status.PENDING,
    WebhookEvent.Status.FAILED,
    WebhookEvent.Status.UNROUTED,
)


def _age(now, then) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


def _quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of sorted values."""
    if not values:
        return 0.0
    rank = max(0, min(len(values) - 1, round(q * len(values) + 0.5) - 1))
    return values[rank]


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        now = timezone.now()
        yield from self._events(now)
        yield from self._outbox(now)
        yield from self._triage(now)
        yield from self._tasks(now)
        yield from self._workers(now)
        yield from self._errors()
        took = GaugeMetricFamily(
            f"{PREFIX}_metrics_scrape_duration_seconds",
            "Time the database queries behind this scrape took.",
        )
        took.add_metric([], time.perf_counter() - started)
        yield took

    def _events(self, now) -> Iterable[Metric]:
        received = CounterMetricFamily(
            f"{PREFIX}_webhook_events_received",
            "Webhook deliveries stored, by source and platform of the channel they were "
            "routed to (empty while pending or unrouted).",
            labels=["source", "platform"],
        )
        rows = (
            WebhookEvent.objects.values("source", "channel__platform")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            received.add_metric([row["source"], row["channel__platform"] or ""], row["n"])
        yield received

        waiting = GaugeMetricFamily(
            f"{PREFIX}_webhook_events",
            "Webhook events needing work or attention, by state.",
            labels=["status"],
        )
        counts = dict.fromkeys(EVENT_ATTENTION, 0)
        for row in (
            WebhookEvent.objects.filter(status__in=EVENT_ATTENTION)
            .values("status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[row["status"]] = row["n"]
        for status, n in counts.items():
            waiting.add_metric([str(status)], n)
        yield waiting

        oldest = WebhookEvent.objects.filter(status=WebhookEvent.Status.PENDING).aggregate(
            t=Min("received_at")
        )["t"]
        lag = GaugeMetricFamily(
            f"{PREFIX}_webhook_processing_lag_seconds",
            "Age of the oldest webhook event not yet processed (0 when none waits).",
        )
        lag.add_metric([], _age(now, oldest))
        yield lag

    def _outbox(self, now) -> Iterable[Metric]:
        states = {s: 0 for s in OutboxItem.State.values}
        for row in OutboxItem.objects.values("state").annotate(n=Count("pk")).order_by():
            states[row["state"]] = row["n"]
        items = GaugeMetricFamily(
            f"{PREFIX}_outbox_items", "Replies in the outbox, by state.", labels=["state"]
        )
        for state, n in states.items():
            items.add_metric([state], n)
        yield items
        oldest = OutboxItem.objects.filter(
            state__in=[OutboxItem.State.QUEUED, OutboxItem.State.SENDING]
        ).aggregate(t=Min("created_at"))["t"]
        age = GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_unsent_age_seconds",
            "Age of the oldest reply queued or being sent (0 when none).",
        )
        age.add_metric([], _age(now, oldest))
        yield age

    def _triage(self, now) -> Iterable[Metric]:
        rows = list(
            Message.objects.filter(
                direction=Message.Direction.INBOUND, triaged_at__gte=now - TRIAGE_WINDOW
            )
            .order_by("-triaged_at")
            .values_list("sent_at", "triaged_at")[:TRIAGE_SAMPLE]
        )
        latencies = sorted(max(0.0, (t - s).total_seconds()) for s, t in rows)
        window = int(TRIAGE_WINDOW.total_seconds())
        latency = GaugeMetricFamily(
            f"{PREFIX}_triage_latency_seconds",
            f"Time from a message being sent to it being triaged (webhook delivery, queue "
            f"and triage), over messages triaged in the last {window} s.",
            labels=["quantile"],
        )
        for q in QUANTILES:
            latency.add_metric([str(q)], _quantile(latencies, q))
        latency.add_metric(["1"], latencies[-1] if latencies else 0.0)
        yield latency
        count = GaugeMetricFamily(
            f"{PREFIX}_triage_window_messages",
            f"Inbound messages triaged in the last {window} s (the latency sample).",
        )
        count.add_metric([], len(latencies))
        yield count

    def _tasks(self, now) -> Iterable[Metric]:
        try:
            from django_tasks.base import TaskResultStatus
            from django_tasks_db.models import DBTaskResult
        except ImportError:  # pragma: no cover - another task backend keeps no queue here
            return
        ready = GaugeMetricFamily(
            f"{PREFIX}_task_queue_depth",
            "Tasks waiting for a worker (ready, due or not), by queue.",
            labels=["queue"],
        )
        rows = list(
            DBTaskResult.objects.filter(status=TaskResultStatus.READY.value)
            .values("queue_name")
            .annotate(n=Count("pk"), oldest=Min("enqueued_at"))
            .order_by()
        )
        if not rows:
            ready.add_metric(["default"], 0)
        for row in rows:
            ready.add_metric([row["queue_name"]], row["n"])
        yield ready
        oldest = GaugeMetricFamily(
            f"{PREFIX}_task_queue_oldest_age_seconds",
            "Age of the oldest task waiting for a worker (0 when none).",
        )
        oldest.add_metric([], max((_age(now, r["oldest"]) for r in rows), default=0.0))
        yield oldest
        by_status = GaugeMetricFamily(
            f"{PREFIX}_tasks",
            "Task rows running or failed (failed rows stay until pruned).",
            labels=["status"],
        )
        counts = {TaskResultStatus.RUNNING.value: 0, TaskResultStatus.FAILED.value: 0}
        for row in (
            DBTaskResult.objects.filter(status__in=list(counts))
            .values("status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[row["status"]] = row["n"]
        for status, n in counts.items():
            by_status.add_metric([status.lower()], n)
        yield by_status

    def _workers(self, now) -> Iterable[Metric]:
        beats = list(WorkerHeartbeat.objects.values_list("seen_at", flat=True))
        ages = [_age(now, seen) for seen in beats]
        age = GaugeMetricFamily(
            f"{PREFIX}_worker_heartbeat_age_seconds",
            "Age of the newest worker heartbeat (NaN when no worker was ever seen).",
        )
        age.add_metric([], min(ages) if ages else float("nan"))
        yield age
        alive = GaugeMetricFamily(
            f"{PREFIX}_workers_alive",
            f"Workers whose heartbeat is younger than {HEARTBEAT_STALE_SECONDS} s.",
        )
        alive.add_metric([], sum(1 for a in ages if a < HEARTBEAT_STALE_SECONDS))
        yield alive

    def _errors(self) -> Iterable[Metric]:
        errors = CounterMetricFamily(
            f"{PREFIX}_http_server_errors",
            "Responses with a 5xx status, by status, from every app server process.",
            labels=["status"],
        )
        for status, n in ServerErrorCount.objects.order_by("status").values_list("status", "count"):
            errors.add_metric([str(status)], n)
        yield errors


def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return registry


def server_error_count(status: int) -> None:
    """One 5xx answered. A row per status, incremented in the database: 5xx
    answers are rare, and this way every process adds to the same total."""
    try:
        with transaction.atomic():
            updated = ServerErrorCount.objects.filter(status=status).update(count=F("count") + 1)
            if not updated:
                row, created = ServerErrorCount.objects.get_or_create(
                    status=status, defaults={"count": 1}
                )
                if not created:
                    ServerErrorCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
    except Exception:
        # The database may be why the answer was a 5xx; never make it worse.
        logger.warning("could not count a %s response", status, exc_info=True)


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token when one is configured, or an address in an allowed
    network. The address is the one the reverse proxy vouches for (X-Real-IP),
    as everywhere else (lib.http.client_ip)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if settings.METRICS_TOKEN and header.startswith("Bearer "):
        return hmac.compare_digest(
            header.removeprefix("Bearer ").strip().encode(), settings.METRICS_TOKEN.encode()
        )
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    for network in settings.METRICS_ALLOW:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.warning("NETTPATRULJE_METRICS_ALLOW: %r is not a network", network)
    return False
