"""Apply what a store pushes, exactly once per (store, seq), and answer with the high-water mark."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from cloud_hq.catalog.catalog_file import error_path
from cloud_hq.catalog.models import Promotion
from cloud_hq.ingest.contract import COUNT, MOVEMENT_KINDS, EntryIn, SaleDoc, ShiftDoc
from cloud_hq.ingest.models import (
    CouponRedemption,
    LedgerEntry,
    PushConflict,
    Sale,
    SaleLine,
    SaleTax,
    SaleTender,
    ShiftClose,
    StoreLedger,
)
from cloud_hq.reconciliation.models import CountAdjustment, StockLevel
from cloud_hq.stores.models import Store

Doc = TypeVar("Doc", SaleDoc, ShiftDoc)


@dataclass(frozen=True)
class IngestResult:
    high_water_mark: int
    accepted: int
    duplicates: int


class SeqConflict(Exception):
    """The push reuses seqs HQ holds with other content; nothing of it was applied."""

    def __init__(self, seqs: list[int], high_water_mark: int) -> None:
        super().__init__(
            f"seq {', '.join(map(str, seqs[:10]))} already held with different content"
        )
        self.seqs = seqs
        self.high_water_mark = high_water_mark


class EntryRejected(Exception):
    """An entry HQ cannot apply (its document is malformed); nothing of the push was applied."""


def content_hash(entry: EntryIn) -> str:
    """Hash an entry's content canonically, so a replay is recognised whatever its formatting."""
    canonical = json.dumps(entry.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def events_ingest(*, store: Store, entries: list[EntryIn]) -> IngestResult:
    """Apply the entries that extend the store's contiguous ledger; recognise replays."""
    hashes: dict[int, str] = {}
    try:
        for entry in entries:
            digest = content_hash(entry)
            if hashes.setdefault(entry.seq, digest) != digest:
                raise SeqConflict([entry.seq], _mark(store))
        with transaction.atomic():
            ledger, _ = StoreLedger.objects.select_for_update().get_or_create(store=store)
            mark = ledger.high_water_mark
            held_seqs = sorted(seq for seq in hashes if seq <= mark)
            held = dict(
                LedgerEntry.objects.filter(store=store, seq__in=held_seqs).values_list(
                    "seq", "content_hash"
                )
            )
            conflicts = [seq for seq in held_seqs if held.get(seq) != hashes[seq]]
            if conflicts:
                raise SeqConflict(conflicts, mark)
            by_seq = {entry.seq: entry for entry in entries}
            fresh: list[EntryIn] = []
            while mark + len(fresh) + 1 in by_seq:
                fresh.append(by_seq[mark + len(fresh) + 1])
            _apply(store=store, entries=fresh, hashes=hashes)
            ledger.high_water_mark = mark + len(fresh)
            ledger.save(update_fields=["high_water_mark", "updated_at"])
    except SeqConflict as conflict:
        _record_conflicts(store=store, conflict=conflict, entries=entries, hashes=hashes)
        raise
    return IngestResult(
        high_water_mark=ledger.high_water_mark,
        accepted=len(fresh),
        duplicates=len(held_seqs),
    )


def _mark(store: Store) -> int:
    ledger = StoreLedger.objects.filter(store=store).first()
    return ledger.high_water_mark if ledger else 0


def _apply(*, store: Store, entries: list[EntryIn], hashes: dict[int, str]) -> None:
    now = timezone.now()
    try:
        _insert_entries(store=store, entries=entries, hashes=hashes, now=now)
        for entry in entries:
            if entry.kind in ("sale_completed", "return_completed"):
                _sale_record(store=store, entry=entry)
            elif entry.kind == "shift_closed":
                _shift_record(store=store, entry=entry)
    except IntegrityError as exc:
        raise EntryRejected(
            f"an entry or document is already held under another seq: {exc}"
        ) from exc
    _stock_apply(
        store=store, entries=[e for e in entries if e.kind in MOVEMENT_KINDS or e.kind == COUNT]
    )


def _insert_entries(
    *, store: Store, entries: list[EntryIn], hashes: dict[int, str], now: datetime
) -> None:
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                store=store,
                seq=e.seq,
                uuid=e.uuid,
                kind=e.kind,
                sku=e.sku,
                quantity=e.quantity,
                document_type=e.document_type,
                document_id=e.document_id,
                payload=e.payload,
                user=e.user,
                created_at=e.created_at,
                config_version=e.config_version,
                content_hash=hashes[e.seq],
                received_at=now,
            )
            for e in entries
        ]
    )


