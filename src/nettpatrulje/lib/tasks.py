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

_validated: set[tuple[str, str]] = set()


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task`. With the database backend only the task row is written:
    this is on request paths (an officer's reply), and `Task.enqueue` would also validate
    the task (signature introspection) on every call, send `task_enqueued` (a
    debug log line) and build two result objects nobody reads, about 40 % of
    the enqueue. The task is validated once per process instead, and the row is
    built by the backend's own method, so it is the row `Task.enqueue` writes."""
    backend = task.get_backend()
    insert_row = getattr(backend, "_task_to_db_task", None)
    if insert_row is None:
        task.enqueue(*args, **kwargs)
        return
    key = (task.module_path, backend.alias)
    if key not in _validated:
        backend.validate_task(task)
        _validated.add(key)
    insert_row(task, args, kwargs)


def queue_in_database() -> bool:
    """True when background work waits in the database for `nettpatrulje worker`
    (production); False when the task backend runs work where it is enqueued
    (the immediate backend of the tests)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)
