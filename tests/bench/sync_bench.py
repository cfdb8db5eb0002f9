"""Sync figures: HQ's ingest rate against raw PostgreSQL, a store's 72-hour backlog drained
to HQ, and a 200k-product snapshot applied at the store (time and peak memory).

Everything runs for real: HQ under gunicorn on PostgreSQL (HQ_DATABASE_URL, default the
local server), the store's own sync code over HTTP, signed and gzipped."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg

from deploy.local.redis_server import free_port
from store_edge.sync.signing import signature_headers
from tests.processes import Service, base_env, gunicorn, hq_database, manage, wait_http

STORES = 4
SALES_PER_STORE = 1000
LINES = 9
BATCH = 1000


@contextmanager
def running_hq(tmp: Path, name: str, catalogue: Path, workers: int = 2) -> Iterator[dict[str, str]]:
    os.environ.setdefault("HQ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with hq_database(tmp) as url:
        env = base_env(DATABASE_URL=url, VAR_DIR=str(tmp / f"hq-{name}"), LOG_LEVEL="ERROR")
        manage("cloud_hq.settings", "migrate", "--no-input", "-v0", env=env)
        manage("cloud_hq.settings", "import_catalog", str(catalogue), "--publish", env=env)
        port = free_port()
        service = Service(f"hq-{name}", gunicorn("cloud_hq", port, workers=workers),
                          {**env, "DJANGO_SETTINGS_MODULE": "cloud_hq.settings"},
                          tmp / f"hq-{name}.log")  # fmt: skip
        service.start()
        try:
            wait_http(f"http://127.0.0.1:{port}/ready", service=service, timeout=60)
            yield {**env, "HQ_URL": f"http://127.0.0.1:{port}"}
        finally:
            service.stop()


def register(env: dict[str, str]) -> tuple[str, str]:
    printed = manage("cloud_hq.settings", "register_store", "--name", "Bench", env=env).split()
    values = dict(line.split("=", 1) for line in printed)
    return values["STORE_ID"], values["STORE_KEY"]


def store_ledger(skus: list[tuple[str, str]], sales: int) -> list[dict[str, Any]]:
    """A store's ledger as it pushes it: per sale, the document and one movement a line."""
    entries: list[dict[str, Any]] = []
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    for n in range(sales):
        sale_id = str(uuid.uuid4())
        picked = [skus[(n * LINES + k) % len(skus)] for k in range(LINES)]
        lines = [{"id": str(uuid.uuid4()), "position": k + 1, "sku": sku, "name": f"Item {sku}",
                  "quantity": "1.000", "weight_kg": None, "unit_price": price,
                  "base_amount": price, "amount": price, "tax_class": "STD", "adjustments": []}
                 for k, (sku, price) in enumerate(picked)]  # fmt: skip
        total = sum((Decimal(price) for _, price in picked), Decimal("0.00"))
        net = (total / Decimal("1.19")).quantize(Decimal("0.01"))
        document = {
            "number": f"01-{n + 1:07d}", "lane": 1, "completed_at": at.isoformat(),
            "config_version": 1, "subtotal": str(total), "discount_total": "0.00",
            "tax_total": str(total - net), "total": str(total), "amount_paid": str(total),
            "change": "0.00", "lines": lines,
            "tenders": [{"id": str(uuid.uuid4()), "method": "cash", "amount": str(total)}],
            "taxes": [{"tax_class": "STD", "rate": "0.1900", "inclusive": True, "net": str(net),
                       "tax": str(total - net), "gross": str(total)}],
        }  # fmt: skip
        entries.append(_entry(len(entries) + 1, "sale_completed", sale_id, at, payload=document))
        for sku, _ in picked:
            entries.append(
                _entry(len(entries) + 1, "sale", sale_id, at, sku=sku, quantity="-1.000")
            )
        at += timedelta(seconds=20)
    return entries


def _entry(seq: int, kind: str, document: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "uuid": str(uuid.uuid4()), "kind": kind, "sku": fields.get("sku", ""),
            "quantity": fields.get("quantity"), "document_type": "sale", "document_id": document,
            "payload": fields.get("payload", {}), "user": "bench",
            "created_at": at.isoformat(), "config_version": 1}  # fmt: skip


def _push_all(url: str, store_id: str, key: str, entries: list[dict[str, Any]]) -> None:
    path = f"/api/v1/stores/{store_id}/events"
    with httpx.Client(timeout=120) as client:
        for start in range(0, len(entries), BATCH):
            batch = {"entries": entries[start : start + BATCH]}
            raw = json.dumps(batch, separators=(",", ":")).encode()
            body = gzip.compress(raw, compresslevel=5)
            signed = signature_headers(store_key=key, method="POST", path=path, body=body)
            headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", **signed}
            answer = client.post(url + path, content=body, headers=headers)
            if answer.status_code != 200 or answer.json()["quarantined"]:
                raise SystemExit(f"ingest refused: {answer.status_code} {answer.text[:300]}")


def ingest_rate(tmp: Path, catalogue: Path) -> dict[str, float]:
    document = json.loads(catalogue.read_text())
    skus = [(p["sku"], p["price"]) for p in document["products"] if p["unit"] == "each"]
    with running_hq(tmp, "ingest", catalogue) as env:
        stores = [register(env) for _ in range(STORES)]
        ledgers = [store_ledger(skus, SALES_PER_STORE) for _ in stores]
        total = sum(len(ledger) for ledger in ledgers)
        threads = [threading.Thread(target=_push_all, args=(env["HQ_URL"], store_id, key, ledger))
                   for (store_id, key), ledger in zip(stores, ledgers, strict=True)]  # fmt: skip
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        rate = total / elapsed
        ceiling = _copy_rate(env["DATABASE_URL"], ledgers)
    print(f"  ingest: {total} entries from {STORES} stores in {elapsed:.1f} s = {rate:.0f}/s; "
          f"raw COPY + ON CONFLICT {ceiling:.0f}/s", flush=True)  # fmt: skip
    return {"rate": rate, "ceiling": ceiling}


