"""How many signed Twitch chat lines per second the webhook accepts on this machine.

    .venv/bin/python bench/twitch_ingest.py [--seconds 10] [--concurrency 16]
        [--workers 1] [--blocking-threads 0] [--with-worker] [--json out.json]

Starts the real application under granian (WSGI) on SQLite in a temporary
directory, with the production task backend (database), one agency and one
Twitch channel; then posts signed `channel.chat.message` notifications, each
with a fresh message id, from a thread pool for N seconds and prints JSON:
accepted lines per second (2xx answers), p50/p99/max latency, refusals, and
how many events were stored. The request path is what is measured: verify,
store the raw event and its task row, answer. With `--with-worker` a
`nettpatrulje worker` runs alongside and the lines it turned into triaged
`StreamChatLine`s during the run are reported too (both share the CPU).

The load generator runs on the same machine and competes for the same cores;
the figure is a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from nettpatrulje.channels.fakehelix import chat_message_payload, signed_request  # noqa: E402

SECRET = "bench-eventsub-secret-0123456789"
BROADCASTER = "100200300"

SETUP = f"""
from nettpatrulje.accounts.services import agency_create
from nettpatrulje.channels.services import channel_create
agency = agency_create(slug="kripos", name="Kripos", country="NO",
                       timezone_name="Europe/Oslo", language="nb")
channel_create(agency=agency, platform="twitch", account_id="{BROADCASTER}",
               name="Politiet patruljerer", token="bench-token",
               config={{"client_id": "bench-client"}},
               secrets={{"eventsub_secret": "{SECRET}"}})
"""

COUNT = """
from nettpatrulje.channels.models import StreamChatLine, WebhookEvent
import json
print(json.dumps({"events": WebhookEvent.objects.filter(source="twitch").count(),
                  "chat_lines": StreamChatLine.objects.count()}))
"""

TEXTS = [
    "gg wp",
    "LUL that was close",
    "hei alle sammen, hvor er dere fra?",
    "kan politiet se hva vi skriver her?",
    "PogChamp PogChamp",
    "what game is this",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(var_dir: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "NETTPATRULJE_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="nettpatrulje.settings",
        DJANGO_SECRET_KEY="bench-" + os.urandom(16).hex(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        NETTPATRULJE_VAR_DIR=var_dir,
        NETTPATRULJE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        # Production refuses to start without Meta's secrets, even when unused here.
        META_APP_SECRET=os.urandom(16).hex(),
        META_VERIFY_TOKEN=os.urandom(16).hex(),
        PYTHONPATH=os.pathsep.join(
            p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p
        ),
    )
    return env


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            httpx.post(url, content=b"{}", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not come up")


def _load(url: str, seconds: float, concurrency: int) -> dict:
    stop_at = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    refused: list[dict[int, int]] = [{} for _ in range(concurrency)]
    errors = [0] * concurrency

    def worker(i: int) -> None:
        n = 0
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < stop_at:
                n += 1
                payload = chat_message_payload(
                    BROADCASTER, f"{7000 + i}", f"{TEXTS[n % len(TEXTS)]} {i}-{n}"
                )
                raw, headers = signed_request(payload, SECRET)
                t0 = time.perf_counter()
                try:
                    r = client.post(url, content=raw, headers=headers)
                except httpx.HTTPError:
                    errors[i] += 1
                    continue
                elapsed = time.perf_counter() - t0
                if 200 <= r.status_code < 300:
                    latencies[i].append(elapsed)
                else:
                    refused[i][r.status_code] = refused[i].get(r.status_code, 0) + 1

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    wall = time.monotonic() - started
    all_latencies = sorted(x for per in latencies for x in per)
    statuses: dict[int, int] = {}
    for per in refused:
        for code, count in per.items():
            statuses[code] = statuses.get(code, 0) + count

    def pct(p: float) -> float:
        if not all_latencies:
            return 0.0
        return all_latencies[min(len(all_latencies) - 1, int(p * len(all_latencies)))] * 1000

    return {
        "accepted": len(all_latencies),
        "seconds": round(wall, 2),
        "accepted_per_second": round(len(all_latencies) / wall, 1),
        "latency_ms": {
            "p50": round(pct(0.50), 2),
            "p99": round(pct(0.99), 2),
            "max": round(all_latencies[-1] * 1000, 2) if all_latencies else 0.0,
            "mean": round(statistics.fmean(all_latencies) * 1000, 2) if all_latencies else 0.0,
        },
        "refused": statuses,
        "client_errors": sum(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="granian worker processes")
    parser.add_argument(
        "--blocking-threads", type=int, default=0, help="granian threads per worker (0: default)"
    )
    parser.add_argument("--with-worker", action="store_true", help="run the task worker too")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()

    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="np-twitch-bench-") as var_dir:
        env = _env(var_dir)
        harness.manage(env, "migrate", "--noinput")
        harness.manage(env, "shell", "-c", SETUP)
        port = _free_port()
        cmd = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ]
        if args.blocking_threads:
            cmd += ["--blocking-threads", str(args.blocking_threads)]
        cmd.append("nettpatrulje.wsgi:application")
        server = subprocess.Popen(cmd, env=env, cwd=var_dir, stdout=sys.stderr)
        worker = None
        try:
            url = f"http://127.0.0.1:{port}/webhooks/twitch"
            _wait_up(url, server)
            if args.with_worker:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "nettpatrulje", "worker"],
                    env=env,
                    cwd=var_dir,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            result = _load(url, args.seconds, args.concurrency)
        finally:
            for proc in (worker, server):
                if proc is not None:
                    proc.terminate()
            for proc in (worker, server):
                if proc is not None:
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        proc.kill()
        counts = json.loads(harness.manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])
        result.update(
            {
                "stored_events": counts["events"],
                "chat_lines_processed_during_run": counts["chat_lines"],
                "granian_workers": args.workers,
                "concurrency": args.concurrency,
                "with_worker": args.with_worker,
                "cpus": os.cpu_count(),
                # Other work on the machine competes for the same cores.
                "load_average_before": load_before,
                "database": "sqlite",
            }
        )
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
