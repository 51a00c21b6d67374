"""SQLite writers queue on a file lock (lib/sqlite): held for every write, by a
transaction or by one statement, released however the write ends."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import IntegrityError, connection, transaction

from nettpatrulje.channels.models import WebhookEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer queue"),
]


def _lock_free() -> bool:
    """Whether another descriptor could take the writers' lock right now."""
    fd = os.open(connection.writer_lock.path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def _event(**fields) -> WebhookEvent:
    return WebhookEvent.objects.create(source="meta", body=b"{}", headers={}, **fields)


def test_a_transaction_holds_the_lock_until_it_commits():
    assert _lock_free()
    with transaction.atomic():
        assert not _lock_free()
        _event()
        assert not _lock_free()
    assert _lock_free()
    assert WebhookEvent.objects.count() == 1


def test_an_exclusive_transaction_takes_the_lock_too():
    # django-tasks-db claims a task in an EXCLUSIVE transaction.
    from django_tasks_db.utils import exclusive_transaction

    with exclusive_transaction():
        assert not _lock_free()
        _event()
    assert _lock_free()


def test_a_failed_transaction_releases_the_lock():
    with pytest.raises(RuntimeError), transaction.atomic():
        _event()
        raise RuntimeError("boom")
    assert _lock_free()
    assert WebhookEvent.objects.count() == 0


def test_a_commit_that_fails_keeps_the_lock_until_the_rollback():
    # SQLite checks a foreign key at COMMIT (Django makes them deferred): the
    # commit fails, the transaction stays open until atomic() rolls it back.
    with pytest.raises(IntegrityError), transaction.atomic():
        _event(channel_id=999_999)
    assert _lock_free()
    assert not connection.in_atomic_block
    assert WebhookEvent.objects.count() == 0


def test_a_single_write_in_autocommit_takes_the_lock_for_that_statement():
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append((sql.split()[0], connection.writer_lock.held))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        _event()
        list(WebhookEvent.objects.all())
    assert seen == [("INSERT", True), ("SELECT", False)]
    assert _lock_free()


def test_a_forked_child_opens_its_own_lock():
    with transaction.atomic():
        _event()
    lock = connection.writer_lock
    lock.acquire()
    parent_fd = lock._fd
    lock.release()
    lock._pid = -1  # as if this process were a child forked with the parent's descriptor
    lock.acquire()
    try:
        assert lock._fd != parent_fd
        assert lock._pid == os.getpid()
    finally:
        lock.release()
        os.close(parent_fd)


def test_the_lock_is_the_one_of_the_database_in_use():
    # The test runner points the connection at the test database by changing NAME
    # after the connection object was made: the lock must follow.
    assert connection.writer_lock.path == f"{connection.settings_dict['NAME']}-writers"
    assert "test-" in connection.writer_lock.path
