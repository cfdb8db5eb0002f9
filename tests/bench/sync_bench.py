"""Sync figures: HQ's ingest rate against raw PostgreSQL, a store's 72-hour backlog drained
to HQ, and a 200k-product snapshot applied at the store (time and peak memory).

Everything runs for real: HQ under gunicorn on PostgreSQL (HQ_DATABASE_URL, default the
local server), the store's own sync code over HTTP, signed and gzipped."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from cloud_hq.stores.fleet_simulation import push, store_ledger
from deploy.local.redis_server import free_port
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


def _push_all(url: str, store_id: str, key: str, entries: list[dict[str, Any]]) -> None:
    with httpx.Client(timeout=120) as client:
        for start in range(0, len(entries), BATCH):
            answer = push(client, base_url=url, store_id=store_id, store_key=key,
                          entries=entries[start : start + BATCH])  # fmt: skip
            if answer["quarantined"]:
                raise SystemExit(f"ingest quarantined: {answer['quarantined'][:3]}")


def ingest_rate(tmp: Path, catalogue: Path) -> dict[str, float]:
    document = json.loads(catalogue.read_text())
    skus = [(p["sku"], p["price"]) for p in document["products"] if p["unit"] == "each"]
    with running_hq(tmp, "ingest", catalogue) as env:
        stores = [register(env) for _ in range(STORES)]
        ledgers = [store_ledger(skus, SALES_PER_STORE, lines=LINES) for _ in stores]
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


FLEET_STORES = 300


def fleet_simulation(tmp: Path, catalogue: Path) -> dict[str, float]:
    """simulate_fleet against HQ with one gunicorn worker (one core; PostgreSQL and the
    virtual stores have the machine's other core): 300 stores, each 25 sales of 5 lines."""
    with running_hq(tmp, "fleet", catalogue, workers=1) as env:
        out = manage("cloud_hq.settings", "simulate_fleet", "--hq-url", env["HQ_URL"],
                     "--stores", str(FLEET_STORES), "--sales", "25", "--lines", "5",
                     "--concurrency", "4", "--hq-cores", "1", env=env)  # fmt: skip
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    print(f"  fleet: {result}", flush=True)
    return result
