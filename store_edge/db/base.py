"""The store's SQLite backend: Django's own, with write transactions taken in turn.

SQLite lets one writer in at a time. A writer that finds the database locked is put to
sleep by SQLite's busy handler for 1, 2, 5, 10… 100 ms before it tries again, even when the
lock it waited for was given back a few microseconds later: with the lanes' scans (each a
write of a fraction of a millisecond) arriving on several gunicorn workers at once, those
sleeps were most of a busy store's scan latency. Every store process (web workers, Celery,
the gateway) therefore takes its turn on a lock file beside the database before `BEGIN
IMMEDIATE`, and gives it back at COMMIT or ROLLBACK; a waiting writer looks again every
0.1-1 ms, so it gets the database as soon as it is free. The wait is bounded by the same
busy timeout SQLite keeps (`SQLITE_BUSY_TIMEOUT_SECONDS`); past it, BEGIN goes ahead and
SQLite's own locking decides (a writer outside Django, e.g. a backup, takes SQLite's lock
only). A process that dies gives its turn back with its file descriptor.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_fd: int | None = None
    _holding = False

    def _turn_file(self) -> int | None:
        if self._turn_fd is None and not self.is_in_memory_db():
            path = f"{self.settings_dict['NAME']}-writers.lock"
            self._turn_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._turn_fd

    def _take_turn(self) -> None:
        fd = self._turn_file()
        if fd is None or self._holding:
            return
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._holding = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's own lock decides from here
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    def _give_turn(self) -> None:
        if self._holding and self._turn_fd is not None:
            fcntl.flock(self._turn_fd, fcntl.LOCK_UN)
        self._holding = False

    def _start_transaction_under_autocommit(self) -> None:
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # Django's, not in its stubs
        except BaseException:
            self._give_turn()
            raise

    @staticmethod
    def relax_durability(cursor: sqlite3.Cursor) -> None:
        """Commits from here on are atomic but not fsync'd (an open basket's edits): a power
        cut may lose the last of them, and the next durable commit makes them durable too
        (WAL order)."""
        cursor.execute("PRAGMA synchronous=NORMAL")

    @staticmethod
    def restore_durability(cursor: sqlite3.Cursor) -> None:
        """Every commit from here on is fsync'd again, as the connection opened."""
        cursor.execute("PRAGMA synchronous=FULL")

    def edit_begin(self, cursor: sqlite3.Cursor) -> None:
        """Begin a short write transaction outside Django's (store_edge.raw_sqlite.raw_edit):
        the writers' turn taken, its commit not fsync'd."""
        self._take_turn()
        try:
            self.relax_durability(cursor)
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.edit_end(cursor, committed=False)
            raise

    def edit_end(self, cursor: sqlite3.Cursor, *, committed: bool) -> None:
        """End what `edit_begin` began: rolled back unless it committed, every later commit
        fsync'd again, the turn given back."""
        try:
            if not committed and self.connection.in_transaction:
                cursor.execute("ROLLBACK")
        finally:
            try:
                self.restore_durability(cursor)
            finally:
                self._give_turn()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # Django's, not in its stubs
        finally:
            self._give_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # Django's, not in its stubs
        finally:
            self._give_turn()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # Django's, not in its stubs
        finally:
            self._give_turn()