def _document(entry: EntryIn, model: type[Doc]) -> Doc:
    try:
        return model.model_validate(entry.payload)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise EntryRejected(
            f"entry #{entry.seq}: payload.{error_path(first['loc'])}: {first['msg']}"
        ) from exc


def _shift_record(*, store: Store, entry: EntryIn) -> None:
    doc = _document(entry, ShiftDoc)
    if doc.shift_id != entry.document_id:
        raise EntryRejected(f"entry #{entry.seq}: the report is for another shift")
    ShiftClose.objects.create(
        id=doc.shift_id,
        store=store,
        seq=entry.seq,
        tenders={method: str(amount) for method, amount in doc.tenders.items()},
        **doc.model_dump(exclude={"shift_id", "tenders"}),
    )


def _sale_record(*, store: Store, entry: EntryIn) -> None:
    doc = _document(entry, SaleDoc)
    if entry.kind == "return_completed":
        if doc.total > 0 or any(line.quantity >= 0 or line.amount > 0 for line in doc.lines):
            raise EntryRejected(f"entry #{entry.seq}: a return takes back: negative amounts only")
    elif doc.total < 0 or doc.returns or doc.approved_by:
        raise EntryRejected(f"entry #{entry.seq}: a sale has no negative total and returns nothing")
    sale = Sale.objects.create(
        id=entry.document_id,
        store=store,
        number=doc.number,
        lane=doc.lane,
        completed_at=doc.completed_at,
        config_version=doc.config_version,
        subtotal=doc.subtotal,
        discount_total=doc.discount_total,
        tax_total=doc.tax_total,
        total=doc.total,
        amount_paid=doc.amount_paid,
        change=doc.change,
        cash_rounding=doc.cash_rounding,
        member_card=doc.member_card,
        coupons=doc.coupons,
        cashier=doc.cashier,
        returns=doc.returns,
        approved_by=doc.approved_by,
        seq=entry.seq,
    )
    SaleLine.objects.bulk_create(
        SaleLine(
            sale=sale,
            **line.model_dump(exclude={"adjustments"}),
            adjustments=[a.model_dump(mode="json") for a in line.adjustments],
        )
        for line in doc.lines
    )
    _redemptions(sale=sale, coupons=doc.coupons)
    SaleTender.objects.bulk_create(SaleTender(sale=sale, **t.model_dump()) for t in doc.tenders)
    SaleTax.objects.bulk_create(SaleTax(sale=sale, **t.model_dump()) for t in doc.taxes)


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


def _stock_apply(*, store: Store, entries: list[EntryIn]) -> None:
    """Stock per SKU = Σ movements; a count sets it, and what it changed is recorded as an
    adjustment at its place in the store's sequence."""
    skus = {entry.sku for entry in entries}
    if not skus:
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
        if entry.kind == COUNT:
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
        level.last_seq = entry.seq
    StockLevel.objects.bulk_update([levels[sku] for sku in known], ["quantity", "last_seq"])
    StockLevel.objects.bulk_create(level for sku, level in levels.items() if sku not in known)
    CountAdjustment.objects.bulk_create(adjustments)


def _record_conflicts(
    *, store: Store, conflict: SeqConflict, entries: list[EntryIn], hashes: dict[int, str]
) -> None:
    received: dict[int, EntryIn] = {}
    for entry in entries:
        received.setdefault(entry.seq, entry)  # the copy whose hash was recorded
    held = dict(
        LedgerEntry.objects.filter(store=store, seq__in=conflict.seqs).values_list(
            "seq", "content_hash"
        )
    )
    with transaction.atomic():
        PushConflict.objects.bulk_create(
            PushConflict(
                store=store,
                seq=seq,
                held_hash=held.get(seq, ""),
                received_hash=hashes[seq],
                received=received[seq].model_dump(mode="json"),
            )
            for seq in conflict.seqs
        )
