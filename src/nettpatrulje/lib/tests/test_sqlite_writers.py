"""SQLite writers queue on a file lock (lib/sqlite): held for every write, by a
transaction or by one statement, released however the write ends."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

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
    lock = connection.writer_lock
    lock.acquire()
    lock.release()
    # As a child forked while its parent held the lock: held, another pid.
    lock._pid, lock.held = -1, True
    lock.acquire()
    try:
        assert lock.held and lock._pid == os.getpid()
        assert not _lock_free()  # taken for real, on a descriptor of its own
    finally:
        lock.release()
    assert _lock_free()


def test_waiting_for_the_lock_ends_in_database_is_locked(monkeypatch):
    # A stalled holder makes writers fail after the connection's timeout, as
    # SQLite's busy_timeout did, instead of hanging them.
    fd = os.open(connection.writer_lock.path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        monkeypatch.setattr(connection.writer_lock, "timeout", 0.02)
        with pytest.raises(OperationalError, match="database is locked"):
            _event()
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert not connection.writer_lock.held
    _event()
    assert WebhookEvent.objects.count() == 1


def test_back_in_autocommit_the_lock_is_free_whatever_happened():
    # An exception raised after COMMIT but before the backend returned leaves
    # atomic() restoring autocommit: that alone must free the lock.
    connection.writer_lock.acquire()
    connection.set_autocommit(True)
    assert _lock_free() and not connection.writer_lock.held


def test_the_lock_is_the_one_of_the_database_in_use():
    # The test runner points the connection at the test database by changing NAME
    # after the connection object was made: the lock must follow.
    assert connection.writer_lock.path == f"{connection.settings_dict['NAME']}-writers"
    assert "test-" in connection.writer_lock.path
