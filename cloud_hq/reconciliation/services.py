"""HQ's one picture of what the stores report: what needs HQ staff (the conflict queue),
what was sold at another price than the one in force (price variances), and whether the
two halves of each transfer agree. Called by ingest, in the push's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from cloud_hq.catalog.models import PriceEntry, PriceScope, Product
from cloud_hq.catalog.prices import price_in_force
from cloud_hq.ingest.contract import TRANSFER_KINDS, EntryIn, EntryKind, SaleDoc
from cloud_hq.ingest.models import CouponRedemption, Sale
from cloud_hq.publishing.models import ConfigVersion
from cloud_hq.reconciliation.models import (
    Conflict,
    ConflictKind,
    PriceVariance,
    TransferLeg,
)
from cloud_hq.stores.models import Store, StoreKey

CENT = Decimal("0.01")


def conflicts_open(
    store: Store, found: Iterable[tuple[str, str, int | None, dict[str, Any]]]
) -> None:
    """Queue (kind, reference, seq, detail) for HQ staff; what is queued already stays once."""
    now = timezone.now()
    Conflict.objects.bulk_create(
        [Conflict(store=store, kind=kind, reference=reference[:128], seq=seq, detail=detail,
                  detected_at=now) for kind, reference, seq, detail in found],
        ignore_conflicts=True,
    )  # fmt: skip


def reconcile(
    *,
    store: Store,
    entries: list[EntryIn],
    sales: list[tuple[EntryIn, SaleDoc]],
    quarantined: list[tuple[int, str]],
) -> None:
    """Everything a push's applied entries tell HQ beyond the ledger itself."""
    conflicts_open(store, ((ConflictKind.QUARANTINED, f"#{seq}", seq, {"reason": reason})
                           for seq, reason in quarantined))  # fmt: skip
    _unknown_skus(store, entries, sales)
    _revoked_key_sales(store, sales)
    _coupons_reused(store, sales)
    _transfers(store, entries)
    _price_variances(store, sales)
    _card_terminals(store, entries)


def _card_terminals(store: Store, entries: list[EntryIn]) -> None:
    """A Z report whose terminal end of day was not done, disagrees with the shift's card
    tenders, or lists card payments the terminal never settled: HQ staff check it against
    the terminal's own report (and the acquirer's statement)."""
    found = []
    for entry in entries:
        if entry.kind != EntryKind.SHIFT_CLOSED:
            continue
        card = entry.payload.get("card_terminal")
        if not isinstance(card, dict):
            continue
        unresolved = card.get("unresolved") or []
        agrees = card.get("state") == "done" and Decimal(str(card.get("difference"))) == 0
        if agrees and not unresolved:
            continue
        found.append(
            (
                ConflictKind.CARD_TERMINAL,
                f"shift:{entry.document_id}",
                entry.seq,
                {
                    "lane": entry.payload.get("lane"),
                    "state": card.get("state"),
                    "terminal_total": card.get("terminal_total"),
                    "card_tenders": card.get("card_tenders"),
                    "difference": card.get("difference"),
                    "unresolved": unresolved,
                },
            )
        )
    conflicts_open(store, found)  # fmt: skip


def _unknown_skus(
    store: Store, entries: list[EntryIn], sales: list[tuple[EntryIn, SaleDoc]]
) -> None:
    first_seq: dict[str, int] = {}
    seen = [(e.sku, e.seq) for e in entries if e.sku]
    seen += [(line.sku, entry.seq) for entry, doc in sales for line in doc.lines]
    for sku, seq in seen:
        first_seq[sku] = min(seq, first_seq.get(sku, seq))
    if not first_seq:
        return
    known = set(Product.objects.filter(sku__anyof=list(first_seq)).values_list("sku", flat=True))
    conflicts_open(store, ((ConflictKind.UNKNOWN_SKU, sku, seq, {"first_seq": seq})
                           for sku, seq in first_seq.items() if sku not in known))  # fmt: skip


def _revoked_key_sales(store: Store, sales: list[tuple[EntryIn, SaleDoc]]) -> None:
    """Sales made after one of the store's keys was revoked and before it had a new key."""
    if not sales:
        return
    keys = list(StoreKey.objects.filter(store=store).values_list("created_at", "revoked_at"))
    windows = []
    for _, revoked in keys:
        if revoked is None:
            continue
        later = [created for created, _ in keys if created > revoked]
        windows.append((revoked, min(later) if later else None))
    if not windows:
        return
    found = []
    for entry, doc in sales:
        for start, end in windows:
            if start <= doc.completed_at and (end is None or doc.completed_at < end):
                found.append(
                    (
                        ConflictKind.REVOKED_KEY,
                        doc.number,
                        entry.seq,
                        {
                            "completed_at": doc.completed_at.isoformat(),
                            "key_revoked_at": start.isoformat(),
                            "total": str(doc.total),
                        },
                    )
                )
                break
    conflicts_open(store, found)  # fmt: skip


