"""Command-line entry points (no argparse here; the Django command parses options)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .engine import get_engine
from .evaluation import evaluate, format_report

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class InputError(ValueError):
    """A malformed input line; the message names the line number."""


def _read_jsonl(lines: TextIO, *, labelled: bool) -> Iterator[dict]:
    required = ("id", "text", "category", "urgency") if labelled else ("id", "text")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise InputError(f"line {number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise InputError(f"line {number}: missing {', '.join(missing)}")
        if not isinstance(row["text"], str):
            raise InputError(f"line {number}: 'text' must be a string")
        yield row


def run_triage(infile: TextIO, outfile: TextIO, default_country: str | None = None) -> int:
    """Triage JSON Lines from ``infile``; write one result object a line to ``outfile``."""
    engine = get_engine()
    try:
        for row in _read_jsonl(infile, labelled=False):
            country = row.get("agency_country") or default_country
            result = engine.triage(row["text"], agency_country=country)
            outfile.write(json.dumps({"id": row["id"], **result.to_dict()}, ensure_ascii=False))
            outfile.write("\n")
    except InputError as exc:
        print(f"triage: {exc}", file=_stderr())
        return EXIT_BAD_INPUT
    return EXIT_OK


def run_eval(path: str | Path, out: TextIO, *, as_json: bool = False) -> int:
    """Evaluate against a labelled file and print the report (or JSON)."""
    try:
        with Path(path).open("r", encoding="utf-8") as fh:
            rows = list(_read_jsonl(fh, labelled=True))
    except InputError as exc:
        print(f"triage --eval: {exc}", file=_stderr())
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"triage --eval: cannot read {path}: {exc.strerror}", file=_stderr())
        return EXIT_BAD_INPUT
    metrics = evaluate(get_engine(), rows)
    out.write(json.dumps(metrics, indent=2) if as_json else format_report(metrics))
    out.write("\n")
    return EXIT_OK


def _stderr() -> TextIO:
    import sys

    return sys.stderr
