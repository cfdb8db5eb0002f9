"""Writing many rows at once, without a Python model object per row: copied in (COPY on
PostgreSQL, HQ in production; executemany elsewhere, the demo's SQLite), or added to
running totals (one upsert). Rows are plain tuples in the column order given."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from pydantic_core import to_json


def rows_copy(
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
            prepared = _as_saved(model, columns, rows)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", prepared)  # noqa: S608
    return len(rows)


def _as_saved(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Each value as its field saves it (SQLite has no uuid type); JSON comes encoded."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    fields = [by_column[c] for c in columns]
    return [
        tuple(v if v is None or isinstance(f, models.JSONField)
              else f.get_db_prep_save(v, connection)
              for f, v in zip(fields, row, strict=True))
        for row in rows
    ]  # fmt: skip


def json_text(value: Any) -> str:
    """JSON text for a json/jsonb column: pydantic-core's encoder (a fifth of the stdlib's
    time; two of every three encodings of a push). Content hashes keep their own canonical
    encoding (services.content_hash): this text is only stored, never compared."""
    return to_json(value).decode()


def rows_accumulate(
    model: type[models.Model],
    keys: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    add: Sequence[str] = (),
    greatest: Sequence[str] = (),
) -> None:
    """Upsert rows (key columns, then `add` columns, then `greatest` columns): a new key is
    inserted, a held one gets the `add` columns added and keeps the greatest of the others.
    One statement on PostgreSQL (arrays through unnest), executemany elsewhere."""
    if not rows:
        return
    table = model._meta.db_table
    by_column = {f.column: f for f in model._meta.concrete_fields}
    columns = [*keys, *add, *greatest]
    quote = connection.ops.quote_name
    pick = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    updates = [f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in add] + [
        f"{quote(c)} = {pick}({table}.{quote(c)}, excluded.{quote(c)})" for c in greatest
    ]
    upsert = f"ON CONFLICT ({', '.join(map(quote, keys))}) DO " + (
        f"UPDATE SET {', '.join(updates)}" if updates else "NOTHING"
    )
    names = ", ".join(map(quote, columns))
    ordered = sorted(rows)  # one lock order for concurrent pushes
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{by_column[c].cast_db_type(connection)}[]" for c in columns)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) " + upsert,  # noqa: S608
                [[row[n] for row in ordered] for n in range(len(columns))],
            )
        else:
            prepared = _as_saved(model, columns, ordered)
            marks = ", ".join(["%s"] * len(columns))
            insert = f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608
            cursor.executemany(insert + upsert, prepared)
