"""Writes to the ledger. Callers hold the transaction that also writes the business event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from store_edge.inventory.models import Counter, LedgerEntry

LEDGER_SEQ = "ledger_seq"


@dataclass(frozen=True)
class NewEntry:
    kind: str
    document_type: str
    document_id: uuid.UUID
    sku: str = ""
    quantity: Decimal | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def counter_take(*, name: str, count: int = 1) -> int:
    """Reserve `count` numbers from a gapless counter and return the first one.

    Must run inside the transaction that uses the numbers: a rollback gives them back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("counter_take must run inside the transaction that uses the number")
    updated = Counter.objects.filter(name=name).update(value=F("value") + count)
    if not updated:
        Counter.objects.create(name=name, value=count)
    return Counter.objects.values_list("value", flat=True).get(name=name) - count + 1


def ledger_append(
    *, entries: list[NewEntry], user: str, at: datetime, config_version: int
) -> list[LedgerEntry]:
    """Append entries to the ledger with the next seq numbers, in the caller's transaction."""
    first = counter_take(name=LEDGER_SEQ, count=len(entries))
    rows = [
        LedgerEntry(
            seq=first + offset,
            kind=entry.kind,
            sku=entry.sku,
            quantity=entry.quantity,
            document_type=entry.document_type,
            document_id=entry.document_id,
            payload=entry.payload,
            user=user,
            created_at=at,
            config_version=config_version,
        )
        for offset, entry in enumerate(entries)
    ]
    return LedgerEntry.objects.bulk_create(rows)
