"""Fast inserts for ingest: COPY on PostgreSQL (HQ in production), executemany elsewhere
(the demo's SQLite). Rows are plain tuples in the model's column order given."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def rows_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert rows (no per-row Python model objects); return how many were written."""
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def as_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def stock_add(*, store_code: str, deltas: dict[str, tuple[Any, int]]) -> None:
    """Add movement totals to stock levels in one upsert: {sku: (quantity, last seq)}."""
    if not deltas:
        return
    from cloud_hq.reconciliation.models import StockLevel

    table = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (store_id, sku, quantity, last_seq) VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (store_id, sku) DO UPDATE SET quantity = {table}.quantity + "
            f"excluded.quantity, last_seq = CASE WHEN excluded.last_seq > {table}.last_seq "
            f"THEN excluded.last_seq ELSE {table}.last_seq END",
            [(store_code, sku, quantity, seq) for sku, (quantity, seq) in sorted(deltas.items())],
        )
