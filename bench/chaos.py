"""Nothing lost, nothing twice: ingestion and replies while processes are killed.

    .venv/bin/python bench/chaos.py [--events 10000] [--seed 1] [--workers 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/np_chaos] [--json out.json]

Starts the production set-up on a fresh database (granian serving the WSGI app,
`nettpatrulje worker`, a fake Graph Send API), then sends N signed Meta webhook
deliveries as Meta does: a delivery that is not answered 200 (an error status,
a refused or broken connection) is sent again with backoff until it is; some
deliveries are sent again after their 200 (a lost acknowledgement) and some
twice at the same moment (concurrent redelivery). Officers' replies are queued
throughout, and the fake Graph API fails some sends (HTTP 500) and posts the
echo of every sent message back to the webhook, retried like any delivery.

Meanwhile the server and the worker are killed with SIGKILL at random moments
(seeded) and restarted. At the end everything is restarted and left to drain,
then checked:

- every delivery was eventually acknowledged and is stored as a WebhookEvent;
- every message (by platform message id) is stored exactly once, and triaged;
- no event is pending or failed, no task is waiting, running or failed;
- every reply is `sent` and reached the Graph API exactly once, or is `check`
  (the worker died between the call and recording it; the officer checks) and
  reached it at most once; none is still queued or sending.

Prints a JSON summary and exits 1 on any violation. The recovery timeouts are
shortened (dead worker 6 s, event lease 8 s, stuck send 15 s) so a run takes
minutes; the code paths are those of production.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from nettpatrulje.channels.meta import sign
from nettpatrulje.channels.simulator import MetaTrafficGenerator

RECOVERY_ENV = {
    "NETTPATRULJE_WORKER_DEAD_SECONDS": "6",
    "NETTPATRULJE_EVENT_LEASE_SECONDS": "8",
    "NETTPATRULJE_OUTBOX_SENDING_TIMEOUT": "15",
    "META_SEND_TIMEOUT": "5",
}
MAINTENANCE_INTERVAL = "1"


class Deliveries:
    """Meta's side of the webhook: deliveries due at a moment, retried until a 200."""

    def __init__(self, url: str, senders: int, seed: int) -> None:
        self.url = url
        self.heap: list[tuple[float, int, str, bytes, int]] = []
        self.seq = itertools.count()
        self.cond = threading.Condition()
        self.outstanding = 0
        self.acked: Counter[str] = Counter()
        self.attempts = 0
        self.failures: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.rng = random.Random(seed)
        self.closed = False
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(senders)]
        for t in self.threads:
            t.start()

    def add(self, key: str, raw: bytes, *, delay: float = 0.0) -> None:
        with self.cond:
            heapq.heappush(self.heap, (time.monotonic() + delay, next(self.seq), key, raw, 0))
            self.outstanding += 1
            self.cond.notify()

    def _retry(self, key: str, raw: bytes, attempt: int) -> None:
        with self.cond:
            backoff = min(0.2 * 2**attempt, 3.0) * (0.5 + self.rng.random())
            heapq.heappush(
                self.heap, (time.monotonic() + backoff, next(self.seq), key, raw, attempt + 1)
            )
            self.cond.notify()

    def _next(self):
        with self.cond:
            while True:
                if self.closed:
                    return None
                if self.heap:
                    due = self.heap[0][0] - time.monotonic()
                    if due <= 0:
                        return heapq.heappop(self.heap)
                    self.cond.wait(due)
                else:
                    self.cond.wait(0.5)

    def _run(self) -> None:
        client = httpx.Client(timeout=10)
        while (item := self._next()) is not None:
            _, _, key, raw, attempt = item
            t0 = time.perf_counter()
            try:
                response = client.post(
                    self.url,
                    content=raw,
                    headers={
                        "Content-Type": "application/json",
                        "X-Hub-Signature-256": sign(raw, harness.APP_SECRET),
                    },
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
                client.close()
                client = httpx.Client(timeout=10)
            with self.cond:
                self.attempts += 1
                if status == 200:
                    self.acked[key] += 1
                    self.outstanding -= 1
                    self.latencies.append((time.perf_counter() - t0) * 1000)
                    self.cond.notify_all()
                    continue
                self.failures[str(status)] += 1
            self._retry(key, raw, attempt)
        client.close()

    def wait_all_acked(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.outstanding:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.5))
        return True

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


