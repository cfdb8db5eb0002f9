"""The database's own cursor, for the SQL of the paths a cashier waits on.

Django's cursor wrapper rewrites every query's `%s` placeholders with a regular expression
and wraps each call; on a scan that is a tenth of the store's own time (measured by
`make bench`). These paths use SQLite's `?` placeholders on the connection Django holds
(inside its transactions), with Django's translation of database errors kept: a full disk
is still the `OperationalError` the lane API answers with 507.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def raw_cursor() -> Iterator[sqlite3.Cursor]:
    """A cursor of the default connection's own sqlite3 connection."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor: sqlite3.Cursor = connection.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
