"""Periodic housekeeping run by every worker. Each step is a conditional
update, so several workers running it at once is harmless."""

from __future__ import annotations

import logging
import os
import socket

from django.utils import timezone

from nettpatrulje.channels.services import webhook_events_requeue_stale
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


def run_maintenance(worker_id: str) -> dict[str, int]:
    heartbeat(worker_id)
    return {
        "retention": _retention_if_due(),
        "events_requeued": webhook_events_requeue_stale(),
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
