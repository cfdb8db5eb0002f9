"""Archive ledger entries HQ holds and that are old enough, keeping the chain verifiable.

Archived entries go to a gzip JSON-lines file, one per checkpoint; the checkpoint keeps
the range, the number of entries, a SHA-256 over them chained to the previous
checkpoint's, and stock per SKU after the range (so that stock can still be recomputed
from the ledger). Only then are the rows deleted, which the ledger's trigger allows for
entries a checkpoint covers and for no others.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from store_edge.ledger.models import STOCK_KINDS, EntryKind, LedgerCheckpoint, LedgerEntry


def entry_record(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "uuid": str(entry.uuid),
        "kind": entry.kind,
        "sku": entry.sku,
        "quantity": None if entry.quantity is None else str(entry.quantity),
        "document_type": entry.document_type,
        "document_id": str(entry.document_id),
        "payload": entry.payload,
        "user": entry.user,
        "created_at": entry.created_at.isoformat(),
        "config_version": entry.config_version,
    }


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def ledger_compact(
    *, acked_seq: int, older_than: timedelta, archive_dir: Path, now: datetime | None = None
) -> LedgerCheckpoint | None:
    """Archive the entries up to HQ's mark that are older than `older_than`; return the new
    checkpoint, or None when nothing qualifies."""
    cutoff = (now or timezone.now()) - older_than
    previous = LedgerCheckpoint.objects.order_by("-last_seq").first()
    first = (previous.last_seq if previous else 0) + 1
    blocker = (
        LedgerEntry.objects.filter(seq__gte=first)
        .filter(created_at__gte=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    last = min(acked_seq, (blocker - 1) if blocker else acked_seq)
    entries = LedgerEntry.objects.filter(seq__gte=first, seq__lte=last).order_by("seq")
    if last < first or not entries.exists():
        return None
    stock = {sku: Decimal(q) for sku, q in (previous.stock if previous else {}).items()}
    digest = hashlib.sha256((previous.digest if previous else "").encode())
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / f"ledger-{first:012d}-{last:012d}.jsonl.gz"
    count = 0
    with gzip.open(path, "wb") as archive:
        for entry in entries.iterator(chunk_size=2000):
            if entry.seq != first + count:
                raise RuntimeError(f"the ledger has a gap before #{entry.seq}: not compacted")
            line = _line(entry_record(entry))
            archive.write(line)
            digest.update(line)
            count += 1
            if entry.kind in STOCK_KINDS and entry.quantity is not None:
                base = Decimal(0) if entry.kind == EntryKind.COUNT else stock.get(entry.sku, 0)
                stock[entry.sku] = base + entry.quantity
    with open(path, "rb") as written:
        os.fsync(written.fileno())
    with transaction.atomic():
        checkpoint = LedgerCheckpoint.objects.create(
            last_seq=first + count - 1,
            first_seq=first,
            entries=count,
            digest=digest.hexdigest(),
            previous_digest=previous.digest if previous else "",
            stock={sku: str(q) for sku, q in sorted(stock.items()) if q},
            archive=str(path),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM inventory_ledgerentry WHERE seq BETWEEN %s AND %s",
                [first, checkpoint.last_seq],
            )
    return checkpoint


@dataclass(frozen=True)
class ChainReport:
    problems: list[str]
    archived: int
    live: int


def ledger_verify(*, read_archives: bool = True) -> ChainReport:
    """Check the seq chain: checkpoints follow each other and their archives match their
    digests, and the live entries run on from the last one without a gap."""
    problems: list[str] = []
    expected_first, previous_digest, archived = 1, "", 0
    for checkpoint in LedgerCheckpoint.objects.order_by("last_seq"):
        if checkpoint.first_seq != expected_first:
            problems.append(f"checkpoint #{checkpoint.first_seq}: expected to start at "
                            f"#{expected_first}")  # fmt: skip
        if checkpoint.previous_digest != previous_digest:
            problems.append(f"checkpoint #{checkpoint.first_seq}: chain digest does not follow")
        if read_archives:
            problems += _archive_problems(checkpoint, previous_digest)
        expected_first = checkpoint.last_seq + 1
        previous_digest = checkpoint.digest
        archived += checkpoint.entries
    live = 0
    for seq in (
        LedgerEntry.objects.order_by("seq").values_list("seq", flat=True).iterator(chunk_size=10000)
    ):
        if seq != expected_first:
            problems.append(f"gap: #{expected_first} missing before #{seq}")
            break
        expected_first += 1
        live += 1
    return ChainReport(problems, archived, live)


def _archive_problems(checkpoint: LedgerCheckpoint, previous_digest: str) -> list[str]:
    path = Path(checkpoint.archive)
    if not path.exists():
        return [f"checkpoint #{checkpoint.first_seq}: archive {path} is missing"]
    digest = hashlib.sha256(previous_digest.encode())
    try:
        with gzip.open(path, "rb") as archive:
            for line in archive:
                digest.update(line)
    except (OSError, EOFError) as exc:
        return [f"checkpoint #{checkpoint.first_seq}: archive {path} is unreadable ({exc})"]
    if digest.hexdigest() != checkpoint.digest:
        return [f"checkpoint #{checkpoint.first_seq}: archive {path} does not match its digest"]
    return []
