"""A sale rung at a lane reaches HQ exactly once, through real gunicorn, Celery and Redis."""

import json
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.processes import System

pytestmark = pytest.mark.e2e


def ring_sale(lane: httpx.Client, codes: list[str]) -> dict[str, Any]:
    basket = lane.post("/baskets").json()
    for code in codes:
        body: dict[str, Any] = {"code": code}
        if len(code) in (4, 5):
            body["weight_kg"] = "0.750"
        answer = lane.post(f"/baskets/{basket['id']}/items", json=body)
        assert answer.status_code == 200, answer.text
    due = answer.json()["amount_due"]
    paid = lane.post(f"/baskets/{basket['id']}/payments", json={"method": "cash", "amount": due})
    assert paid.status_code == 200, paid.text
    sale = lane.post(f"/baskets/{basket['id']}/complete")
    assert sale.status_code == 201, sale.text
    return sale.json()


def catalogue_codes(system: System, count: int) -> list[str]:
    products = json.loads(system.catalog.read_text())["products"]
    packaged = [p["barcodes"][0] for p in products if p["barcodes"]]
    produce = [p["plu"] for p in products if p.get("plu")]
    return [*produce[:1], *packaged[: count - 1]]


def wait_until(predicate: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def sync_status(lane: httpx.Client) -> dict[str, Any]:
    return lane.get("/sync/status").json()


def test_sale_reaches_hq_within_one_sync_interval(system: System) -> None:
    # Given HQ, the store, and the store's Celery worker and beat (sync every 5 s)
    for name in ("hq", "store", "worker", "beat"):
        system.start(name)
    with system.lane() as lane:
        wait_until(lambda: sync_status(lane)["config_version"] == 1, timeout=20, what="config pull")
        # When a cashier rings a sale of four items
        sale = ring_sale(lane, catalogue_codes(system, 4))
        rung_at = time.monotonic()
        # Then within one sync interval (plus the push itself) HQ holds it
        wait_until(lambda: sync_status(lane)["pending_entries"] == 0, timeout=15, what="the push")
        assert time.monotonic() - rung_at < system.sync_interval + 5
    hq = system.hq_summary()
    store = system.store_summary()
    assert hq == store
    assert hq["sales"] == 1
    assert Decimal(hq["sales_total"]) == Decimal(sale["total"])
    assert hq["entries"] == 1 + 4  # the sale document and one stock movement per line


@pytest.mark.parametrize("system", [{"store_env_extra": {"SYNC_BATCH_ROWS": "4"}}], indirect=True)
def test_worker_killed_mid_push_loses_and_duplicates_nothing(system: System) -> None:
    # Given 120 sales rung while the worker is down (480 entries, pushed 4 per batch)
    system.start("hq")
    system.start("store")
    system.store_manage("sync_now", "--pull-only")
    with system.lane() as lane:
        codes = catalogue_codes(system, 40)
        sales = [ring_sale(lane, codes[i % 37 : i % 37 + 3]) for i in range(120)]
        total_entries = system.store_summary()["entries"]
        assert total_entries == 120 * 4
        # When the worker is killed with SIGKILL in the middle of its push
        worker = system.start("worker#1")
        system.start("beat")
        wait_until(
            lambda: 0 < sync_status(lane)["acked_seq"] < total_entries / 2,
            timeout=30,
            what="the push to start",
        )
        worker.kill9()
        acked_when_killed = sync_status(lane)["acked_seq"]
        assert acked_when_killed < total_entries
        # And a new worker takes over
        system.start("worker#2")
        wait_until(
            lambda: sync_status(lane)["pending_entries"] == 0, timeout=60, what="the backlog"
        )
    # Then HQ holds every entry and every sale exactly once
    hq = system.hq_summary()
    store = system.store_summary()
    assert hq == store
    assert hq["entries"] == total_entries
    assert hq["sales"] == len(sales)
    assert Decimal(hq["sales_total"]) == sum(Decimal(s["total"]) for s in sales)
