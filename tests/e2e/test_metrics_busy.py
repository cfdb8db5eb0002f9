"""/metrics scraped while four lanes ring sales through gunicorn's workers: the figures
match the store's database, and every worker's requests are counted."""

from __future__ import annotations

import sqlite3
import threading
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_sale_travels import catalogue_codes, ring_sale
from tests.processes import System

pytestmark = pytest.mark.e2e
LANES, SALES = 4, 12


def scrape(url: str) -> dict[str, float]:
    answer = httpx.get(f"{url}/metrics", timeout=10)
    answer.raise_for_status()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            route = sample.labels.get("route", "")
            key = f"{sample.name}|{route}" if route else sample.name
            found[key] = found.get(key, 0.0) + sample.value
    return found


def test_metrics_while_busy_match_the_database(system: System) -> None:
    system.start("hq")
    system.start("store")
    system.store_manage("sync_now", "--pull-only")
    codes = catalogue_codes(system, 3)
    seen: list[float] = []
    done = threading.Event()
    failures: list[BaseException] = []

    def lane() -> None:
        try:
            with system.lane() as client:
                for _ in range(SALES):
                    ring_sale(client, codes)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    def scraper() -> None:
        while not done.is_set():
            seen.append(scrape(system.store_url)["edge_sales_total"])
            time.sleep(0.1)

    watcher = threading.Thread(target=scraper)
    watcher.start()
    lanes = [threading.Thread(target=lane) for _ in range(LANES)]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    done.set()
    watcher.join()
    assert not failures, failures
    assert len(seen) >= 3 and seen == sorted(seen)  # scraped during the burst, never backwards
    final = scrape(system.store_url)
    with sqlite3.connect(system.tmp / "store" / "store.sqlite3") as db:
        sales = db.execute("SELECT count(*) FROM sales_sale").fetchone()[0]
        entries = db.execute("SELECT count(*) FROM inventory_ledgerentry").fetchone()[0]
    assert sales == LANES * SALES
    assert final["edge_sales_total"] == sales
    assert final["edge_buffer_size"] == entries
    # Both workers' requests, summed from their files: one complete per sale.
    completes = final[
        "edge_http_request_duration_seconds_count|api/v1/baskets/<basket_id>/complete"
    ]
    assert completes == sales