COPY_TABLES = """
CREATE UNLOGGED TABLE IF NOT EXISTS bench_staging (store text, seq bigint, uuid uuid,
  kind text, sku text, quantity numeric(14,3), document_type text, document_id uuid,
  payload jsonb, "user" text, created_at timestamptz, config_version int);
CREATE TABLE IF NOT EXISTS bench_ledger (LIKE bench_staging, UNIQUE (store, seq));
"""


def _copy_rate(url: str, ledgers: list[list[dict[str, Any]]]) -> float:
    """The ceiling: the same entries, same batches, same concurrency, with raw COPY into a
    staging table and INSERT … ON CONFLICT DO NOTHING into the ledger, one commit a batch."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(COPY_TABLES)

    def load(store: str, entries: list[dict[str, Any]]) -> None:
        with psycopg.connect(url) as db:
            db.execute("CREATE TEMP TABLE staging (LIKE bench_staging)")
            for start in range(0, len(entries), BATCH):
                with db.cursor() as cursor:
                    with cursor.copy("COPY staging FROM STDIN") as copy:
                        for e in entries[start : start + BATCH]:
                            copy.write_row((store, e["seq"], e["uuid"], e["kind"], e["sku"],
                                            e["quantity"], e["document_type"], e["document_id"],
                                            json.dumps(e["payload"]), e["user"],
                                            e["created_at"], e["config_version"]))  # fmt: skip
                    cursor.execute("INSERT INTO bench_ledger SELECT * FROM staging "
                                   "ON CONFLICT DO NOTHING")  # fmt: skip
                    cursor.execute("TRUNCATE staging")
                db.commit()

    threads = [threading.Thread(target=load, args=(f"S{n}", ledger))
               for n, ledger in enumerate(ledgers)]  # fmt: skip
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(len(ledger) for ledger in ledgers) / (time.monotonic() - started)


def catch_up(
    tmp: Path, catalogue: Path, store_class: Any, *, sales: int = 30_000
) -> dict[str, float]:
    """A store that was offline for 72 hours (30k sales, 300k entries) drains to HQ."""
    with running_hq(tmp, "catchup", catalogue) as env:
        store_id, key = register(env)
        store = store_class(tmp, catalogue, "catchup", baskets=str(sales), lines=str(LINES),
                            lanes="20", paid="", complete="")  # fmt: skip
        store.env.update(HQ_URL=env["HQ_URL"], STORE_ID=store_id, STORE_KEY=key,
                         SYNC_RETRIES="0")  # fmt: skip
        before = store.summary()
        started = time.monotonic()
        manage("store_edge.settings", "sync_now", "--push-only", env=store.env)
        elapsed = time.monotonic() - started
        after = store.summary()
        at_hq = json.loads(manage("cloud_hq.settings", "ledger_summary", "--store", store_id,
                                  env=env))  # fmt: skip
    if at_hq != after:
        raise SystemExit(f"HQ and the store disagree after the catch-up: {at_hq} vs {after}")
    print(f"  catch-up: {before['sales']} sales, {before['entries']} entries in "
          f"{elapsed:.1f} s", flush=True)  # fmt: skip
    return {
        "seconds": elapsed,
        "sales": float(before["sales"]),
        "entries": float(before["entries"]),
    }


def snapshot_apply(tmp: Path, products: int = 200_000) -> dict[str, float]:
    """A store applies a 200k-product snapshot pulled from HQ: time, and its peak memory."""
    catalogue = tmp / "catalogue-snapshot.json"
    manage("cloud_hq.settings", "generate_demo_catalog", "--products", str(products), "--out",
           str(catalogue), env=base_env(VAR_DIR=str(tmp)))  # fmt: skip
    with running_hq(tmp, "snapshot", catalogue) as env:
        store_id, key = register(env)
        directory = tmp / "snapshot-store"
        directory.mkdir()
        store_env = base_env(DATABASE_URL=f"sqlite:///{directory / 'store.sqlite3'}",
                             VAR_DIR=str(directory), HQ_URL=env["HQ_URL"], STORE_ID=store_id,
                             STORE_KEY=key, LOG_LEVEL="ERROR")  # fmt: skip
        manage("store_edge.settings", "migrate", "--no-input", "-v0", env=store_env)
        out = manage("store_edge.settings", "shell", "-c", PROBE, env=store_env)
    measured = json.loads(out.strip().splitlines()[-1])
    print(f"  snapshot: {measured['products']} products applied in {measured['seconds']:.1f} s, "
          f"peak RSS {measured['rss_mib']:.0f} MiB", flush=True)  # fmt: skip
    if measured["products"] != products:
        raise SystemExit(f"the store holds {measured['products']} products, not {products}")
    return measured


# Runs inside the store's own process: the pull as `sync_now --pull-only` does it.
PROBE = """
import json, resource, time
from store_edge.catalog.models import Product
from store_edge.sync import services
started = time.monotonic()
with services.hq_client() as client:
    services.config_pull(client=client)
seconds = time.monotonic() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mib": rss, "products": Product.objects.count()}))
"""
