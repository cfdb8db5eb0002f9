"""Reads of the ledger."""

from __future__ import annotations

from django.db.models import Count, Max

from store_edge.ledger.models import LedgerCheckpoint, LedgerEntry


def ledger_totals() -> dict[str, int]:
    """Return the last seq and the number of entries ever written (archived ones included)."""
    row = LedgerEntry.objects.aggregate(last_seq=Max("seq"), entries=Count("seq"))
    archived = LedgerCheckpoint.objects.aggregate(last=Max("last_seq"))["last"] or 0
    archived_entries = sum(LedgerCheckpoint.objects.values_list("entries", flat=True))
    return {
        "last_seq": max(row["last_seq"] or 0, archived),
        "entries": row["entries"] + archived_entries,
    }
