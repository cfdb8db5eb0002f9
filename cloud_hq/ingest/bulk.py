"""Fast inserts for ingest: COPY on PostgreSQL (HQ in production), executemany elsewhere
(the demo's SQLite). Rows are plain tuples in the model's column order given."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models.lookups import In


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
        else:  # each value as its field writes it (SQLite has no uuid type); JSON is ready
            by_column = {f.column: f for f in model._meta.concrete_fields}
            fields = [by_column[c] for c in columns]
            prepared = [
                tuple(v if v is None or isinstance(f, models.JSONField)
                      else f.get_db_prep_save(v, connection)
                      for f, v in zip(fields, row, strict=True))
                for row in rows
            ]  # fmt: skip
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", prepared)  # noqa: S608
    return len(rows)


def as_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def stock_add(*, store_code: str, deltas: dict[str, tuple[Any, int]]) -> None:
    """Add movement totals to stock levels in one upsert: {sku: (quantity, last seq)}."""
    if not deltas:
        return
    from cloud_hq.reconciliation.models import StockLevel

    table = StockLevel._meta.db_table
    rows = [(store_code, sku, quantity, seq) for sku, (quantity, seq) in sorted(deltas.items())]
    upsert = (
        f"ON CONFLICT (store_id, sku) DO UPDATE SET quantity = {table}.quantity + "
        f"excluded.quantity, last_seq = CASE WHEN excluded.last_seq > {table}.last_seq "
        f"THEN excluded.last_seq ELSE {table}.last_seq END"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement for the whole batch
            skus, quantities, seqs = ([row[n] for row in rows] for n in (1, 2, 3))
            cursor.execute(
                f"INSERT INTO {table} (store_id, sku, quantity, last_seq) "  # noqa: S608
                "SELECT %s, * FROM unnest(%s::text[], %s::numeric[], %s::bigint[]) " + upsert,
                [store_code, skus, quantities, seqs],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (store_id, sku, quantity, last_seq) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) " + upsert,
                rows,
            )


@models.Field.register_lookup
class AnyOf(In):
    """`field__anyof=[...]`: `field = ANY(array)` on PostgreSQL — one parameter however long
    the list (a push asks about thousands of uuids) — and `IN (...)` elsewhere."""

    lookup_name = "anyof"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if connection.vendor != "postgresql" or self.rhs_is_direct_value() is False:
            return super().as_sql(compiler, connection)
        values = [v for v in self.rhs if v is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        prepared = [field.get_db_prep_value(v, connection, prepared=True) for v in values]
        cast = field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{cast}[])", (*lhs_params, prepared)
