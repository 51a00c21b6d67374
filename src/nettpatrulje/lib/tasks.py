"""Enqueueing background work so that it can never be lost.

With the database task backend (production) the task row is written in the
caller's transaction: it commits, or rolls back, together with the data it
refers to, so there is no window where one exists without the other. The
immediate backend (tests) runs the task right here, inside the same
transaction, which keeps tests synchronous and deterministic.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    task.enqueue(*args, **kwargs)
