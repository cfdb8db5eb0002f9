"""Recover what HQ holds and this box does not: after a box is replaced (an empty database)
or restored from a backup older than HQ's high-water mark. The entries come back with their
own seqs and uuids, sales with their lines, tenders and taxes, stock is projected again,
and the counters move past them, so the next sale takes the next seq and no number twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from store_edge.ledger.models import EntryKind, LedgerEntry
from store_edge.ledger.services import (
    LEDGER_SEQ,
    HeldEntry,
    NewEntry,
    counter_raise,
    entries_restore,
)
from store_edge.sales.models import Lane, Sale, SaleLine, SaleTax, SaleTender
from store_edge.sales.services import SALE_NUMBER
from store_edge.sync.client import HQClient, HQRefused
from store_edge.sync.contract import EntryWire, LedgerPageWire
from store_edge.sync.models import SyncState

logger = logging.getLogger(__name__)
PAGE = 1000
SALE_DOCUMENTS = (EntryKind.SALE_COMPLETED, EntryKind.RETURN_COMPLETED)


class RecoveryRefused(Exception):
    """HQ's answer cannot be taken (it does not continue this ledger); nothing was kept."""


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LineDoc(_Doc):
    id: UUID
    position: int
    sku: str
    name: str
    quantity: Decimal
    weight_kg: Decimal | None = None
    unit_price: Decimal
    base_amount: Decimal | None = None
    amount: Decimal
    tax_class: str
    adjustments: list[dict[str, Any]] = Field(default_factory=list)
    returns_line: UUID | None = None


class TenderDoc(_Doc):
    id: UUID
    method: str
    amount: Decimal
    terminal_reference: str = ""
    card_last4: str = ""


class TaxDoc(_Doc):
    tax_class: str
    rate: Decimal
    inclusive: bool
    net: Decimal
    tax: Decimal
    gross: Decimal


class SaleDoc(_Doc):
    number: str = Field(pattern=r"^\d{2}-\d{1,10}$")
    lane: int = Field(ge=1, le=999)
    completed_at: datetime
    config_version: int
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    change: Decimal
    cash_rounding: Decimal = Decimal("0.00")
    member_card: str = ""
    coupons: list[str] = Field(default_factory=list)
    cashier: str = ""
    returns: str = ""
    lines: list[LineDoc]
    tenders: list[TenderDoc]
    taxes: list[TaxDoc]


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


def _insert(entries: list[EntryWire]) -> int:
    entries_restore(held=[
        HeldEntry(seq=e.seq, uuid=e.uuid, created_at=e.created_at, user=e.user,
                  config_version=e.config_version,
                  entry=NewEntry(kind=e.kind, document_type=e.document_type,
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
        doc = SaleDoc.model_validate(entry.payload)
    except ValidationError as exc:
        raise RecoveryRefused(f"#{entry.seq}: the sale document is not readable: {exc}") from exc
    lane, _ = Lane.objects.get_or_create(number=doc.lane, defaults={"name": f"Lane {doc.lane}"})
    returned = Sale.objects.filter(number=doc.returns).first() if doc.returns else None
    sale = Sale.objects.create(
        id=entry.document_id, number=doc.number, lane=lane, completed_at=doc.completed_at,
        config_version=doc.config_version, subtotal=doc.subtotal,
        discount_total=doc.discount_total, tax_total=doc.tax_total, total=doc.total,
        amount_paid=doc.amount_paid, change=doc.change, cash_rounding=doc.cash_rounding,
        member_card=doc.member_card, coupons=doc.coupons, cashier=doc.cashier,
        returns_sale=returned,
    )  # fmt: skip
    SaleLine.objects.bulk_create(
        SaleLine(id=line.id, sale=sale, position=line.position, sku=line.sku, name=line.name,
                 quantity=line.quantity, weight_kg=line.weight_kg, unit_price=line.unit_price,
                 base_amount=line.amount if line.base_amount is None else line.base_amount,
                 amount=line.amount, tax_class=line.tax_class, adjustments=line.adjustments,
                 returned_line_id=line.returns_line)
        for line in doc.lines
    )  # fmt: skip
    SaleTender.objects.bulk_create(
        SaleTender(id=t.id, sale=sale, method=t.method, amount=t.amount,
                   terminal_reference=t.terminal_reference, card_last4=t.card_last4)
        for t in doc.tenders
    )  # fmt: skip
    SaleTax.objects.bulk_create(
        SaleTax(sale=sale, tax_class=t.tax_class, rate=t.rate, inclusive=t.inclusive, net=t.net,
                tax=t.tax, gross=t.gross)
        for t in doc.taxes
    )  # fmt: skip


def _counters_past(last_seq: int) -> None:
    """The ledger's seq counter and the sale number counter move past what came back."""
    numbers = [int(n.split("-", 1)[1]) for n in Sale.objects.values_list("number", flat=True)
               if "-" in n and n.split("-", 1)[1].isdigit()]  # fmt: skip
    counter_raise(name=LEDGER_SEQ, value=last_seq)
    counter_raise(name=SALE_NUMBER, value=max(numbers, default=0))
