"""The chaos run of bench/chaos.py, small: 1,000 signed Meta deliveries with
redeliveries, concurrent copies and replies, while the server and the worker
are killed with SIGKILL and restarted. Pass or fail does not depend on timing:
the run waits until every delivery is acknowledged and everything has drained,
then checks that nothing was lost or done twice (see bench/chaos.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
CHAOS = ROOT / "bench" / "chaos.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHAOS.exists(), reason="bench/ is not part of this installation"),
]


def _database_args() -> list[str]:
    """On the PostgreSQL pass of CI the run uses PostgreSQL too: a scratch database
    of its own next to the test run's (dropped and created by the run)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return []
    base, _, _name = url.rpartition("/")
    return ["--database-url", f"{base}/nettpatrulje_chaos_{os.getpid()}"]


def _drop_scratch_database(args: list[str]) -> None:
    if not args:
        return
    import psycopg

    base, _, name = args[1].rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_args():
    args = _database_args()
    yield args
    _drop_scratch_database(args)


def test_nothing_lost_nothing_twice_while_processes_are_killed(tmp_path, database_args):
    out = tmp_path / "chaos.json"
    done = subprocess.run(
        [
            sys.executable,
            str(CHAOS),
            "--events",
            "1000",
            "--rate",
            "50",
            "--seed",
            "8",
            "--kill-every",
            "1.5",
            "4",
            "--ack-timeout",
            "240",
            "--drain-timeout",
            "240",
            "--json",
            str(out),
            *database_args,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.exists(), done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["violations"] == [], result
    assert done.returncode == 0, done.stderr[-3000:]
    # The run did what it claims: processes were killed, replies were sent.
    assert sum(result["kills"].values()) >= 3
    assert result["outbox"].get("sent", 0) > 0
    assert result["inbound_messages"] == result["distinct_message_ids_sent"]
    assert result["database"] == ("postgresql" if database_args else "sqlite")
