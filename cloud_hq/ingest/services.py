"""Apply what a store pushes, exactly once per (store, seq), and answer with the high-water mark."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from cloud_hq.catalog.catalog_file import error_path
from cloud_hq.catalog.models import Promotion
from cloud_hq.ingest.bulk import as_json, rows_insert, stock_add
from cloud_hq.ingest.contract import (
    MOVEMENT_KINDS,
    SALE_KINDS,
    SHRINK_KINDS,
    EntryIn,
    EntryKind,
    RawEntry,
    SaleDoc,
    ShiftDoc,
)
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
from cloud_hq.reconciliation.services import reconcile
from cloud_hq.reporting.services import sales_summarize, shrink_summarize
from cloud_hq.stores.models import Store

Doc = TypeVar("Doc", SaleDoc, ShiftDoc)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    high_water_mark: int
    accepted: int
    duplicates: int
    quarantined: list[tuple[int, str]] = field(default_factory=list)


class SeqConflict(Exception):
    """The push reuses seqs HQ holds with other content; nothing of it was applied."""

    def __init__(self, seqs: list[int], high_water_mark: int) -> None:
        super().__init__(
            f"seq {', '.join(map(str, seqs[:10]))} already held with different content"
        )
        self.seqs = seqs
        self.high_water_mark = high_water_mark


class EntryRejected(Exception):
    """A push HQ cannot take at all (too large); nothing of it was applied."""


class Quarantined(Exception):
    """One entry HQ holds at its seq but does not apply; the reason goes to the store."""


@dataclass
class Received:
    """An entry as pushed: read as an EntryIn, or held raw with the reason it could not be."""

    seq: int
    raw: dict[str, Any]
    entry: EntryIn | None
    digest: str
    reason: str = ""


def content_hash(entry: EntryIn) -> str:
    """Hash an entry's content canonically, so a replay is recognised whatever its formatting."""
    return _digest(entry.model_dump(mode="json"))


def _digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# A control character in a JSON string: \b, \f or \u0000-\u001f after an odd number of
# backslashes (json.dumps writes \t, \n and \r as such, never as \u0009).
CONTROL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\(?:[bf]|u00[01][0-9a-fA-F])")


def received(item: EntryIn | RawEntry) -> Received:
    if isinstance(item, EntryIn):
        raw = item.model_dump(mode="json")
        canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        # PostgreSQL keeps no NUL, and a till sends none (most entries hold no escape at all)
        if "\\" in canonical and CONTROL_ESCAPE.search(canonical):
            reason = f"entry #{item.seq}: control characters (such as NUL) are not allowed"
            return Received(item.seq, raw, None, digest, reason=reason)
        return Received(item.seq, raw, item, digest)
    raw = item.model_dump(mode="json")
    try:
        EntryIn.model_validate(raw)
        reason = "unreadable entry"
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = error_path(first["loc"])
        reason = f"{where}: {first['msg']}" if where else str(first["msg"])
    return Received(item.seq, raw, None, _digest(raw), reason=f"entry #{item.seq}: {reason}")


