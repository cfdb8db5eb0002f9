"""Virtual stores for measuring HQ: ledgers shaped like a store's (per sale, its document
and one movement a line), pushed the way a store pushes (gzip, signed)."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from cloud_hq.ingest.contract import EntryKind
from cloud_hq.stores.message import signed_message


def store_ledger(
    skus: list[tuple[str, str]], sales: int, *, lines: int = 9, first_seq: int = 1,
    start: datetime | None = None, lane: int = 1,
) -> list[dict[str, Any]]:  # fmt: skip
    """Sales of `lines` lines each (SKUs and prices taken in turn), as ledger entries."""
    entries: list[dict[str, Any]] = []
    at = start or datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    seq = first_seq
    for n in range(sales):
        sale_id = str(uuid.uuid4())
        picked = [skus[(n * lines + k) % len(skus)] for k in range(lines)]
        sold: list[dict[str, Any]] = [{"id": str(uuid.uuid4()), "position": k + 1, "sku": sku,
                 "name": f"Item {sku}",
                 "quantity": "1.000", "weight_kg": None, "unit_price": price,
                 "base_amount": price, "amount": price, "tax_class": "STD", "adjustments": []}
                for k, (sku, price) in enumerate(picked)]  # fmt: skip
        total = sum((Decimal(price) for _, price in picked), Decimal("0.00"))
        net = (total / Decimal("1.19")).quantize(Decimal("0.01"))
        document = {
            "number": f"{lane:02d}-{first_seq + n:07d}", "lane": lane,
            "completed_at": at.isoformat(), "config_version": 1, "subtotal": str(total),
            "discount_total": "0.00", "tax_total": str(total - net), "total": str(total),
            "amount_paid": str(total), "change": "0.00", "lines": sold,
            "tenders": [{"id": str(uuid.uuid4()), "method": "cash", "amount": str(total)}],
            "taxes": [{"tax_class": "STD", "rate": "0.1900", "inclusive": True, "net": str(net),
                       "tax": str(total - net), "gross": str(total)}],
        }  # fmt: skip
        entries.append(_entry(seq, EntryKind.SALE_COMPLETED, sale_id, at, payload=document))
        seq += 1
        for sku, _ in picked:
            entries.append(_entry(seq, EntryKind.SALE, sale_id, at, sku=sku, quantity="-1.000"))
            seq += 1
        at += timedelta(seconds=20)
    return entries


def _entry(seq: int, kind: str, document: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "uuid": str(uuid.uuid4()), "kind": kind, "sku": fields.get("sku", ""),
            "quantity": fields.get("quantity"), "document_type": "sale", "document_id": document,
            "payload": fields.get("payload", {}), "user": "bench",
            "created_at": at.isoformat(), "config_version": 1}  # fmt: skip


def push(
    client: httpx.Client, *, base_url: str, store_id: str, store_key: str,
    entries: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """One push as a store sends it; HQ's answer (raises on anything but 200)."""
    path = f"/api/v1/stores/{store_id}/events"
    body = gzip.compress(json.dumps({"entries": entries}, separators=(",", ":")).encode(), 5)
    key_id, secret = store_key.split(".", 1)
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    signature = hmac.new(secret.encode(), signed_message(
        method="POST", path=path, timestamp=timestamp, nonce=nonce, body=body),
        hashlib.sha256).hexdigest()  # fmt: skip
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip",
               "X-Edge-Key": key_id, "X-Edge-Timestamp": timestamp, "X-Edge-Nonce": nonce,
               "X-Edge-Signature": signature}  # fmt: skip
    answer = client.post(base_url + path, content=body, headers=headers)
    if answer.status_code != 200:
        raise RuntimeError(f"HQ refused a push from {store_id}: {answer.status_code} "
                           f"{answer.text[:300]}")  # fmt: skip
    result: dict[str, Any] = answer.json()
    return result
