"""Writes to the ledger. Callers hold the transaction that also writes the business event.

Raw SQL on SQLite's own cursor (store_edge.raw_sqlite): the ledger is written on every
completed sale, while the cashier waits. What the
ledger feeds (stock on hand) is kept in step by the projectors named in
`settings.LEDGER_PROJECTORS`, called in the same transaction as the append.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string
from pydantic import BaseModel

from store_edge.ledger.models import EntryKind
from store_edge.raw_sqlite import raw_cursor

LEDGER_SEQ = "ledger_seq"
LEDGER_COLUMNS = (
    "seq", "uuid", "kind", "sku", "quantity", "document_type", "document_id", "payload",
    "user", "created_at", "config_version",
)  # fmt: skip
_INSERT = (
    f"INSERT INTO inventory_ledgerentry ({', '.join(LEDGER_COLUMNS)})"  # noqa: S608 - our columns
    f" VALUES ({', '.join(['?'] * len(LEDGER_COLUMNS))})"
)


@dataclass(frozen=True)
class NewEntry:
    """An entry to append: what happened, to which document, and what it moves.

    `payload` is the document the entry carries (a sale, a Z report), as a typed model or
    as JSON-ready data."""

    kind: EntryKind
    document_type: str
    document_id: uuid.UUID
    sku: str = ""
    quantity: Decimal | None = None
    payload: BaseModel | dict[str, Any] = field(default_factory=dict)

    def payload_json(self) -> str:
        if isinstance(self.payload, BaseModel):
            return self.payload.model_dump_json()
        return json.dumps(self.payload)


@dataclass(frozen=True)
class HeldEntry:
    """An entry as written before, with its own seq, uuid and time (taken back from HQ)."""

    seq: int
    uuid: uuid.UUID
    created_at: datetime
    user: str
    config_version: int
    entry: NewEntry


class Projector(Protocol):
    def __call__(self, cursor: sqlite3.Cursor, *, first: int, entries: Sequence[NewEntry]) -> None:
        """Keep a projection in step with `entries`, appended from seq `first` on."""


@cache
def _projectors(paths: tuple[str, ...]) -> tuple[Projector, ...]:
    return tuple(import_string(path) for path in paths)


def _project(cursor: sqlite3.Cursor, *, first: int, entries: Sequence[NewEntry]) -> None:
    for projector in _projectors(tuple(settings.LEDGER_PROJECTORS)):
        projector(cursor, first=first, entries=entries)


def _in_transaction(what: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside the transaction that uses it")


def counter_take(*, name: str, count: int = 1) -> int:
    """Reserve `count` numbers from a gapless counter and return the first one.

    Must run inside the transaction that uses the numbers: a rollback gives them back.
    """
    _in_transaction("counter_take")
    with raw_cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_counter (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
            [name, count],
        )
        last: int = cursor.fetchone()[0]
    return last - count + 1


def counter_raise(*, name: str, value: int) -> None:
    """Move a counter up to `value` (never down): after numbers were taken back from HQ."""
    _in_transaction("counter_raise")
    with raw_cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_counter (name, value) VALUES (?, ?) ON CONFLICT (name)"
            " DO UPDATE SET value = max(value, excluded.value)",
            [name, value],
        )


def ledger_append(
    *, entries: list[NewEntry], user: str, at: datetime, config_version: int
) -> range:
    """Append entries with the next seq numbers, in the caller's transaction; return the seqs."""
    first = counter_take(name=LEDGER_SEQ, count=len(entries))
    created_at = connection.ops.adapt_datetimefield_value(at)
    rows = [
        _row(first + offset, uuid.uuid4(), entry, user, created_at, config_version)
        for offset, entry in enumerate(entries)
    ]
    with raw_cursor() as cursor:
        cursor.executemany(_INSERT, rows)
        _project(cursor, first=first, entries=entries)
    return range(first, first + len(entries))


def entries_restore(*, held: Sequence[HeldEntry]) -> None:
    """Write back entries HQ holds and this box lost, with their own seqs (contiguous, in
    order); what they project is projected again. The seq counter is the caller's to raise."""
    _in_transaction("entries_restore")
    if not held:
        return
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        _row(h.seq, h.uuid, h.entry, h.user, adapt(h.created_at), h.config_version) for h in held
    ]
    with raw_cursor() as cursor:
        cursor.executemany(_INSERT, rows)
        _project(cursor, first=held[0].seq, entries=[h.entry for h in held])


def _row(
    seq: int, entry_uuid: uuid.UUID, entry: NewEntry, user: str, created_at: Any, version: int
) -> tuple[Any, ...]:
    quantity = None if entry.quantity is None else str(entry.quantity)
    return (seq, entry_uuid.hex, entry.kind, entry.sku, quantity, entry.document_type,
            entry.document_id.hex, entry.payload_json(), user, created_at, version)  # fmt: skip
