"""Fuzzing the doors where platforms reach us (tests only).

Strategies for arbitrary JSON (with the values that break code: NUL, lone
surrogates, huge and non-finite numbers, dates out of range), mutations of
realistic payloads that keep their shape and put wrong types where a parser
looks, and the checks every webhook must pass: a 2xx or a clear 4xx, never a
5xx; what was acknowledged is stored as received; the worker never raises; a
payload that is not the platform's format opens no conversation.

CI runs a bounded, derandomised number of examples per test. Set
NETTPATRULJE_FUZZ_EXAMPLES (e.g. 5000) for a long, randomised run
(docs/performance.md, "Fuzzing and API schema checks").
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES_ENV = "NETTPATRULJE_FUZZ_EXAMPLES"


def fuzz_settings(default: int = 100) -> settings:
    """Hypothesis settings for a fuzz test: `default` examples in the same order on
    every run (CI), or the number in NETTPATRULJE_FUZZ_EXAMPLES with fresh random
    examples each run (a long local or nightly run)."""
    raw = os.environ.get(FUZZ_EXAMPLES_ENV, "").strip()
    long_run = raw.isdigit() and int(raw) > 0
    return settings(
        max_examples=int(raw) if long_run else default,
        deadline=None,
        database=None,
        derandomize=not long_run,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# --- Values -------------------------------------------------------------------------

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "hei\x00du",
    "\ud800",  # lone surrogates: valid in JSON as \ud800, not encodable as UTF-8
    "\udfff",
    "hei \ud83d",  # an emoji cut in half
    "😀",
    "\ufeff",
    "\u202eevil",
    "\u2028",
    "null",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 40,
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2024-02-30T25:61:00Z",
    "<script>alert(1)</script>",
    "'; DROP TABLE channels_channel; --",
    "%00",
    "x" * 3000,
]
NASTY_NUMBERS = [
    0,
    -1,
    2**31,
    2**63,
    -(2**63) - 1,
    2**64,
    10**100,
    -(10**300),
    10**4000,  # below Python's 4300-digit limit for int <-> str
    1e308,
    -1e308,
    5e-324,
    math.inf,
    -math.inf,
    math.nan,
]

strings = st.text(st.characters(exclude_categories=()), max_size=30) | st.sampled_from(
    NASTY_STRINGS
)
numbers = st.integers() | st.floats() | st.sampled_from(NASTY_NUMBERS)
nasty = st.sampled_from(NASTY_STRINGS + NASTY_NUMBERS)
scalars = st.none() | st.booleans() | numbers | strings
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(strings, children, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def mutations(draw: st.DrawFn, value: Any) -> Any:
    """`value` with parts replaced by other types, removed or added: the shape a
    parser expects, with garbage in the places it reads."""
    # Containers are mostly kept (so the parser reaches the leaves); leaves are
    # replaced often, since a realistic payload has only a dozen of them. The
    # mutating numbers are in the middle of each range: hypothesis favours the
    # bounds, and shrinks towards 0, i.e. towards the fewest changes.
    if isinstance(value, dict | list):
        roll = draw(st.integers(0, 39))
        replacement = {20: json_values, 21: nasty, 22: scalars}.get(roll)
    else:
        roll = draw(st.integers(0, 9))
        replacement = {4: json_values, 5: nasty, 6: scalars, 7: nasty}.get(roll)
    if replacement is not None:
        return draw(replacement)
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if draw(st.integers(0, 19)) == 10:
                continue  # dropped
            result[key] = draw(mutations(item))
        if draw(st.integers(0, 5)) == 3:
            result[draw(strings)] = draw(json_values)
        return result
    if isinstance(value, list):
        result = [draw(mutations(item)) for item in value]
        if draw(st.integers(0, 5)) == 3:
            result.append(draw(json_values))
        return result
    return value


def encode_json(payload: Any, *, ascii_only: bool = True) -> bytes:
    """The body a platform would send. Escaped (ASCII) JSON carries every string;
    unescaped JSON with a lone surrogate becomes bytes that are not UTF-8."""
    if ascii_only:
        return json.dumps(payload).encode()
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


NOT_JSON_BODIES = [
    b"",
    b" ",
    b"\x00",
    b"{",
    b"}",
    b"{'single': 'quotes'}",
    b"\xff\xfe{}",
    b'{"text": "\xff"}',  # JSON, but not UTF-8
    '{"a": 1}'.encode("utf-16"),
    '{"a": 1}'.encode("utf-32"),
    b"\xef\xbb\xbf{}",  # a byte order mark before JSON
    b"[" * 50_000,
    b'{"a":' * 20_000,
    b'{"op": 0, "t": "MESSAGE_CREATE", "d": ' + b"[" * 50_000,
    b"1" * 5000,  # an integer over Python's 4300-digit limit
    b"NaN-ish",
    b"<xml/>",
]
not_json = st.sampled_from(NOT_JSON_BODIES) | st.binary(max_size=200)


def is_utf8_json(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return True


# --- Checks ----------------------------------------------------------------------


@contextmanager
def isolated_example() -> Iterator[None]:
    """One example's database writes and rate-limit counters are undone after it,
    so examples do not see each other (hypothesis runs them in one test)."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


