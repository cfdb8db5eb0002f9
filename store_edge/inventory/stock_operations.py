"""The store's stock operations: each one is a document posted to the ledger in one
transaction, with the stock projection. Nothing here waits for HQ."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from store_edge.catalog.models import KnownStore, Product, Unit
from store_edge.catalog.selectors import config_stamp
from store_edge.inventory.models import (
    AdjustmentReason,
    DocumentKind,
    DocumentStatus,
    StockDocument,
    StockDocumentLine,
    StockLevel,
)
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, ledger_append

MAX_QUANTITY = Decimal("1000000")
MAX_LINES = 5000
LOSSES = frozenset({AdjustmentReason.DAMAGE, AdjustmentReason.THEFT, AdjustmentReason.EXPIRY})


class StockError(ValueError):
    """A stock operation that cannot be posted; the message says what to fix."""


@dataclass(frozen=True)
class StockLine:
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class Variance:
    sku: str
    on_hand: Decimal
    counted: Decimal

    @property
    def variance(self) -> Decimal:
        return self.counted - self.on_hand


def stock_operation(
    *,
    kind: str,
    lines: Sequence[StockLine],
    user: str,
    reference: str = "",
    other_store: str = "",
    reason: str = "",
    section: str = "",
    note: str = "",
) -> StockDocument:
    """Record and post a stock operation in one transaction, or raise StockError."""
    document = StockDocument(
        kind=kind,
        reference=reference,
        other_store=other_store,
        reason=reason,
        section=section,
        note=note,
    )
    _checked(document, list(lines))  # before anything is stored (and rounded by the column)
    with transaction.atomic():
        document.save()
        StockDocumentLine.objects.bulk_create(
            StockDocumentLine(document=document, sku=line.sku, quantity=line.quantity)
            for line in lines
        )
        return stock_document_post(document_id=document.id, user=user)


def stock_document_post(*, document_id: uuid.UUID | str, user: str) -> StockDocument:
    """Post a draft (or an expected delivery) to the ledger, once, in one transaction."""
    with transaction.atomic():
        document = StockDocument.objects.filter(id=document_id).first()
        if document is None:
            raise StockError(f"no stock document {document_id}")
        if document.status == DocumentStatus.POSTED:
            raise StockError(f"{document} is already posted")
        lines = [StockLine(line.sku, line.quantity) for line in document.lines.all()]
        entries = _entries(document, _checked(document, lines))
        ledger_append(
            entries=entries, user=user, at=timezone.now(), config_version=config_stamp()[0]
        )
        document.status = DocumentStatus.POSTED
        document.posted_at = timezone.now()
        document.posted_by = user
        if document.kind == DocumentKind.TRANSFER_OUT and not document.reference:
            document.reference = str(document.id)
        document.save(update_fields=["status", "posted_at", "posted_by", "reference"])
    return document


def count_variances(*, lines: Iterable[StockLine], full: bool) -> list[Variance]:
    """What a count would change: counted against on hand, before anything is written.

    A full count also sets to zero every SKU with stock that was not counted.
    """
    counted = {line.sku: line.quantity for line in lines}
    on_hand = {
        level.sku: level.quantity for level in StockLevel.objects.filter(sku__in=list(counted))
    }
    if full:
        for level in StockLevel.objects.exclude(quantity_milli=0).exclude(sku__in=list(counted)):
            on_hand[level.sku] = level.quantity
            counted[level.sku] = Decimal(0)
    return [
        Variance(sku, on_hand.get(sku, Decimal(0)), quantity)
        for sku, quantity in sorted(counted.items())
    ]


def _checked(document: StockDocument, lines: list[StockLine]) -> list[StockLine]:
    kind = document.kind
    if kind not in DocumentKind.values:
        raise StockError(f"unknown stock operation {kind!r}")
    if not lines and not (kind == DocumentKind.COUNT and not document.section):
        raise StockError("an operation needs at least one line")
    if len(lines) > MAX_LINES:
        raise StockError(f"at most {MAX_LINES} lines in one operation")
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        twice = sorted({sku for sku in skus if skus.count(sku) > 1})
        raise StockError(f"SKU {', '.join(twice)} is listed more than once")
    units = dict(Product.objects.filter(sku__in=skus).values_list("sku", "unit"))
    if unknown := sorted(set(skus) - set(units)):
        raise StockError(f"unknown SKU {', '.join(unknown[:10])}")
    for line in lines:
        _check_quantity(kind, line, units[line.sku], document.reason)
    _check_document(document)
    return lines


def _check_document(document: StockDocument) -> None:
    """What a document needs besides its lines: a reason, the other store, a reference."""
    kind = document.kind
    if kind == DocumentKind.ADJUSTMENT and document.reason not in AdjustmentReason.values:
        raise StockError("an adjustment needs a reason: damage, theft, expiry or found")
    if kind in (DocumentKind.TRANSFER_OUT, DocumentKind.TRANSFER_IN):
        if document.other_store == settings.STORE_ID:
            raise StockError("a transfer goes to or comes from another store")
        if not KnownStore.objects.filter(code=document.other_store).exists():
            raise StockError(f"unknown store {document.other_store!r}")
    if kind == DocumentKind.TRANSFER_IN and not document.reference:
        raise StockError("a transfer received names the sender's transfer reference")


def _check_quantity(kind: str, line: StockLine, unit: str, reason: str) -> None:
    quantity = line.quantity
    if abs(quantity) > MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.001")):
        raise StockError(f"{line.sku}: {quantity} is not a quantity (up to 3 decimals)")
    if unit == Unit.EACH and quantity != quantity.to_integral_value():
        raise StockError(f"{line.sku} is counted in pieces, not {quantity}")
    if kind == DocumentKind.COUNT:
        if quantity < 0:
            raise StockError(f"{line.sku}: a count cannot be negative")
    elif kind == DocumentKind.ADJUSTMENT:
        if quantity == 0:
            raise StockError(f"{line.sku}: an adjustment of zero changes nothing")
        if reason in LOSSES and quantity > 0:
            raise StockError(f"{line.sku}: a {reason} takes stock away (negative quantity)")
        if reason == AdjustmentReason.FOUND and quantity < 0:
            raise StockError(f"{line.sku}: stock found adds stock (positive quantity)")
    elif quantity <= 0:
        raise StockError(f"{line.sku}: the quantity must be more than zero")


def _entries(document: StockDocument, lines: list[StockLine]) -> list[NewEntry]:
    kind = document.kind
    payload = {
        "reference": document.reference or str(document.id),
        "other_store": document.other_store,
        "reason": document.reason,
        "note": document.note,
    }
    if kind == DocumentKind.COUNT:
        variances = count_variances(lines=lines, full=not document.section)
        return [
            NewEntry(
                kind=EntryKind.COUNT,
                document_type=kind,
                document_id=document.id,
                sku=v.sku,
                quantity=v.counted,
                payload={**payload, "section": document.section, "on_hand": str(v.on_hand),
                         "variance": str(v.variance)},
            )
            for v in variances
        ]  # fmt: skip
    sign = -1 if kind in (DocumentKind.WASTE, DocumentKind.TRANSFER_OUT) else 1
    entry_kind = {
        DocumentKind.DELIVERY: EntryKind.DELIVERY,
        DocumentKind.ADJUSTMENT: EntryKind.ADJUSTMENT,
        DocumentKind.WASTE: EntryKind.WASTE,
        DocumentKind.TRANSFER_OUT: EntryKind.TRANSFER_OUT,
        DocumentKind.TRANSFER_IN: EntryKind.TRANSFER_IN,
    }[DocumentKind(kind)]
    return [
        NewEntry(
            kind=entry_kind,
            document_type=kind,
            document_id=document.id,
            sku=line.sku,
            quantity=sign * line.quantity,
            payload=payload,
        )
        for line in lines
    ]


@dataclass(frozen=True)
class ExpectedDelivery:
    reference: str
    note: str
    lines: list[tuple[str, Decimal]]


def deliveries_expect(*, deliveries: Iterable[ExpectedDelivery]) -> int:
    """Record deliveries HQ announced that the store does not know yet; return how many.

    They wait as expected deliveries until the store receives them (with what arrived).
    """
    known = set(
        StockDocument.objects.filter(kind=DocumentKind.DELIVERY).values_list("reference", flat=True)
    )
    added = 0
    for delivery in deliveries:
        if delivery.reference in known:
            continue
        document = StockDocument.objects.create(
            kind=DocumentKind.DELIVERY,
            status=DocumentStatus.EXPECTED,
            reference=delivery.reference,
            note=delivery.note[:200],
        )
        StockDocumentLine.objects.bulk_create(
            StockDocumentLine(document=document, sku=sku, quantity=quantity, expected=quantity)
            for sku, quantity in delivery.lines
        )
        added += 1
    return added
