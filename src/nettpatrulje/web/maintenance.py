"""Periodic housekeeping run by every worker. Each step is a conditional
update, so several workers running it at once is harmless."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from nettpatrulje.channels.services import webhook_events_give_up
from nettpatrulje.inbox.services import outbox_dispatch_due, outbox_flag_stuck
from nettpatrulje.web.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def heartbeat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "seen_at": timezone.now(),
        },
    )


def tasks_recover_orphaned(*, dead_after: timedelta | None = None) -> int:
    """Put back in the queue the tasks a dead worker was running.

    django-tasks-db marks a claimed task RUNNING and nothing else ever looks at
    it again: a worker killed mid-task (SIGKILL, out of memory, machine lost)
    would leave it RUNNING for ever, its work undone. A worker is dead when its
    heartbeat (written every few seconds by its housekeeping) is older than
    `dead_after`. Running such a task again is safe: processing an event is
    idempotent, and a send claims its outbox item conditionally, so a reply the
    dead worker may already have sent is left `sending` for the officer to
    check, never sent twice."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if dead_after is None:
        dead_after = timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    cutoff = timezone.now() - dead_after
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        .order_by()
        .values_list("pk", "worker_ids")[:500]
    )
    if not running:
        return 0
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    orphans = [pk for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive]
    if not orphans:
        return 0
    recovered = DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    logger.warning("%s tasks of dead workers queued again", recovered)
    return recovered


def run_maintenance(worker_id: str) -> dict[str, int]:
    heartbeat(worker_id)
    return {
        "tasks_recovered": tasks_recover_orphaned(),
        "retention": _retention_if_due(),
        "events_given_up": webhook_events_give_up(),
        "outbox_dispatched": outbox_dispatch_due(),
        "outbox_flagged": outbox_flag_stuck(),
        "rollups": _rollups_refresh(),
    }


def _rollups_refresh() -> int:
    from nettpatrulje.reports.rollups import rollups_refresh

    return rollups_refresh()


def _retention_if_due() -> int:
    from nettpatrulje.audit.retention import retention_due, retention_run

    if not retention_due():
        return 0
    run = retention_run()
    return run.deleted + run.anonymised