def _coupons_reused(store: Store, sales: list[tuple[EntryIn, SaleDoc]]) -> None:
    numbers = [doc.number for _, doc in sales if doc.coupons]
    if not numbers:
        return
    repeated = CouponRedemption.objects.filter(
        sale__store=store, sale__number__in=numbers, repeated=True
    ).values_list("code", "sale__number", "sale__seq")
    conflicts_open(store, ((ConflictKind.COUPON_REUSED, f"{code}:{number}", seq,
                            {"coupon": code, "sale": number})
                           for code, number, seq in repeated))  # fmt: skip


def _transfers(store: Store, entries: list[EntryIn]) -> None:
    """Record each half of a transfer; two halves that disagree go to the queue."""
    halves = [e for e in entries if e.kind in TRANSFER_KINDS]
    if not halves:
        return
    stores = set(Store.objects.values_list("code", flat=True))
    touched: set[tuple[str, str]] = set()
    for entry in halves:
        other = str(entry.payload.get("other_store", ""))
        reference = str(entry.payload.get("reference", ""))[:64]
        if other not in stores or not reference or entry.quantity is None:
            continue
        sending = entry.kind == EntryKind.TRANSFER_OUT
        sender, receiver = (store.code, other) if sending else (other, store.code)
        leg, _ = TransferLeg.objects.get_or_create(
            sender_id=sender, reference=reference, sku=entry.sku, defaults={"receiver_id": receiver}
        )
        if sending:
            leg.sent = (leg.sent or Decimal(0)) - entry.quantity  # sent stock leaves: negative
        else:
            leg.received = (leg.received or Decimal(0)) + entry.quantity
        leg.save(update_fields=["sent", "received"])
        touched.add((sender, reference))
    for sender, reference in touched:
        legs = list(TransferLeg.objects.filter(sender_id=sender, reference=reference))
        if any(leg.sent is None for leg in legs) or any(leg.received is None for leg in legs):
            continue  # the other half has not arrived yet: in transit
        differing = {leg.sku: {"sent": str(leg.sent), "received": str(leg.received)}
                     for leg in legs if leg.sent != leg.received}  # fmt: skip
        if differing:
            receiving = legs[0].receiver
            detail = {"sender": sender, "receiver": receiving.code, "skus": differing}
            for side in (Store.objects.get(code=sender), receiving):
                conflicts_open(side, [(ConflictKind.TRANSFER_MISMATCH, reference, None, detail)])


def _price_variances(store: Store, sales: list[tuple[EntryIn, SaleDoc]]) -> None:
    newest = ConfigVersion.objects.aggregate(v=Max("version"))["v"] or 0
    older = [(entry, doc) for entry, doc in sales
             if doc.config_version < newest and entry.kind == EntryKind.SALE_COMPLETED]  # fmt: skip
    if not older:
        return
    skus = {line.sku for _, doc in older for line in doc.lines}
    base = dict(Product.objects.filter(sku__anyof=list(skus)).values_list("sku", "price"))
    books: dict[str, list[PriceEntry]] = defaultdict(list)
    for price in PriceEntry.objects.select_related("book").filter(
        Q(sku__anyof=list(skus)),
        Q(book__scope=PriceScope.CHAIN)
        | Q(book__scope=PriceScope.REGION, book__region=store.region)
        | Q(book__scope=PriceScope.STORE, book__store=store.code),
    ):
        books[price.sku].append(price)
    ids = dict(Sale.objects.filter(store=store, number__anyof=[d.number for _, d in older])
               .values_list("number", "id"))  # fmt: skip
    variances = []
    for _, doc in older:
        for line in doc.lines:
            if line.sku not in base:
                continue  # an unknown SKU: queued as such
            in_force = price_in_force(base=base[line.sku], entries=books[line.sku],
                                      store=store.code, region=store.region,
                                      at=doc.completed_at)  # fmt: skip
            if line.unit_price == in_force:
                continue
            measure = line.weight_kg if line.weight_kg is not None else line.quantity
            variances.append(PriceVariance(
                store=store, sale_id=ids[doc.number], sku=line.sku, sold_at=doc.completed_at,
                config_version=doc.config_version, version_in_force=newest,
                charged=line.unit_price, in_force=in_force, quantity=measure,
                difference=((line.unit_price - in_force) * measure).quantize(CENT, ROUND_HALF_UP),
            ))  # fmt: skip
    PriceVariance.objects.bulk_create(variances)
