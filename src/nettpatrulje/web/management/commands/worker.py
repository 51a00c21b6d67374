from __future__ import annotations

import gc
import logging
import os
import threading
import time

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from nettpatrulje.channels.services import webhook_events_claim, webhook_events_process
from nettpatrulje.web.maintenance import run_maintenance

logger = logging.getLogger("nettpatrulje.worker")


class EventWorker(Worker):
    """django-tasks-db's worker, also working through the webhook events.

    Events wait in their own table (channels.services.webhook_events_claim),
    not as one task row each, so that acknowledging a delivery is one INSERT.
    Each round claims a batch of events, then takes at most one task: replies
    to send are never starved by a burst of incoming events."""

    # While events flow, how often at most to look for a task when the last look
    # found none: each look is a query Django builds anew, about as much CPU as a
    # tenth of an event, and a reply waits at most this much longer for it.
    TASK_LOOK_EVERY = 0.05

    def __init__(self, *, event_batch: int = 4, **kwargs) -> None:
        super().__init__(**kwargs)
        self.event_batch = event_batch
        self._no_task_since: float | None = None

    @classmethod
    def serving_all_queues(
        cls, *, worker_id: str, event_batch: int = 4, interval: float = 0.2
    ) -> EventWorker:
        """A worker for every task queue of the default backend, one task at a time."""
        return cls(
            event_batch=event_batch,
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def run(self) -> None:
        logger.info("worker %s started", self.worker_id)
        idle_rounds = 0
        while self.running:
            close_old_connections()
            events = self.process_events()
            # A stop signal during the batch: finish it, take no task.
            task_result = self.claim_task() if self.running and self._task_due(events) else None
            if task_result is not None:
                self.run_task(task_result)
            close_old_connections()
            if events or task_result is not None:
                idle_rounds = 0
            elif self.running:
                time.sleep(self.idle_wait(idle_rounds))
                idle_rounds += 1

    def _task_due(self, events: int) -> bool:
        return (
            not events
            or self._no_task_since is None
            or time.monotonic() - self._no_task_since >= self.TASK_LOOK_EVERY
        )

    def idle_wait(self, idle_rounds: int) -> float:
        """How long to wait after `idle_rounds` empty rounds in a row: 10 ms, then
        doubling up to `interval`. Waiting the whole interval after every empty
        round added up to that much to the lag of the next message; polling
        every 10 ms for ever would cost an idle worker two queries each time."""
        return min(self.interval, 0.01 * 2**idle_rounds)

    def process_events(self) -> int:
        try:
            ids = webhook_events_claim(worker_id=self.worker_id, limit=self.event_batch)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return 0
            raise
        self.running_task = bool(ids)
        try:
            if ids:
                webhook_events_process(ids)
        except Exception:
            # The events stay pending; their lease runs out and they are tried again.
            logger.exception("events %s: processing failed", ids)
        finally:
            self.running_task = False
        return len(ids)

    def claim_task(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        # A plain read first: the claim below locks (on SQLite the whole database,
        # against the server's inserts), and most rounds find no task at all.
        if not tasks.exists():
            self._no_task_since = time.monotonic()
            return None
        self._no_task_since = None
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None
                raise
        return task_result


class Command(BaseCommand):
    help = "Run a background worker: processes webhook events, sends replies, housekeeping."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=0.2, help="seconds to wait when the queue is empty"
        )
        parser.add_argument("--maintenance-interval", type=float, default=5.0)
        parser.add_argument(
            "--event-batch", type=int, default=4, help="webhook events claimed at a time"
        )
        parser.add_argument("--worker-id", default="")
        parser.add_argument(
            "--nice",
            type=int,
            default=0,
            help="lower this process's CPU priority by this much (0-19): on a machine"
            " shared with the app server, acknowledging deliveries comes first",
        )

    def handle(
        self,
        *args,
        interval: float,
        maintenance_interval: float,
        worker_id: str,
        event_batch: int,
        nice: int = 0,
        **options,
    ) -> None:
        if nice > 0:
            # Meta stops sending to a webhook that answers slowly; an event
            # waiting a little longer for a worker loses nothing.
            os.nice(min(nice, 19))
        worker_id = worker_id or f"w-{get_random_string(12)}"
        stop = threading.Event()
        housekeeping = threading.Thread(
            target=self._housekeeping, args=(worker_id, maintenance_interval, stop), daemon=True
        )
        housekeeping.start()
        # Built lazily, the triage engine (models, lexicons) would stall the first
        # event after every start for seconds while deliveries pile up.
        from nettpatrulje.triage import get_engine

        get_engine()
        # The engine's models and lexicons live as long as the process: out of the
        # collector's sight, full collections stop walking them (see wsgi.py).
        gc.freeze()
        self.stdout.write(f"worker {worker_id} started")
        worker = EventWorker.serving_all_queues(
            worker_id=worker_id, event_batch=event_batch, interval=interval
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()

    @staticmethod
    def _housekeeping(worker_id: str, every: float, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                done = run_maintenance(worker_id)
                if any(done.values()):
                    logger.info("maintenance: %s", done)
            except Exception:
                logger.exception("maintenance failed")
            finally:
                connection.close()
            stop.wait(every)
