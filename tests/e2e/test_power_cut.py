"""kill -9 of the store's web processes in the middle of a burst of sales: every sale a lane
was told about is on disk, the ledger has no gap and stock verifies."""

import threading
import time
from typing import Any

import httpx
import pytest

from tests.e2e.test_sale_travels import catalogue_codes
from tests.processes import System

pytestmark = pytest.mark.e2e

LANES = 6


def ring_until_cut(system: System, token: str, codes: list[str], acknowledged: list[str]) -> None:
    client = httpx.Client(base_url=f"{system.store_url}/api/v1", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    try:
        while True:
            basket = client.post("/baskets").json()
            for code in codes:
                body: dict[str, Any] = {"code": code}
                if len(code) in (4, 5):
                    body["weight_kg"] = "0.400"
                client.post(f"/baskets/{basket['id']}/items", json=body)
            due = client.get(f"/baskets/{basket['id']}").json()["amount_due"]
            client.post(f"/baskets/{basket['id']}/payments", json={"method": "cash", "amount": due})
            answer = client.post(f"/baskets/{basket['id']}/complete")
            if answer.status_code == 201:
                acknowledged.append(answer.json()["id"])
    except (httpx.HTTPError, ValueError):
        return  # the store went away mid-request
    finally:
        client.close()


def test_a_power_cut_loses_no_acknowledged_sale_and_leaves_no_gap(system: System) -> None:
    system.start("hq")
    system.store_manage("sync_now", "--pull-only")
    tokens = [system.lane_token] + [
        system.store_manage("issue_lane_token", "--lane", str(n)).strip()
        for n in range(2, LANES + 1)
    ]
    web = system.start("store")
    codes = catalogue_codes(system, 4)
    acknowledged: list[str] = []
    threads = [threading.Thread(target=ring_until_cut, args=(system, t, codes, acknowledged))
               for t in tokens]  # fmt: skip
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    web.kill9()  # every web process at once, in the middle of the burst
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 40

    # The ledger has no gap and the stock projection agrees with it
    assert "no gap" in system.store_manage("verify_ledger")
    assert "matches the ledger" in system.store_manage("verify_stock")
    # And every sale a lane was told about is there after a restart
    system.start("store#2")
    with system.lane() as lane:
        for sale_id in acknowledged:
            assert lane.get(f"/sales/{sale_id}").status_code == 200
    summary = system.store_summary()
    assert summary["sales"] >= len(acknowledged)
    assert summary["entries"] == summary["last_seq"]
