"""Enqueueing background work so that it can never be lost or run early.

With the database task backend the task row is written in the caller's
transaction: it commits (or rolls back) together with the data it refers to.
Other backends (the immediate one in tests) run work at enqueue time, so
there we wait for the commit instead.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks.base import Task

try:
    from django_tasks_db import DatabaseBackend
except ImportError:  # pragma: no cover
    DatabaseBackend = ()  # type: ignore[assignment,misc]


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