class Processes:
    """The server and the workers, killed and restarted on demand."""

    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        self.env = env
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.server = None
        self.workers: list = [None] * workers
        self.lock = threading.Lock()
        self.kills: Counter[str] = Counter()
        self.restarts: list[float] = []

    def start_server(self) -> None:
        self.server = harness.start_server(self.env, self.port)

    def start_worker(self, i: int) -> None:
        self.workers[i] = harness.start_worker(
            self.env, "--maintenance-interval", MAINTENANCE_INTERVAL
        )

    def start_all(self) -> None:
        with self.lock:
            if self.server is None or self.server.poll() is not None:
                self.start_server()
            for i, proc in enumerate(self.workers):
                if proc is None or proc.poll() is not None:
                    self.start_worker(i)
        harness.wait_up(self.base_url, self.server)

    def kill(self, what: str, rng: random.Random) -> None:
        with self.lock:
            if what in ("server", "both"):
                harness.kill(self.server)
                self.kills["server"] += 1
            if what in ("worker", "both"):
                i = rng.randrange(len(self.workers))
                harness.kill(self.workers[i])
                self.kills["worker"] += 1

    def stop_all(self) -> None:
        for proc in [self.server, *self.workers]:
            harness.stop(proc)


def _chaos(procs: Processes, rng: random.Random, stop: threading.Event, every: tuple) -> None:
    while not stop.wait(rng.uniform(*every)):
        what = rng.choices(["server", "worker", "both"], weights=[4, 4, 2])[0]
        procs.kill(what, rng)
        print(f"{time.strftime('%H:%M:%S')} killed {what}", file=sys.stderr, flush=True)
        time.sleep(rng.uniform(0.05, 1.0))
        t0 = time.monotonic()
        procs.start_all()
        procs.restarts.append(round(time.monotonic() - t0, 2))
        print(f"{time.strftime('%H:%M:%S')} restarted", file=sys.stderr, flush=True)


def _replies(n: int, rng: random.Random, stop: threading.Event, every: float) -> int:
    """An officer answering now and then: a reply queued in the outbox."""
    from django.db import OperationalError, close_old_connections

    from nettpatrulje.inbox.models import Conversation
    from nettpatrulje.inbox.services import ReplyBlocked, conversation_reply

    queued = 0
    while queued < n and not stop.wait(every):
        close_old_connections()
        try:
            ids = list(Conversation.objects.order_by("created_at").values_list("pk", flat=True))
            if not ids:
                continue
            conversation = Conversation.objects.select_related("channel").get(pk=rng.choice(ids))
            conversation_reply(
                conversation=conversation, author=None, text=f"Hei! Svar nr. {queued + 1}."
            )
            queued += 1
        except (ReplyBlocked, OperationalError):
            continue
    return queued


def _graph(deliveries: Deliveries, port: int, base_url: str):
    from nettpatrulje.channels.fakegraph import FakeGraphServer

    accounts = {harness.TOKENS[obj]: (obj, account) for obj, account in harness.ACCOUNTS}

    class Graph(FakeGraphServer):
        def send_echo(self, token: str, recipient: str, mid: str, message: dict) -> None:
            # Through the same retrying delivery as every webhook: Meta retries echoes too.
            obj, account = accounts[token]
            now_ms = int(time.time() * 1000)
            body = {
                "object": obj,
                "entry": [
                    {
                        "id": account,
                        "time": now_ms,
                        "messaging": [
                            {
                                "sender": {"id": account},
                                "recipient": {"id": recipient},
                                "timestamp": now_ms,
                                "message": {
                                    "mid": mid,
                                    "is_echo": True,
                                    "app_id": 1000000000,
                                    "text": message.get("text", ""),
                                    "metadata": message.get("metadata", ""),
                                },
                            }
                        ],
                    }
                ],
            }
            deliveries.add(f"echo:{mid}", json.dumps(body).encode(), delay=0.1)

    graph = Graph(port=port, echo_url=f"{base_url}/webhooks/meta", app_secret=harness.APP_SECRET)
    return graph.start()


