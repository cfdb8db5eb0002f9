"""Receive what a store pushes, exactly once per (store, seq), and answer with the
high-water mark: each entry read and digested once, a replay recognised by its digest, a seq
held with other content refused whole (409, recorded for the conflict queue), an entry HQ
cannot apply quarantined at its seq with its reason. What is accepted is recorded by
`record`."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from cloud_hq.catalog.catalog_file import error_path
from cloud_hq.ingest.batches import CheckedBatch, Received
from cloud_hq.ingest.contract import (
    MOVEMENT_KINDS,
    SALE_KINDS,
    DrawerDoc,
    EntryIn,
    EntryKind,
    RawEntry,
    SaleDoc,
    ShiftDoc,
)
from cloud_hq.ingest.models import LedgerEntry, PushConflict, Sale, ShiftClose, StoreLedger
from cloud_hq.ingest.record import (
    batch_record,
    ledger_row,
    sales_record,
    stock_apply,
)
from cloud_hq.reconciliation.services import reconcile
from cloud_hq.stores.models import Store

Doc = TypeVar("Doc", SaleDoc, ShiftDoc, DrawerDoc)


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
            batch_record(
                store=store, batch=batch_check(store=store, batch=fresh), now=timezone.now()
            )
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


def batch_check(*, store: Store, batch: list[Received]) -> CheckedBatch:
    """Check each fresh entry against what HQ holds and against the batch before it: an entry
    reusing an identity, or carrying a document that does not add up, is quarantined with
    its reason (the entries behind it go on)."""
    checked = CheckedBatch(items=batch)
    if not batch:
        return checked
    known = _already_held(store=store, batch=batch)
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
                checked.sales.append((entry, _sale_document(entry, known)))
            elif entry.kind == EntryKind.SHIFT_CLOSED:
                checked.shifts.append((entry, _shift_document(entry, known)))
            elif entry.kind == EntryKind.DRAWER_OPENED:
                _document(entry, DrawerDoc)  # kept in the ledger as it came, once it reads
        except Quarantined as exc:
            item.reason = str(exc)
    return checked


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
        fresh = ledger_row(store, item, row.received_at)
        for name in ("uuid", "kind", "sku", "quantity", "document_type", "document_id",
                     "payload", "user", "created_at", "config_version"):  # fmt: skip
            setattr(row, name, fresh[name])
        row.quarantine_reason = ""
        row.save()
        sales_record(store=store, sales=sales)
        if shift is not None:
            ShiftClose.objects.create(
                id=shift.shift_id, store=store, seq=seq,
                tenders={method: str(amount) for method, amount in shift.tenders.items()},
                **shift.model_dump(exclude={"shift_id", "tenders"}),
            )  # fmt: skip
        if entry.kind in MOVEMENT_KINDS:
            stock_apply(store=store, entries=[entry])
        reconcile(store=store, entries=[entry], sales=sales, quarantined=[])