def events_ingest(*, store: Store, entries: list[EntryIn | RawEntry]) -> IngestResult:
    """Apply the entries that extend the store's contiguous ledger; recognise replays; hold an
    entry that cannot be applied at its seq, quarantined with its reason."""
    batch = [received(item) for item in entries]
    hashes: dict[int, str] = {}
    try:
        for item in batch:
            if hashes.setdefault(item.seq, item.digest) != item.digest:
                raise SeqConflict([item.seq], _mark(store))
        with transaction.atomic():
            ledger, _ = StoreLedger.objects.select_for_update().get_or_create(store=store)
            mark = ledger.high_water_mark
            held_seqs = sorted(seq for seq in hashes if seq <= mark)
            held = dict(
                LedgerEntry.objects.filter(store=store, seq__anyof=held_seqs).values_list(
                    "seq", "content_hash"
                )
            )
            conflicts = [seq for seq in held_seqs if held.get(seq) != hashes[seq]]
            if conflicts:
                raise SeqConflict(conflicts, mark)
            by_seq = {item.seq: item for item in batch}
            fresh: list[Received] = []
            while mark + len(fresh) + 1 in by_seq:
                fresh.append(by_seq[mark + len(fresh) + 1])
            _apply(store=store, batch=fresh)
            ledger.high_water_mark = mark + len(fresh)
            ledger.save(update_fields=["high_water_mark", "updated_at"])
    except SeqConflict as conflict:
        _record_conflicts(store=store, conflict=conflict, batch=batch)
        raise
    quarantined = list(
        LedgerEntry.objects.filter(store=store, seq__anyof=list(hashes))
        .exclude(quarantine_reason="")
        .order_by("seq")
        .values_list("seq", "quarantine_reason")
    )
    return IngestResult(
        high_water_mark=ledger.high_water_mark,
        accepted=len(fresh),
        duplicates=len(held_seqs),
        quarantined=quarantined,
    )


def _mark(store: Store) -> int:
    ledger = StoreLedger.objects.filter(store=store).first()
    return ledger.high_water_mark if ledger else 0


def _apply(*, store: Store, batch: list[Received]) -> None:
    """Insert the batch's entries (in seq order) and apply what they carry: documents first
    checked against what HQ holds, so that one bad entry is quarantined, not the batch."""
    if not batch:
        return
    now = timezone.now()
    known = _already_held(store=store, batch=batch)
    sales: list[tuple[EntryIn, SaleDoc]] = []
    shifts: list[tuple[EntryIn, ShiftDoc]] = []
    for item in batch:
        entry = item.entry
        if entry is None:
            continue
        try:
            if str(entry.uuid) in known:
                raise Quarantined(
                    f"entry #{entry.seq}: uuid already held at #{known[str(entry.uuid)]}"
                )
            if entry.kind in SALE_KINDS:
                sales.append((entry, _sale_document(entry, known)))
            elif entry.kind == EntryKind.SHIFT_CLOSED:
                shifts.append((entry, _shift_document(entry, known)))
        except Quarantined as exc:
            item.reason = str(exc)
    _ledger_insert(store=store, batch=batch, now=now)
    applied = [item.entry for item in batch if item.entry is not None and not item.reason]
    ok = {entry.seq for entry in applied}
    _sales_record(store=store, sales=[(e, d) for e, d in sales if e.seq in ok])
    ShiftClose.objects.bulk_create(
        ShiftClose(id=doc.shift_id, store=store, seq=entry.seq,
                   tenders={method: str(amount) for method, amount in doc.tenders.items()},
                   **doc.model_dump(exclude={"shift_id", "tenders"}))
        for entry, doc in shifts if entry.seq in ok
    )  # fmt: skip
    _stock_apply(
        store=store,
        entries=[e for e in applied if e.kind in MOVEMENT_KINDS or e.kind == EntryKind.COUNT],
    )
    reconcile(
        store=store,
        entries=applied,
        sales=[(e, d) for e, d in sales if e.seq in ok],
        quarantined=[(item.seq, item.reason) for item in batch if item.reason],
    )
    for item in batch:
        if item.reason:
            logger.warning("store %s: %s (quarantined)", store.code, item.reason)


def _already_held(*, store: Store, batch: list[Received]) -> dict[str, int | str]:
    """What of the batch's identities HQ holds already: entry uuids (→ seq), sale ids and
    numbers, shift ids. A later entry of the batch reusing one is quarantined too."""
    uuids, documents, numbers = set(), set(), set()
    for item in batch:
        if item.entry is None:
            continue
        uuids.add(item.entry.uuid)
        documents.add(item.entry.document_id)
        if item.entry.kind in SALE_KINDS:
            number = item.entry.payload.get("number")
            if isinstance(number, str):
                numbers.add(number[:32])
    known: dict[str, int | str] = {
        str(uuid): seq
        for uuid, seq in LedgerEntry.objects.filter(uuid__anyof=uuids).values_list("uuid", "seq")
    }
    for sale_id, number in Sale.objects.filter(id__anyof=documents).values_list("id", "number"):
        known[f"sale:{sale_id}"] = number
    for number, seq in Sale.objects.filter(store=store, number__anyof=numbers).values_list(
        "number", "seq"
    ):
        known[f"number:{number}"] = seq
    for shift_id in ShiftClose.objects.filter(id__anyof=documents).values_list("id", flat=True):
        known[f"shift:{shift_id}"] = str(shift_id)
    return known


