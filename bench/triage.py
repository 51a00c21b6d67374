"""Benchmark of the triage engine: load time, per-message latency, memory.

    python bench/triage.py [--json out.json] [--repeat N] [--dev FILE]

Runs each language mode (lingua low accuracy, the default, and high accuracy) in a
fresh subprocess so that peak RSS is measured per mode, on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = next(
    (
        p
        for p in (
            Path(os.environ.get("NETTPATRULJE_DEV_SET", "")),
            REPO.parent / "shared" / "data" / "triage_dev.jsonl",
            Path("/work/shared/data/triage_dev.jsonl"),
        )
        if str(p) and p.is_file()
    ),
    None,
)
FALLBACK_TEXTS = [
    "hei",
    "this boss is killing me 💀",
    "Han sier han sender nakenbildene mine til alle hvis jeg ikke betaler innen kl 21. Jeg er 15",
    "mun kaveri sanoo et se tappaa ittensä tänä yönä, soita 040 718 2295",
    "Ik heb via Marktplaats betaald (NL20INGB0001234567) maar de verkoper is verdwenen",
]


def _texts(dev: Path | None) -> list[str]:
    if dev is None:
        return FALLBACK_TEXTS
    with dev.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mode(high_accuracy: bool, dev: Path | None, repeat: int) -> dict:
    """Measure one mode inside the current process."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    sys.path.insert(0, str(REPO / "src"))
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    from nettpatrulje.triage.engine import TriageEngine

    engine = TriageEngine(high_accuracy_language=high_accuracy)
    load_s = time.perf_counter() - started
    texts = _texts(dev)
    for text in texts:  # warm-up
        engine.triage(text)
    timings = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter()
            engine.triage(text)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "mode": "high_accuracy" if high_accuracy else "low_accuracy",
        "messages": len(timings),
        "load_seconds": round(load_s, 3),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 3),
        "mean_ms": round(statistics.fmean(timings), 3),
        "messages_per_second": round(1000 / statistics.fmean(timings), 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "python_baseline_rss_mb": round(rss_before, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the texts")
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="JSON Lines with texts")
    parser.add_argument("--mode", choices=["low", "high"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:  # child process: one mode, JSON on stdout
        print(json.dumps(run_mode(args.mode == "high", args.dev, args.repeat)))
        return 0
    results = []
    for mode in ("low", "high"):
        cmd = [sys.executable, __file__, "--mode", mode, "--repeat", str(args.repeat)]
        if args.dev:
            cmd += ["--dev", str(args.dev)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for r in results:
        print(
            f"{r['mode']:<14} load {r['load_seconds']:.2f}s  median {r['median_ms']:.2f} ms  "
            f"p95 {r['p95_ms']:.2f} ms  {r['messages_per_second']:.0f} msg/s  "
            f"peak RSS {r['peak_rss_mb']:.0f} MB  ({r['messages']} messages)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
