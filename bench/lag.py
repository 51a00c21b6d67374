"""From Meta's POST to a triaged message in the inbox: end-to-end lag at a steady rate.

    .venv/bin/python bench/lag.py [--database sqlite|postgresql] [--workers 2]
        [--rate 200] [--seconds 30] [--granian-workers 2] [--json out.json]

On a fresh database: granian serves the app, `--workers` `nettpatrulje
worker` processes run beside it, and signed Meta deliveries arrive open loop
at `--rate` per second for `--seconds` (each sent at its scheduled moment).
A message is in the inbox, triaged, when the transaction that stores it
commits; its event is marked processed in that same transaction
(channels/services.py), so the lag of a message is its event's
`processed_at` minus the moment the delivery was due. After the load the
backlog is left to drain; reported: lag p50/p90/p99/max over every message,
the worker throughput while the load ran, the backlog when it stopped and how
long it took to drain.

The replies the app sends on its own (to emergencies, out of hours) go to a
fake Graph Send API on loopback (channels/fakegraph.py), so the workers send
them as in production; the number sent is reported. (Before 2026-11-29 they
went to graph.facebook.com, unreachable here, and each send waited for a DNS
timeout.)

Everything (load generator, server, workers, database) shares the machine's
cores with other agents' work: figures are floors.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from ingest import open_loop, signed_bodies

PG_URL = "postgresql://postgres@127.0.0.1:5432/np_bench_lag"


def _counts() -> dict:
    from django.db import close_old_connections

    from nettpatrulje.channels.models import WebhookEvent

    close_old_connections()
    return {
        "pending": WebhookEvent.objects.filter(status="pending").count(),
        "done": WebhookEvent.objects.exclude(status="pending").count(),
    }


def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="np-lag-") as var_dir:
        url = (
            harness.postgres_database(args.database_url) if args.database == "postgresql" else None
        )
        from nettpatrulje.channels.fakegraph import FakeGraphServer

        graph = FakeGraphServer(port=harness.free_port()).start()
        env = harness.app_env(var_dir, database_url=url, META_GRAPH_URL=graph.url)
        harness.prepare(env)
        harness.django_setup(env)
        from nettpatrulje.channels.models import WebhookEvent

        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        server = harness.start_server(env, port, workers=args.granian_workers)
        workers = [
            harness.start_worker(
                env, "--event-batch", str(args.event_batch), "--nice", str(args.worker_nice)
            )
            for _ in range(args.workers)
        ]
        with harness.running(server, *workers):
            harness.wait_up(base, server)
            time.sleep(3)  # workers load the triage engine before the clock starts
            n = int(args.rate * args.seconds)
            bodies = signed_bodies(n, seed=11)
            due_at: dict[str, float] = {}
            start_wall = time.time() + 0.2
            for i, (raw, _) in enumerate(bodies):
                for event in json.loads(raw)["entry"][0]["messaging"]:
                    item = event.get("message") or event.get("postback") or {}
                    if item.get("mid"):
                        due_at[item["mid"]] = start_wall + i / args.rate
            before = _counts()
            worker_cpu0 = sum(harness.cpu_seconds(w.pid) for w in workers)
            server_cpu0 = harness.cpu_seconds(server.pid)
            t0 = time.monotonic()
            load = open_loop(f"{base}/webhooks/meta", bodies, args.rate, args.seconds)
            load_seconds = time.monotonic() - t0
            after_load = _counts()
            drain_deadline = time.monotonic() + args.drain_timeout
            while _counts()["pending"] and time.monotonic() < drain_deadline:
                time.sleep(0.5)
            drained = time.monotonic() - t0 - load_seconds
            worker_cpu = sum(harness.cpu_seconds(w.pid) for w in workers) - worker_cpu0
            server_cpu = harness.cpu_seconds(server.pid) - server_cpu0
            processed = _counts()["done"] - before["done"]
            rss = {
                "server_mib": harness.rss_mib(server.pid),
                "workers_mib": [harness.rss_mib(w.pid) for w in workers],
            }
            lags, commits = [], set()
            for body, processed_at in WebhookEvent.objects.filter(status="processed").values_list(
                "body", "processed_at"
            ):
                for event in json.loads(bytes(body))["entry"][0]["messaging"]:
                    item = event.get("message") or event.get("postback") or {}
                    due = due_at.get(item.get("mid", ""))
                    if due is not None:
                        lags.append((processed_at.timestamp() - due) * 1000)
                        commits.add(processed_at.timestamp())
            lags.sort()
            pauses = _pauses(sorted(commits), start_wall, start_wall + args.seconds)
            with graph.state.lock:
                replies_sent = len(graph.state.sent)
            left = _counts()["pending"]
        graph.stop()
    return {
        "database": args.database,
        "workers": args.workers,
        "event_batch": args.event_batch,
        "worker_nice": args.worker_nice,
        "granian_workers": args.granian_workers,
        "rate": args.rate,
        "seconds": args.seconds,
        "ingest": load,
        "messages_measured": len(lags),
        "lag_ms": {
            "p50": harness.percentile(lags, 0.5),
            "p90": harness.percentile(lags, 0.9),
            "p99": harness.percentile(lags, 0.99),
            "max": round(lags[-1], 1) if lags else None,
        },
        # Where the workers committed nothing for a while although deliveries
        # were due: what makes a lag tail (seconds into the run, length).
        "pauses_over_500_ms": pauses,
        "worker_events_per_second_under_load": round(
            (after_load["done"] - before["done"]) / load_seconds, 1
        ),
        # CPU per event, whatever else runs on the machine: 1000 / this is what one
        # free core does per second.
        "worker_cpu_ms_per_event": round(worker_cpu * 1000 / processed, 2) if processed else None,
        "server_cpu_ms_per_event": round(server_cpu * 1000 / load["accepted"], 2)
        if load["accepted"]
        else None,
        "automatic_replies_sent": replies_sent,
        "backlog_when_load_stopped": after_load["pending"],
        "drain_seconds": round(drained, 1),
        "still_pending": left,
        "rss": rss,
    }


def _pauses(commits: list[float], start: float, end: float) -> list[dict]:
    """Gaps of more than half a second between two commits while the load ran."""
    return [
        {"at_s": round(a - start, 1), "ms": round((b - a) * 1000)}
        for a, b in itertools.pairwise(commits)
        if b - a > 0.5 and start <= a <= end
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--event-batch", type=int, default=4, help="events per worker transaction")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="workers' CPU priority below the server's, as `make demo` runs them (0: same)",
    )
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--granian-workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    machine = harness.machine()
    result = {"command": " ".join(sys.argv), "machine_before": machine, **run(args)}
    result["machine_after"] = harness.machine()
    out = harness.write_json(result, args.json, f"lag-{args.database}-{args.workers}w.json")
    print(json.dumps(result, indent=2))
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
