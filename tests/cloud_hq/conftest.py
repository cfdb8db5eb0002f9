"""HQ as its callers see it: management commands, and the store API signed like a store signs.

The signing code here is the test suite's own reading of the protocol in
docs/architecture.md; HQ and the store never import each other, and neither do their tests.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client

from cloud_hq.ingest.models import LedgerEntry, Sale, StoreLedger
from cloud_hq.reconciliation.models import StockLevel

CENT = Decimal("0.01")
GRAM = Decimal("0.001")

SIGNATURE_HEADERS = ("X-Edge-Key", "X-Edge-Timestamp", "X-Edge-Nonce", "X-Edge-Signature")


def ean13(first_twelve: str) -> str:
    """Return the EAN-13 with its check digit (weights 1, 3, 1, 3, … from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def is_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


WATER = "4006381333931"  # EAN-13 of sparkling water
BREAD = ean13("436000100036")
BREAD_UPC = "036000291452"  # a UPC-A on the same bread
COLA = ean13("400000000012")


def catalog_document() -> dict[str, Any]:
    """Return a small, valid catalogue file (a fresh copy each call: tests change it)."""
    return copy.deepcopy(
        {
            "tax_classes": [
                {"code": "STD", "rate": "0.19", "inclusive": True},
                {"code": "RED", "rate": "0.07", "inclusive": True},
            ],
            "products": [
                {
                    "sku": "100001",
                    "name": "Sparkling water 1 l",
                    "barcodes": [WATER],
                    "price": "0.79",
                    "tax_class": "STD",
                    "unit": "each",
                    "category": "drinks",
                },
                {
                    "sku": "200036",
                    "name": "Wholegrain bread 750 g",
                    "barcodes": [BREAD, BREAD_UPC],
                    "price": "2.49",
                    "tax_class": "RED",
                    "unit": "each",
                    "category": "bakery",
                },
                {
                    "sku": "4011",
                    "name": "Bananas",
                    "barcodes": [],
                    "plu": "4011",
                    "price": "1.99",
                    "tax_class": "RED",
                    "unit": "kg",
                    "category": "produce",
                },
            ],
            "promotions": [],
        }  # fmt: skip
    )


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class CommandOutput:
    stdout: str
    stderr: str


def run_command(command: str, /, *args: Any, **options: Any) -> CommandOutput:
    """Run a management command that must succeed, and return what it printed."""
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return CommandOutput(out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Refusal:
    message: str
    stderr: str


def refused_command(command: str, /, *args: Any, **options: Any) -> Refusal:
    """Run a management command that must fail: return its error message and its stderr."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command(command, *args, stdout=out, stderr=err, **options)
    return Refusal(str(refusal.value), err.getvalue())


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a document to a fresh JSON file and return its path."""
    counter = iter(range(1_000_000))

    def write(document: Any) -> Path:
        path = tmp_path / f"catalog-{next(counter)}.json"
        path.write_text(json.dumps(document))
        return path

    return write


@pytest.fixture
def import_catalog(db: None, write_json: Callable[[Any], Path]) -> Callable[..., CommandOutput]:
    """Import a catalogue document through the import_catalog command (it must succeed)."""

    def run(document: dict[str, Any], *options: str) -> CommandOutput:
        return run_command("import_catalog", str(write_json(document)), *options)

    return run


# ---------------------------------------------------------------------------- stores and signing


@dataclass(frozen=True)
class StoreCredentials:
    store_id: str
    key_id: str
    secret: str


def register_store(
    *, name: str, code: str | None = None, currency: str | None = None, region: str = ""
) -> StoreCredentials:
    """Register a store with register_store and read back the STORE_ID/STORE_KEY it prints."""
    printed = run_command(
        "register_store", name=name, code=code, currency=currency, region=region
    ).stdout
    values = dict(line.split("=", 1) for line in printed.splitlines())
    key_id, secret = values["STORE_KEY"].split(".", 1)
    return StoreCredentials(store_id=values["STORE_ID"], key_id=key_id, secret=secret)


def sign(*, secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of METHOD, PATH_WITH_QUERY, TIMESTAMP, NONCE, sha256(body)."""
    message = "\n".join([method, path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature_headers(
    credentials: StoreCredentials,
    *,
    method: str,
    path: str,
    body: bytes,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16) if nonce is None else nonce
    return {
        "X-Edge-Key": credentials.key_id,
        "X-Edge-Timestamp": stamp,
        "X-Edge-Nonce": nonce,
        "X-Edge-Signature": sign(
            secret=credentials.secret,
            method=method,
            path=path,
            timestamp=stamp,
            nonce=nonce,
            body=body,
        ),
    }


class StoreClient:
    """HQ's store API as one store calls it: each request signed with the store's key."""

    def __init__(self, client: Client, credentials: StoreCredentials) -> None:
        self.client = client
        self.credentials = credentials

    def store_path(self, suffix: str, *, store_id: str | None = None) -> str:
        return f"/api/v1/stores/{store_id or self.credentials.store_id}/{suffix}"

    def send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        signed_body: bytes | None = None,
        headers: dict[str, str] | None = None,
        **signing: Any,
    ) -> HttpResponse:
        """Send `body`, signed over `signed_body` (default: the body itself)."""
        signed = signature_headers(
            self.credentials,
            method=method,
            path=path,
            body=body if signed_body is None else signed_body,
            **signing,
        )
        return self.client.generic(
            method,
            path,
            data=body,
            content_type="application/json",
            headers={**signed, **(headers or {})},
        )

    def push_body(
        self, body: bytes, *, store_id: str | None = None, **options: Any
    ) -> HttpResponse:
        return self.send("POST", self.store_path("events", store_id=store_id), body, **options)

    def push(
        self, entries: list[dict[str, Any]], *, compress: bool = False, **options: Any
    ) -> HttpResponse:
        body = encode({"entries": entries})
        if compress:
            body = gzip.compress(body)
            options["headers"] = {"Content-Encoding": "gzip", **options.get("headers", {})}
        return self.push_body(body, **options)

    def get(self, suffix: str, **options: Any) -> HttpResponse:
        return self.send("GET", self.store_path(suffix), **options)

    def send_json(self, method: str, path: str, document: Any) -> HttpResponse:
        return self.send(method, path, encode(document))


def encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


@pytest.fixture
def store(db: None) -> StoreCredentials:
    return register_store(name="Berlin Mitte", code="S0001")


@pytest.fixture
def other_store(db: None) -> StoreCredentials:
    return register_store(name="Hamburg Altona", code="S0002")


@pytest.fixture
def hq(client: Client, store: StoreCredentials) -> StoreClient:
    """The store S0001 talking to HQ."""
    return StoreClient(client, store)


# ---------------------------------------------------------------------------- the store's ledger


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


@dataclass
class Till:
    """Write ledger entries the way a store does: for each sale, a sale_completed entry
    carrying the sale document, then one sale movement per line; seqs gapless from 1."""

    lane: int = 1
    config_version: int = 1
    seq: int = 0
    sales: int = 0
    at: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=UTC))

    def sale(self, *items: tuple[str, str, str]) -> list[dict[str, Any]]:
        """Ring (sku, quantity, unit price) items, paid in cash rounded up to the euro."""
        self.sales += 1
        sale_id = uuid.uuid4()
        lines = []
        for position, (sku, quantity, unit_price) in enumerate(items, start=1):
            amount = Decimal(quantity) * Decimal(unit_price)
            lines.append(
                {
                    "id": str(uuid.uuid4()),
                    "position": position,
                    "sku": sku,
                    "name": f"Product {sku}",
                    "quantity": str(Decimal(quantity).quantize(GRAM)),
                    "weight_kg": None,
                    "unit_price": unit_price,
                    "amount": money(amount),
                    "tax_class": "STD",
                }
            )
        total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
        net = (total / Decimal("1.19")).quantize(CENT, ROUND_HALF_UP)
        paid = total.quantize(Decimal(1), ROUND_CEILING)
        document = {
            "number": f"{self.lane:02d}-{self.sales:06d}",
            "lane": self.lane,
            "completed_at": self.at.isoformat(),
            "config_version": self.config_version,
            "subtotal": money(total),
            "discount_total": "0.00",
            "tax_total": money(total - net),
            "total": money(total),
            "amount_paid": money(paid),
            "change": money(paid - total),
            "lines": lines,
            "tenders": [{"id": str(uuid.uuid4()), "method": "cash", "amount": money(paid)}],
            "taxes": [
                {"tax_class": "STD", "rate": "0.1900", "inclusive": True, "net": money(net),
                 "tax": money(total - net), "gross": money(total)}
            ],
        }  # fmt: skip
        entries = [self._entry("sale_completed", sale_id, payload=document)]
        entries += [
            self._entry("sale", sale_id, sku=line["sku"], quantity=f"-{line['quantity']}")
            for line in lines
        ]
        return entries

    def refund(self, sale: list[dict[str, Any]], *, cash: bool = True) -> list[dict[str, Any]]:
        """Take back every line of a sale (as its entries), refunded in cash."""
        sold = sale[0]["payload"]
        self.sales += 1
        return_id = uuid.uuid4()
        negative = {key: money(-Decimal(sold[key]))
                    for key in ("subtotal", "tax_total", "total")}  # fmt: skip
        lines = [
            {**line, "id": str(uuid.uuid4()), "quantity": f"-{line['quantity']}",
             "amount": money(-Decimal(line["amount"])), "returns_line": line["id"]}
            for line in sold["lines"]
        ]  # fmt: skip
        document = {
            **sold, **negative, "number": f"{self.lane:02d}-{self.sales:06d}",
            "completed_at": self.at.isoformat(),
            "discount_total": "0.00", "amount_paid": negative["total"], "change": "0.00",
            "returns": sold["number"], "lines": lines,
            "tenders": [{"id": str(uuid.uuid4()), "method": "cash" if cash else "card",
                         "amount": negative["total"]}],
            "taxes": [{**tax, **{k: money(-Decimal(tax[k])) for k in ("net", "tax", "gross")}}
                      for tax in sold["taxes"]],
        }  # fmt: skip
        entries = [self._entry("return_completed", return_id, payload=document)]
        entries += [
            self._entry("return", return_id, sku=line["sku"], quantity=line["quantity"][1:])
            for line in lines
        ]
        return entries

    def shift_closed(self, *, expected: str, counted: str) -> dict[str, Any]:
        """A lane's Z report."""
        shift_id = uuid.uuid4()
        report = {
            "shift_id": str(shift_id), "lane": self.lane, "cashier": "12",
            "opened_at": (self.at - timedelta(hours=8)).isoformat(),
            "closed_at": self.at.isoformat(), "sales": self.sales, "returns": 0,
            "sales_total": "100.00", "returns_total": "0.00",
            "tenders": {"cash": "100.00"}, "opening_float": "50.00", "paid_in": "0.00",
            "paid_out": "0.00", "expected_cash": expected, "counted_cash": counted,
            "variance": money(Decimal(counted) - Decimal(expected)),
        }  # fmt: skip
        return self._entry("shift_closed", shift_id, payload=report)

    def movement(self, sku: str, quantity: str) -> dict[str, Any]:
        """A stock movement on its own (a return puts stock back with a positive quantity)."""
        return self._entry("sale", uuid.uuid4(), sku=sku, quantity=quantity)

    def _entry(
        self,
        kind: str,
        document_id: uuid.UUID,
        *,
        sku: str = "",
        quantity: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self.seq += 1
        return {
            "seq": self.seq,
            "uuid": str(uuid.uuid4()),
            "kind": kind,
            "sku": sku,
            "quantity": quantity,
            "document_type": "sale",
            "document_id": str(document_id),
            "payload": payload or {},
            "user": "cashier-1",
            "created_at": self.at.isoformat(),
            "config_version": self.config_version,
        }


@pytest.fixture
def till() -> Till:
    return Till()


# ---------------------------------------------------------------------------- what HQ holds


def holdings(store_id: str) -> dict[str, Any]:
    """Everything HQ derived from a store's pushes, to compare before and after a request."""
    ledger = StoreLedger.objects.filter(store_id=store_id).first()
    return {
        "high_water_mark": ledger.high_water_mark if ledger else 0,
        "entries": sorted(LedgerEntry.objects.filter(store_id=store_id).values_list("seq", "uuid")),
        "sales": sorted(Sale.objects.filter(store_id=store_id).values_list("number", "total")),
        "stock": sorted(
            StockLevel.objects.filter(store_id=store_id).values_list("sku", "quantity", "last_seq")
        ),
    }


NOTHING_HELD: dict[str, Any] = {"high_water_mark": 0, "entries": [], "sales": [], "stock": []}


def seqs(entries: Iterable[dict[str, Any]]) -> list[int]:
    return [entry["seq"] for entry in entries]