def _drain(timeout: float) -> dict:
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from nettpatrulje.channels.models import WebhookEvent
    from nettpatrulje.inbox.models import OutboxItem

    deadline = time.monotonic() + timeout
    while True:
        close_old_connections()
        left = {
            "pending_events": WebhookEvent.objects.filter(status="pending").count(),
            "tasks_ready": DBTaskResult.objects.filter(status="READY").count(),
            "tasks_running": DBTaskResult.objects.filter(status="RUNNING").count(),
            "outbox_unsettled": OutboxItem.objects.filter(state__in=["queued", "sending"]).count(),
        }
        if not any(left.values()) or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def _verify(sent: dict[str, bytes], message_mids: dict[str, str], graph) -> dict:
    from django_tasks_db.models import DBTaskResult

    from nettpatrulje.channels.models import WebhookEvent
    from nettpatrulje.inbox.models import Message, OutboxItem
    from nettpatrulje.inbox.services import OUTBOX_METADATA_PREFIX

    violations: list[str] = []
    bodies = Counter(bytes(b) for b in WebhookEvent.objects.values_list("body", flat=True))
    missing_events = [key for key, raw in sent.items() if not bodies.get(raw)]
    if missing_events:
        violations.append(f"{len(missing_events)} deliveries not stored, e.g. {missing_events[:3]}")
    statuses = Counter(WebhookEvent.objects.values_list("status", flat=True))
    for bad in ("pending", "failed", "unrouted"):
        if statuses.get(bad):
            violations.append(f"{statuses[bad]} events {bad}")

    stored = Counter(
        Message.objects.filter(direction="in").values_list("platform_message_id", flat=True)
    )
    lost = [mid for mid in message_mids if stored.get(mid, 0) == 0]
    twice = {mid: n for mid, n in stored.items() if n > 1}
    if lost:
        violations.append(f"{len(lost)} messages lost, e.g. {lost[:3]}")
    if twice:
        violations.append(f"{len(twice)} messages stored more than once, e.g. {list(twice)[:3]}")
    untriaged = Message.objects.filter(direction="in", triaged_at__isnull=True).count()
    if untriaged:
        violations.append(f"{untriaged} inbound messages not triaged")

    tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))
    run_again = sum(
        1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(ids) > 1
    )
    for bad in ("READY", "RUNNING", "FAILED"):
        if tasks.get(bad):
            violations.append(f"{tasks[bad]} tasks {bad}")

    with graph.state.lock:
        sends = Counter(
            s["message"].get("metadata", "").removeprefix(OUTBOX_METADATA_PREFIX)
            for s in graph.state.sent
        )
    states = Counter()
    for pk, state in OutboxItem.objects.values_list("pk", "state"):
        states[state] += 1
        n = sends.get(str(pk), 0)
        if state == "sent" and n != 1:
            violations.append(f"reply {pk} is sent but reached the Graph API {n} times")
        elif state == "check" and n > 1:
            violations.append(f"reply {pk} (check) reached the Graph API {n} times")
        elif state not in ("sent", "check"):
            violations.append(f"reply {pk} left {state}")
    return {
        "violations": violations,
        "event_statuses": dict(statuses),
        "inbound_messages": sum(stored.values()),
        "distinct_message_ids_sent": len(message_mids),
        "tasks": dict(tasks),
        "tasks_run_again_after_a_dead_worker": run_again,
        "outbox": dict(states),
        "graph_sends": sum(sends.values()),
    }


