"""What the ingestion benchmarks and the chaos run share: a fresh database,
the production processes (granian serving the WSGI app, `nettpatrulje worker`)
started as the demo starts them, one agency with a Messenger and an Instagram
channel, and figures about the machine.

Every process runs in its own session (process group), so a SIGKILL of the
group takes granian's worker processes down with their parent, as a crash of
the machine or container would.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

APP_SECRET = "bench-app-secret-0123456789abcdef"
PAGE_ID = "104000000000001"
IG_ID = "178400000000002"
ACCOUNTS = [("page", PAGE_ID), ("instagram", IG_ID)]
TOKENS = {"page": "bench-page-token", "instagram": "bench-ig-token"}

SETUP = f"""
from nettpatrulje.accounts.services import agency_create
from nettpatrulje.channels.services import channel_create
agency = agency_create(slug="kripos", name="Kripos", country="NO",
                       timezone_name="Europe/Oslo", language="nb", opening_hours={{}})
channel_create(agency=agency, platform="messenger", account_id="{PAGE_ID}",
               name="Politiets nettpatrulje", token="{TOKENS["page"]}")
channel_create(agency=agency, platform="instagram", account_id="{IG_ID}",
               name="politiets_nettpatrulje", token="{TOKENS["instagram"]}")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict:
    """The conditions a figure was measured under: other agents share these cores."""
    try:
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        uptime = ""
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "uptime": uptime,
        "python": sys.version.split()[0],
    }


def postgres_database(url: str) -> str:
    """Drop and create the database named in `url`: every run starts empty."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def app_env(var_dir: str, *, database_url: str | None = None, **extra: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "NETTPATRULJE_", "DATABASE_", "META_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="nettpatrulje.settings",
        DJANGO_SECRET_KEY="bench-" + os.urandom(16).hex(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        NETTPATRULJE_VAR_DIR=var_dir,
        NETTPATRULJE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        META_APP_SECRET=APP_SECRET,
        META_VERIFY_TOKEN="bench-verify-token",
        # One load generator on one address: the per-address limit is not what is measured.
        NETTPATRULJE_WEBHOOK_RATE_LIMIT="100000000",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "nettpatrulje", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=env["NETTPATRULJE_VAR_DIR"],
    )
    if done.returncode:
        raise SystemExit(f"nettpatrulje {' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP)


def django_setup(env: dict[str, str]) -> None:
    """Use the same database from this process (to queue replies, to count)."""
    # What app_env left out must not leak in from the caller (a DATABASE_URL of
    # the test run would point this process at another database than the app's).
    for key in list(os.environ):
        if key.startswith(("DJANGO_", "NETTPATRULJE_", "DATABASE_", "META_")) and key not in env:
            del os.environ[key]
    os.environ.update(env)
    import django

    django.setup()


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 - handed to the child, closed with it
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=env["NETTPATRULJE_VAR_DIR"],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_server(
    env: dict[str, str], port: int, *, workers: int = 1, threads: int = 8
) -> subprocess.Popen:
    """granian as the demo runs it (web/management/commands/demo.py)."""
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
        str(workers),
        "--blocking-threads",
        str(threads),
        "--log-level",
        "warning",
        "nettpatrulje.wsgi:application",
    ]
    return _spawn(cmd, env, Path(env["NETTPATRULJE_VAR_DIR"]) / "server.log")


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "nettpatrulje", "worker", *args]
    return _spawn(cmd, env, Path(env["NETTPATRULJE_VAR_DIR"]) / "worker.log")


def kill(proc: subprocess.Popen | None, sig: int = signal.SIGKILL) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=20)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def stop(proc: subprocess.Popen | None) -> None:
    kill(proc, signal.SIGTERM)


def wait_up(base_url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            httpx.get(f"{base_url}/healthz", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not come up")


def rss_mib(pid: int) -> float:
    """Resident size of a process and its children (granian forks its workers)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children: unlike
    wall time, it does not grow when other agents' work takes the cores."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for kid in kids:
        out.append(int(kid))
        out.extend(_children(int(kid)))
    return out


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    return round(sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))], 2)


@contextlib.contextmanager
def running(*procs: subprocess.Popen) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in procs:
            stop(proc)


def write_json(result: dict, path: str | None, default_name: str) -> Path:
    out = Path(path) if path else ROOT / "bench" / "results" / default_name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return out
