"""Record what receiving accepted: the ledger rows (applied or held quarantined), sales with
their lines, tenders and taxes, Z reports, stock and what reconciliation and the reports
derive from them, in the push's transaction. A few bulk statements per push."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from cloud_hq.catalog.models import Promotion
from cloud_hq.ingest.batches import CheckedBatch, Received
from cloud_hq.ingest.contract import (
    SHRINK_KINDS,
    STOCK_KINDS,
    EntryIn,
    EntryKind,
    SaleDoc,
    ShiftDoc,
)
from cloud_hq.ingest.models import (
    CouponRedemption,
    LedgerEntry,
    Sale,
    SaleLine,
    SaleTax,
    SaleTender,
    ShiftClose,
)
from cloud_hq.ingest.row_writes import json_text, rows_accumulate, rows_copy
from cloud_hq.reconciliation.models import CountAdjustment, StockLevel
from cloud_hq.reconciliation.services import reconcile
from cloud_hq.reporting.services import sales_summarize, shrink_summarize
from cloud_hq.stores.models import Store

logger = logging.getLogger(__name__)


def batch_record(*, store: Store, batch: CheckedBatch, now: datetime) -> None:
    """Record a checked batch: every entry at its seq, and what the applied ones carry."""
    if not batch.items:
        return
    ledger_rows_record(store=store, items=batch.items, now=now)
    applied = batch.applied
    ok = {entry.seq for entry in applied}
    sales = [(e, d) for e, d in batch.sales if e.seq in ok]
    sales_record(store=store, sales=sales)
    shift_closes_record(store=store, shifts=[(e, d) for e, d in batch.shifts if e.seq in ok])
    stock_apply(store=store, entries=[e for e in applied if e.kind in STOCK_KINDS])
    quarantined = [(item.seq, item.reason) for item in batch.items if item.reason]
    reconcile(store=store, entries=applied, sales=sales, quarantined=quarantined)
    for _, reason in quarantined:
        logger.warning("store %s: %s (quarantined)", store.code, reason)


def shift_closes_record(*, store: Store, shifts: list[tuple[EntryIn, ShiftDoc]]) -> None:
    ShiftClose.objects.bulk_create(
        ShiftClose(id=doc.shift_id, store=store, seq=entry.seq,
                   tenders={method: str(amount) for method, amount in doc.tenders.items()},
                   card_terminal=(doc.card_terminal.model_dump(mode="json")
                                  if doc.card_terminal else None),
                   **doc.model_dump(exclude={"shift_id", "tenders", "card_terminal"}))
        for entry, doc in shifts
    )  # fmt: skip


LEDGER_COLUMNS = (
    "store_id", "seq", "uuid", "kind", "sku", "quantity", "document_type", "document_id",
    "payload", "user", "created_at", "config_version", "content_hash", "received_at",
    "quarantine_reason",
)  # fmt: skip


def ledger_rows_record(*, store: Store, items: list[Received], now: datetime) -> None:
    rows = (ledger_row(store, item, now) for item in items)
    rows_copy(LedgerEntry, LEDGER_COLUMNS, (
        tuple(json_text(row[c]) if c == "payload" else row[c] for c in LEDGER_COLUMNS)
        for row in rows
    ))  # fmt: skip


def ledger_row(store: Store, item: Received, now: datetime) -> dict[str, Any]:
    """A ledger row's columns: the entry as applied, or held raw while quarantined."""
    entry = item.entry
    if entry is not None and not item.reason:
        return {
            "store_id": store.code, "seq": entry.seq, "uuid": entry.uuid, "kind": entry.kind,
            "sku": entry.sku, "quantity": entry.quantity, "document_type": entry.document_type,
            "document_id": entry.document_id, "payload": entry.payload, "user": entry.user,
            "created_at": entry.created_at, "config_version": entry.config_version,
            "content_hash": item.digest, "received_at": now, "quarantine_reason": "",
        }  # fmt: skip
    # Held as received, under identities of its own, until the conflict queue resolves it.
    placeholder = uuid.uuid5(uuid.NAMESPACE_URL, f"store-edge:{store.code}:{item.seq}")
    raw = _storable(item.raw)
    return {
        "store_id": store.code, "seq": item.seq, "uuid": placeholder,
        "kind": str(raw.get("kind", "?"))[:32], "sku": str(raw.get("sku") or "")[:32],
        "quantity": None, "document_type": str(raw.get("document_type") or "")[:32],
        "document_id": placeholder, "payload": raw, "user": str(raw.get("user") or "")[:150],
        "created_at": entry.created_at if entry else now, "config_version": 0,
        "content_hash": item.digest, "received_at": now,
        "quarantine_reason": _storable(item.reason)[:2000],
    }  # fmt: skip