LEDGER_COLUMNS = (
    "store_id", "seq", "uuid", "kind", "sku", "quantity", "document_type", "document_id",
    "payload", "user", "created_at", "config_version", "content_hash", "received_at",
    "quarantine_reason",
)  # fmt: skip


def _ledger_insert(*, store: Store, batch: list[Received], now: datetime) -> None:
    rows = (_ledger_row(store, item, now) for item in batch)
    rows_insert(LedgerEntry, LEDGER_COLUMNS, (
        tuple(as_json(row[c]) if c == "payload" else row[c] for c in LEDGER_COLUMNS)
        for row in rows
    ))  # fmt: skip


def _ledger_row(store: Store, item: Received, now: datetime) -> dict[str, Any]:
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


def _document(entry: EntryIn, model: type[Doc]) -> Doc:
    try:
        return model.model_validate(entry.payload)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise Quarantined(
            f"entry #{entry.seq}: payload.{error_path(first['loc'])}: {first['msg']}"
        ) from exc


def _shift_document(entry: EntryIn, known: dict[str, int | str]) -> ShiftDoc:
    doc = _document(entry, ShiftDoc)
    if doc.shift_id != entry.document_id:
        raise Quarantined(f"entry #{entry.seq}: the report is for another shift")
    if f"shift:{doc.shift_id}" in known:
        raise Quarantined(f"entry #{entry.seq}: shift {doc.shift_id} already reported")
    known[f"shift:{doc.shift_id}"] = entry.seq
    return doc


def _sale_document(entry: EntryIn, known: dict[str, int | str]) -> SaleDoc:
    doc = _document(entry, SaleDoc)
    if entry.kind == EntryKind.RETURN_COMPLETED:
        if doc.total > 0 or any(line.quantity >= 0 or line.amount > 0 for line in doc.lines):
            raise Quarantined(f"entry #{entry.seq}: a return takes back: negative amounts only")
    elif doc.total < 0 or doc.returns or doc.approved_by:
        raise Quarantined(f"entry #{entry.seq}: a sale has no negative total and returns nothing")
    if f"number:{doc.number}" in known:
        held = known[f"number:{doc.number}"]
        raise Quarantined(f"entry #{entry.seq}: sale number {doc.number} already held (#{held})")
    if f"sale:{entry.document_id}" in known:
        raise Quarantined(f"entry #{entry.seq}: sale {entry.document_id} already held")
    known[f"number:{doc.number}"] = entry.seq
    known[f"sale:{entry.document_id}"] = doc.number
    return doc


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


