from __future__ import annotations

import logging
import threading

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from nettpatrulje.web.maintenance import run_maintenance

logger = logging.getLogger("nettpatrulje.worker")


class Command(BaseCommand):
    help = "Run a background worker: processes webhook events, sends replies, housekeeping."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=0.2, help="seconds to wait when the queue is empty"
        )
        parser.add_argument("--maintenance-interval", type=float, default=5.0)
        parser.add_argument("--worker-id", default="")

    def handle(
        self, *args, interval: float, maintenance_interval: float, worker_id: str, **options
    ) -> None:
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
        self.stdout.write(f"worker {worker_id} started")
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
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
