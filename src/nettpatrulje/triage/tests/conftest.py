"""Shared fixtures: one engine for the whole test session (it takes seconds to build)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nettpatrulje.triage import TriageEngine, get_engine

_REPO = Path(__file__).resolve().parents[4]
# CI lays shared/ beside the clone; developers have it at /work/shared.
DEV_SET = Path(
    os.environ.get("NETTPATRULJE_DEV_SET")
    or next(
        (
            str(p)
            for p in (
                _REPO.parent / "shared" / "data" / "triage_dev.jsonl",
                Path("/work/shared/data/triage_dev.jsonl"),
            )
            if p.exists()
        ),
        "/work/shared/data/triage_dev.jsonl",
    )
)


@pytest.fixture(scope="session")
def engine() -> TriageEngine:
    return get_engine()


@pytest.fixture(scope="session")
def dev_rows() -> list[dict]:
    if not DEV_SET.exists():
        pytest.skip(f"dev set not found at {DEV_SET}")
    with DEV_SET.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
