"""How fast the production server acknowledges signed Meta webhook deliveries,
next to the cheapest acknowledgement the same server can give.

    .venv/bin/python bench/ingest.py [--database sqlite|postgresql|both]
        [--seconds 10] [--concurrency 16] [--rate 200] [--steady-seconds 20]
        [--granian-workers 2] [--json out.json]

For each database, on a fresh one: granian serves the WSGI app (as in `make
demo`, with --granian-workers processes) with NETTPATRULJE_BENCH_ENDPOINTS=1,
which routes `/bench/raw-insert`: one INSERT of the raw body, no verification,
no task (channels/bench_views.py). No worker runs, so the server has the cores
(with the load generator, which runs on the same machine).

The load generator (bench/loadgen.py: asyncio, keep-alive connections, requests
built once as bytes) spends little CPU per request, so the cores go to the server.

1. Throughput, closed loop: `--concurrency` clients post as fast as answers
   come, for `--seconds`, alternately to /webhooks/meta (verify the signature,
   store the raw event, the row workers claim, answer 200) and to
   the bare endpoint, twice each; the better round of each counts. The figure
   is the ratio webhook / bare (target >= 0.7).
2. Latency, open loop: deliveries at a fixed `--rate` per second for
   `--steady-seconds`, each sent at its scheduled moment whatever the answers
   before it (a closed loop would hide queueing). Latency counts from the
   scheduled moment. Target: p99 < 50 ms at 200/s.

Other agents share the machine: the figures are floors; the load average is
recorded with each run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import loadgen

from nettpatrulje.channels.meta import sign
from nettpatrulje.channels.simulator import MetaTrafficGenerator

PG_URL = "postgresql://postgres@127.0.0.1:5432/np_bench_ingest"


def signed_bodies(n: int, seed: int = 7) -> list[tuple[bytes, dict[str, str]]]:
    gen = MetaTrafficGenerator(harness.ACCOUNTS, seed=seed)
    out = []
    for _ in range(n):
        raw = json.dumps(gen.next_body(), ensure_ascii=True).encode()
        out.append(
            (
                raw,
                {
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, harness.APP_SECRET),
                },
            )
        )
    return out


def closed_loop(
    url: str, bodies: list, seconds: float, concurrency: int, server_pid: int | None = None
) -> dict:
    requests = loadgen.build_requests(url, bodies)
    cpu0 = harness.cpu_seconds(server_pid) if server_pid else 0.0
    run = loadgen.closed_loop(url, requests, seconds, concurrency)
    cpu = harness.cpu_seconds(server_pid) - cpu0 if server_pid else 0.0
    lat = sorted(run["latencies"])
    return {
        "accepted_per_second": round(len(lat) / run["wall"], 1),
        "server_cpu_ms_per_accepted": round(cpu * 1000 / len(lat), 2) if lat else None,
        "accepted": len(lat),
        "not_accepted": run["bad"],
        "latency_ms": {
            "p50": harness.percentile(lat, 0.5),
            "p99": harness.percentile(lat, 0.99),
        },
    }


def open_loop(url: str, bodies: list, rate: float, seconds: float) -> dict:
    """Send at fixed moments; latency from the moment a delivery was due."""
    run = loadgen.open_loop(url, loadgen.build_requests(url, bodies), rate, seconds)
    lat = sorted(ms for ms, ok in run["results"] if ok)
    return {
        "rate": rate,
        "sent": run["sent"],
        "accepted": len(lat),
        "not_accepted": sum(1 for _, ok in run["results"] if not ok),
        "achieved_per_second": round(run["sent"] / run["wall"], 1),
        "generator_late_sends": run["late"],
        "latency_ms": {
            "p50": harness.percentile(lat, 0.5),
            "p90": harness.percentile(lat, 0.9),
            "p99": harness.percentile(lat, 0.99),
            "max": round(lat[-1], 2) if lat else None,
        },
    }


def bench_database(kind: str, args: argparse.Namespace, bodies: list) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"np-ingest-{kind}-") as var_dir:
        url = harness.postgres_database(args.database_url) if kind == "postgresql" else None
        env = harness.app_env(var_dir, database_url=url, NETTPATRULJE_BENCH_ENDPOINTS="1")
        harness.prepare(env)
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        server = harness.start_server(env, port, workers=args.granian_workers, threads=8)
        with harness.running(server):
            harness.wait_up(base, server)
            webhook, bare = f"{base}/webhooks/meta", f"{base}/bench/raw-insert"
            closed_loop(webhook, bodies[:200], 2, args.concurrency)  # warm-up
            closed_loop(bare, bodies[:200], 1, args.concurrency)
            rounds = {"webhook": [], "bare": []}
            for _ in range(2):
                for name, target in (("webhook", webhook), ("bare", bare)):
                    rounds[name].append(
                        closed_loop(target, bodies, args.seconds, args.concurrency, server.pid)
                    )
            best = {
                name: max(r, key=lambda x: x["accepted_per_second"]) for name, r in rounds.items()
            }
            load_after_throughput = harness.machine()["load_average"]
            steady = open_loop(webhook, bodies, args.rate, args.steady_seconds)
            bare_steady = open_loop(bare, bodies, args.rate, args.steady_seconds)
            server_rss = harness.rss_mib(server.pid)
    return {
        "database": kind,
        "throughput": {
            "webhook": best["webhook"],
            "bare_insert": best["bare"],
            "ratio": round(
                best["webhook"]["accepted_per_second"] / best["bare"]["accepted_per_second"], 3
            ),
            # The same ratio from the server's CPU per acknowledgement: what the
            # cores could do if nobody else used them.
            "cpu_ratio": round(
                min(x["server_cpu_ms_per_accepted"] for x in rounds["bare"])
                / min(x["server_cpu_ms_per_accepted"] for x in rounds["webhook"]),
                3,
            ),
            "rounds": {
                name: [(x["accepted_per_second"], x["server_cpu_ms_per_accepted"]) for x in r]
                for name, r in rounds.items()
            },
            "load_average_after": load_after_throughput,
        },
        "steady": {"webhook": steady, "bare_insert": bare_steady},
        "server_rss_mib": server_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--steady-seconds", type=float, default=20)
    parser.add_argument("--granian-workers", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    bodies = signed_bodies(4000)
    result = {
        "command": " ".join(sys.argv),
        "granian_workers": args.granian_workers,
        "concurrency": args.concurrency,
        "machine_before": harness.machine(),
        "results": [bench_database(kind, args, bodies) for kind in kinds],
        "machine_after": harness.machine(),
    }
    out = harness.write_json(result, args.json, "ingest.json")
    print(json.dumps(result, indent=2))
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
