"""Reads of the sync with HQ: its state, and what HQ does not hold yet."""

from __future__ import annotations

from typing import Any

from store_edge.ledger.models import LedgerEntry
from store_edge.sync.models import SyncState


def sync_state() -> SyncState:
    """The store's sync state (a fresh, unsaved one before the first run with HQ)."""
    return SyncState.objects.filter(id=1).first() or SyncState(id=1)


def pending_entries(*, acked_seq: int | None = None) -> int:
    """Return how many ledger entries HQ does not hold yet."""
    acked = sync_state().acked_seq if acked_seq is None else acked_seq
    return LedgerEntry.objects.filter(seq__gt=acked).count()


def push_progress() -> dict[str, Any]:
    """Entries waiting, the rate of the last push, and how long the backlog will take."""
    state = sync_state()
    pending = pending_entries(acked_seq=state.acked_seq)
    eta = round(pending / state.push_rate) if pending and state.push_rate > 0 else None
    return {"pending_entries": pending, "push_rate": round(state.push_rate, 1),
            "eta_seconds": eta}  # fmt: skip
