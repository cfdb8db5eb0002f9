"""The database's own cursor, for the SQL of the paths a cashier waits on.

Django's cursor wrapper rewrites every query's `%s` placeholders with a regular expression
and wraps each call; on a scan that is a tenth of the store's own time (measured by
profiling the scan request). These paths use SQLite's `?` placeholders on the connection
Django holds (inside its transactions), with Django's translation of database errors
kept: a full disk is still the `OperationalError` the lane API answers with 507.

The connection is looked up once per cursor: `django.db.connection` is a proxy that finds
the connection of the current thread or task again on every attribute read (a few
microseconds each, several reads per cursor, several cursors per scan).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from django.db import DEFAULT_DB_ALIAS, connections, transaction


class raw_cursor:  # noqa: N801 - used as a function: `with raw_cursor() as cursor`
    """A cursor of the default connection's own sqlite3 connection, closed on exit."""

    __slots__ = ("_cursor", "_errors")

    def __enter__(self) -> sqlite3.Cursor:
        db = connections[DEFAULT_DB_ALIAS]
        db.ensure_connection()
        self._errors = db.wrap_database_errors
        self._errors.__enter__()
        cursor: sqlite3.Cursor = db.connection.cursor()
        self._cursor = cursor
        return cursor

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._cursor.close()
        self._errors.__exit__(kind, error, trace)


@contextmanager
def raw_edit() -> Iterator[sqlite3.Cursor]:
    """A short write transaction of hand-written SQL only (no ORM write inside: Django does
    not know of it), not fsync'd at its commit: for the edits of an open basket, which a
    completed sale's durable commit makes durable in turn (WAL order).

    Django's `transaction.atomic` costs more than the scan's INSERT and its COMMIT together
    (measured by profiling the scan request); this takes the writers' turn
    (store_edge/db/base.py), begins IMMEDIATE, commits or rolls back, and gives the turn
    back. Inside a Django transaction
    (a larger service's, or a test's) it is a savepoint of it, and that transaction decides.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.in_atomic_block:
        with transaction.atomic(using=db.alias), raw_cursor() as cursor:
            yield cursor
        return
    with raw_cursor() as cursor:
        db.edit_begin(cursor)  # type: ignore[attr-defined]  # the store's backend
        committed = False
        try:
            yield cursor
            cursor.execute("COMMIT")
            committed = True
        finally:
            db.edit_end(cursor, committed=committed)  # type: ignore[attr-defined]
