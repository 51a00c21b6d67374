from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from collections.abc import Callable

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

    Two lanes in one process: the main thread works through the events, a
    second thread runs the tasks (replies to send, reports). A send waits for
    the platform, up to its timeout (10 s) when Graph is slow or unreachable;
    in one loop that wait held back every incoming message, emergencies
    included (a reply's DNS lookup timing out stopped a worker for 5 s under
    bench/lag.py). Apart, incoming messages are triaged whatever the sends do,
    and a burst of events never starves the replies."""

    _events_busy = False
    _task_busy = False
    # After an unexpected error in the task lane (the database gone, say), wait
    # this long before trying again rather than spin or stop running tasks.
    TASK_LANE_PAUSE = 1.0

    def __init__(self, *, event_batch: int = 4, **kwargs) -> None:
        super().__init__(**kwargs)
        self.event_batch = event_batch

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

    # A stop signal exits at once only when neither lane is in the middle of
    # something (Worker.shutdown); otherwise the lanes finish what they hold.
    @property
    def running_task(self) -> bool:
        return self._events_busy or self._task_busy

    @running_task.setter
    def running_task(self, busy: bool) -> None:
        # Worker.run_task sets it around a task.
        self._task_busy = busy

    def run(self) -> None:
        logger.info("worker %s started", self.worker_id)
        self._task_lane = threading.Thread(
            target=self.run_tasks, name=f"{self.worker_id}-tasks", daemon=True
        )
        self._task_lane.start()
        try:
            self.run_events()
        finally:
            self.running = False
            self._task_lane.join()
        if self._task_lane_died:
            # Exit non-zero: the process supervisor starts a whole worker again.
            raise RuntimeError(f"worker {self.worker_id}: the task lane stopped")

    _task_lane: threading.Thread | None = None
    _task_lane_died = False

    def run_events(self) -> None:
        self._rounds(self._events_round)

    def run_tasks(self) -> None:
        """The task lane: one task at a time, until the worker stops."""
        self._rounds(self._task_round)

    def _rounds(self, one_round: Callable[[], bool]) -> None:
        """One lane: rounds until the worker stops, waiting after an empty one."""
        idle_rounds = 0
        try:
            while self.running:
                if one_round():
                    idle_rounds = 0
                elif self.running:
                    time.sleep(self.idle_wait(idle_rounds))
                    idle_rounds += 1
        finally:
            connection.close()

    def _events_round(self) -> bool:
        if self._task_lane is not None and not self._task_lane.is_alive():
            # Replies would never be sent again while the heartbeat says all is
            # well: stop rather than run half a worker.
            logger.critical("worker %s: the task lane stopped", self.worker_id)
            self._task_lane_died = True
            self.running = False
            return False
        close_old_connections()
        return bool(self.process_events())

    def _task_round(self) -> bool:
        try:
            close_old_connections()
            task_result = self.claim_task()
            if task_result is not None:
                self.run_task(task_result)
            return task_result is not None
        except Exception:
            logger.exception("task lane: claiming or running a task failed")
            with contextlib.suppress(Exception):
                connection.close()
            time.sleep(self.TASK_LANE_PAUSE)
            return True  # paused already: look again at once

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
        self._events_busy = bool(ids)
        try:
            if ids:
                webhook_events_process(ids)
        except Exception:
            # The events stay pending; their lease runs out and they are tried again.
            logger.exception("events %s: processing failed", ids)
        finally:
            self._events_busy = False
        return len(ids)

    def claim_task(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        # A plain read first: the claim below locks (on SQLite the whole database,
        # against the server's inserts), and most rounds find no task at all.
        if not tasks.exists():
            return None
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