def _sales_record(*, store: Store, sales: list[tuple[EntryIn, SaleDoc]]) -> None:
    """Record the batch's sales with their lines, tenders and taxes (a few bulk inserts)."""
    if not sales:
        return
    rows_insert(Sale, SALE_COLUMNS, (
        (entry.document_id, store.code, doc.number, doc.lane, doc.completed_at,
         doc.config_version, doc.subtotal, doc.discount_total, doc.tax_total, doc.total,
         doc.amount_paid, doc.change, doc.cash_rounding, doc.member_card, as_json(doc.coupons),
         doc.cashier, doc.returns, doc.approved_by, entry.seq)
        for entry, doc in sales
    ))  # fmt: skip
    rows_insert(SaleLine, SALE_LINE_COLUMNS, (
        (line.id, entry.document_id, line.position, line.sku, line.name, line.quantity,
         line.weight_kg, line.unit_price, line.base_amount, line.amount, line.tax_class,
         as_json([a.model_dump(mode="json") for a in line.adjustments]), line.returns_line)
        for entry, doc in sales for line in doc.lines
    ))  # fmt: skip
    rows_insert(SaleTender, TENDER_COLUMNS, (
        (t.id, entry.document_id, t.method, t.amount, t.terminal_reference, t.card_last4)
        for entry, doc in sales for t in doc.tenders
    ))  # fmt: skip
    rows_insert(SaleTax, TAX_COLUMNS, (
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


def _stock_apply(*, store: Store, entries: list[EntryIn]) -> None:
    """Stock per SKU = Σ movements; a count sets it, and what it changed is recorded as an
    adjustment at its place in the store's sequence."""
    counted = {entry.sku for entry in entries if entry.kind == EntryKind.COUNT}
    deltas: dict[str, tuple[Decimal, int]] = {}
    for entry in entries:  # SKUs without a count: their movements add up, in one upsert
        if entry.sku not in counted:
            assert entry.quantity is not None  # noqa: S101 - EntryIn guarantees it
            quantity, seq = deltas.get(entry.sku, (Decimal(0), 0))
            deltas[entry.sku] = (quantity + entry.quantity, max(seq, entry.seq))
    stock_add(store_code=store.code, deltas=deltas)
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


def _record_conflicts(*, store: Store, conflict: SeqConflict, batch: list[Received]) -> None:
    copies: dict[int, Received] = {}
    for item in batch:
        copies.setdefault(item.seq, item)  # the copy whose hash was recorded
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
                received_hash=copies[seq].digest,
                received=copies[seq].raw,
            )
            for seq in conflict.seqs
        )


class ReapplyRefused(Exception):
    """A quarantined entry that still cannot be applied; the reason says why."""


def quarantined_reapply(*, store: Store, seq: int) -> None:
    """Apply a quarantined entry now (after HQ fixed what it lacked), in one transaction.

    The entry keeps its seq and its content hash, so a replay of it is still a duplicate.
    """
    with transaction.atomic():
        StoreLedger.objects.select_for_update().get(store=store)
        row = LedgerEntry.objects.select_for_update().filter(store=store, seq=seq).first()
        if row is None or not row.quarantine_reason:
            raise ReapplyRefused(f"#{seq} of {store.code} is not quarantined")
        try:
            entry = EntryIn.model_validate(row.payload)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise ReapplyRefused(f"{error_path(first['loc'])}: {first['msg']}") from exc
        if entry.kind == EntryKind.COUNT:
            raise ReapplyRefused("a count is an observation at its place in the sequence: "
                                 "count again at the store")  # fmt: skip
        item = Received(seq, row.payload, entry, row.content_hash)
        known = _already_held(store=store, batch=[item])
        try:
            if str(entry.uuid) in known:
                raise Quarantined(f"uuid already held at #{known[str(entry.uuid)]}")
            sales = [(entry, _sale_document(entry, known))] if entry.kind in SALE_KINDS else []
            shift = _shift_document(entry, known) if entry.kind == EntryKind.SHIFT_CLOSED else None
        except Quarantined as exc:
            raise ReapplyRefused(str(exc)) from exc
        fresh = _ledger_row(store, item, row.received_at)
        for name in ("uuid", "kind", "sku", "quantity", "document_type", "document_id",
                     "payload", "user", "created_at", "config_version"):  # fmt: skip
            setattr(row, name, fresh[name])
        row.quarantine_reason = ""
        row.save()
        _sales_record(store=store, sales=sales)
        if shift is not None:
            ShiftClose.objects.create(
                id=shift.shift_id, store=store, seq=seq,
                tenders={method: str(amount) for method, amount in shift.tenders.items()},
                **shift.model_dump(exclude={"shift_id", "tenders"}),
            )  # fmt: skip
        if entry.kind in MOVEMENT_KINDS:
            _stock_apply(store=store, entries=[entry])
        reconcile(store=store, entries=[entry], sales=sales, quarantined=[])
