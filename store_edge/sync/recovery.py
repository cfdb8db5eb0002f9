"""Recover what HQ holds and this box does not: after a box is replaced (an empty database)
or restored from a backup older than HQ's high-water mark. The entries come back with their
own seqs and uuids, sales with their lines, tenders and taxes, stock is projected again,
and the counters move past them, so the next sale takes the next seq and no number twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from pydantic import ValidationError

from store_edge.lanes.models import Lane
from store_edge.ledger.models import EntryKind, LedgerEntry
from store_edge.ledger.services import (
    LEDGER_SEQ,
    HeldEntry,
    NewEntry,
    counter_raise,
    entries_restore,
)
from store_edge.raw_sqlite import raw_cursor
from store_edge.sales.document import SaleDocument
from store_edge.sales.models import Sale
from store_edge.sales.records import sale_record
from store_edge.sales.services import SALE_NUMBER
from store_edge.sync.client import HQClient, HQRefused
from store_edge.sync.contract import EntryWire, LedgerPageWire
from store_edge.sync.models import SyncState

logger = logging.getLogger(__name__)
PAGE = 1000
SALE_DOCUMENTS = (EntryKind.SALE_COMPLETED, EntryKind.RETURN_COMPLETED)


class RecoveryRefused(Exception):
    """HQ's answer cannot be taken (it does not continue this ledger); nothing was kept."""


@dataclass(frozen=True)
class RecoveryResult:
    recovered: int
    sales: int
    last_seq: int


def ledger_recover(*, client: HQClient) -> RecoveryResult:
    """Take back, in one transaction, every entry HQ holds after this box's last one."""
    recovered = sales = 0
    with transaction.atomic():
        after = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        while True:
            page = _page(client, after)
            if not page.entries:
                break
            if [e.seq for e in page.entries] != list(
                range(after + 1, after + 1 + len(page.entries))
            ):
                raise RecoveryRefused(f"HQ's entries do not continue this ledger after #{after}")
            sales += _insert(page.entries)
            recovered += len(page.entries)
            after = page.entries[-1].seq
            if after >= page.high_water_mark:
                break
        _counters_past(after)
        state, _ = SyncState.objects.get_or_create(id=1)
        SyncState.objects.filter(id=1).update(acked_seq=max(state.acked_seq, after))
    logger.warning("recovered %s entries (%s sales) from HQ, up to #%s", recovered, sales, after)
    return RecoveryResult(recovered=recovered, sales=sales, last_seq=after)


def _page(client: HQClient, after: int) -> LedgerPageWire:
    answer = client.request("GET", client.store_path(f"ledger?after={after}&limit={PAGE}"))
    try:
        return LedgerPageWire.model_validate(answer.data)
    except ValidationError as exc:
        raise HQRefused(0, f"HQ's answer is not a ledger page: {exc}") from exc


def _kind(entry: EntryWire) -> EntryKind:
    try:
        return EntryKind(entry.kind)
    except ValueError as exc:
        raise RecoveryRefused(
            f"#{entry.seq}: an entry of a kind this store does not know ({entry.kind[:32]!r})"
        ) from exc


def _insert(entries: list[EntryWire]) -> int:
    entries_restore(held=[
        HeldEntry(seq=e.seq, uuid=e.uuid, created_at=e.created_at, user=e.user,
                  config_version=e.config_version,
                  entry=NewEntry(kind=_kind(e), document_type=e.document_type,
                                 document_id=e.document_id, sku=e.sku, quantity=e.quantity,
                                 payload=e.payload))
        for e in entries
    ])  # fmt: skip
    documents = [e for e in entries if e.kind in SALE_DOCUMENTS]
    for entry in documents:
        _sale_create(entry)
    return len(documents)


def _sale_create(entry: EntryWire) -> None:
    try:
        doc = SaleDocument.model_validate(entry.payload)
    except ValidationError as exc:
        raise RecoveryRefused(f"#{entry.seq}: the sale document is not readable: {exc}") from exc
    lane, _ = Lane.objects.get_or_create(number=doc.lane, defaults={"name": f"Lane {doc.lane}"})
    returned = Sale.objects.filter(number=doc.returns).values_list("id", flat=True).first()
    with raw_cursor() as cursor:
        sale_record(cursor, sale_id=entry.document_id, document=doc, lane_id=lane.id,
                    shift_id=None, returns_sale_id=returned if doc.returns else None)  # fmt: skip


def _counters_past(last_seq: int) -> None:
    """The ledger's seq counter and the sale number counter move past what came back."""
    numbers = [int(n.split("-", 1)[1]) for n in Sale.objects.values_list("number", flat=True)
               if "-" in n and n.split("-", 1)[1].isdigit()]  # fmt: skip
    counter_raise(name=LEDGER_SEQ, value=last_seq)
    counter_raise(name=SALE_NUMBER, value=max(numbers, default=0))
