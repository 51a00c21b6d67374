"""SQLite with its writers queued on a file lock, not on SQLite's busy sleeps.

SQLite lets one transaction write at a time. A writer that finds the database
locked sleeps and tries again (1, 2, 5, 10 … then 100 ms steps) until
busy_timeout, however soon the lock is freed, and meanwhile later writers can
get in before it. Under steady webhook traffic, with a worker committing
batches, an acknowledgement waited up to 1.8 s that way (p99 334 ms with one
worker, 862 ms with two, at 200 deliveries a second), and an officer's reply
waits behind the same sleeps.

Here every write (a transaction, BEGIN IMMEDIATE, or a single writing
statement in autocommit) first takes an exclusive flock on
`<database>-writers`, polled every millisecond (WriterLock), so waiting costs
what the other transaction takes and about a millisecond more. The lock dies
with its holder (a SIGKILLed server or worker never blocks the
others), and readers, which WAL never blocks, do not take it. busy_timeout
stays as it was for writers that come from outside (the sqlite3 shell).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base, creation

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class WriterLock:
    """The lock file of one connection. Opened per process: a descriptor
    inherited across fork() shares its lock with the parent.

    Waiting is bounded like SQLite's own (the connection's `timeout`): the
    lock is polled every millisecond, then "database is locked" is raised, so
    a stalled holder makes writers fail as before instead of hang. A
    millisecond is what a waiter may lose against SQLite's steps of up to
    100 ms."""

    POLL = 0.001

    def __init__(self, path: str, timeout: float = 30.0):
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
        self._pid = 0
        self.held = False

    def acquire(self) -> None:
        if self._pid != os.getpid():
            # A child of fork(): the parent's descriptor and its lock are the parent's.
            if self._fd is not None:
                os.close(self._fd)
            self._fd, self.held = None, False
        if self.held:
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o660)
            self._pid = os.getpid()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(self.POLL)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


def lock_path(database: str) -> str:
    return f"{database}-writers"


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name, verbosity):
        super()._destroy_test_db(test_database_name, verbosity)
        # The test database's lock file goes with it.
        if test_database_name and not self.is_in_memory_db(test_database_name):
            with contextlib.suppress(FileNotFoundError):
                os.remove(lock_path(test_database_name))


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer_lock: WriterLock | None = None
        self._writer_lock_of: str | None = None
        self.execute_wrappers.append(self._single_writes_queued)

    @property
    def writer_lock(self) -> WriterLock | None:
        """The lock of the database this connection uses now: the test runner
        points an existing connection at the test database by changing NAME."""
        name = self.settings_dict["NAME"]
        if name != self._writer_lock_of:
            if self._writer_lock is not None:
                self._writer_lock.close()
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 30))
            self._writer_lock = (
                None if self.is_in_memory_db() else WriterLock(lock_path(str(name)), timeout)
            )
            self._writer_lock_of = name
        return self._writer_lock

    def _single_writes_queued(self, execute, sql, params, many, context):
        lock = self.writer_lock
        # In a transaction the lock is already held (or the transaction only reads).
        if lock is None or lock.held or not self.get_autocommit():
            return execute(sql, params, many, context)
        if sql.lstrip()[:6].upper() not in WRITES:
            return execute(sql, params, many, context)
        lock.acquire()
        try:
            return execute(sql, params, many, context)
        finally:
            lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        lock = self.writer_lock
        # DEFERRED transactions (not ours) would take SQLite's lock on their first write.
        if lock is not None and self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE"):
            lock.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _set_autocommit(self, autocommit: bool) -> None:
        super()._set_autocommit(autocommit)
        # atomic() ends every transaction it began here, after COMMIT or ROLLBACK,
        # whether they succeeded or not (a failed COMMIT is rolled back first).
        if autocommit:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self._writer_lock is not None:
                self._writer_lock.close()

    def _release_writer_lock(self) -> None:
        if self._writer_lock is not None:
            self._writer_lock.release()