@contextmanager
def worker_crashes() -> Iterator[list[str]]:
    """Tracebacks of tasks that raised. The immediate task backend swallows a task's
    exception into its result; a worker would have crashed on it."""
    from django_tasks.base import TaskResultStatus
    from django_tasks.signals import task_finished

    crashes: list[str] = []

    def record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if task_result.status == TaskResultStatus.FAILED:
            crashes.extend(error.traceback for error in task_result.errors)

    task_finished.connect(record, weak=False)
    try:
        yield crashes
    finally:
        task_finished.disconnect(record)


def assert_clear_answer(response: HttpResponse, allowed: set[int], sent: bytes) -> None:
    assert response.status_code < 500, (sent[:300], response.content[:500])
    assert response.status_code in allowed, (
        response.status_code,
        sent[:300],
        response.content[:300],
    )


def assert_events_settled(since_pk: int, crashes: list[str]) -> list:
    """Every event stored since `since_pk` was processed to a final status by a
    worker that did not raise; a failed one says why. Returns the events."""
    from nettpatrulje.channels.models import WebhookEvent

    assert not crashes, crashes[0]
    events = list(WebhookEvent.objects.filter(pk__gt=since_pk).order_by("pk"))
    for event in events:
        assert event.status != WebhookEvent.Status.PENDING, (event.pk, bytes(event.body)[:300])
        if event.status == WebhookEvent.Status.FAILED:
            assert event.error, bytes(event.body)[:300]
    return events


def last_event_pk() -> int:
    from nettpatrulje.channels.models import WebhookEvent

    return WebhookEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- Every leaf, every breaker ------------------------------------------------------

# One of each kind of value that breaks parsers: wrong types, and values a parser
# passes on that the database or the date arithmetic cannot take.
BREAKERS = [
    None,
    [],
    {"x": [1]},
    math.inf,
    10**4000,
    "\x00",
    "\ud800",
    "x" * 3000,
    "0001-01-01T00:00:00+14:00",
]
# Those that break on the way into the database (or the date arithmetic after it).
# Not "x" * 3000: an id longer than its column fails the event, and that is right.
STORAGE_BREAKERS = [math.inf, "\x00", "\ud800", "0001-01-01T00:00:00+14:00"]
_DROPPED = object()


def leaf_variants(
    payload: Any, breakers: list = BREAKERS, *, leaves_only: bool = False
) -> Iterator[Any]:
    """`payload` once for every node (or leaf) and breaker: the node replaced by
    the breaker, and, unless only leaves are asked for, dropped. Deterministic, so
    CI sees every (place, value) pair that a random search may miss."""

    def paths(value: Any, prefix: tuple) -> Iterator[tuple]:
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            return
        for key, item in items:
            if not (leaves_only and isinstance(item, dict | list)):
                yield (*prefix, key)
            yield from paths(item, (*prefix, key))

    def replaced(value: Any, path: tuple, new: Any) -> Any:
        if not path:
            return new
        head, rest = path[0], path[1:]
        if isinstance(value, dict):
            result = dict(value)
            inner = replaced(value[head], rest, new)
            if inner is _DROPPED:
                del result[head]
            else:
                result[head] = inner
            return result
        result = list(value)
        inner = replaced(value[head], rest, new)
        result[head] = None if inner is _DROPPED else inner
        return result

    for path in paths(payload, ()):
        for breaker in breakers if leaves_only else [*breakers, _DROPPED]:
            yield replaced(payload, path, breaker)
