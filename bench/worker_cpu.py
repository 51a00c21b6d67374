"""CPU a worker spends per Meta webhook event, measured in-process.

    .venv/bin/python bench/worker_cpu.py [--events 2000] [--database-url URL]
        [--profile out.prof] [--json out.json] [--rounds [--alternate] [--event-batch 4]]

On a fresh database (SQLite in a temporary directory, or the PostgreSQL
database named by --database-url, dropped and created): one agency with a
Messenger and an Instagram channel (bench/harness.py), N signed bodies from
the traffic simulator stored with `webhook_event_store` as the webhook view
stores them, then `webhook_event_process` for each, in order, in this
process. No server, no worker loop, no task claim: what is left is the
worker's own work on an event.

Per event: thread CPU time (so other agents on the machine do not inflate
it), wall time, and queries (counted by a connection execute wrapper: the
same count as CaptureQueriesContext, without formatting every statement's SQL,
which would add its own CPU to the figure). The split into triage
(`_triage_ahead`, outside the transaction) and apply (`_apply`, the
transaction) is measured by wrapping those two functions. Triage ms/message
divides an event's triage by the messages it triaged (events without one are
left out). The first events (engine load,
language models, caches) are run but not counted (--warmup).

--rounds measures the worker's loop instead (EventWorker.process_events, and in
older versions its look for a task, as `nettpatrulje worker` runs them, without
the sleeps): per
round, the CPU and queries of claiming a batch and applying it, divided by the
events it took. It runs against earlier versions of the worker too (a checkout
of an older commit with this file copied in), for a before/after on the same
data. --alternate makes every other round apply its events one transaction
each (webhook_event_process), as the worker did before batches, so that both
are measured under the same load.

--profile writes a cProfile of the counted events (read with
`python -m pstats` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from ingest import signed_bodies


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    s = sorted(values)
    return {
        "n": len(s),
        "p50": harness.percentile(s, 0.5),
        "p95": harness.percentile(s, 0.95),
        "p99": harness.percentile(s, 0.99),
        "mean": round(statistics.fmean(s), 3),
    }


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


QUERIES = _Counter()


class _Timed:
    """Wraps a function: thread CPU and query count of its calls since `take`."""

    def __init__(self, module, name: str) -> None:
        self.module, self.name = module, name
        self.inner = getattr(module, name)
        self.cpu = 0.0
        self.queries = 0
        self.results = 0
        setattr(module, name, self)

    def __call__(self, *args, **kwargs):
        q0 = QUERIES.n
        t0 = time.thread_time()
        try:
            result = self.inner(*args, **kwargs)
            self.results = len(result) if isinstance(result, dict) else 0
            return result
        finally:
            self.cpu += time.thread_time() - t0
            self.queries += QUERIES.n - q0

    def take(self) -> tuple[float, int, int]:
        out = (self.cpu * 1000, self.queries, self.results)
        self.cpu, self.queries, self.results = 0.0, 0, 0
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--profile", default=None)
    ap.add_argument("--label", default="", help="recorded in the JSON (e.g. before/after)")
    ap.add_argument("--json", default=None)
    ap.add_argument(
        "--rounds",
        action="store_true",
        help="measure the worker's own rounds (claim a batch, process it) instead of"
        " webhook_event_process one event at a time",
    )
    ap.add_argument("--event-batch", type=int, default=4, help="with --rounds")
    ap.add_argument(
        "--alternate",
        action="store_true",
        help="with --rounds: every other round applies its events one transaction each"
        " (webhook_event_process), as the worker did before batches; both are reported,"
        " measured under the same load",
    )
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="np-worker-cpu-")
    db_url = harness.postgres_database(args.database_url) if args.database_url else None
    # The fitted triage models are cached per corpus (keyed by its hash): one
    # cache for every run, not a retraining each time.
    cache = harness.ROOT / "var" / "cache"
    env = harness.app_env(tmp, database_url=db_url, NETTPATRULJE_CACHE_DIR=str(cache))
    harness.prepare(env)
    harness.django_setup(env)

    from django.db import connection

    from nettpatrulje.channels import services
    from nettpatrulje.channels.models import WebhookEvent
    from nettpatrulje.inbox.models import Message

    total = args.warmup + args.events
    ids = []
    for raw, headers in signed_bodies(total, args.seed):
        event = services.webhook_event_store(source="meta", body=raw, headers=headers)
        ids.append(event.pk)

    if args.rounds:
        _rounds(args, ids, db_url, tmp)
        return

    triage = _Timed(services, "_triage_ahead")
    apply = _Timed(services, "_apply")
    # CPU time, not wall time: waiting for the database is not what is measured.
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    rows = []
    with connection.execute_wrapper(QUERIES):
        for n, event_id in enumerate(ids):
            if n == args.warmup and profiler:
                profiler.enable()
            q0 = QUERIES.n
            w0, c0 = time.perf_counter(), time.thread_time()
            status = services.webhook_event_process(event_id)
            cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
            queries = QUERIES.n - q0
            t_cpu, _, t_n = triage.take()
            a_cpu, a_q, _ = apply.take()
            if n >= args.warmup:
                rows.append((cpu * 1000, wall * 1000, queries, t_cpu, a_cpu, a_q, status, t_n))
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)

    messages = Message.objects.filter(direction="in").count()
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r[6]] = statuses.get(r[6], 0) + 1
    # Per message triaged (messages and postbacks with a contact), in the events
    # that had one.
    triaged = [r[3] / r[7] for r in rows if r[7]]
    result = {
        "label": args.label,
        "database": "postgresql" if db_url else "sqlite",
        # Kept: the stored rows can be compared between two versions of the code.
        "var_dir": tmp,
        "events": len(rows),
        "warmup": args.warmup,
        "seed": args.seed,
        "statuses": statuses,
        "inbound_messages_stored": messages,
        "pending_left": WebhookEvent.objects.filter(status="pending").count(),
        "cpu_ms_per_event": _stats([r[0] for r in rows]),
        "wall_ms_per_event": _stats([r[1] for r in rows]),
        "queries_per_event": _stats([float(r[2]) for r in rows]),
        "triage_cpu_ms_per_event": _stats([r[3] for r in rows]),
        "triage_cpu_ms_per_message": _stats(triaged),
        "apply_cpu_ms_per_event": _stats([r[4] for r in rows]),
        "apply_queries_per_event": _stats([float(r[5]) for r in rows]),
        "by_status_cpu_ms_p50": {
            s: harness.percentile(sorted(r[0] for r in rows if r[6] == s), 0.5) for s in statuses
        },
        "by_status_queries_p50": {
            s: harness.percentile(sorted(r[2] for r in rows if r[6] == s), 0.5) for s in statuses
        },
        "machine": harness.machine(),
    }
    name = f"worker-cpu-{result['database']}{'-' + args.label if args.label else ''}.json"
    out = harness.write_json(result, args.json, name)
    print(json.dumps({k: result[k] for k in list(result)[:14]}, indent=2))
    print(f"written to {out}")
    if statuses.get("failed") or result["pending_left"]:
        # A broken change looks fast: an event that fails does no work.
        raise SystemExit("some events failed or stayed pending: the figures mean nothing")


def _rounds(args, ids: list[int], db_url, tmp: str) -> None:
    """The worker's loop as `nettpatrulje worker` runs it, minus the sleeps: per
    round, CPU and queries of claiming a batch and processing it, divided by the
    events it took. The warm-up events are processed first, one at a time."""
    from django.db import connection
    from django.db.models import Count

    from nettpatrulje.channels import services
    from nettpatrulje.channels.models import WebhookEvent
    from nettpatrulje.inbox.models import Message
    from nettpatrulje.web.management.commands.worker import EventWorker

    for event_id in ids[: args.warmup]:
        services.webhook_event_process(event_id)
    worker = EventWorker.serving_all_queues(worker_id="bench", event_batch=args.event_batch)
    profiler = cProfile.Profile(time.thread_time) if args.profile else None

    def one_at_a_time() -> int:
        claimed = services.webhook_events_claim(worker_id="bench", limit=args.event_batch)
        for event_id in claimed:
            services.webhook_event_process(event_id, claimed=True)
        return len(claimed)

    modes = {"worker": worker.process_events}
    if args.alternate:
        modes["one_at_a_time"] = one_at_a_time
    samples = {mode: ([], [], []) for mode in modes}  # cpu, wall, queries per event
    events = 0
    c_all, w_all = time.thread_time(), time.perf_counter()
    with connection.execute_wrapper(QUERIES):
        if profiler:
            profiler.enable()
        for round_no in range(10**9):
            mode = list(modes)[round_no % len(modes)]
            q0 = QUERIES.n
            w0, c0 = time.perf_counter(), time.thread_time()
            n = modes[mode]()
            # As the worker's event loop: versions before 2026-11-29 looked for a
            # task every round, then every 50 ms while events flowed (_task_due);
            # since, tasks run in a lane of their own (run_tasks), not in this loop.
            if not hasattr(worker, "run_tasks") and getattr(worker, "_task_due", lambda n: True)(n):
                worker.claim_task()
            cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
            if not n:
                break
            events += n
            samples[mode][0].extend([cpu * 1000 / n] * n)
            samples[mode][1].extend([wall * 1000 / n] * n)
            samples[mode][2].extend([(QUERIES.n - q0) / n] * n)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
    c_all, w_all = time.thread_time() - c_all, time.perf_counter() - w_all
    statuses = dict(
        WebhookEvent.objects.filter(pk__in=ids[args.warmup :])
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = {
        "label": args.label,
        "mode": "rounds",
        "event_batch": args.event_batch,
        "database": "postgresql" if db_url else "sqlite",
        "var_dir": tmp,
        "events": events,
        "warmup": args.warmup,
        "seed": args.seed,
        "statuses": statuses,
        "inbound_messages_stored": Message.objects.filter(direction="in").count(),
        "pending_left": WebhookEvent.objects.filter(status="pending").count(),
        "cpu_ms_per_event_overall": round(c_all * 1000 / max(events, 1), 3),
        "wall_ms_per_event_overall": round(w_all * 1000 / max(events, 1), 3),
        **{
            f"{mode}_{what}": _stats(values)
            for mode, lists in samples.items()
            for what, values in zip(
                ("cpu_ms_per_event", "wall_ms_per_event", "queries_per_event"),
                lists,
                strict=True,
            )
        },
        "machine": harness.machine(),
    }
    name = f"worker-rounds-{result['database']}{'-' + args.label if args.label else ''}.json"
    out = harness.write_json(result, args.json, name)
    print(
        json.dumps({k: v for k, v in result.items() if k not in ("machine", "var_dir")}, indent=2)
    )
    print(f"written to {out}")
    if statuses.get("failed") or result["pending_left"]:
        raise SystemExit("some events failed or stayed pending: the figures mean nothing")


if __name__ == "__main__":
    main()