def _storable(value: Any) -> Any:
    """A received value PostgreSQL can keep: control characters shown as U+FFFD."""
    if isinstance(value, str):
        return "".join("\ufffd" if ord(c) < 32 and c not in "\t\n\r" else c for c in value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


SALE_LINE_COLUMNS = (
    "id", "sale_id", "position", "sku", "name", "quantity", "weight_kg", "unit_price",
    "base_amount", "amount", "tax_class", "adjustments", "returns_line",
)  # fmt: skip


SALE_COLUMNS = (
    "id", "store_id", "number", "lane", "completed_at", "config_version", "subtotal",
    "discount_total", "tax_total", "total", "amount_paid", "change", "cash_rounding",
    "member_card", "coupons", "cashier", "returns", "approved_by", "seq",
)  # fmt: skip
TENDER_COLUMNS = ("id", "sale_id", "method", "amount", "terminal_reference", "card_last4")
TAX_COLUMNS = ("sale_id", "tax_class", "rate", "inclusive", "net", "tax", "gross")


def sales_record(*, store: Store, sales: list[tuple[EntryIn, SaleDoc]]) -> None:
    """Record the batch's sales with their lines, tenders and taxes (a few bulk inserts)."""
    if not sales:
        return
    rows_copy(Sale, SALE_COLUMNS, (
        (entry.document_id, store.code, doc.number, doc.lane, doc.completed_at,
         doc.config_version, doc.subtotal, doc.discount_total, doc.tax_total, doc.total,
         doc.amount_paid, doc.change, doc.cash_rounding, doc.member_card, json_text(doc.coupons),
         doc.cashier, doc.returns, doc.approved_by, entry.seq)
        for entry, doc in sales
    ))  # fmt: skip
    rows_copy(SaleLine, SALE_LINE_COLUMNS, (
        (line.id, entry.document_id, line.position, line.sku, line.name, line.quantity,
         line.weight_kg, line.unit_price, line.base_amount, line.amount, line.tax_class,
         json_text([a.model_dump(mode="json") for a in line.adjustments]), line.returns_line)
        for entry, doc in sales for line in doc.lines
    ))  # fmt: skip
    rows_copy(SaleTender, TENDER_COLUMNS, (
        (t.id, entry.document_id, t.method, t.amount, t.terminal_reference, t.card_last4)
        for entry, doc in sales for t in doc.tenders
    ))  # fmt: skip
    rows_copy(SaleTax, TAX_COLUMNS, (
        (entry.document_id, t.tax_class, t.rate, t.inclusive, t.net, t.tax, t.gross)
        for entry, doc in sales for t in doc.taxes
    ))  # fmt: skip
    sales_summarize(store=store, sales=sales)
    with_coupons = [(entry, doc) for entry, doc in sales if doc.coupons]
    if with_coupons:
        held = Sale.objects.in_bulk([entry.document_id for entry, _ in with_coupons])
        for entry, doc in with_coupons:
            _redemptions(sale=held[entry.document_id], coupons=doc.coupons)


def _redemptions(*, sale: Sale, coupons: list[str]) -> None:
    """Record the coupons a sale used; a single-use code seen before is flagged."""
    if not coupons:
        return
    single_use = {
        definition.get("coupon", "")
        for definition in Promotion.objects.filter(
            definition__single_use=True, definition__coupon__in=coupons
        ).values_list("definition", flat=True)
    }
    seen = set(CouponRedemption.objects.filter(code__in=single_use).values_list("code", flat=True))
    CouponRedemption.objects.bulk_create(
        CouponRedemption(
            code=code,
            sale=sale,
            redeemed_at=sale.completed_at,
            single_use=code in single_use,
            repeated=code in seen,
        )
        for code in coupons
    )


def stock_apply(*, store: Store, entries: list[EntryIn]) -> None:
    """Stock per SKU = Σ movements; a count sets it, and what it changed is recorded as an
    adjustment at its place in the store's sequence."""
    counted = {entry.sku for entry in entries if entry.kind == EntryKind.COUNT}
    deltas: dict[str, tuple[Decimal, int]] = {}
    for entry in entries:  # SKUs without a count: their movements add up, in one upsert
        if entry.sku not in counted:
            assert entry.quantity is not None  # noqa: S101 - EntryIn guarantees it
            quantity, seq = deltas.get(entry.sku, (Decimal(0), 0))
            deltas[entry.sku] = (quantity + entry.quantity, max(seq, entry.seq))
    stock_levels_add(store_code=store.code, deltas=deltas)
    losses = [(e.kind, e.created_at, e.sku, e.quantity) for e in entries
              if e.kind in SHRINK_KINDS and e.quantity is not None]  # fmt: skip
    entries = [entry for entry in entries if entry.sku in counted]
    skus = {entry.sku for entry in entries}
    if not skus:
        shrink_summarize(store=store, losses=losses)
        return
    levels = {
        level.sku: level
        for level in StockLevel.objects.select_for_update().filter(store=store, sku__in=skus)
    }
    known = set(levels)
    adjustments = []
    for entry in entries:  # in seq order
        assert entry.quantity is not None  # noqa: S101 - EntryIn guarantees it for stock kinds
        level = levels.setdefault(
            entry.sku, StockLevel(store=store, sku=entry.sku, quantity=Decimal(0), last_seq=0)
        )
        if entry.kind == EntryKind.COUNT:
            adjustments.append(
                CountAdjustment(
                    store=store,
                    seq=entry.seq,
                    sku=entry.sku,
                    counted=entry.quantity,
                    before=level.quantity,
                    delta=entry.quantity - level.quantity,
                    counted_at=entry.created_at,
                )
            )
            level.quantity = entry.quantity
        else:
            level.quantity += entry.quantity
        level.last_seq = max(level.last_seq, entry.seq)
    StockLevel.objects.bulk_update([levels[sku] for sku in known], ["quantity", "last_seq"])
    StockLevel.objects.bulk_create(level for sku, level in levels.items() if sku not in known)
    CountAdjustment.objects.bulk_create(adjustments)
    losses += [(EntryKind.COUNT, a.counted_at, a.sku, a.delta) for a in adjustments if a.delta]
    shrink_summarize(store=store, losses=losses)


def stock_levels_add(*, store_code: str, deltas: dict[str, tuple[Any, int]]) -> None:
    """Add movement totals to stock levels in one upsert: {sku: (quantity, last seq)}."""
    rows = [(store_code, sku, quantity, seq) for sku, (quantity, seq) in deltas.items()]
    rows_accumulate(StockLevel, ("store_id", "sku"), rows, add=("quantity",),
                    greatest=("last_seq",))  # fmt: skip