def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    machine = harness.machine()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="np-chaos-") as var_dir:
        if args.database_url:
            harness.postgres_database(args.database_url)
        env = harness.app_env(var_dir, database_url=args.database_url, **RECOVERY_ENV)
        port, graph_port = harness.free_port(), harness.free_port()
        env["META_GRAPH_URL"] = f"http://127.0.0.1:{graph_port}"
        harness.prepare(env)
        harness.django_setup(env)
        procs = Processes(env, port, args.workers)
        deliveries = Deliveries(f"{procs.base_url}/webhooks/meta", args.senders, args.seed)
        graph = _graph(deliveries, graph_port, procs.base_url)
        procs.start_all()

        stop = threading.Event()
        chaos = threading.Thread(
            target=_chaos, args=(procs, random.Random(rng.random()), stop, args.kill_every)
        )
        chaos.start()
        reply_count: list[int] = []
        duration = args.events / args.rate
        replier = threading.Thread(
            target=lambda: reply_count.append(
                _replies(
                    args.replies, random.Random(rng.random()), stop, duration / (args.replies + 1)
                )
            )
        )
        replier.start()

        gen = MetaTrafficGenerator(harness.ACCOUNTS, seed=args.seed)
        sent: dict[str, bytes] = {}
        message_mids: dict[str, str] = {}
        retried = concurrent = graph_failures = 0
        feeding = next_at = time.monotonic()
        for i in range(args.events):
            body = gen.next_body()
            raw = json.dumps(body, ensure_ascii=True).encode()
            key = f"e{i}"
            sent[key] = raw
            for event in body["entry"][0]["messaging"]:
                item = event.get("message") or event.get("postback") or {}
                if item.get("mid"):
                    message_mids[item["mid"]] = key
            deliveries.add(key, raw)
            roll = rng.random()
            if roll < args.duplicates:
                retried += 1
                deliveries.add(key, raw, delay=rng.uniform(0.5, 5))
            elif roll < args.duplicates + args.concurrent:
                concurrent += 1
                deliveries.add(key, raw)
            if rng.random() < args.graph_failures:
                graph_failures += 1
                graph.fail_next(500)
            next_at += 1 / args.rate
            time.sleep(max(0.0, next_at - time.monotonic()))
        fed_in = time.monotonic() - feeding
        print(f"{time.strftime('%H:%M:%S')} fed", file=sys.stderr, flush=True)
        all_acked = deliveries.wait_all_acked(args.ack_timeout)
        stop.set()
        chaos.join()
        replier.join()
        procs.start_all()
        left = _drain(args.drain_timeout)
        # Echoes of the last sends go through the same deliveries.
        all_acked = deliveries.wait_all_acked(args.ack_timeout) and all_acked
        left = _drain(args.drain_timeout)
        result = _verify(sent, message_mids, graph)
        deliveries.close()
        procs.stop_all()
        graph.stop()
        if not all_acked:
            result["violations"].append(f"{deliveries.outstanding} deliveries never acknowledged")
        if any(left.values()):
            result["violations"].append(f"not drained: {left}")
        lat = sorted(deliveries.latencies)
        result.update(
            {
                "ok": not result["violations"],
                "seed": args.seed,
                "database": "postgresql" if args.database_url else "sqlite",
                "workers": args.workers,
                "events": args.events,
                "rate": args.rate,
                "redelivered_after_ack": retried,
                "concurrent_pairs": concurrent,
                "graph_failures_injected": graph_failures,
                "replies_queued": reply_count[0] if reply_count else 0,
                "kills": dict(procs.kills),
                "restart_seconds": harness.percentile(sorted(procs.restarts), 0.5),
                "delivery_attempts": deliveries.attempts,
                "delivery_failures": dict(deliveries.failures),
                "ack_latency_ms": {
                    "p50": harness.percentile(lat, 0.5),
                    "p99": harness.percentile(lat, 0.99),
                },
                "seconds_feeding": round(fed_in, 1),
                "seconds_total": round(time.monotonic() - started, 1),
                "machine": machine,
            }
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="new deliveries per second")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--senders", type=int, default=16, help="concurrent deliveries")
    parser.add_argument("--replies", type=int, default=0, help="default: events / 20")
    parser.add_argument("--duplicates", type=float, default=0.03)
    parser.add_argument("--concurrent", type=float, default=0.02)
    parser.add_argument("--graph-failures", type=float, default=0.01)
    parser.add_argument(
        "--kill-every", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN", "MAX")
    )
    parser.add_argument("--ack-timeout", type=float, default=300)
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    args.replies = args.replies or max(1, args.events // 20)
    result = run(args)
    name = f"chaos-{result['database']}-{args.events}.json"
    out = harness.write_json(result, args.json, name)
    print(json.dumps(result, indent=2, default=str))
    print(f"written to {out}", file=sys.stderr)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
