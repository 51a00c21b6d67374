"""Resident memory of the server and the workers after many messages.

    .venv/bin/python bench/memory.py [--messages 100000] [--database sqlite|postgresql]
        [--workers 2] [--concurrency 8] [--json out.json]

On a fresh database the production processes (granian, `--workers` workers)
receive `--messages` signed Messenger/Instagram text messages from 5,000
contacts, posted as fast as they are acknowledged, while the workers triage
and store them. The resident size (RSS, granian's processes summed) is sampled
every 15 seconds and once more after the workers have drained the backlog.
Growth that does not level off would be a leak.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from nettpatrulje.channels.meta import sign
from nettpatrulje.channels.simulator import TEXTS

PG_URL = "postgresql://postgres@127.0.0.1:5432/np_bench_memory"


def body(i: int, rng: random.Random, contacts: list[str]) -> bytes:
    obj, account = harness.ACCOUNTS[i % 2]
    now_ms = int(time.time() * 1000)
    event = {
        "sender": {"id": rng.choice(contacts)},
        "recipient": {"id": account},
        "timestamp": now_ms,
        "message": {"mid": f"m_mem_{i}", "text": rng.choice(TEXTS)[1]},
    }
    payload = {"object": obj, "entry": [{"id": account, "time": now_ms, "messaging": [event]}]}
    return json.dumps(payload, ensure_ascii=True).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--drain-timeout", type=float, default=7200)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    machine = harness.machine()
    samples: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="np-memory-") as var_dir:
        url = (
            harness.postgres_database(args.database_url) if args.database == "postgresql" else None
        )
        env = harness.app_env(var_dir, database_url=url)
        harness.prepare(env)
        harness.django_setup(env)
        from nettpatrulje.channels.models import WebhookEvent
        from nettpatrulje.inbox.models import Message

        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        server = harness.start_server(env, port)
        workers = [harness.start_worker(env) for _ in range(args.workers)]
        started = time.monotonic()
        stop = threading.Event()

        def sample(phase: str) -> dict:
            from django.db import close_old_connections

            close_old_connections()
            row = {
                "seconds": round(time.monotonic() - started),
                "phase": phase,
                "messages_stored": Message.objects.count(),
                "events_pending": WebhookEvent.objects.filter(status="pending").count(),
                "server_mib": harness.rss_mib(server.pid),
                "workers_mib": [harness.rss_mib(w.pid) for w in workers],
            }
            samples.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            return row

        def sampler() -> None:
            while not stop.wait(15):
                sample("load")

        with harness.running(server, *workers):
            harness.wait_up(base, server)
            threading.Thread(target=sampler, daemon=True).start()
            rng = random.Random(5)
            contacts = [str(10**15 + rng.randrange(10**15)) for _ in range(5000)]
            counter = iter(range(args.messages))
            lock = threading.Lock()

            def client() -> None:
                with httpx.Client(timeout=30) as c:
                    while True:
                        with lock:
                            i = next(counter, None)
                            raw = body(i, rng, contacts) if i is not None else b""
                        if i is None:
                            return
                        headers = {
                            "Content-Type": "application/json",
                            "X-Hub-Signature-256": sign(raw, harness.APP_SECRET),
                        }
                        while True:
                            try:
                                r = c.post(f"{base}/webhooks/meta", content=raw, headers=headers)
                                if r.status_code == 200:
                                    break
                            except httpx.HTTPError:
                                pass
                            time.sleep(0.5)

            with ThreadPoolExecutor(args.concurrency) as pool:
                for _ in range(args.concurrency):
                    pool.submit(client)
            sent_in = time.monotonic() - started
            deadline = time.monotonic() + args.drain_timeout
            while (
                WebhookEvent.objects.filter(status="pending").exists()
                and time.monotonic() < deadline
            ):
                time.sleep(5)
            stop.set()
            final = sample("drained")
    result = {
        "command": " ".join(sys.argv),
        "database": args.database,
        "messages": args.messages,
        "workers": args.workers,
        "seconds_sending": round(sent_in),
        "final": final,
        "peak_server_mib": max(s["server_mib"] for s in samples),
        "peak_worker_mib": max(max(s["workers_mib"]) for s in samples),
        "samples": samples,
        "machine_before": machine,
        "machine_after": harness.machine(),
    }
    out = harness.write_json(result, args.json, f"memory-{args.database}.json")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
